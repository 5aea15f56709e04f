import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { createApi } from "../server.js";

/** Starts `server` on a free loopback port and resolves to its base URL. */
function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

async function get(url) {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

describe("the sample api", () => {
  const servers = [];
  let echoUrl;
  let imageDir;

  before(async () => {
    const echo = http.createServer((_req, res) => res.end("hello from the shared echo\n"));
    servers.push(echo);
    echoUrl = await listen(echo);
    imageDir = fs.mkdtempSync(path.join(os.tmpdir(), "api-"));
    fs.writeFileSync(path.join(imageDir, "VERSION"), "local-7\n");
  });
  after(() => servers.forEach((server) => server.close()));

  const start = async (env, dir = imageDir) => {
    const server = createApi({ env, dir });
    servers.push(server);
    return listen(server);
  };

  it("answers /healthz with 200", async () => {
    const base = await start({});
    assert.equal((await get(`${base}/healthz`)).status, 200);
  });

  it("names its namespace and the image's version, and relays the shared backend", async () => {
    const base = await start({ BETA_NAMESPACE: "beta-alice", ECHO_URL: echoUrl, APP_VERSION: "from-env" });
    const { status, body } = await get(`${base}/`);
    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(body), {
      app: "api",
      version: "local-7",
      namespace: "beta-alice",
      shared: { url: echoUrl, says: "hello from the shared echo" },
    });
  });

  it("falls back to $APP_VERSION without a VERSION file, and to \"unknown\" without a namespace", async () => {
    const base = await start({ APP_VERSION: "from-env" }, fs.mkdtempSync(path.join(os.tmpdir(), "api-src-")));
    const answer = JSON.parse((await get(`${base}/`)).body);
    assert.equal(answer.version, "from-env");
    assert.equal(answer.namespace, "unknown");
    assert.equal(answer.shared, null);
  });

  it("still answers when the shared backend is down, saying why", async () => {
    const closed = http.createServer();
    const deadUrl = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const base = await start({ BETA_NAMESPACE: "beta-bob", ECHO_URL: deadUrl });
    const { status, body } = await get(`${base}/`);
    assert.equal(status, 200);
    const answer = JSON.parse(body);
    assert.equal(answer.namespace, "beta-bob");
    assert.match(answer.shared.error, /ECONNREFUSED/);
  });

  it("answers 404 for any other path", async () => {
    const base = await start({});
    assert.equal((await get(`${base}/nope`)).status, 404);
  });
});
