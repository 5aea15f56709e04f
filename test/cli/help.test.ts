import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main";
import { fakeDeps, runBeta } from "../support/cli-harness";

const verbs = buildProgram(fakeDeps()).commands.map((c) => c.name());

describe("beta --help", () => {
  it("has the verbs a person guesses", () => {
    expect(verbs).toEqual(expect.arrayContaining(["up", "destroy", "list", "status", "open", "logs", "shell", "render", "sync", "release", "reap"]));
  });

  it("the top-level help lists them and exits 0", async () => {
    const result = await runBeta(["--help"]);
    expect(result.code).toBe(0);
    for (const verb of verbs) expect(result.stdout).toContain(`  ${verb}`);
  });

  it.each(verbs)("beta %s --help shows usage and at least one example, exit 0", async (verb) => {
    const result = await runBeta([verb, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: beta ${verb}`);
    expect(result.stdout).toMatch(/Examples:\n\s+\$ beta /);
  });

  it("an unknown verb suggests the right one and exits 2 (usage error)", async () => {
    const result = await runBeta(["stauts"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'stauts'");
    expect(result.stderr).toContain("Did you mean status?");
  });

  it("--version prints the package version", async () => {
    const result = await runBeta(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
