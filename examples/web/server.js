/**
 * The sample web app: one page showing its version, the namespace it runs in (so a request
 * shows which Beta served it) and what the API answered. Node's standard library only.
 *
 * The page is page.html, read on every request, so an edit synced with `beta sync` shows on
 * the next reload without a restart.
 *
 * Env: PORT (default 3000), API_URL (e.g. http://api), BETA_NAMESPACE (the platform sets it
 * in every app of a Beta), APP_VERSION (when there is no VERSION file).
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fetchText, readVersion, sendJson } from "./lib.js";

/** How long the API may take before the page is served without it. */
const API_TIMEOUT_MS = 3000;

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

/** Fills `{{name}}` placeholders of the template, HTML-escaped; an unknown one is left as is. */
export function renderPage(template, values) {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key) => (key in values ? escapeHtml(values[key]) : whole));
}

/** The directory of this file: where page.html and the image's VERSION file are. */
const here = path.dirname(fileURLToPath(import.meta.url));

export function createWeb(options = {}) {
  const env = options.env ?? process.env;
  const dir = options.dir ?? here;
  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://web");
    if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "only GET" });
    if (url.pathname === "/healthz") return sendJson(res, 200, { ok: true });
    if (url.pathname !== "/") return sendJson(res, 404, { error: `no route ${url.pathname}` });
    let api;
    if (!env.API_URL) api = "API_URL is not set";
    else {
      try {
        api = (await fetchText(env.API_URL, API_TIMEOUT_MS)).trim();
      } catch (error) {
        api = `the API did not answer: ${error.message}`;
      }
    }
    const page = renderPage(fs.readFileSync(path.join(dir, "page.html"), "utf8"), {
      version: readVersion(dir, env),
      namespace: env.BETA_NAMESPACE || "unknown",
      api,
    });
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(page);
  });
}

// Started as `node server.js` (not imported by a test).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT || 3000);
  const server = createWeb();
  server.listen(port, () => console.log(`web listening on :${port}`));
  // Kubernetes stops a pod with SIGTERM; finish open requests, then exit.
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
