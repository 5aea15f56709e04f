#!/usr/bin/env node
// The `beta` command: TypeScript run directly through tsx's CommonJS loader (no build step).
"use strict";
require("tsx/cjs");
require("../cli/main.ts").main(process.argv.slice(2));
