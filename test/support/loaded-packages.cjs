// Preload (node -r): at exit, writes the packages this process loaded from node_modules as a
// JSON array to the file named by LOADED_PACKAGES_FILE. For start-up tests of the `beta` command.
"use strict";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a preload runs as CommonJS
const { writeFileSync } = require("node:fs");
process.on("exit", () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file);
    if (match) packages.add(match[1].replace(/\\/g, "/"));
  }
  writeFileSync(process.env.LOADED_PACKAGES_FILE, JSON.stringify([...packages].sort()));
});
