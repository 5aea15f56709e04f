/**
 * Hosts and request lines an attacker (or a confused client) sends. Each must get the default
 * server's answer (421), or nginx's own 400 for what it rejects before choosing a server, and
 * must reach no upstream at all: not the Betas' apps, and not the canary that dnsmasq serves
 * under internal-looking names (kubernetes.default..., metadata, evil.beta-alice..., uber, ...,
 * and all of example.com, so proxying to a public host by its own name would be caught too).
 *
 * Requests are written byte for byte on a socket: Node's http client would normalise them.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { MISDIRECTED_STATUS } from "../../components/router-config";
import { startRouterFixture, type RouterFixture } from "../support/router-fixture";
import { rawHttp, type RawResponse } from "../support/router-net";

interface HostileRow {
  why: string;
  /** Host header value; `null` = no Host header. */
  host?: string | null;
  /** A whole request, instead of `GET / HTTP/1.1` with `host`. */
  raw?: string;
  /** 421 from the default server, or 400 when nginx rejects the request before routing. */
  status: 400 | 421;
  /** Only hostile when an allow-list of apps is set (without one, any valid app name routes). */
  allowListOnly?: boolean;
}

const LONG_NAME = "a".repeat(31);
const LONG_APP = "a".repeat(21);

const ROWS: HostileRow[] = [
  { why: "another domain", host: "alice.beta.example.org", status: 421 },
  { why: "a Beta host as the prefix of an attacker's domain", host: "alice.beta.example.com.evil.com", status: 421 },
  { why: "the domain glued to a name without a dot", host: "alicebeta.example.com", status: 421 },
  { why: "the domain's dots are literal dots, not regex wildcards", host: "alice.betaxexample.com", status: 421 },
  { why: "an extra label in front of a Beta host", host: "x.alice.beta.example.com", status: 421 },
  { why: "an extra label between name and domain", host: "alice.x.beta.example.com", status: 421 },
  { why: "the apex of the Beta domain", host: "beta.example.com", status: 421 },
  { why: "the parent domain", host: "example.com", status: 421 },
  { why: "an IPv4 address", host: "127.0.0.1", status: 421 },
  { why: "the cloud metadata address", host: "169.254.169.254", status: 421 },
  { why: "an IPv6 literal", host: "[::1]:80", status: 421 },
  { why: "the Kubernetes API's in-cluster name", host: "kubernetes.default.svc.cluster.local", status: 421 },
  { why: "a Beta app's in-cluster Service name", host: "web.beta-alice.svc.cluster.local", status: 421 },
  { why: "a bare internal name", host: "metadata", status: 421 },
  { why: "localhost", host: "localhost", status: 421 },
  { why: "a query string smuggled into Host", host: "alice.beta.example.com?x=.evil.com", status: 421 },
  { why: "a fragment smuggled into Host", host: "alice.beta.example.com#.evil.com", status: 421 },
  { why: "percent-encoding in Host is not decoded into a name", host: "%61lice.beta.example.com", status: 421 },
  { why: "userinfo in front of a Beta host", host: "evil@alice.beta.example.com", status: 421 },
  { why: "a Beta host as userinfo of another host", host: "alice.beta.example.com@evil.com", status: 421 },
  { why: "a name starting with '-'", host: "-alice.beta.example.com", status: 421 },
  { why: "a name ending with '-'", host: "alice-.beta.example.com", status: 421 },
  { why: "'--' inside the developer name", host: "web--al--ice.beta.example.com", status: 421 },
  { why: "a triple dash between app and name", host: "web---alice.beta.example.com", status: 421 },
  { why: "a developer name over 30 characters", host: `${LONG_NAME}.beta.example.com`, status: 421 },
  { why: "an app name over 20 characters", host: `${LONG_APP}--alice.beta.example.com`, status: 421 },
  { why: "an app name starting with a digit", host: "1web--alice.beta.example.com", status: 421 },
  { why: "an underscore in a name", host: "al_ice.beta.example.com", status: 421 },
  { why: "a look-alike Cyrillic letter", host: "\u0430lice.beta.example.com", status: 421 },
  { why: "reserved name www", host: "www.beta.example.com", status: 421 },
  { why: "reserved name uber (the router's namespace) in the app form", host: "web--uber.beta.example.com", status: 421 },
  { why: "reserved name admin", host: "admin.beta.example.com", status: 421 },
  { why: "an app that is not on the allow-list", host: "evil--alice.beta.example.com", status: 421, allowListOnly: true },
  { why: "a punycode label reads as app 'xn' and is not on the allow-list", host: "xn--alice.beta.example.com", status: 421, allowListOnly: true },
  { why: "a port on a foreign host", host: "evil.com:443", status: 421 },
  { why: "a 300-character Host", host: `${"a".repeat(300)}.beta.example.com`, status: 421 },
  { why: "an empty Host header", host: "", status: 400 },
  { why: "no Host header in HTTP/1.1", host: null, status: 400 },
  { why: "no Host header in HTTP/1.0", raw: "GET / HTTP/1.0\r\n\r\n", status: 421 },
  { why: "two Host headers", raw: "GET / HTTP/1.1\r\nHost: alice.beta.example.com\r\nHost: evil.com\r\nConnection: close\r\n\r\n", status: 400 },
  { why: "a backslash in Host", host: "alice.beta.example.com\\evil.com", status: 421 },
  { why: "a NUL byte in Host", host: "alice.beta.example.com\u0000.evil.com", status: 400 },
  { why: "a space inside Host", host: "alice .beta.example.com", status: 400 },
  { why: "an empty label in Host", host: "alice..beta.example.com", status: 400 },
  { why: "a slash in Host", host: "alice.beta.example.com/evil", status: 400 },
  {
    why: "an absolute URI elsewhere overrides a valid Host (and lands on the default server)",
    raw: "GET http://evil.com/ HTTP/1.1\r\nHost: alice.beta.example.com\r\nConnection: close\r\n\r\n",
    status: 421,
  },
  {
    why: "an absolute URI naming a cluster-internal host",
    raw: "GET http://kubernetes.default.svc.cluster.local/api HTTP/1.1\r\nHost: alice.beta.example.com\r\nConnection: close\r\n\r\n",
    status: 421,
  },
  {
    why: "an absolute URI with a Beta host as userinfo",
    raw: "GET http://alice.beta.example.com@evil.com/ HTTP/1.1\r\nHost: alice.beta.example.com\r\nConnection: close\r\n\r\n",
    status: 400,
  },
  {
    why: "CONNECT to an internal host:port",
    raw: "CONNECT kubernetes.default.svc.cluster.local:443 HTTP/1.1\r\nHost: kubernetes.default.svc.cluster.local:443\r\nConnection: close\r\n\r\n",
    status: 400,
  },
];

function request(row: HostileRow, port: number): Promise<RawResponse> {
  if (row.raw !== undefined) return rawHttp(port, row.raw);
  const host = row.host === null ? "" : `Host: ${row.host}\r\n`;
  return rawHttp(port, Buffer.from(`GET / HTTP/1.1\r\n${host}Connection: close\r\n\r\n`, "utf8"));
}

describe.each([
  { variant: "with an allow-list of apps", config: { apps: ["web", "api"] } },
  { variant: "with any app routable", config: {} },
])("a hostile Host or request line is never proxied ($variant)", ({ config }) => {
  let router: RouterFixture;

  beforeAll(async () => {
    router = await startRouterFixture({ config });
  });

  afterAll(async () => {
    await router?.stop();
  });

  const rows = "apps" in config ? ROWS : ROWS.filter((row) => !row.allowListOnly);
  it("(the table has at least 20 rows)", () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
  });

  for (const row of rows) it(row.why, async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    const before = router.upstreams.map((upstream) => upstream.requests.length);
    const response = await request(row, router.port);
    expect(response.status, response.raw).toBe(row.status);
    if (row.status === MISDIRECTED_STATUS) expect(response.body).toMatch(/^421 Misdirected Request: this router only serves/);
    expect(router.upstreams.map((upstream) => upstream.requests.length)).toEqual(before);
    expect(router.canary.requests).toEqual([]);
  });

  it("while the Beta hosts themselves still route (the canary setup is not blocking everything)", async () => {
    const response = await router.get("alice.beta.example.com");
    expect(response.status).toBe(200);
    expect(router.canary.requests).toEqual([]);
  });
});
