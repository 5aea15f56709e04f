#!/usr/bin/env node
// The `beta` command. Runs the compiled JavaScript in dist/ (built by `npm run build`, which
// `npm ci` and `npm install` run as `prepare`); when dist/ is missing or older than any
// source file, it runs the TypeScript through tsx instead, so a checkout never runs stale code.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const compiled = path.join(root, "dist", "cli", "main.js");
const SOURCES = ["cli", "lib", "offline", "stacks", "components", "index.ts", "package.json"];

/** True when some source file changed after `builtAt` (ms). */
function changedSince(entry, builtAt) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return false;
  }
  if (!stat.isDirectory()) return stat.mtimeMs > builtAt;
  return fs.readdirSync(entry).some((name) => changedSince(path.join(entry, name), builtAt));
}

function isCurrent() {
  let builtAt;
  try {
    builtAt = fs.statSync(compiled).mtimeMs;
  } catch {
    return false;
  }
  return !SOURCES.some((source) => changedSince(path.join(root, source), builtAt));
}

if (process.env.BETA_FROM_SOURCE !== "1" && isCurrent()) {
  require(compiled).main(process.argv.slice(2));
} else {
  // Both of tsx's hooks: verbs load some modules with import() (ESM resolution), the rest with require.
  require("tsx/cjs/api").register();
  import("tsx/esm/api").then((tsx) => {
    tsx.register();
    require("../cli/main.ts").main(process.argv.slice(2));
  });
}
