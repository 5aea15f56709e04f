import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ReleaseReport } from "../../cli/fleet/report";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const fleet = () =>
  new ScriptedGateway([
    { name: "dev" },
    { name: "beta-alice", outputs: betaOutputs("alice") },
    { name: "beta-bob", outputs: betaOutputs("bob"), config: { "beta:imageTag": "branch-login" } },
    { name: "beta-carol", config: { "beta:autoRefresh": "false" } },
  ]);

describe("beta release <tag> (CI)", () => {
  it("deploys the platform, updates the Betas, prints progress and the table, writes the report, exits 0", async () => {
    const reportFile = path.join(mkdtempSync(path.join(tmpdir(), "beta-release-")), "beta-release.json");
    const gateway = fleet();
    const result = await runBeta(["release", "master-3f2c1ab", "--report", reportFile, "--parallel", "2"], { gateway });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("Releasing master-3f2c1ab: platform stack dev, then every Beta, 2 at a time.");
    expect(result.stderr).toContain("[dev] platform updated in");
    expect(result.stderr).toContain("[beta-alice] updated in");
    expect(result.stderr).toContain("[beta-bob] updated in");
    expect(result.stderr).toContain("(kept pin branch-login)");
    expect(result.stderr).toContain("[beta-carol] skipped: opted out (beta:autoRefresh is false)");
    expect(result.stdout).toMatch(/^STACK\s+RESULT\s+DURATION\s+URL\s+NOTE\n/);
    expect(result.stdout).toContain("Release master-3f2c1ab: 2 updated, 0 failed, 0 busy, 1 skipped");
    const report = JSON.parse(readFileSync(reportFile, "utf8")) as ReleaseReport;
    expect(report).toMatchObject({ releaseTag: "master-3f2c1ab", ok: true, totals: { updated: 2, skipped: 1 } });
  });

  it("run by hand, reminds to commit the stack file that now holds the release tag; in CI it does not", async () => {
    const byHand = await runBeta(["release", "master-3f2c1ab"], { gateway: fleet(), env: {} });
    expect(byHand.stderr).toContain("Reminder: Pulumi.dev.yaml now sets beta:releaseTag to master-3f2c1ab. Commit and push it to master");
    const qualified = await runBeta(["release", "master-1", "--platform-stack", "acme/beta/dev"], { gateway: new ScriptedGateway([{ name: "acme/beta/dev" }]), env: {} });
    expect(qualified.stderr).toContain("Reminder: Pulumi.dev.yaml now sets beta:releaseTag to master-1.");
    const inCi = await runBeta(["release", "master-3f2c1ab"], { gateway: fleet(), env: { CI: "true" } });
    expect(inCi.code).toBe(0);
    expect(inCi.stderr).not.toContain("Reminder");
  });

  it("no reminder when the platform was not updated: its deployed tag did not change", async () => {
    const gateway = fleet();
    gateway.stacks.get("dev")!.up = [{ kind: "fail", message: "EKS quota" }];
    const result = await runBeta(["release", "master-3f2c1ab"], { gateway, env: {} });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("Reminder");
  });

  it("--platform-stack names the platform; its release tag is set there", async () => {
    const gateway = new ScriptedGateway([{ name: "acme/beta/dev" }, { name: "beta-alice" }]);
    const result = await runBeta(["release", "master-1", "--platform-stack", "acme/beta/dev"], { gateway });
    expect(result.code).toBe(0);
    expect(gateway.stacks.get("acme/beta/dev")?.config).toEqual({ "beta:releaseTag": "master-1" });
  });

  it("any failed Beta makes the exit code 1; --json prints the report", async () => {
    const gateway = fleet();
    gateway.stacks.get("beta-alice")!.up = [{ kind: "fail", message: "boom" }];
    const result = await runBeta(["release", "master-3f2c1ab", "--json"], { gateway });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as ReleaseReport;
    expect(report.ok).toBe(false);
    expect(report.stacks.find((s) => s.name === "alice")).toMatchObject({ result: "failed", detail: "error: boom" });
    expect(report.stacks.find((s) => s.name === "bob")?.result).toBe("updated");
  });

  it("--verbose prints each resource step", async () => {
    const result = await runBeta(["release", "master-3f2c1ab", "--verbose"], { gateway: fleet() });
    expect(result.stderr).toContain("[beta-alice] update kubernetes:apps/v1:Deployment web: done");
  });

  it.each([
    [["release"], "missing required argument 'tag'", 2],
    [["release", "master-1", "--parallel", "0"], "expected a whole number from 1 to 64", 2],
    [["release", "master 1"], "beta:releaseTag", 1],
  ])("bad usage %j is refused: %s", async (args, message, code) => {
    const gateway = fleet();
    const result = await runBeta(args, { gateway });
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(gateway.callsOf("up")).toEqual([]);
  });
});

describe("beta release retries a busy Beta", () => {
  it("waits (on the injected clock) and succeeds", async () => {
    const gateway = new ScriptedGateway([{ name: "dev" }, { name: "beta-alice", up: [{ kind: "conflict" }, { kind: "conflict" }, { kind: "ok" }] }]);
    const result = await runBeta(["release", "master-1", "--retry-delay", "30"], { gateway });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("[beta-alice] another update is in progress; retrying in 30s (attempt 2)");
    expect(result.stderr).toContain("[beta-alice] another update is in progress; retrying in 1m 00s (attempt 3)");
  });
});
