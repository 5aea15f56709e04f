/**
 * With `proxyProtocol`, the load balancer (an AWS NLB) opens each connection with a PROXY
 * protocol line carrying the real client address; apps must see that address.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { echoOf, startRouterFixture, type RouterFixture } from "../support/router-fixture";
import { httpRequest } from "../support/router-net";

let router: RouterFixture;

beforeAll(async () => {
  router = await startRouterFixture({ config: { proxyProtocol: true }, redirectPort: true, healthPort: true });
});

afterAll(async () => {
  await router?.stop();
});

const proxyLine = (client: string, port: number): string => `PROXY TCP4 ${client} 127.0.0.1 51234 ${port}\r\n`;

describe("behind a load balancer that speaks the PROXY protocol", () => {
  it("the app sees the client's address from the PROXY line, not the load balancer's", async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    const response = await router.request({
      host: "alice.beta.example.com",
      preamble: proxyLine("203.0.113.7", router.port),
      headers: { "X-Forwarded-For": "10.9.9.9" },
    });
    const echo = echoOf(response);
    expect(echo.headers["x-forwarded-for"]).toBe("203.0.113.7");
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
  });

  it("the redirect port reads the PROXY line too", async () => {
    const response = await httpRequest(router.redirectPort ?? 0, {
      host: "alice.beta.example.com",
      target: "/a?b",
      preamble: proxyLine("203.0.113.7", router.redirectPort ?? 0),
    });
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe("https://alice.beta.example.com/a?b");
  });

  it("a connection without a PROXY line is refused an answer, so nobody can bypass it to fake an address", async () => {
    const before = router.upstreams.map((upstream) => upstream.requests.length);
    const attempt = router.request({ host: "alice.beta.example.com", timeoutMs: 2_000 });
    await expect(attempt).rejects.toThrow();
    expect(router.upstreams.map((upstream) => upstream.requests.length)).toEqual(before);
    expect(router.nginx.errorLog()).toMatch(/broken header/);
  });

  it("kubelet probes, which cannot speak PROXY, use the plain health port", async () => {
    const response = await httpRequest(router.healthPort ?? 0, { host: "10.0.0.5", target: "/healthz" });
    expect(response.status).toBe(200);
  });
});
