/**
 * Loopback plumbing shared by the router helpers and tests: free ports and addresses, child
 * processes that never outlive the test process, and raw HTTP over a socket (Node's http
 * client would normalise the Host header and the request line, which is what tests probe).
 */
import { type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";

/** A TCP port on 127.0.0.1 that was free a moment ago (and its UDP twin, when asked). */
export async function freePort(options: { udp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (!options.udp || (await udpPortFree(port))) return port;
  }
  throw new Error("no free port on 127.0.0.1 after 20 tries");
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

/**
 * A random address in 127.64.0.0/10, away from 127.0.0.1 and from other test files running at
 * the same time (each upstream needs its own address, since the router always dials port 80).
 */
export function randomLoopbackAddress(): string {
  const byte = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));
  return `127.${byte(64, 127)}.${byte(0, 255)}.${byte(1, 254)}`;
}

/** True when something accepts TCP connections on host:port. */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** A loopback address where nothing listens on `port` (for "the app is down"). */
export async function unusedLoopbackAddress(port = 80): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const address = randomLoopbackAddress();
    if (!(await isListening(address, port))) return address;
  }
  throw new Error("no unused loopback address after 20 tries");
}

/** Polls until host:port accepts connections, the child exits, or the deadline passes. */
export async function waitForPort(host: string, port: number, options: { timeoutMs?: number; child?: ChildProcess } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  while (Date.now() < deadline) {
    if (options.child && options.child.exitCode !== null) {
      throw new Error(`process exited with code ${options.child.exitCode} before ${host}:${port} was listening`);
    }
    if (await isListening(host, port)) return;
    await sleep(25);
  }
  throw new Error(`nothing listening on ${host}:${port} after ${options.timeoutMs ?? 5_000} ms`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) child.kill("SIGKILL");
});

/** Kills `child` with SIGKILL if the test process exits before `stopChild` ran. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
}

/** Sends `signal`, waits up to `timeoutMs` for the exit, then SIGKILLs. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM", timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** A parsed HTTP/1.x response. Header names are lower-cased; repeated headers joined by ", ". */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent, for failure messages. */
  raw: string;
}

/**
 * Writes `request` (bytes exactly as given) to 127.0.0.1:port and reads until the server closes
 * or a complete response has arrived. Rejects after `timeoutMs`.
 */
export function rawHttp(port: number, request: string | Buffer, timeoutMs = 5_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString("latin1");
      if (error && raw === "") return reject(error);
      const parsed = parseResponse(raw);
      if (parsed) resolve(parsed);
      else reject(error ?? new Error(`incomplete HTTP response: ${JSON.stringify(raw.slice(0, 500))}`));
    };
    const timer = setTimeout(() => finish(new Error(`no complete response within ${timeoutMs} ms`)), timeoutMs);
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      if (isComplete(Buffer.concat(chunks).toString("latin1"))) finish();
    });
    socket.once("end", () => finish());
    socket.once("error", (error) => finish(error));
    socket.write(request);
  });
}

function splitHead(raw: string): { head: string; body: string } | undefined {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  return { head: raw.slice(0, end), body: raw.slice(end + 4) };
}

function isComplete(raw: string): boolean {
  const parts = splitHead(raw);
  if (!parts) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(parts.head);
  if (length) return Buffer.byteLength(parts.body, "latin1") >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(parts.head)) return parts.body.endsWith("0\r\n\r\n");
  return /^HTTP\/1\.\d (1\d\d|204|304)/.test(parts.head);
}

function dechunk(body: string): string {
  let out = "";
  let rest = body;
  for (;;) {
    const lineEnd = rest.indexOf("\r\n");
    if (lineEnd < 0) return out;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

export function parseResponse(raw: string): RawResponse | undefined {
  const parts = splitHead(raw);
  if (!parts) return undefined;
  const [statusLine, ...headerLines] = parts.head.split("\r\n");
  const status = /^HTTP\/1\.\d (\d{3}) ?(.*)$/.exec(statusLine);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const chunked = /chunked/i.test(headers["transfer-encoding"] ?? "");
  const body = Buffer.from(chunked ? dechunk(parts.body) : parts.body, "latin1").toString("utf8");
  return { status: Number(status[1]), statusText: status[2], headers, body, raw };
}

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
  /** Host header exactly as sent; `null` sends none. */
  host: string | null;
  /** Request target, e.g. `/a?b=c` or an absolute URI; default `/`. */
  target?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** HTTP version in the request line; default 1.1. */
  version?: "1.0" | "1.1";
  /** Bytes sent before the request, e.g. a PROXY protocol line. */
  preamble?: string;
  timeoutMs?: number;
}

/** One request with `Connection: close`, written byte for byte (see {@link rawHttp}). */
export function httpRequest(port: number, options: HttpRequestOptions): Promise<RawResponse> {
  const lines = [`${options.method ?? "GET"} ${options.target ?? "/"} HTTP/${options.version ?? "1.1"}`];
  if (options.host !== null) lines.push(`Host: ${options.host}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
  if (options.body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(options.body)}`);
  if (!Object.keys(options.headers ?? {}).some((name) => name.toLowerCase() === "connection")) lines.push("Connection: close");
  const text = `${options.preamble ?? ""}${lines.join("\r\n")}\r\n\r\n${options.body ?? ""}`;
  return rawHttp(port, text, options.timeoutMs);
}

/** What a WebSocket handshake and one echoed frame through a port gave (see {@link websocketExchange}). */
export interface WebsocketExchange {
  /** The response head, up to the blank line. */
  head: string;
  /** The masked frame sent after the handshake. */
  sent: Buffer;
  /** The bytes that came back after the handshake (the app echoes frames as they are). */
  received: Buffer;
}

/**
 * Opens a WebSocket to `host` through `port` (the RFC 6455 section 1.3 sample key), then sends one
 * masked "hello" frame. Waits at most 2 s for each answer.
 */
export async function websocketExchange(port: number, host: string, path = "/socket"): Promise<WebsocketExchange> {
  const socket = net.connect({ host: "127.0.0.1", port });
  try {
    let received = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    const waitFor = async (test: () => boolean): Promise<void> => {
      for (let i = 0; i < 100 && !test(); i++) await sleep(20);
    };
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    await waitFor(() => received.includes("\r\n\r\n"));
    const end = received.indexOf("\r\n\r\n");
    const head = received.subarray(0, end < 0 ? received.length : end + 4).toString("latin1");
    received = end < 0 ? Buffer.alloc(0) : received.subarray(end + 4);
    const sent = Buffer.from([0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]); // masked "hello"
    if (head.startsWith("HTTP/1.1 101 ")) {
      socket.write(sent);
      await waitFor(() => received.length >= sent.length);
    }
    return { head, sent, received };
  } finally {
    socket.destroy();
  }
}
