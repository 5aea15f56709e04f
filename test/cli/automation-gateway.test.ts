/**
 * The real AutomationGateway over the real Automation API, with test/support/stub-pulumi.mjs
 * standing in for the Pulumi CLI: checks the wiring (arguments, parsing, errors, progress).
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AutomationGateway, progressFromEvent } from "../../cli/automation-gateway";
import type { OperationProgress } from "../../cli/deps";
import { isUpdateInProgress } from "../../cli/fleet/pulumi-errors";

const repo = path.resolve(__dirname, "../..");
const bin = mkdtempSync(path.join(tmpdir(), "stub-pulumi-bin-"));
const workDir = mkdtempSync(path.join(tmpdir(), "stub-pulumi-work-"));
const state = path.join(workDir, "state.json");
const log = path.join(workDir, "calls.log");

function writeState(value: Record<string, unknown>): void {
  writeFileSync(state, JSON.stringify(value));
  writeFileSync(log, "");
}
const readState = () => JSON.parse(readFileSync(state, "utf8")) as Record<string, { config: Record<string, string>; outputs: Record<string, unknown> }>;
const calls = () => readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]);

beforeAll(() => {
  symlinkSync(path.join(repo, "test/support/stub-pulumi.mjs"), path.join(bin, "pulumi"));
  writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: beta\nruntime: nodejs\n");
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH}`;
  process.env.STUB_PULUMI_STATE = state;
  process.env.STUB_PULUMI_LOG = log;
});

let gateway: AutomationGateway;
beforeEach(async () => {
  writeState({
    dev: { config: { "beta:releaseTag": "master-0000000" }, outputs: {}, lastUpdate: "2025-06-01T10:00:00.000Z" },
    "beta-alice": { config: { "beta:imageTag": "branch-login" }, outputs: { url: "https://alice.beta.example.com", urls: { web: "https://alice.beta.example.com" } }, lastUpdate: "2025-05-01T10:00:00.000Z" },
    "beta-busy": { config: {}, outputs: {}, busy: true },
  });
  gateway = await AutomationGateway.create(workDir);
});

describe("AutomationGateway (real Automation API, stub Pulumi CLI)", () => {
  it("lists stacks with their last update as a date", async () => {
    const stacks = await gateway.listStacks();
    expect(stacks.map((s) => [s.name, s.lastUpdate?.toISOString(), s.updateInProgress])).toEqual([
      ["dev", "2025-06-01T10:00:00.000Z", false],
      ["beta-alice", "2025-05-01T10:00:00.000Z", false],
      ["beta-busy", undefined, true],
    ]);
  });

  it("creates a missing stack once, selects it after", async () => {
    expect(await gateway.hasStack("beta-bob")).toBe(false);
    expect(await gateway.ensureStack("beta-bob")).toEqual({ created: true });
    expect(await gateway.ensureStack("beta-bob")).toEqual({ created: false });
    expect(await gateway.hasStack("beta-bob")).toBe(true);
  });

  it("reads, sets and removes config as plain strings", async () => {
    expect(await gateway.getConfig("beta-alice")).toEqual({ "beta:imageTag": "branch-login" });
    await gateway.setConfig("beta-alice", "beta:owner", "alice@example.com");
    await gateway.removeConfig("beta-alice", "beta:imageTag");
    expect(readState()["beta-alice"].config).toEqual({ "beta:owner": "alice@example.com" });
    expect(calls()).toContainEqual(["config", "set", "beta:owner", "--stack", "beta-alice", "--plaintext", "--non-interactive", "--", "alice@example.com"]);
  });

  it("passes --path for a key inside an object value (beta:services.<service>), as beta up --service needs", async () => {
    await gateway.setConfig("beta-alice", "beta:services.billing.tag", "branch-x", { path: true });
    await gateway.removeConfig("beta-alice", "beta:services.billing", { path: true });
    expect(calls()).toContainEqual(["config", "set", "--path", "beta:services.billing.tag", "--stack", "beta-alice", "--plaintext", "--non-interactive", "--", "branch-x"]);
    expect(calls()).toContainEqual(["config", "rm", "beta:services.billing", "--stack", "beta-alice", "--path", "--non-interactive"]);
  });

  it("up streams Pulumi's display and engine events, and returns plain outputs", async () => {
    const progress: OperationProgress[] = [];
    const result = await gateway.up("beta-alice", { message: "beta up alice", onProgress: (p) => progress.push(p) });
    expect(result.outputs).toEqual({ url: "https://alice.beta.example.com" });
    expect(result.changes).toEqual({ update: 1, same: 2 });
    expect(progress.filter((p) => p.kind === "output").map((p) => (p.kind === "output" ? p.text : "")).join("")).toContain("Updating (beta-alice):");
    expect(progress).toContainEqual({ kind: "resource", status: "done", op: "update", type: "kubernetes:apps/v1:Deployment", name: "web" });
    expect(progress).toContainEqual({ kind: "diagnostic", severity: "warning", message: "rolled out" });
    const up = calls().find((c) => c[0] === "up")!;
    expect(up).toEqual(expect.arrayContaining(["--yes", "--skip-preview", "--message", "beta up alice", "--stack", "beta-alice"]));
  });

  it("preview runs `pulumi preview --diff`, streams the diff, returns the summary's counts and changes nothing", async () => {
    writeState({ "beta-alice": { config: { "beta:imageTag": "branch-login" }, outputs: {}, preview: { create: 1, update: 2, same: 3 } } });
    const before = readFileSync(state, "utf8");
    const progress: OperationProgress[] = [];
    const result = await gateway.preview("beta-alice", { onProgress: (p) => progress.push(p) });
    expect(result.changes).toEqual({ create: 1, update: 2, same: 3 });
    expect(progress.map((p) => (p.kind === "output" ? p.text : "")).join("")).toContain("~ kubernetes:apps/v1:Deployment web update [diff: ~spec]");
    const preview = calls().find((c) => c[0] === "preview")!;
    expect(preview).toEqual(expect.arrayContaining(["--diff", "--stack", "beta-alice"]));
    expect(calls().map((c) => c[0])).not.toContain("up");
    expect(readFileSync(state, "utf8")).toBe(before);
  });

  it("an update already in progress is the Automation API's ConcurrentUpdateError", async () => {
    const error = await gateway.up("beta-busy").catch((e: unknown) => e);
    expect((error as Error).name).toBe("ConcurrentUpdateError");
    expect(isUpdateInProgress(error)).toBe(true);
  });

  it("destroy then removeStack leaves no stack", async () => {
    await gateway.destroy("beta-alice");
    await gateway.removeStack("beta-alice");
    expect(Object.keys(readState())).not.toContain("beta-alice");
    expect(await gateway.hasStack("beta-alice")).toBe(false);
  });

  it("history reads one page, newest first, with each update's message and dates, without decrypting secrets", async () => {
    writeState({
      "beta-alice": {
        config: {},
        outputs: {},
        history: [
          { message: "beta release master-2", startTime: "2025-06-02T10:00:00.000Z", endTime: "2025-06-02T10:01:00.000Z" },
          { message: "beta up alice", startTime: "2025-06-01T10:00:00.000Z", endTime: "2025-06-01T10:02:00.000Z" },
          { message: "beta release master-1", startTime: "2025-05-31T10:00:00.000Z", result: "in-progress", endTime: undefined },
        ],
      },
    });
    const page = await gateway.history("beta-alice", { size: 2, number: 1 });
    expect(page).toEqual([
      { kind: "update", result: "succeeded", message: "beta release master-2", startTime: new Date("2025-06-02T10:00:00.000Z"), endTime: new Date("2025-06-02T10:01:00.000Z") },
      { kind: "update", result: "succeeded", message: "beta up alice", startTime: new Date("2025-06-01T10:00:00.000Z"), endTime: new Date("2025-06-01T10:02:00.000Z") },
    ]);
    expect(await gateway.history("beta-alice", { size: 2, number: 2 })).toEqual([
      { kind: "update", result: "in-progress", message: "beta release master-1", startTime: new Date("2025-05-31T10:00:00.000Z"), endTime: undefined },
    ]);
    const history = calls().find((c) => c[0] === "stack" && c[1] === "history")!;
    expect(history).toEqual(expect.arrayContaining(["--json", "--page-size", "2", "--page", "1", "--stack", "beta-alice"]));
    expect(history).not.toContain("--show-secrets");
  });

  it("an update's message is what its history records", async () => {
    await gateway.up("beta-alice", { message: "beta release master-1234567" });
    const [latest] = await gateway.history("beta-alice", { size: 1, number: 1 });
    expect(latest.message).toBe("beta release master-1234567");
  });

  it("outputs reads the stack's outputs with secrets shown", async () => {
    expect(await gateway.outputs("beta-alice")).toEqual({ url: "https://alice.beta.example.com", urls: { web: "https://alice.beta.example.com" } });
  });
});

describe("progressFromEvent", () => {
  it("ignores events beta does not show", () => {
    expect(progressFromEvent({ sequence: 1, timestamp: 1, cancelEvent: {} })).toBeUndefined();
    expect(progressFromEvent({ sequence: 1, timestamp: 1, diagnosticEvent: { message: "x", color: "", severity: "info", ephemeral: true } })).toBeUndefined();
  });
});

describe("`beta up` end to end: bin/beta.cjs → Automation API → stub Pulumi CLI", () => {
  it("creates the stack, pins the branch tag, deploys, prints the URL", () => {
    writeState({ dev: { config: {}, outputs: {} } });
    const result = spawnSync(process.execPath, [path.join(repo, "bin/beta.cjs"), "up", "carol", "--branch", "feature/x", "--json"], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, BETA_NAME: "" },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: "carol", stack: "beta-carol", created: true, url: "https://carol.beta.example.com" });
    expect(result.stderr).toContain("Updating (beta-carol):");
    expect(readState()["beta-carol"].config).toEqual({ "beta:imageTag": "branch-feature-x" });
  });
});

describe("`beta up --preview` end to end: bin/beta.cjs → Automation API → stub Pulumi CLI", () => {
  it("prints the diff and the counts, exits 0, deploys nothing and saves no config", () => {
    writeState({ dev: { config: {}, outputs: {} }, "beta-carol": { config: {}, outputs: {}, preview: { create: 2, same: 1 } } });
    const before = readFileSync(state, "utf8");
    const result = spawnSync(process.execPath, [path.join(repo, "bin/beta.cjs"), "up", "carol", "--preview"], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, BETA_NAME: "" },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("Previewing update (beta-carol):");
    expect(result.stdout).toContain("Preview of beta-carol: 2 to create, 0 to update, 0 to delete, 1 unchanged. Nothing was deployed");
    expect(calls().map((c) => c[0])).not.toContain("up");
    // The repository's guard rails run with the preview, as with `beta up`.
    expect(calls().find((c) => c[0] === "preview")).toEqual(expect.arrayContaining(["--diff", "--policy-pack", path.join(repo, "policy")]));
    expect(calls().filter((c) => c[0] === "config" && c[1] === "set")).toEqual([]);
    expect(readFileSync(state, "utf8")).toBe(before);
  });
});

describe("`beta release` end to end against the stub Pulumi CLI", () => {
  it("tags and deploys the platform, updates Betas, skips opt-outs, retries then reports a busy one, exits 1", () => {
    writeState({
      dev: { config: { "beta:releaseTag": "master-0000000" }, outputs: {} },
      "beta-alice": { config: { "beta:imageTag": "branch-login" }, outputs: {} },
      "beta-frozen": { config: { "beta:autoRefresh": "false" }, outputs: {} },
      "beta-busy": { config: {}, outputs: {}, busy: true },
    });
    const report = path.join(workDir, "beta-release.json");
    const result = spawnSync(
      process.execPath,
      [path.join(repo, "bin/beta.cjs"), "release", "master-1234567", "--retries", "1", "--retry-delay", "0", "--report", report],
      { cwd: repo, encoding: "utf8", env: process.env, timeout: 120_000 },
    );
    expect(result.status, result.stderr).toBe(1);
    expect(readState().dev.config["beta:releaseTag"]).toBe("master-1234567");
    expect(readState()["beta-alice"].config["beta:imageTag"]).toBe("branch-login");
    const parsed = JSON.parse(readFileSync(report, "utf8")) as { ok: boolean; stacks: { stack: string; result: string; attempts: number }[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.stacks.map((s) => [s.stack, s.result, s.attempts])).toEqual([
      ["beta-alice", "updated", 1],
      ["beta-busy", "busy", 2],
      ["beta-frozen", "skipped", 0],
    ]);
    const ups = calls().filter((c) => c[0] === "up").map((c) => c[c.indexOf("--stack") + 1]);
    expect(ups[0]).toBe("dev");
    expect(ups.slice(1).sort()).toEqual(["beta-alice", "beta-busy", "beta-busy"]);
  });
});

describe("`beta reap` end to end against the stub Pulumi CLI", () => {
  it("reaps a Beta only beta release has updated for 30 days, keeps one a developer updated yesterday", () => {
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const releases = (days: number) => Array.from({ length: days }, (_, i) => ({ message: `beta release master-${1000 + i}`, startTime: daysAgo(i + 0.5) }));
    writeState({
      dev: { config: {}, outputs: {}, lastUpdate: daysAgo(0.5), history: releases(40) },
      "beta-gone": { config: {}, outputs: {}, lastUpdate: daysAgo(0.5), history: [...releases(30), { message: "beta up gone", startTime: daysAgo(31) }] },
      "beta-alice": { config: {}, outputs: {}, lastUpdate: daysAgo(0.5), history: [{ message: "beta release master-1", startTime: daysAgo(0.5) }, { message: "Fix the login page", startTime: daysAgo(1) }] },
    });
    const result = spawnSync(process.execPath, [path.join(repo, "bin/beta.cjs"), "reap", "--idle-days", "14", "--yes", "--json"], {
      cwd: repo,
      encoding: "utf8",
      env: process.env,
      timeout: 120_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as { stacks: { stack: string; result?: string; selected: boolean }[] };
    expect(parsed.stacks.map((s) => [s.stack, s.selected, s.result])).toEqual([
      ["beta-gone", true, "reaped"],
      ["beta-alice", false, undefined],
    ]);
    expect(Object.keys(readState()).sort()).toEqual(["beta-alice", "dev"]);
  });
});
