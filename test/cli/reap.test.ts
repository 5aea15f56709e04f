import { describe, expect, it } from "vitest";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway } from "../support/scripted-gateway";

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
  ])("%j is a usage error", async (args, message) => {
    const result = await runBeta(args, { gateway: fleet(), now });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });
});
