import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { SHARED_TEXT, createEcho } from "../server.js";

/** Starts echo with `env` on a free loopback port and resolves to its base URL. */
function start(env, servers) {
  const server = createEcho({ env });
  servers.push(server);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

describe("the sample echo backend", () => {
  const servers = [];
  after(() => servers.forEach((server) => server.close()));

  it("the shared one (no BETA_NAMESPACE) says it is shared", async () => {
    const res = await fetch(await start({}, servers));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), `${SHARED_TEXT}\n`);
  });

  it("a personal copy names the Beta it runs in, and never claims to be the shared one", async () => {
    const body = await (await fetch(await start({ BETA_NAMESPACE: "beta-alice" }, servers))).text();
    assert.equal(body, "hello from echo, the personal copy in beta-alice\n");
    assert.ok(!body.includes(SHARED_TEXT));
  });

  it("answers /healthz with 200 (its probe) and refuses other methods", async () => {
    const base = await start({}, servers);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(base, { method: "POST" })).status, 405);
  });
});
