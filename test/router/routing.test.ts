/**
 * Routing through the real router: nginx with the rendered config, dnsmasq as the cluster DNS,
 * upstream apps on loopback addresses (see test/support/router-fixture.ts for the cluster).
 * Betas created and destroyed while the router runs: beta-lifecycle.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { echoOf, startRouterFixture, type RouterFixture } from "../support/router-fixture";

let router: RouterFixture;

beforeAll(async () => {
  router = await startRouterFixture();
});

afterAll(async () => {
  await router?.stop();
});

function printLogsOnFailure(): void {
  onTestFailed(() => console.log(router.diagnostics()));
}

describe("a developer reaches the apps of their Beta", () => {
  const rows: { why: string; host: string; upstream: string; forwardedHost: string }[] = [
    { why: "alice's Beta URL serves her default app", host: "alice.beta.example.com", upstream: "alice-web", forwardedHost: "alice.beta.example.com" },
    { why: "<app>--<name> serves that app", host: "api--alice.beta.example.com", upstream: "alice-api", forwardedHost: "api--alice.beta.example.com" },
    { why: "the default app also has its <app>--<name> URL", host: "web--alice.beta.example.com", upstream: "alice-web", forwardedHost: "web--alice.beta.example.com" },
    { why: "bob's URL reaches bob's Beta, not alice's", host: "bob.beta.example.com", upstream: "bob-web", forwardedHost: "bob.beta.example.com" },
    { why: "host names are case-insensitive and the port is ignored", host: "ALICE.Beta.Example.com:443", upstream: "alice-web", forwardedHost: "alice.beta.example.com" },
    { why: "the same for the app form", host: "Api--Alice.BETA.example.COM:8443", upstream: "alice-api", forwardedHost: "api--alice.beta.example.com" },
    { why: "a fully qualified name with its trailing dot is the same host", host: "alice.beta.example.com.", upstream: "alice-web", forwardedHost: "alice.beta.example.com" },
  ];
  for (const { why, host, upstream, forwardedHost } of rows) it(`${why} (${host})`, async () => {
    printLogsOnFailure();
    const echo = echoOf(await router.get(host, "/orders/42?tab=history&sort=-date"));
    expect(echo.upstream).toBe(upstream);
    expect(echo.url).toBe("/orders/42?tab=history&sort=-date");
    expect(echo.headers.host).toBe(forwardedHost);
  });

  it("paths and queries reach the app exactly as sent, encoded bytes and all", async () => {
    printLogsOnFailure();
    const target = "/files/a%2Fb/%E2%9C%93/../x;v=1?q=a+b&r=%26&empty=&=&list=1&list=2";
    expect(echoOf(await router.get("alice.beta.example.com", target)).url).toBe(target);
  });

  it("methods and bodies pass through, including uploads over nginx's 1 MB default", async () => {
    printLogsOnFailure();
    const body = "x".repeat(3 * 1024 * 1024);
    const response = await router.request({ host: "api--alice.beta.example.com", method: "PUT", target: "/upload", body, timeoutMs: 15_000 });
    const echo = echoOf(response);
    expect(echo.method).toBe("PUT");
    expect(echo.bodyBytes).toBe(body.length);
  });

  it("an absolute URI in the request line is the host (RFC 9112): the app sees that host and only the path", async () => {
    printLogsOnFailure();
    const response = await router.request({ host: "alice.beta.example.com", target: "http://api--alice.beta.example.com/x?y=1" });
    const echo = echoOf(response);
    expect(echo.upstream).toBe("alice-api");
    expect(echo.url).toBe("/x?y=1");
    expect(echo.headers.host).toBe("api--alice.beta.example.com");
  });
});

describe("/healthz answers 200 for any Host without reaching a Beta", () => {
  const hosts: { why: string; host: string | null }[] = [
    { why: "a Beta host", host: "alice.beta.example.com" },
    { why: "an unknown Beta", host: "nobody.beta.example.com" },
    { why: "a foreign host", host: "evil.com" },
    { why: "an IP address, as a load balancer probe sends", host: "10.1.2.3:8080" },
  ];
  for (const { why, host } of hosts) it(why, async () => {
    const before = router.upstreams.map((upstream) => upstream.requests.length);
    const response = await router.get(host, "/healthz");
    expect(response.status).toBe(200);
    expect(response.body).toBe("ok\n");
    expect(router.upstreams.map((upstream) => upstream.requests.length)).toEqual(before);
  });

  it("also for an HTTP/1.0 probe that sends no Host at all", async () => {
    const response = await router.request({ host: null, version: "1.0", target: "/healthz" });
    expect(response.status).toBe(200);
  });
});
