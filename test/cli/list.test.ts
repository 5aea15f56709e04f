import { describe, expect, it } from "vitest";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const now = new Date("2025-06-01T12:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

function fleet() {
  return new ScriptedGateway([
    { name: "dev", lastUpdate: daysAgo(0), outputs: { domain: "beta.example.com" } },
    { name: "beta-bob", lastUpdate: daysAgo(3), outputs: betaOutputs("bob"), config: { "beta:imageTag": "branch-login" } },
    { name: "acme/beta/beta-alice", lastUpdate: daysAgo(0.01), outputs: betaOutputs("alice") },
    { name: "beta-new" },
    { name: "beta-Broken" },
    { name: "staging" },
  ]);
}

describe("beta list", () => {
  it("shows every Beta (and only beta-* stacks) with URL, image tag, last update and owner", async () => {
    const result = await runBeta(["list"], { gateway: fleet(), now });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+URL\s+IMAGE TAG\s+LAST UPDATE\s+OWNER$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ["alice", "https://alice.beta.example.com", "master-abc1234", "14 minutes ago", "alice"],
      ["bob", "https://bob.beta.example.com", "branch-login (pinned)", "3 days ago", "bob"],
      ["new", "-", "-", "never", "new"],
    ]);
  });

  it("--json prints an array scripts can parse", async () => {
    const result = await runBeta(["list", "--json"], { gateway: fleet(), now });
    const betas = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(betas.map((b) => b.name)).toEqual(["alice", "bob", "new"]);
    expect(betas[1]).toEqual({
      name: "bob",
      stack: "beta-bob",
      url: "https://bob.beta.example.com",
      imageTag: "branch-login",
      pinned: true,
      lastUpdate: daysAgo(3).toISOString(),
      updateInProgress: false,
      owner: "bob",
    });
    expect(betas[2]).toMatchObject({ url: null, imageTag: null, lastUpdate: null });
  });

  it("with no Betas says how to create one", async () => {
    const result = await runBeta(["list"], { gateway: new ScriptedGateway([{ name: "dev" }]) });
    expect(result.stdout).toBe("No Betas yet. Create yours with `beta up`.\n");
    expect(result.code).toBe(0);
  });
});
