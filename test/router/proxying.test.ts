/**
 * What apps see of a proxied request (forwarded headers, request ids), WebSockets and
 * server-sent events through the router, the plain-HTTP redirect port and the health port.
 */
import http from "node:http";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { echoOf, startRouterFixture, type RouterFixture } from "../support/router-fixture";
import { httpRequest, websocketExchange } from "../support/router-net";

let router: RouterFixture;

beforeAll(async () => {
  router = await startRouterFixture({ redirectPort: true, healthPort: true });
});

afterAll(async () => {
  await router?.stop();
});

function printLogsOnFailure(): void {
  onTestFailed(() => console.log(router.diagnostics()));
}

describe("an app sees where the request came from, as the router saw it", () => {
  it("X-Forwarded-Proto is https (TLS ended at the load balancer), X-Forwarded-Host the normalised host", async () => {
    printLogsOnFailure();
    const echo = echoOf(await router.get("API--Alice.beta.example.com:443", "/"));
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
    expect(echo.headers["x-forwarded-host"]).toBe("api--alice.beta.example.com");
    expect(echo.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(echo.headers.host).toBe("api--alice.beta.example.com");
  });

  // What a client claims about the path its request took: each is replaced with what the router saw, or dropped.
  const madeUp: { why: string; header: string; value: string; expected: string | undefined }[] = [
    { why: "a client address", header: "X-Forwarded-For", value: "10.0.0.1", expected: "127.0.0.1" },
    { why: "a client address, as nginx-style apps read it", header: "X-Real-IP", value: "10.0.0.1", expected: "127.0.0.1" },
    { why: "an internal host", header: "X-Forwarded-Host", value: "kubernetes.default.svc.cluster.local", expected: "alice.beta.example.com" },
    { why: "a scheme", header: "X-Forwarded-Proto", value: "http", expected: "https" },
    { why: "the standard header (RFC 7239), which carries all of these at once", header: "Forwarded", value: "for=10.0.0.1;host=evil.com;proto=http", expected: undefined },
    { why: "a port", header: "X-Forwarded-Port", value: "8443", expected: undefined },
    { why: "a path prefix (Spring and others build redirects from it)", header: "X-Forwarded-Prefix", value: "/evil", expected: undefined },
    { why: "an HTTP proxy for the app (httpoxy)", header: "Proxy", value: "http://evil.com:3128", expected: undefined },
  ];
  for (const { why, header, value, expected } of madeUp) it(`a client's own ${header} (${why}) is ${expected === undefined ? "dropped" : "replaced"}`, async () => {
    printLogsOnFailure();
    const echo = echoOf(await router.get("alice.beta.example.com", "/", { [header]: value }));
    expect(echo.headers[header.toLowerCase()]).toBe(expected);
  });

  it("an underscore spelling of a forwarded header is not passed on either (no X_Forwarded_For reaching a CGI-style app)", async () => {
    printLogsOnFailure();
    const echo = echoOf(await router.get("alice.beta.example.com", "/", { X_Forwarded_For: "10.0.0.1", X_Real_IP: "10.0.0.1" }));
    expect(Object.keys(echo.headers).filter((name) => name.includes("_"))).toEqual([]);
    expect(echo.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  it("every request gets an X-Request-ID; a caller's well-formed one is kept, a malformed one replaced", async () => {
    printLogsOnFailure();
    // <router host>:<epoch seconds.ms>:<connection serial>:<request number on the connection>.
    const generated = new RegExp(`^${hostname().replace(/[.]/g, "\\.")}:\\d+\\.\\d{3}:\\d+:\\d+$`);
    const fresh = echoOf(await router.get("alice.beta.example.com", "/"));
    expect(fresh.headers["x-request-id"]).toMatch(generated);
    const kept = echoOf(await router.get("alice.beta.example.com", "/", { "X-Request-ID": "checkout-7f3a:42" }));
    expect(kept.headers["x-request-id"]).toBe("checkout-7f3a:42");
    const replaced = echoOf(await router.get("alice.beta.example.com", "/", { "X-Request-ID": "<script>alert(1)</script>" }));
    expect(replaced.headers["x-request-id"]).toMatch(generated);
    // A generated id is one the router itself keeps, so it survives a second hop through it.
    const passedOn = echoOf(await router.get("alice.beta.example.com", "/", { "X-Request-ID": String(fresh.headers["x-request-id"]) }));
    expect(passedOn.headers["x-request-id"]).toBe(fresh.headers["x-request-id"]);
    // One id per request, never one per connection or per worker: new connections, then several requests on one.
    const more = await Promise.all(Array.from({ length: 20 }, async () => echoOf(await router.get("api--alice.beta.example.com", "/")).headers["x-request-id"]));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const onOneConnection: unknown[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const echo = await new Promise<string>((resolve, reject) => {
          http
            .get({ host: "127.0.0.1", port: router.port, path: "/", agent, headers: { Host: "alice.beta.example.com" } }, (response) => {
              let body = "";
              response.on("data", (chunk: Buffer) => (body += chunk.toString()));
              response.on("end", () => resolve(body));
            })
            .on("error", reject);
        });
        onOneConnection.push((JSON.parse(echo) as { headers: Record<string, unknown> }).headers["x-request-id"]);
      }
    } finally {
      agent.destroy();
    }
    const ids = [fresh.headers["x-request-id"], replaced.headers["x-request-id"], ...more, ...onOneConnection];
    for (const id of ids) expect(id).toMatch(generated);
    expect(new Set(ids).size).toBe(27);
  });
});

describe("connections to the apps are kept and reused", () => {
  it("a hundred requests to one app, each on a new client connection, reach it over at most one new connection", async () => {
    printLogsOnFailure();
    const before = router.aliceApi.connections();
    for (let i = 0; i < 100; i++) expect((await router.get("api--alice.beta.example.com", `/n/${i}`)).status).toBe(200);
    expect(router.aliceApi.connections() - before).toBeLessThanOrEqual(1);
  });

  it("while every app keeps its own: requests alternating between two apps never go to the wrong one", async () => {
    printLogsOnFailure();
    for (let i = 0; i < 20; i++) {
      expect(echoOf(await router.get("alice.beta.example.com", "/")).upstream).toBe("alice-web");
      expect(echoOf(await router.get("bob.beta.example.com", "/")).upstream).toBe("bob-web");
    }
  });
});

describe("live connections pass through", () => {
  it("a WebSocket upgrade gets 101 from the app and then carries bytes both ways", async () => {
    printLogsOnFailure();
    const { head, sent, received } = await websocketExchange(router.port, "api--alice.beta.example.com");
    expect(head).toMatch(/^HTTP\/1\.1 101 /);
    expect(head).toMatch(/\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
    expect(head).toMatch(/\r\nUpgrade: websocket\r\n/i);
    expect(received).toEqual(sent);
    const upgrade = router.aliceApi.requests.find((request) => request.upgrade);
    expect(upgrade?.headers.upgrade).toBe("websocket");
    expect(upgrade?.headers.connection).toMatch(/upgrade/i);
  });

  it("only WebSocket upgrades reach the app: an h2c upgrade (request smuggling) is dropped", async () => {
    printLogsOnFailure();
    const echo = echoOf(await router.get("alice.beta.example.com", "/admin", { Upgrade: "h2c", Connection: "Upgrade, HTTP2-Settings", "HTTP2-Settings": "AAMAAABkAAQAAP__" }));
    expect(echo.headers.upgrade).toBeUndefined();
    expect(echo.headers.connection).toBeUndefined();
  });

  it("server-sent events reach the client while the stream is still open (dev servers' live reload)", async () => {
    printLogsOnFailure();
    const firstEvent = await new Promise<string>((resolve, reject) => {
      const request = http.get(
        { host: "127.0.0.1", port: router.port, path: "/events", headers: { Host: "alice.beta.example.com", Accept: "text/event-stream" } },
        (response) => {
          expect(response.statusCode).toBe(200);
          response.setEncoding("utf8");
          response.once("data", (chunk: string) => {
            resolve(chunk);
            request.destroy();
          });
          response.on("end", () => reject(new Error("the stream ended before any event arrived")));
        },
      );
      // The app never ends the stream: the event must be passed on as it comes.
      request.setTimeout(5_000, () => request.destroy(new Error("no event within 5 s: the proxy held it back")));
      request.on("error", (error) => {
        if (!request.destroyed || error.message.includes("held it back")) reject(error);
      });
    });
    expect(firstEvent).toBe("data: event 1\n\n");
  });
});

describe("plain HTTP on the redirect port", () => {
  const rows: { why: string; host: string; target: string; location: string }[] = [
    { why: "a Beta URL moves to https with its path and query", host: "alice.beta.example.com", target: "/orders?id=7", location: "https://alice.beta.example.com/orders?id=7" },
    { why: "an app URL too, normalised", host: "API--alice.beta.example.com:80", target: "/", location: "https://api--alice.beta.example.com/" },
  ];
  for (const { why, host, target, location } of rows) it(why, async () => {
    const before = router.upstreams.map((upstream) => upstream.requests.length);
    const response = await httpRequest(router.redirectPort ?? 0, { host, target });
    expect(response.status).toBe(301);
    expect(response.headers.location).toBe(location);
    expect(router.upstreams.map((upstream) => upstream.requests.length)).toEqual(before);
  });

  it.each(["evil.com", "www.beta.example.com", "alice.beta.example.com.evil.com", "127.0.0.1"])(
    "is no open redirect: %s gets the default server's 421",
    async (host) => {
      const response = await httpRequest(router.redirectPort ?? 0, { host, target: "/" });
      expect(response.status).toBe(421);
      expect(response.headers.location).toBeUndefined();
    },
  );
});

describe("the plain health port (for kubelet probes)", () => {
  it("answers /healthz and nothing else, for any Host", async () => {
    const before = router.upstreams.map((upstream) => upstream.requests.length);
    expect((await httpRequest(router.healthPort ?? 0, { host: "10.0.0.5:8082", target: "/healthz" })).status).toBe(200);
    expect((await httpRequest(router.healthPort ?? 0, { host: "alice.beta.example.com", target: "/" })).status).toBe(404);
    expect(router.upstreams.map((upstream) => upstream.requests.length)).toEqual(before);
  });
});

describe("a platform without TLS at the load balancer (router tls: none)", () => {
  let plain: RouterFixture;

  beforeAll(async () => {
    plain = await startRouterFixture({ config: { forwardedProto: "http" } });
  });

  afterAll(async () => {
    await plain?.stop();
  });

  it("tells apps the request came over http, and its pages link to http URLs", async () => {
    onTestFailed(() => console.log(plain.diagnostics()));
    expect(echoOf(await plain.get("alice.beta.example.com")).headers["x-forwarded-proto"]).toBe("http");
    expect((await plain.get("carol.beta.example.com")).body).toContain("at http://carol.beta.example.com/");
  });
});
