#!/usr/bin/env node
// The `beta` command. Runs the bundled JavaScript in dist/ (built by `npm run build`, which
// `npm ci` and `npm install` run as `prepare`); when dist/ is missing or older than any
// source file, it runs the TypeScript through tsx instead, so a checkout never runs stale code.
"use strict";
const { COMPILED_CLI, compiledCliIsCurrent } = require("./compiled-cli.cjs");

if (process.env.BETA_FROM_SOURCE !== "1" && compiledCliIsCurrent()) {
  require(COMPILED_CLI).main(process.argv.slice(2));
} else {
  // Both of tsx's hooks: verbs load some modules with import() (ESM resolution), the rest with require.
  require("tsx/cjs/api").register();
  import("tsx/esm/api").then((tsx) => {
    tsx.register();
    require("../cli/main.ts").main(process.argv.slice(2));
  });
}
