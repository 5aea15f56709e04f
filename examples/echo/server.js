/**
 * The sample shared backend: answers one line of text. The shared one (namespace shared, no
 * BETA_NAMESPACE) says it is shared; a Beta's personal copy (`beta up --service echo`; the
 * platform sets BETA_NAMESPACE in it as in every app) names its Beta, so a request shows which
 * one answered. Node's standard library only.
 *
 * Env: PORT (default 8080), BETA_NAMESPACE (set in a personal copy), ECHO_TEXT (what the shared
 * one says; default "hello from the shared echo service").
 */
import http from "node:http";
import { pathToFileURL } from "node:url";

export const SHARED_TEXT = "hello from the shared echo service";

/** What echo answers: the shared text, or the personal copy's with its namespace. */
export function echoText(env) {
  if (env.BETA_NAMESPACE) return `hello from echo, the personal copy in ${env.BETA_NAMESPACE}`;
  return env.ECHO_TEXT || SHARED_TEXT;
}

export function createEcho(options = {}) {
  const env = options.env ?? process.env;
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://echo");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { "content-type": "text/plain; charset=utf-8" });
      return res.end("only GET\n");
    }
    if (url.pathname === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      return res.end("ok\n");
    }
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" });
    res.end(`${echoText(env)}\n`);
  });
}

// Started as `node server.js` (not imported by a test).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT || 8080);
  const server = createEcho();
  server.listen(port, () => console.log(`echo listening on :${port}`));
  // Kubernetes stops a pod with SIGTERM; finish open requests, then exit.
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
