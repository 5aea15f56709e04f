/**
 * Tiny apps for router tests. The router always dials port 80, so each upstream listens on
 * `<its own loopback address>:80` (tests run as root) and records every request it gets.
 *
 * Behaviour by path:
 * - anything: 200 JSON `{ upstream, method, url, headers, bodyBytes }` (the app's view of the request)
 * - `/status/<code>`: answers that status itself (an app's own error page)
 * - `/hang-up`: closes the connection without answering (a crashing app)
 * - `/events`: server-sent events, 3 events 200 ms apart
 * - WebSocket upgrade: 101, then echoes every byte it receives
 */
import { createHash } from "node:crypto";
import http from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { Socket } from "node:net";
import { randomLoopbackAddress } from "./router-net";

/** One request an upstream received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Header names and values as sent, in order (duplicates kept). */
  rawHeaders: string[];
  upgrade: boolean;
}

/** A running upstream app. */
export interface Upstream {
  /** Label echoed as `upstream` in every answer. */
  readonly name: string;
  /** Loopback address it listens on, port 80. */
  readonly ip: string;
  /** Every request received, oldest first. */
  readonly requests: ReceivedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** The JSON body a default upstream answer carries. */
export interface UpstreamEcho {
  upstream: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Size of the request body received. */
  bodyBytes: number;
}

const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function handle(name: string, request: http.IncomingMessage, response: http.ServerResponse): void {
  const url = request.url ?? "/";
  const status = /^\/status\/(\d{3})$/.exec(url);
  if (status) {
    response.writeHead(Number(status[1]), { "Content-Type": "text/plain" });
    response.end(`${name} answered ${status[1]} itself\n`);
    return;
  }
  if (url === "/hang-up") {
    request.socket.destroy();
    return;
  }
  if (url === "/events") {
    // One event, then the stream stays open until the client leaves: the event can only
    // arrive if the proxy passes it on before the response ends.
    response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
    response.write("data: event 1\n\n");
    return;
  }
  let bodyBytes = 0;
  request.on("data", (chunk: Buffer) => (bodyBytes += chunk.length));
  request.on("end", () => {
    const echo: UpstreamEcho = { upstream: name, method: request.method ?? "", url, headers: request.headers, bodyBytes };
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end(JSON.stringify(echo));
  });
}

function upgrade(request: http.IncomingMessage, socket: Socket, head: Buffer): void {
  const key = request.headers["sec-websocket-key"];
  if (typeof key !== "string" || request.headers.upgrade?.toLowerCase() !== "websocket") {
    socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    return;
  }
  const accept = createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  if (head.length > 0) socket.write(head);
  socket.on("data", (chunk) => socket.write(chunk));
  socket.on("error", () => socket.destroy());
}

function listen(server: http.Server, ip: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(80, ip, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

/** Starts an upstream on a fresh loopback address (or `ip`), port 80; call `close()` in afterAll. */
export async function startUpstream(name: string, options: { ip?: string } = {}): Promise<Upstream> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = http.createServer((request, response) => handle(name, request, response));
  const record = (request: http.IncomingMessage, isUpgrade: boolean): void => {
    requests.push({
      method: request.method ?? "",
      url: request.url ?? "",
      headers: request.headers,
      rawHeaders: request.rawHeaders,
      upgrade: isUpgrade,
    });
  };
  server.prependListener("request", (request: http.IncomingMessage) => record(request, false));
  server.on("upgrade", (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
    record(request, true);
    upgrade(request, socket, head);
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    accepted++;
    socket.once("close", () => sockets.delete(socket));
  });

  let ip = options.ip;
  for (let attempt = 1; ; attempt++) {
    const candidate = ip ?? randomLoopbackAddress();
    try {
      await listen(server, candidate);
      ip = candidate;
      break;
    } catch (error) {
      if (options.ip !== undefined || attempt >= 20 || (error as NodeJS.ErrnoException).code !== "EADDRINUSE") {
        throw new Error(`upstream ${name} cannot listen on ${candidate}:80: ${(error as Error).message}`);
      }
    }
  }

  return {
    name,
    ip,
    requests,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
