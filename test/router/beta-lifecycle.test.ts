/**
 * Betas come and go while the router runs: a Service name appears in and disappears from the
 * cluster DNS (dnsmasq's hosts file, re-read on SIGHUP, so the DNS server keeps running too),
 * and the router follows within the DNS answer's TTL, or within `resolverValidSeconds` when that
 * is shorter, with the same nginx master, the same workers and the same config file throughout.
 */
import { statSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { serviceName, startRouterFixture, type RouterFixture } from "../support/router-fixture";
import { sleep } from "../support/router-net";

/** What must not change while Betas come and go: processes and the config nginx runs. */
function routerIdentity(router: RouterFixture): string {
  const files = [router.nginx.prefix.configFile, path.join(router.nginx.prefix.dir, "conf.d", "router.conf")];
  return JSON.stringify({
    master: router.nginx.pid,
    workers: router.nginx.workerPids(),
    dnsServer: router.dns.pid(),
    files: files.map((file) => ({ file, mtimeMs: statSync(file).mtimeMs, text: readFileSync(file, "utf8") })),
  });
}

/** Polls `host` until it answers `status`; returns the milliseconds that took. */
async function waitForStatus(router: RouterFixture, host: string, status: number, withinMs: number): Promise<number> {
  const started = Date.now();
  let last = 0;
  while (Date.now() - started < withinMs) {
    last = (await router.get(host)).status;
    if (last === status) return Date.now() - started;
    await sleep(50);
  }
  throw new Error(`${host} still answered ${last}, not ${status}, after ${withinMs} ms`);
}

/** Queries dnsmasq logged for `name` so far. */
function queriesFor(router: RouterFixture, name: string): number {
  return router.dns.log().split("\n").filter((line) => line.includes(`query[A] ${name} `)).length;
}

const rows = [
  { why: "the DNS answer's TTL (3 s) is shorter than the router's bound (30 s): the TTL rules", dnsTtlSeconds: 3, resolverValidSeconds: 30, boundSeconds: 3 },
  { why: "the router's bound (1 s) is shorter than the TTL (60 s): the bound rules", dnsTtlSeconds: 60, resolverValidSeconds: 1, boundSeconds: 1 },
];

describe.each(rows)("a Beta is created and destroyed while the router runs: $why", ({ dnsTtlSeconds, resolverValidSeconds, boundSeconds }) => {
  let router: RouterFixture;

  beforeAll(async () => {
    router = await startRouterFixture({ dnsTtlSeconds, config: { resolverValidSeconds } });
  });

  afterAll(async () => {
    await router?.stop();
  });

  it("routes the new Beta at once, serves it from the cache, and answers 404 within the bound once it is gone", async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    const name = serviceName("web", "dave");
    const host = "dave.beta.example.com";
    expect((await router.get(host)).status).toBe(404);
    // After a first request, so the worker has surely started.
    const before = routerIdentity(router);

    // pulumi up --stack beta-dave: its Service appears in the cluster DNS. A "no such name"
    // without an SOA is not cached (RFC 2308 section 5), so the very next request routes.
    await router.dns.setHosts({ [name]: router.bobWeb.ip });
    expect((await router.get(host)).status).toBe(200);

    // Within the bound, the router answers from its cache: no query per request.
    const queries = queriesFor(router, name);
    for (let i = 0; i < 10; i++) expect((await router.get(host)).status).toBe(200);
    expect(queriesFor(router, name)).toBe(queries);

    // pulumi destroy --stack beta-dave: the name is gone; the router follows within the bound.
    await router.dns.setHosts({});
    const goneAfterMs = await waitForStatus(router, host, 404, (boundSeconds + 2) * 1000);
    expect(goneAfterMs).toBeLessThanOrEqual((boundSeconds + 0.5) * 1000);

    // And back again, still the same processes and config.
    await router.dns.setHosts({ [name]: router.bobWeb.ip });
    expect((await router.get(host)).status).toBe(200);
    expect(routerIdentity(router)).toBe(before);
    expect(router.nginx.errorLog()).not.toMatch(/signal 1 \(SIGHUP\)|reconfiguring/);
    expect(router.nginx.errorLog()).toMatch(new RegExp(`${name.replace(/\./g, "\\.")} is NXDOMAIN`));
  });
});
