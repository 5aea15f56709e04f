#!/usr/bin/env node
// A kubectl stand-in for tests of the real runner (point BETA_KUBECTL at this file).
// `get ...` prints the file named by $STUB_KUBECTL_REPLY; anything else prints its arguments.
// Every call is appended to $STUB_KUBECTL_LOG (one JSON array per line) when set.
import { appendFileSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (process.env.STUB_KUBECTL_LOG) appendFileSync(process.env.STUB_KUBECTL_LOG, `${JSON.stringify(args)}\n`);
if (args.includes("get")) {
  process.stdout.write(process.env.STUB_KUBECTL_REPLY ? readFileSync(process.env.STUB_KUBECTL_REPLY, "utf8") : '{"items":[]}');
} else {
  process.stdout.write(`stub-kubectl ${args.join(" ")}\n`);
}
process.exit(Number(process.env.STUB_KUBECTL_EXIT ?? 0));
