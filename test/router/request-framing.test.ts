/**
 * Request smuggling: with connections to the apps kept open and shared between clients, a
 * request whose length the router and an app could read differently would let one client hide
 * a request inside another's. Ambiguous framing and over-long headers are refused before any
 * app sees them; what does reach an app is framed by the router itself.
 *
 * Requests are written byte for byte on a socket: Node's http client would refuse to send them.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { echoOf, startRouterFixture, type RouterFixture } from "../support/router-fixture";
import { rawHttp } from "../support/router-net";

let router: RouterFixture;

beforeAll(async () => {
  router = await startRouterFixture();
});

afterAll(async () => {
  await router?.stop();
});

const HOST = "alice.beta.example.com";
const SMUGGLED = `GET /smuggled HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`;

const ROWS: { why: string; head: string; body: string; status: number }[] = [
  {
    why: "Transfer-Encoding and Content-Length together (CL.TE / TE.CL)",
    head: `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n`,
    body: `0\r\n\r\n${SMUGGLED}`,
    status: 400,
  },
  {
    why: "Content-Length and Transfer-Encoding the other way round",
    head: `POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\nContent-Length: 60\r\n`,
    body: `0\r\n\r\n${SMUGGLED}`,
    status: 400,
  },
  {
    why: "two Content-Length headers with different values",
    head: `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n`,
    body: SMUGGLED,
    status: 400,
  },
  {
    why: "two Content-Length headers with the same value",
    head: `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 5\r\nContent-Length: 5\r\n`,
    body: "hello",
    status: 400,
  },
  { why: "a Content-Length that is not a number", head: `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 5, 5\r\n`, body: "hello", status: 400 },
  { why: "a negative Content-Length", head: `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: -1\r\n`, body: "", status: 400 },
  {
    why: "a Transfer-Encoding other than chunked (e.g. 'chunked, identity', read as chunked by some servers)",
    head: `POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked, identity\r\n`,
    body: `0\r\n\r\n${SMUGGLED}`,
    status: 501,
  },
  {
    why: "Transfer-Encoding in an HTTP/1.0 request, which has no chunked encoding",
    head: `POST / HTTP/1.0\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n`,
    body: `0\r\n\r\n${SMUGGLED}`,
    status: 400,
  },
  {
    why: "a Host header longer than nginx's header buffers (8 KB)",
    head: `GET / HTTP/1.1\r\nHost: ${"a".repeat(9000)}.${HOST}\r\n`,
    body: "",
    status: 400,
  },
  {
    why: "a Host header longer than any DNS name (253 characters) but within the buffers: not a Beta host",
    head: `GET / HTTP/1.1\r\nHost: ${"a".repeat(250)}.${HOST}\r\n`,
    body: "",
    status: 421,
  },
];

describe("requests whose framing is ambiguous, or whose Host is over-long, are refused before any app sees them", () => {
  for (const { why, head, body, status } of ROWS) it(why, async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    const before = router.upstreams.map((upstream) => upstream.requests.length);
    const response = await rawHttp(router.port, `${head}\r\n${body}`);
    expect(response.status, response.raw).toBe(status);
    // A framing error also closes the connection: nothing left over is read as a next request.
    if (status !== 421) expect(response.headers.connection).toBe("close");
    expect(router.upstreams.map((upstream) => upstream.requests.length)).toEqual(before);
  });
});

describe("what reaches an app is framed by the router", () => {
  it("a chunked upload arrives whole, with a Content-Length the router computed and no Transfer-Encoding", async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    const chunked = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    const response = await rawHttp(router.port, `POST /upload HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`);
    const echo = echoOf(response);
    expect(echo.bodyBytes).toBe(11);
    expect(echo.headers["content-length"]).toBe("11");
    expect(echo.headers["transfer-encoding"]).toBeUndefined();
  });

  it("a request hidden in another's body stays body: the app sees one request, on a connection other clients share", async () => {
    onTestFailed(() => console.log(router.diagnostics()));
    const before = router.aliceWeb.requests.length;
    const response = await rawHttp(
      router.port,
      `POST /outer HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${SMUGGLED.length}\r\nConnection: close\r\n\r\n${SMUGGLED}`,
    );
    expect(echoOf(response).bodyBytes).toBe(SMUGGLED.length);
    // A later request from another client on the pooled connection is its own request, not the hidden one.
    expect(echoOf(await router.get(HOST, "/next")).url).toBe("/next");
    expect(router.aliceWeb.requests.slice(before).map((request) => request.url)).toEqual(["/outer", "/next"]);
  });
});
