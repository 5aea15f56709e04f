import { describe, expect, it } from "vitest";
import { planRefresh } from "../../cli/fleet/refresh-fleet";
import type { ReleaseReport } from "../../cli/fleet/report";
import { personalCopies } from "../../cli/personal-copies";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const services = (value: unknown) => ({ "beta:services": JSON.stringify(value) });

describe("beta release and personal copies of shared services", () => {
  it("the report says which Betas keep a copy pinned (tag or image) and which copies follow the release", async () => {
    const gateway = new ScriptedGateway([
      { name: "dev" },
      { name: "beta-alice", outputs: betaOutputs("alice"), config: services({ billing: { tag: "branch-fix-invoices" } }) },
      { name: "beta-bob", outputs: betaOutputs("bob"), config: services({ billing: { port: 8080 } }) },
      { name: "beta-carol", outputs: betaOutputs("carol"), config: services({ billing: { image: "ghcr.io/carol/billing:wip" }, ledger: {} }) },
      { name: "beta-dave", outputs: betaOutputs("dave") },
    ]);
    const result = await runBeta(["release", "master-3f2c1ab", "--json"], { gateway });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ReleaseReport;
    const byName = Object.fromEntries(report.stacks.map((s) => [s.name, { result: s.result, pinnedServices: s.pinnedServices, followingServices: s.followingServices }]));
    expect(byName).toEqual({
      alice: { result: "updated", pinnedServices: { billing: "branch-fix-invoices" }, followingServices: undefined },
      bob: { result: "updated", pinnedServices: undefined, followingServices: ["billing"] },
      carol: { result: "updated", pinnedServices: { billing: "ghcr.io/carol/billing:wip" }, followingServices: ["ledger"] },
      dave: { result: "updated", pinnedServices: undefined, followingServices: undefined },
    });
    // Every Beta is still updated: a pinned copy keeps its image, platform changes still apply.
    expect(gateway.callsOf("up").map((c) => c.stack).sort()).toEqual(["beta-alice", "beta-bob", "beta-carol", "beta-dave", "dev"]);
    expect(result.stderr).toContain("[beta-alice] updated in");
    expect(result.stderr).toContain("(kept personal billing=branch-fix-invoices)");
  });

  it("the table's NOTE column names them", async () => {
    const gateway = new ScriptedGateway([
      { name: "dev" },
      { name: "beta-alice", outputs: betaOutputs("alice"), config: { "beta:imageTag": "branch-login", ...services({ billing: { tag: "b1" } }) } },
      { name: "beta-bob", outputs: betaOutputs("bob"), config: services({ echo: { port: 80 } }) },
    ]);
    const result = await runBeta(["release", "master-3f2c1ab"], { gateway });
    const line = (stack: string) => result.stdout.split("\n").find((l) => l.startsWith(stack)) ?? "";
    expect(line("beta-alice")).toMatch(/pinned to branch-login; personal copies kept: billing=b1$/);
    expect(line("beta-bob")).toMatch(/personal copies follow the release: echo$/);
  });

  // What each beta:services entry means for a release (the contract of personal copies).
  const entries: { why: string; entry: { tag?: string; image?: string; port?: number }; pinned?: string }[] = [
    { why: "{} follows the release tag", entry: {} },
    { why: "the shared port only, as beta up --service writes it, follows", entry: { port: 8080 } },
    { why: "a tag pins the platform's image", entry: { tag: "branch-x" }, pinned: "branch-x" },
    { why: "an image with its own tag is pinned to it", entry: { image: "ghcr.io/me/billing:wip" }, pinned: "ghcr.io/me/billing:wip" },
    { why: "an image by digest is pinned to it", entry: { image: "ghcr.io/me/billing@sha256:" + "a".repeat(64) }, pinned: "ghcr.io/me/billing@sha256:" + "a".repeat(64) },
    { why: "an image without a tag takes the entry's tag", entry: { image: "ghcr.io/me/billing", tag: "v2" }, pinned: "ghcr.io/me/billing:v2" },
    { why: "an image without a tag or tag follows the release tag", entry: { image: "registry:5000/me/billing" } },
  ];
  it.each(entries)("$why", ({ entry, pinned }) => {
    expect(personalCopies({ billing: entry })).toEqual([pinned === undefined ? { service: "billing" } : { service: "billing", pinned }]);
  });

  it("planRefresh reads the copies from the Beta's config (opt-outs still skip; a bad entry is the config error it is)", () => {
    expect(planRefresh(services({ b: { tag: "t" }, a: {} }), "dev")).toEqual({ action: "update", pinnedServices: { b: "t" }, followingServices: ["a"] });
    expect(planRefresh({ "beta:autoRefresh": "false", ...services({ a: {} }) }, "dev")).toMatchObject({ action: "skip" });
    expect(() => planRefresh(services({ a: { tag: "latest" } }), "dev")).toThrow(/beta:services/);
  });
});
