/** Helpers both sample apps use (each app keeps its own copy, so each directory builds alone). */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

/**
 * The version shown to people: the VERSION file the image build writes (read on every
 * request, so it is always the running image's), else $APP_VERSION, else "dev".
 */
export function readVersion(dir, env) {
  try {
    const text = fs.readFileSync(path.join(dir, "VERSION"), "utf8").trim();
    if (text) return text;
  } catch {
    // No VERSION file: a checkout, not an image.
  }
  return env.APP_VERSION || "dev";
}

/** GET `url` and resolve to the body; rejects on a non-2xx status, an error or the timeout. */
export function fetchText(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(body);
        else reject(new Error(`${url} answered ${res.statusCode}`));
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${url} did not answer within ${timeoutMs} ms`)));
    req.on("error", reject);
  });
}

export function sendJson(res, status, body) {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}
