/**
 * The router's own pages. How it tells the failures apart: the DNS answer decides. NXDOMAIN (no
 * such Beta, or no such app in it) → 404; an address that refuses, resets or times out → 503
 * "app down"; no DNS answer at all → 503 "cannot look it up". The DNS and error logs below show
 * each cause really happened.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { serviceName, startRouterFixture, type RouterFixture } from "../support/router-fixture";
import { freePort } from "../support/router-net";

let router: RouterFixture;

beforeAll(async () => {
  router = await startRouterFixture();
});

afterAll(async () => {
  await router?.stop();
});

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

function printLogsOnFailure(): void {
  onTestFailed(() => console.log(router.diagnostics()));
}

describe("a Beta that does not exist gets a 404 that names it and says how to create it", () => {
  it("curl (no HTML wanted) gets plain text", async () => {
    printLogsOnFailure();
    const response = await router.get("carol.beta.example.com", "/");
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body).toContain("no Beta named carol");
    expect(response.body).toContain("pulumi up --stack beta-carol");
    // The cause really was "no such name": dnsmasq said NXDOMAIN.
    expect(router.dns.log()).toMatch(new RegExp(`${serviceName("web", "carol").replace(/\./g, "\\.")} is NXDOMAIN`));
  });

  it("a browser gets a small HTML page", async () => {
    printLogsOnFailure();
    const response = await router.get("carol.beta.example.com", "/", { Accept: BROWSER_ACCEPT });
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.body).toMatch(/^<!doctype html>/);
    expect(response.body).toContain("<h1>No Beta named carol</h1>");
    expect(response.body).toContain("pulumi up --stack beta-carol");
  });

  it("an <app>--<name> URL of a missing Beta says the app may be what is missing", async () => {
    printLogsOnFailure();
    const response = await router.get("admin--alice.beta.example.com", "/");
    expect(response.status).toBe(404);
    expect(response.body).toContain("no Beta named alice at https://admin--alice.beta.example.com/ (or it has no app admin)");
  });

  it("the page is the page, whatever extension the URL has (no image/png 404s)", async () => {
    const response = await router.get("carol.beta.example.com", "/logo.png");
    expect(response.status).toBe(404);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
  });
});

describe("a Beta whose app does not answer gets a 503 that names the app", () => {
  it("the app's Service resolves but nothing accepts the connection", async () => {
    printLogsOnFailure();
    const response = await router.get("api--bob.beta.example.com", "/");
    expect(response.status).toBe(503);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body).toContain("Beta bob exists, but app api is not answering");
    expect(response.body).toContain("kubectl -n beta-bob get pods -l app.kubernetes.io/name=api");
    // The cause really was a refused connection to the resolved address.
    expect(router.nginx.errorLog()).toMatch(/connect\(\) failed \(111: Connection refused\).*host: "api--bob\.beta\.example\.com"/);
  });

  it("a browser gets the HTML version", async () => {
    const response = await router.get("api--bob.beta.example.com", "/", { Accept: BROWSER_ACCEPT });
    expect(response.status).toBe(503);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.body).toContain("<h1>api is not answering</h1>");
  });

  it("an app that hangs up without answering is not answering either", async () => {
    printLogsOnFailure();
    const response = await router.get("alice.beta.example.com", "/hang-up");
    expect(response.status).toBe(503);
    expect(response.body).toContain("Beta alice exists, but its default app web is not answering");
  });
});

describe("an app's own error answers reach the developer untouched", () => {
  it.each([404, 500, 502, 503, 504])("the app's own %i", async (status) => {
    const response = await router.get("api--alice.beta.example.com", `/status/${status}`);
    expect(response.status).toBe(status);
    expect(response.body).toBe(`alice-api answered ${status} itself\n`);
  });
});

describe("when the cluster DNS cannot be reached, the router says so instead of guessing 404 or 503-app-down", () => {
  let blind: RouterFixture;

  beforeAll(async () => {
    // A resolver address where nothing listens: every lookup fails.
    blind = await startRouterFixture({ config: { resolver: `127.0.0.1:${await freePort({ udp: true })}`, resolverTimeoutSeconds: 1 } });
  });

  afterAll(async () => {
    await blind?.stop();
  });

  it("a Beta host gets a 503 that names the Beta and points at kube-dns", async () => {
    onTestFailed(() => console.log(blind.diagnostics()));
    const response = await blind.get("alice.beta.example.com", "/");
    expect(response.status).toBe(503);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.body).toContain("cannot look up Beta alice right now");
    expect(response.body).toContain("kubectl -n kube-system get pods -l k8s-app=kube-dns");
    expect(blind.aliceWeb.requests).toEqual([]);
    expect(blind.nginx.errorLog()).toMatch(/DNS query for web\.beta-alice\.svc\.cluster\.local failed: /);
  });
});
