#!/usr/bin/env node
// A Pulumi CLI stand-in for tests of the real Automation API gateway: put a `pulumi` link to
// this file first on PATH. Stacks live in the JSON file $STUB_PULUMI_STATE:
//   { "<stack>": { "config": {"beta:x": "v"}, "outputs": {...}, "lastUpdate": "ISO", "busy": false,
//                  "history": [{ "message": "beta release master-1", "startTime": "ISO", ... }] } }
// "history" is newest first; without it, a stack with a lastUpdate has one update at that time
// with an empty message. `up` and `destroy` add theirs (with --message) at the front.
// It answers the commands the Automation API runs (version, stack ls/init/select/rm/output/
// history, config, config set/rm, up, preview, destroy), like the real CLI, and logs every call to
// $STUB_PULUMI_LOG (one JSON array per line) when set. `up` of a stack with "busy": true fails
// as Pulumi Cloud does when another update holds it; "fail": "<text>" fails with that error.
// `preview` prints a diff and reports "preview": {op: count} (default one update, two same) in
// its summary event, changing nothing in the state.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const args = process.argv.slice(2);
const statePath = process.env.STUB_PULUMI_STATE;
if (process.env.STUB_PULUMI_LOG) appendFileSync(process.env.STUB_PULUMI_LOG, `${JSON.stringify(args)}\n`);
const state = statePath && existsSync(statePath) ? JSON.parse(readFileSync(statePath, "utf8")) : {};
// Written whole and renamed into place: a stub running in parallel never reads half a file.
const save = () => {
  if (!statePath) return;
  writeFileSync(`${statePath}.${process.pid}`, JSON.stringify(state, null, 2));
  renameSync(`${statePath}.${process.pid}`, statePath);
};
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(255);
};
const stackName = flag("--stack");
const stack = () => state[stackName] ?? fail(`error: no stack named '${stackName}' found`);
const out = (value) => process.stdout.write(typeof value === "string" ? value : JSON.stringify(value));
const [command, sub] = args;
const history = (s) => s.history ?? (s.lastUpdate ? [{ startTime: s.lastUpdate }] : []);

if (command === "version") out("v3.200.0\n");
else if (command === "stack" && sub === "ls") {
  out(Object.entries(state).map(([name, s]) => ({ name, current: false, lastUpdate: s.lastUpdate, updateInProgress: Boolean(s.busy), resourceCount: 3, url: `https://app.pulumi.com/acme/beta/${name}` })));
} else if (command === "stack" && sub === "init") {
  const name = args[2];
  if (state[name]) fail(`error: stack '${name}' already exists`);
  state[name] = { config: {}, outputs: {} };
  save();
} else if (command === "stack" && sub === "select") stack();
else if (command === "stack" && sub === "rm") {
  const name = args.find((a, i) => i > 1 && !a.startsWith("--") && args[i - 1] !== "--stack") ?? stackName;
  if (!state[name]) fail(`error: no stack named '${name}' found`);
  delete state[name];
  save();
} else if (command === "stack" && sub === "output") {
  const outputs = stack().outputs ?? {};
  out(args.includes("--show-secrets") ? outputs : Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, k === "kubeconfig" ? "[secret]" : v])));
} else if (command === "stack" && sub === "history") {
  const entries = history(stack());
  const size = Number(flag("--page-size") ?? entries.length);
  const page = Number(flag("--page") ?? 1);
  const json = (entry, version) => {
    const full = { version, kind: "update", message: "", environment: {}, config: {}, result: "succeeded", resourceChanges: { update: 1, same: 2 }, endTime: entry.startTime, ...entry };
    // Like the real CLI: no endTime (or resourceChanges) until the update finishes.
    if (full.result === "in-progress") {
      delete full.endTime;
      delete full.resourceChanges;
    }
    return full;
  };
  const first = (page - 1) * size;
  out(entries.slice(first, first + size).map((entry, i) => json(entry, entries.length - first - i)));
} else if (command === "config" && sub === "set") {
  // The key is the first word after `set` that is not a flag (`--path` may come first).
  const s = stack();
  s.config[args.slice(2).find((a) => !a.startsWith("--"))] = args[args.indexOf("--") + 1];
  save();
} else if (command === "config" && sub === "rm") {
  delete stack().config[args.slice(2).find((a) => !a.startsWith("--"))];
  save();
} else if (command === "config") {
  out(Object.fromEntries(Object.entries(stack().config).map(([k, value]) => [k, { value, secret: false }])));
} else if (command === "preview") {
  const s = stack();
  if (s.fail) fail(`error: ${s.fail}`);
  out(`Previewing update (${stackName}):\n  ~ kubernetes:apps/v1:Deployment web update [diff: ~spec]\n`);
  const log = flag("--event-log");
  const resourceChanges = s.preview ?? { update: 1, same: 2 };
  if (log) writeFileSync(log, `${JSON.stringify({ sequence: 1, timestamp: 1, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges, policyPacks: {} } })}\n`);
  out(`Resources:\n    ${JSON.stringify(resourceChanges)}\n`);
  await new Promise((resolve) => setTimeout(resolve, 450));
} else if (command === "up" || command === "destroy") {
  const s = stack();
  if (s.busy) fail("error: [409] Conflict: Another update is currently in progress.");
  if (s.fail) fail(`error: ${s.fail}`);
  out(`${command === "up" ? "Updating" : "Destroying"} (${stackName}):\n`);
  const log = flag("--event-log");
  if (log) {
    const urn = `urn:pulumi:${stackName}::beta::kubernetes:apps/v1:Deployment::web`;
    const metadata = { op: command === "up" ? "update" : "delete", urn, type: "kubernetes:apps/v1:Deployment" };
    const events = [
      { sequence: 1, timestamp: 1, resourcePreEvent: { metadata } },
      { sequence: 2, timestamp: 2, resOutputsEvent: { metadata } },
      { sequence: 3, timestamp: 3, diagnosticEvent: { message: "rolled out\n", color: "never", severity: "warning" } },
      { sequence: 4, timestamp: 4, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { update: 1 }, policyPacks: {} } },
      { sequence: 5, timestamp: 5, cancelEvent: {} },
    ];
    writeFileSync(log, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  }
  const before = history(s);
  s.lastUpdate = new Date().toISOString();
  s.history = [{ kind: command === "up" ? "update" : "destroy", message: flag("--message") ?? "", startTime: s.lastUpdate }, ...before];
  s.outputs = command === "up" ? (s.nextOutputs ?? { url: `https://${stackName.replace(/^beta-/, "")}.beta.example.com` }) : {};
  save();
  out("Resources:\n    1 updated\n");
  // Let the Automation API's event-log tail (it polls every 200 ms) read the events.
  await new Promise((resolve) => setTimeout(resolve, 450));
} else {
  fail(`stub-pulumi: unsupported command: ${args.join(" ")}`);
}
