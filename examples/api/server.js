/**
 * The sample API: answers with its version, the namespace it runs in (so a request shows
 * which Beta served it) and what the shared echo backend says. Node's standard library only.
 *
 * Env: PORT (default 4000), BETA_NAMESPACE (the platform sets it in every app of a Beta),
 * ECHO_URL (the shared backend, e.g. http://echo:8080), APP_VERSION (when there is no VERSION file).
 */
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fetchText, readVersion, sendJson } from "./lib.js";

/** How long the echo backend may take before the API answers without it. */
const ECHO_TIMEOUT_MS = 2000;

/** The directory of this file: where the image's VERSION file is. */
const here = path.dirname(fileURLToPath(import.meta.url));

export function createApi(options = {}) {
  const env = options.env ?? process.env;
  const dir = options.dir ?? here;
  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://api");
    if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "only GET" });
    if (url.pathname === "/healthz") return sendJson(res, 200, { ok: true });
    if (url.pathname !== "/") return sendJson(res, 404, { error: `no route ${url.pathname}` });
    let shared = null;
    if (env.ECHO_URL) {
      try {
        shared = { url: env.ECHO_URL, says: (await fetchText(env.ECHO_URL, ECHO_TIMEOUT_MS)).trim() };
      } catch (error) {
        shared = { url: env.ECHO_URL, error: error.message };
      }
    }
    sendJson(res, 200, { app: "api", version: readVersion(dir, env), namespace: env.BETA_NAMESPACE || "unknown", shared });
  });
}

// Started as `node server.js` (not imported by a test).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT || 4000);
  const server = createApi();
  server.listen(port, () => console.log(`api listening on :${port}`));
  // Kubernetes stops a pod with SIGTERM; finish open requests, then exit.
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
