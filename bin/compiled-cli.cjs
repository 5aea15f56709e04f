// Where the bundled `beta` command is, and whether it is current: built after every source
// file it bundles was last changed. Shared by bin/beta.cjs and bench/cli.ts.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const COMPILED_CLI = path.join(ROOT, "dist", "cli", "main.js");
/** What `npm run build` bundles from (cli/main.ts and everything it imports). */
const SOURCES = ["cli", "lib", "offline", "stacks", "components", "policy", "index.ts", "package.json"];

/** True when some source file under `entry` changed after `builtAt` (ms); dependencies are not sources. */
function changedSince(entry, builtAt) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return false;
  }
  if (!stat.isDirectory()) return stat.mtimeMs > builtAt;
  return fs.readdirSync(entry).some((name) => name !== "node_modules" && changedSince(path.join(entry, name), builtAt));
}

function compiledCliIsCurrent() {
  let builtAt;
  try {
    builtAt = fs.statSync(COMPILED_CLI).mtimeMs;
  } catch {
    return false;
  }
  return !SOURCES.some((source) => changedSince(path.join(ROOT, source), builtAt));
}

module.exports = { COMPILED_CLI, compiledCliIsCurrent };
