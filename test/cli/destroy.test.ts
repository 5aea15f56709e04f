import { describe, expect, it } from "vitest";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const aliceExists = () => new ScriptedGateway([{ name: "beta-alice", outputs: betaOutputs("alice") }]);

describe("beta destroy", () => {
  it("refuses without --yes when not run from a terminal, touching nothing", async () => {
    const gateway = aliceExists();
    const result = await runBeta(["destroy", "alice"], { gateway, interactive: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Refusing to destroy beta-alice without confirmation: not running in a terminal.");
    expect(result.stderr).toContain("beta destroy alice --yes");
    expect(gateway.calls).toEqual([]);
  });

  it("with --yes destroys the stack and then removes it, so no orphan stack is left", async () => {
    const gateway = aliceExists();
    const result = await runBeta(["destroy", "alice", "--yes"], { gateway });
    expect(result.code).toBe(0);
    expect(gateway.calls.map((c) => c.method)).toEqual(["hasStack", "outputs", "destroy", "removeStack"]);
    expect(gateway.stacks.has("beta-alice")).toBe(false);
    expect(result.stdout).toBe("Destroyed Beta alice and removed stack beta-alice.\n");
  });

  it("in a terminal asks to type the name, and goes ahead when it matches", async () => {
    const gateway = aliceExists();
    const result = await runBeta(["destroy", "alice"], { gateway, interactive: true, answers: ["alice"] });
    expect(result.code).toBe(0);
    expect(result.prompts[0]).toContain("Type the name (alice) to confirm");
    expect(gateway.stacks.has("beta-alice")).toBe(false);
  });

  it("in a terminal, any other answer destroys nothing", async () => {
    const gateway = aliceExists();
    const result = await runBeta(["destroy", "alice"], { gateway, interactive: true, answers: ["y"] });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Not confirmed; nothing was destroyed.");
    expect(gateway.callsOf("destroy")).toEqual([]);
  });

  it("a Beta that does not exist is an error pointing at beta list", async () => {
    const result = await runBeta(["destroy", "bob", "--yes"], { gateway: aliceExists() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("There is no Beta bob (no stack beta-bob).");
    expect(result.stderr).toContain("beta list");
  });

  it("a failed destroy keeps the stack (nothing orphaned) and exits 1", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", up: [{ kind: "fail", message: "namespace stuck terminating" }] }]);
    const result = await runBeta(["destroy", "alice", "--yes"], { gateway });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Destroying beta-alice failed: error: namespace stuck terminating");
    expect(gateway.callsOf("removeStack")).toEqual([]);
  });

  it("BETA_DEBUG=1 adds Pulumi's full output to a failed destroy", async () => {
    const failing = () => new ScriptedGateway([{ name: "beta-alice", up: [{ kind: "fail", message: "namespace stuck terminating\n    finalizer kubernetes.io/pvc-protection" }] }]);
    const plain = await runBeta(["destroy", "alice", "--yes"], { gateway: failing() });
    expect(plain.stderr).not.toContain("pvc-protection");
    const debug = await runBeta(["destroy", "alice", "--yes"], { gateway: failing(), env: { BETA_DEBUG: "1" } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain("Destroying beta-alice failed: error: namespace stuck terminating");
    expect(debug.stderr).toContain("finalizer kubernetes.io/pvc-protection");
  });

  it("--json reports what was done", async () => {
    const result = await runBeta(["destroy", "alice", "--yes", "--json"], { gateway: aliceExists() });
    expect(JSON.parse(result.stdout)).toEqual({ name: "alice", stack: "beta-alice", destroyed: true, stackRemoved: true });
  });
});
