import { describe, expect, it } from "vitest";
import { runBeta } from "../support/cli-harness";
import { releaseUpdateMessage } from "../../cli/fleet/update-messages";
import { ScriptedGateway, updateRecord } from "../support/scripted-gateway";

const now = new Date("2025-06-15T12:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);

const fleet = () =>
  new ScriptedGateway([
    { name: "dev", lastUpdate: ago(90) },
    { name: "staging", lastUpdate: ago(90) },
    { name: "beta-old", lastUpdate: ago(30) },
    { name: "beta-older", lastUpdate: ago(60) },
    { name: "beta-active", lastUpdate: ago(1) },
  ]);

describe("beta reap --idle-days N", () => {
  it("by default is a dry run: lists what would go, destroys nothing", async () => {
    const gateway = fleet();
    const result = await runBeta(["reap", "--idle-days", "14"], { gateway, now });
    expect(result.code).toBe(0);
    expect(gateway.callsOf("destroy")).toEqual([]);
    expect(result.stdout).toMatch(/beta-older\s+60 days ago\s+would reap/);
    expect(result.stdout).toMatch(/beta-old\s+30 days ago\s+would reap/);
    expect(result.stdout).toMatch(/beta-active\s+1 day ago\s+keep/);
    expect(result.stdout).not.toMatch(/\bdev\b|staging/);
    expect(result.stderr).toContain("Dry run: 2 Betas would be destroyed. Re-run with --yes to destroy them.");
  });

  it("with --yes destroys and removes the idle Betas only, never the platform or other stacks", async () => {
    const gateway = fleet();
    const result = await runBeta(["reap", "--idle-days", "14", "--yes"], { gateway, now });
    expect(result.code).toBe(0);
    expect(gateway.callsOf("destroy").map((c) => c.stack).sort()).toEqual(["beta-old", "beta-older"]);
    expect(gateway.callsOf("removeStack").map((c) => c.stack).sort()).toEqual(["beta-old", "beta-older"]);
    expect([...gateway.stacks.keys()].sort()).toEqual(["beta-active", "dev", "staging"]);
    expect(result.stdout).toMatch(/beta-old\s+30 days ago\s+reaped/);
  });

  it("a Beta that fails to destroy is reported, keeps its stack, and makes the exit code 1", async () => {
    const gateway = fleet();
    gateway.stacks.get("beta-old")!.up = [{ kind: "fail", message: "finalizer stuck" }];
    const result = await runBeta(["reap", "--idle-days", "14", "--yes"], { gateway, now });
    expect(result.code).toBe(1);
    expect(gateway.stacks.has("beta-old")).toBe(true);
    expect(gateway.stacks.has("beta-older")).toBe(false);
    expect(result.stdout).toMatch(/beta-old\s+30 days ago\s+failed\s+.*finalizer stuck/);
  });

  it("--json parses", async () => {
    const result = await runBeta(["reap", "--idle-days", "14", "--json"], { gateway: fleet(), now });
    const parsed = JSON.parse(result.stdout) as { dryRun: boolean; stacks: { stack: string; selected: boolean }[] };
    expect(parsed.dryRun).toBe(true);
    expect(parsed.stacks.filter((s) => s.selected).map((s) => s.stack)).toEqual(["beta-older", "beta-old"]);
  });

  it.each([
    [["reap"], "required option '--idle-days <n>' not specified"],
    [["reap", "--idle-days", "0"], "expected a whole number from 1 up"],
  ])("%j is a usage error, exit 2", async (args, message) => {
    const result = await runBeta(args, { gateway: fleet(), now });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

/** Every Beta, as CI leaves them: updated by `beta release` every day, last yesterday. */
const released = (days: number) => Array.from({ length: days }, (_, i) => updateRecord(releaseUpdateMessage(`master-${1000 + i}`), ago(i + 1)));

const releasedFleet = () =>
  new ScriptedGateway([
    { name: "dev", lastUpdate: ago(1), history: released(60) },
    // beta up 40 days ago, nothing of hers since: only beta release touched it.
    { name: "beta-gone", lastUpdate: ago(1), history: [...released(39), updateRecord("beta up gone", ago(40))] },
    // Created by beta release's refresh only (her stack file, no deploy of her own), 30 days ago.
    { name: "beta-ghost", lastUpdate: ago(1), history: released(30) },
    // beta up 2 days ago.
    { name: "beta-busy-dev", lastUpdate: ago(1), history: [updateRecord(releaseUpdateMessage("master-1"), ago(1)), updateRecord("beta up busy-dev", ago(2)), ...released(30).slice(2)] },
    // A plain `pulumi up` 5 days ago, from the commit CI made for a release.
    { name: "beta-plain", lastUpdate: ago(1), history: [...released(4), updateRecord("beta release master-abc1234 [skip ci]", ago(5)), ...released(30).slice(5)] },
  ]);

describe("beta reap judges idleness by the last update a developer made, not beta release's", () => {
  it("a Beta only beta release has updated for more than N days is idle, although its last update was yesterday", async () => {
    const gateway = releasedFleet();
    const result = await runBeta(["reap", "--idle-days", "14", "--yes"], { gateway, now });
    expect(result.code, result.stderr).toBe(0);
    expect(gateway.callsOf("destroy").map((c) => c.stack).sort()).toEqual(["beta-ghost", "beta-gone"]);
    expect([...gateway.stacks.keys()].sort()).toEqual(["beta-busy-dev", "beta-plain", "dev"]);
    expect(result.stdout).toMatch(/beta-gone\s+40 days ago\s+reaped\s+idle for more than 14 days: last developer update 2025-05-06, only beta release since/);
    expect(result.stdout).toMatch(/beta-ghost\s+30 days ago\s+reaped\s+idle for more than 14 days: only beta release has updated it since 2025-05-16/);
    expect(result.stdout).toMatch(/beta-busy-dev\s+2 days ago\s+keep\s+kept: a developer updated it 2 days ago/);
    expect(result.stdout).toMatch(/beta-plain\s+5 days ago\s+keep/);
    // Its destroy says why, and is itself not mistaken for a developer's update.
    expect(gateway.callsOf("destroy").find((c) => c.stack === "beta-gone")?.args).toEqual(["beta reap: no developer update since 2025-05-06T12:00:00.000Z"]);
  });

  it("reads the history of recently updated Betas only, never of the platform", async () => {
    const gateway = releasedFleet();
    gateway.stacks.set("beta-old", { name: "beta-old", lastUpdate: ago(60), history: [updateRecord("", ago(60))] });
    await runBeta(["reap", "--idle-days", "14"], { gateway, now });
    const read = new Set(gateway.callsOf("history").map((c) => c.stack));
    expect(read).toEqual(new Set(["beta-gone", "beta-ghost", "beta-busy-dev", "beta-plain"]));
  });

  it("a Beta whose history cannot be read is kept and says why", async () => {
    const gateway = releasedFleet();
    gateway.stacks.get("beta-gone")!.historyError = "error: [403] Forbidden";
    const result = await runBeta(["reap", "--idle-days", "14", "--json"], { gateway, now });
    const parsed = JSON.parse(result.stdout) as { stacks: { stack: string; selected: boolean; reason: string; idleSince: string | null; lastUpdate: string | null }[] };
    const gone = parsed.stacks.find((s) => s.stack === "beta-gone")!;
    expect(gone).toMatchObject({ selected: false, reason: "kept: could not read its history (error: [403] Forbidden)", idleSince: null, lastUpdate: ago(1).toISOString() });
    expect(parsed.stacks.find((s) => s.stack === "beta-ghost")).toMatchObject({ selected: true, idleSince: new Date(ago(30).getTime() - 60_000).toISOString() }); // the oldest release update's start
  });
});
