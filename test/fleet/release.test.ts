import { describe, expect, it } from "vitest";
import { runRelease, type ReleaseEvent, type ReleaseOptions } from "../../cli/fleet/release";
import { formatReleaseTable, releaseExitCode } from "../../cli/fleet/report";
import { isDeveloperUpdate } from "../../cli/fleet/update-messages";
import { FastForwardClock } from "../support/fast-forward-clock";
import { ScriptedGateway, betaOutputs, type ScriptedStack } from "../support/scripted-gateway";

const options = (overrides: Partial<ReleaseOptions> = {}): ReleaseOptions => ({
  releaseTag: "master-3f2c1ab",
  platformStack: "dev",
  parallel: 2,
  retries: 2,
  retryDelayMs: 1000,
  maxRetryDelayMs: 8000,
  clock: new FastForwardClock(),
  ...overrides,
});

const beta = (name: string, extra: Partial<ScriptedStack> = {}): ScriptedStack => ({ name: `beta-${name}`, outputs: betaOutputs(name), ...extra });

function company(): ScriptedGateway {
  return new ScriptedGateway([
    { name: "dev", config: { "beta:releaseTag": "master-0000000" }, up: [{ kind: "ok", delayMs: 5 }] },
    { name: "staging" },
    beta("alice", { up: [{ kind: "ok", delayMs: 5 }] }),
    beta("bob", { config: { "beta:imageTag": "branch-login" } }),
    beta("carol", { config: { "beta:autoRefresh": "false" } }),
    beta("dave", { up: [{ kind: "conflict" }, { kind: "ok" }] }),
    beta("erin", { up: [{ kind: "fail", message: "quota exceeded" }] }),
  ]);
}

describe("runRelease: platform first, then every Beta", () => {
  it("sets beta:releaseTag on the platform and deploys it before any Beta", async () => {
    const gateway = company();
    const report = await runRelease(gateway, options());
    expect(gateway.stacks.get("dev")?.config?.["beta:releaseTag"]).toBe("master-3f2c1ab");
    const ups = gateway.callsOf("up").map((c) => c.stack);
    expect(ups[0]).toBe("dev");
    expect(ups.filter((s) => s === "dev")).toHaveLength(1);
    expect(report.platform).toMatchObject({ stack: "dev", result: "updated", attempts: 1 });
  });

  it("records every update, the platform's and each Beta's, as `beta release <tag>`, which reap does not count as use", async () => {
    const gateway = company();
    await runRelease(gateway, options());
    const ups = gateway.callsOf("up");
    expect(ups.length).toBeGreaterThan(1);
    for (const call of ups) expect(call.args, call.stack).toEqual(["beta release master-3f2c1ab"]);
    const [latest] = gateway.stacks.get("beta-alice")!.history!;
    expect(latest.message).toBe("beta release master-3f2c1ab");
    expect(isDeveloperUpdate(latest)).toBe(false);
  });

  it("attempts every Beta, never staging or the platform again, and reports each", async () => {
    const gateway = company();
    const report = await runRelease(gateway, options());
    expect(new Set(gateway.callsOf("up").map((c) => c.stack))).toEqual(new Set(["dev", "beta-alice", "beta-bob", "beta-dave", "beta-erin"]));
    expect(report.stacks.map((s) => [s.name, s.result])).toEqual([
      ["alice", "updated"],
      ["bob", "updated"],
      ["carol", "skipped"],
      ["dave", "updated"],
      ["erin", "failed"],
    ]);
    expect(report.stacks[1].pinnedImageTag).toBe("branch-login");
    expect(report.stacks[3].attempts).toBe(2);
    expect(report.totals).toEqual({ updated: 3, failed: 1, busy: 0, skipped: 1 });
    expect(report.ok).toBe(false);
    expect(releaseExitCode(report)).toBe(1);
    expect(gateway.maxRunning).toBeLessThanOrEqual(2);
  });

  it("all good: ok, exit code 0, and the report survives a JSON round trip", async () => {
    const gateway = new ScriptedGateway([{ name: "dev" }, beta("alice"), beta("carol", { config: { "beta:autoRefresh": "false" } })]);
    const report = await runRelease(gateway, options());
    expect(report.ok).toBe(true);
    expect(releaseExitCode(report)).toBe(0);
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({
      releaseTag: "master-3f2c1ab",
      platformStack: "dev",
      ok: true,
      platform: { result: "updated" },
      stacks: [{ stack: "beta-alice", result: "updated", url: "https://alice.beta.example.com" }, { stack: "beta-carol", result: "skipped" }],
      totals: { updated: 1, failed: 0, busy: 0, skipped: 1 },
    });
    expect(Date.parse(report.finishedAt)).toBeGreaterThanOrEqual(Date.parse(report.startedAt));
  });

  it("a Beta still busy after the retries fails the release", async () => {
    const gateway = new ScriptedGateway([{ name: "dev" }, beta("stuck", { up: [{ kind: "conflict" }] })]);
    const report = await runRelease(gateway, options());
    expect(report.stacks[0]).toMatchObject({ result: "busy", attempts: 3 });
    expect(report.ok).toBe(false);
  });

  it("if the platform deploy fails, no Beta is touched", async () => {
    const gateway = new ScriptedGateway([{ name: "dev", up: [{ kind: "fail", message: "EKS quota" }] }, beta("alice")]);
    const report = await runRelease(gateway, options());
    expect(report.platform).toMatchObject({ result: "failed", detail: "error: EKS quota" });
    expect(gateway.callsOf("up").map((c) => c.stack)).toEqual(["dev"]);
    expect(report.stacks).toEqual([]);
    expect(releaseExitCode(report)).toBe(1);
    expect(formatReleaseTable(report)).toContain("stopped: the platform stack dev was not updated, so no Beta was touched");
  });

  it("a platform busy with another update is retried, without setting the tag twice", async () => {
    const events: ReleaseEvent[] = [];
    const gateway = new ScriptedGateway([{ name: "dev", up: [{ kind: "conflict" }, { kind: "ok" }] }, beta("alice")]);
    const report = await runRelease(gateway, options({ onEvent: (e) => events.push(e) }));
    expect(report.platform).toMatchObject({ result: "updated", attempts: 2 });
    expect(gateway.callsOf("setConfig")).toHaveLength(1);
    expect(events.some((e) => e.type === "platform-retry")).toBe(true);
    expect(report.ok).toBe(true);
  });

  it("a bad tag is refused before anything is touched", async () => {
    const gateway = company();
    await expect(runRelease(gateway, options({ releaseTag: "master 3f2c" }))).rejects.toThrow(/beta:releaseTag/);
    expect(gateway.calls).toEqual([]);
  });

  it("the table has stack, result, duration and URL per stack, and a totals line", async () => {
    const report = await runRelease(company(), options());
    const table = formatReleaseTable(report);
    const lines = table.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^STACK\s+RESULT\s+DURATION\s+URL\s+NOTE$/);
    expect(lines[1]).toMatch(/^dev \(platform\)\s+updated\s+\d+ms/);
    expect(table).toMatch(/beta-bob\s+updated\s+\S+\s+https:\/\/bob\.beta\.example\.com\s+pinned to branch-login/);
    expect(table).toMatch(/beta-carol\s+skipped\s+-\s+-\s+opted out/);
    expect(table).toMatch(/beta-erin\s+FAILED\s+\S+\s+-\s+error: quota exceeded/);
    expect(lines.at(-1)).toMatch(/^Release master-3f2c1ab: 3 updated, 1 failed, 0 busy, 1 skipped in /);
  });
});
