import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { createWeb, renderPage } from "../server.js";

/** Starts `server` on a free loopback port and resolves to its base URL. */
function listen(server) {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

async function get(url) {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** A copy of the app directory as an image has it: page.html and a VERSION file. */
function imageDir(version) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "web-"));
  fs.copyFileSync(fileURLToPath(new URL("../page.html", import.meta.url)), path.join(dir, "page.html"));
  fs.writeFileSync(path.join(dir, "VERSION"), `${version}\n`);
  return dir;
}

describe("the sample web app", () => {
  const servers = [];
  let apiUrl;

  before(async () => {
    const api = http.createServer((_req, res) => res.end(JSON.stringify({ app: "api", namespace: "beta-alice", note: "<b>" })));
    servers.push(api);
    apiUrl = await listen(api);
  });
  after(() => servers.forEach((server) => server.close()));

  const start = async (env, dir) => {
    const server = createWeb({ env, dir });
    servers.push(server);
    return listen(server);
  };

  it("shows its version, its namespace and the API's answer, escaped", async () => {
    const base = await start({ BETA_NAMESPACE: "beta-alice", API_URL: apiUrl }, imageDir("local-1"));
    const { status, body } = await get(`${base}/`);
    assert.equal(status, 200);
    assert.match(body, /<code id="version">local-1<\/code>/);
    assert.match(body, /<code id="namespace">beta-alice<\/code>/);
    assert.match(body, /&quot;app&quot;:&quot;api&quot;/);
    assert.match(body, /&lt;b&gt;/);
    assert.doesNotMatch(body, /\{\{\w+\}\}/);
  });

  it("serves an edited page.html on the next request, without a restart (what beta sync relies on)", async () => {
    const dir = imageDir("local-1");
    const base = await start({ BETA_NAMESPACE: "beta-alice", API_URL: apiUrl }, dir);
    assert.match((await get(`${base}/`)).body, /Hello from web/);
    const page = path.join(dir, "page.html");
    fs.writeFileSync(page, fs.readFileSync(page, "utf8").replace("Hello from web", "Hello from a synced edit"));
    const edited = (await get(`${base}/`)).body;
    assert.match(edited, /Hello from a synced edit/);
    assert.doesNotMatch(edited, /Hello from web/);
  });

  it("still serves the page and /healthz when the API is down, saying why", async () => {
    const closed = http.createServer();
    const deadUrl = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const base = await start({ BETA_NAMESPACE: "beta-bob", API_URL: deadUrl }, imageDir("local-2"));
    assert.equal((await get(`${base}/healthz`)).status, 200);
    const { status, body } = await get(`${base}/`);
    assert.equal(status, 200);
    assert.match(body, /the API did not answer: .*ECONNREFUSED/);
    assert.match(body, /<code id="version">local-2<\/code>/);
  });

  it("answers 404 for any other path", async () => {
    const base = await start({}, imageDir("local-1"));
    assert.equal((await get(`${base}/nope`)).status, 404);
  });
});

describe("renderPage", () => {
  const cases = [
    { why: "fills every placeholder", template: "{{a}}-{{b}}", values: { a: "1", b: "2" }, expected: "1-2" },
    { why: "escapes HTML in values", template: "{{a}}", values: { a: `<x y="z">&'` }, expected: "&lt;x y=&quot;z&quot;&gt;&amp;&#39;" },
    { why: "leaves an unknown placeholder visible, so a typo shows", template: "{{nope}}", values: {}, expected: "{{nope}}" },
  ];
  for (const { why, template, values, expected } of cases) {
    it(why, () => assert.equal(renderPage(template, values), expected));
  }
});
