/**
 * A Host the router's DNS cache has no answer for. The balancer cannot wait for DNS, so such a
 * request goes once through `@beta_lookup` (router-lua.ts): nginx's own 500, then the lookup, then
 * the proxy again. Whatever the request, the app must see it as a cached Host's request, and the
 * detour must leave no trace in the error log. Each test uses Betas no other test asked for.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { echoOf, serviceName, startRouterFixture, type RouterFixture } from "../support/router-fixture";
import { startNxdomainDns, type NxdomainDns } from "../support/nxdomain-dns";
import { websocketExchange } from "../support/router-net";

/** Lines nginx logs at warn or worse, but its note that a large body went to a temp file, which a test here causes on purpose. */
function complaints(router: RouterFixture): string[] {
  return router.nginx
    .errorLog()
    .split("\n")
    .filter((line) => /\[(warn|error|crit|alert|emerg)\]/.test(line) && !/a client request body is buffered to a temporary file/.test(line));
}

/** The dnsmasq log's A queries for `name` so far (the fixture's own checks after setHosts included: compare before and after). */
function queriesFor(router: RouterFixture, name: string): number {
  return router.dns.log().split("\n").filter((line) => line.includes(`query[A] ${name} `)).length;
}

describe("the first request for a Host goes through the lookup and reaches the app whole", () => {
  let router: RouterFixture;
  beforeAll(async () => {
    router = await startRouterFixture();
    await router.dns.setHosts({
      [serviceName("web", "post-small")]: router.aliceWeb.ip,
      [serviceName("web", "post-large")]: router.aliceWeb.ip,
      [serviceName("api", "socket")]: router.aliceApi.ip,
      [serviceName("web", "cached")]: router.bobWeb.ip,
      [serviceName("web", "quiet")]: router.bobWeb.ip,
    });
  });
  afterAll(async () => {
    await router?.stop();
  });
  const printLogsOnFailure = (): void => onTestFailed(() => console.log(router.diagnostics()));

  it("a POST keeps its method and body: one in memory, and one over nginx's 16 KB body buffer, which goes to a temp file", async () => {
    printLogsOnFailure();
    for (const [beta, bytes] of [["post-small", 1_000], ["post-large", 200_000]] as const) {
      const queriesBefore = queriesFor(router, serviceName("web", beta));
      const response = await router.request({ host: `${beta}.beta.example.com`, target: "/upload", method: "POST", headers: { "Content-Type": "text/plain" }, body: "x".repeat(bytes) });
      const echo = echoOf(response);
      expect({ beta, upstream: echo.upstream, method: echo.method, url: echo.url, bodyBytes: echo.bodyBytes }).toEqual({ beta, upstream: "alice-web", method: "POST", url: "/upload", bodyBytes: bytes });
      // It was the first request for this Host: the router asked the DNS for it.
      expect(queriesFor(router, serviceName("web", beta)) - queriesBefore).toBe(1);
    }
    expect(router.nginx.errorLog()).toMatch(/a client request body is buffered to a temporary file.*host: "post-large\.beta\.example\.com"/);
  });

  it("a WebSocket upgrade as the very first request gets 101 and carries bytes both ways", async () => {
    printLogsOnFailure();
    const { head, sent, received } = await websocketExchange(router.port, "api--socket.beta.example.com");
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(received).toEqual(sent);
  });

  it("asks the DNS once per TTL: ten requests in a row for one Host make one query", async () => {
    printLogsOnFailure();
    const queriesBefore = queriesFor(router, serviceName("web", "cached"));
    for (let i = 0; i < 10; i++) expect(echoOf(await router.get("cached.beta.example.com", "/")).upstream).toBe("bob-web");
    expect(queriesFor(router, serviceName("web", "cached")) - queriesBefore).toBe(1);
  });

  it("the detour is not an error: nothing at warn or worse in the error log", async () => {
    printLogsOnFailure();
    const queriesBefore = queriesFor(router, serviceName("web", "quiet"));
    expect(echoOf(await router.get("quiet.beta.example.com", "/")).upstream).toBe("bob-web");
    expect(queriesFor(router, serviceName("web", "quiet")) - queriesBefore).toBe(1);
    // This test's detour and those of the tests before it.
    expect(complaints(router)).toEqual([]);
  });
});

describe("answers with TTL 0 are never cached", () => {
  let router: RouterFixture;
  beforeAll(async () => {
    router = await startRouterFixture({ dnsTtlSeconds: 0 });
  });
  afterAll(async () => {
    await router?.stop();
  });

  it("every request is looked up and reaches the app; a Beta gone from DNS answers 404 on the next request", async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    const name = serviceName("web", "zero");
    await router.dns.setHosts({ [name]: router.bobWeb.ip });
    const queriesBefore = queriesFor(router, name);
    for (let i = 0; i < 3; i++) expect(echoOf(await router.get("zero.beta.example.com", "/")).upstream).toBe("bob-web");
    expect(queriesFor(router, name) - queriesBefore).toBe(3);
    await router.dns.setHosts({});
    const gone = await router.get("zero.beta.example.com", "/");
    expect(gone.status).toBe(404);
    expect(gone.body).toContain("no Beta named zero");
    expect(complaints(router)).toEqual([]);
  });
});

describe("a cached \"no such name\" is answered without asking the DNS again", () => {
  let dns: NxdomainDns;
  let router: RouterFixture;
  beforeAll(async () => {
    dns = await startNxdomainDns({ zone: "cluster.local", ttl: 30, minimum: 60 });
    router = await startRouterFixture({ config: { resolver: dns.address } });
  });
  afterAll(async () => {
    await router?.stop();
    await dns?.stop();
  });

  it("an NXDOMAIN with an SOA is kept for its negative TTL: the next requests get the 404 page without asking again", async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    for (let i = 0; i < 3; i++) {
      const response = await router.get("ghost.beta.example.com", "/");
      expect(response.status).toBe(404);
      expect(response.body).toContain("no Beta named ghost");
    }
    // One query, whose answer (cached for min(30, 60) s, capped at resolverValidSeconds) served the other two.
    expect(dns.queries).toEqual([serviceName("web", "ghost")]);
    expect(complaints(router)).toEqual([]);
  });
});
