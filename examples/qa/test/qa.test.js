import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { junitXml, runSuite } from "../qa.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** A Beta's answers by URL, as the suite's `get` sees them. */
const answers = (table) => async (url) => table[url] ?? { status: 404, text: "" };

describe("the sample QA suite", () => {
  const urls = { api: "http://api", web: "http://web" };

  it("passes a Beta whose apps answer from its namespace and whose api reaches echo", async () => {
    const results = await runSuite({
      name: "alice",
      urls,
      get: answers({
        "http://api": { status: 200, text: JSON.stringify({ namespace: "beta-alice", shared: { says: "hello" } }) },
        "http://web": { status: 200, text: "<code id=\"namespace\">beta-alice</code>" },
      }),
    });
    assert.deepEqual(results.map((r) => [r.title, r.failure]), [
      ["api answers from beta-alice", undefined],
      ["web answers from beta-alice", undefined],
      ["api reaches the echo backend", undefined],
    ]);
  });

  it("fails an app answered from another Beta, and an api without echo", async () => {
    const results = await runSuite({
      name: "alice",
      urls,
      get: answers({
        "http://api": { status: 200, text: JSON.stringify({ namespace: "beta-alice", shared: { error: "timeout" } }) },
        "http://web": { status: 200, text: "beta-bob" },
      }),
    });
    assert.deepEqual(results.filter((r) => r.failure).map((r) => r.title), ["web answers from beta-alice", "api reaches the echo backend"]);
  });

  it("writes JUnit XML with one testcase per case, failures marked and escaped", () => {
    const xml = junitXml([{ title: "a", seconds: 0.1 }, { title: "b <x>", seconds: 0.2, failure: "got \"503\"" }]);
    assert.match(xml, /<testsuite name="beta-examples-qa" tests="2" failures="1">/);
    assert.match(xml, /<testcase name="b &lt;x&gt;" time="0.200">\n {4}<failure message="got &quot;503&quot;"\/>/);
  });

  it("as a program: exits 1 and still writes the report when the Beta does not answer", async () => {
    const server = http.createServer((_req, res) => res.writeHead(503).end());
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "qa-")), "junit.xml");
    const env = { PATH: process.env.PATH, BETA_NAME: "alice", BETA_SERVICE_URLS: JSON.stringify({ web: `http://127.0.0.1:${server.address().port}` }), REPORT_PATH: report };
    const code = await new Promise((resolve) => execFile(process.execPath, [path.join(here, "..", "qa.js")], { env, timeout: 20_000 }, (error) => resolve(error ? error.code : 0)));
    server.close();
    assert.equal(code, 1);
    assert.match(fs.readFileSync(report, "utf8"), /failures="1"/);
  });
});
