/**
 * The sample QA suite: what `beta test` runs against one's own Beta. Every app of the Beta
 * answers 200 from the Beta's own namespace, and api reaches the echo backend (shared, or the
 * Beta's personal copy). Writes a JUnit XML report and exits 1 when a case fails.
 * Node's standard library only.
 *
 * Env (set by beta test): BETA_NAME, BETA_SERVICE_URLS (JSON, app -> in-cluster URL).
 * REPORT_PATH: where the report goes (default /reports/junit.xml, beta:qa.reportPath).
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const REQUEST_TIMEOUT_MS = 5000;

/** The cases for a Beta: one per app, and api's call to echo. */
export async function runSuite({ name, urls, get }) {
  const results = [];
  const check = async (title, body) => {
    const started = Date.now();
    try {
      await body();
      results.push({ title, seconds: (Date.now() - started) / 1000 });
    } catch (error) {
      results.push({ title, seconds: (Date.now() - started) / 1000, failure: error.message });
    }
  };
  const namespace = `beta-${name}`;
  for (const app of Object.keys(urls).sort()) {
    await check(`${app} answers from ${namespace}`, async () => {
      const { status, text } = await get(urls[app]);
      if (status !== 200) throw new Error(`${urls[app]} answered ${status}`);
      if (!text.includes(namespace)) throw new Error(`${urls[app]} did not name ${namespace}`);
    });
  }
  if (urls.api) {
    await check("api reaches the echo backend", async () => {
      const { text } = await get(urls.api);
      const says = JSON.parse(text).shared?.says;
      if (!says) throw new Error(`api's answer has no shared.says: ${text.slice(0, 200)}`);
    });
  }
  return results;
}

const escape = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** The results as JUnit XML, the report format CI systems read. */
export function junitXml(results, suite = "beta-examples-qa") {
  const failures = results.filter((r) => r.failure !== undefined).length;
  const cases = results.map((r) =>
    r.failure === undefined
      ? `  <testcase name="${escape(r.title)}" time="${r.seconds.toFixed(3)}"/>`
      : `  <testcase name="${escape(r.title)}" time="${r.seconds.toFixed(3)}">\n    <failure message="${escape(r.failure)}"/>\n  </testcase>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="${suite}" tests="${results.length}" failures="${failures}">\n${cases.join("\n")}\n</testsuite>\n`;
}

async function get(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  return { status: res.status, text: await res.text() };
}

// Started as `node qa.js` (not imported by a test).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const name = process.env.BETA_NAME ?? "";
  const urls = JSON.parse(process.env.BETA_SERVICE_URLS || "{}");
  const results = await runSuite({ name, urls, get });
  for (const r of results) console.log(`${r.failure === undefined ? "ok" : "FAIL"}: ${r.title}${r.failure === undefined ? "" : ` (${r.failure})`}`);
  const report = process.env.REPORT_PATH || "/reports/junit.xml";
  fs.mkdirSync(path.dirname(report), { recursive: true });
  fs.writeFileSync(report, junitXml(results));
  const failed = results.filter((r) => r.failure !== undefined).length;
  console.log(`${results.length - failed} passed, ${failed} failed; report: ${report}`);
  process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
}
