import { describe, expect, it } from "vitest";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

describe("beta up", () => {
  it("a new developer creates stack beta-alice, deploys it and gets the URLs", async () => {
    const gateway = new ScriptedGateway();
    gateway.defaultOutputs = (stack) => betaOutputs(stack.slice("beta-".length));
    const result = await runBeta(["up", "alice"], { gateway });
    expect(result.code).toBe(0);
    expect(gateway.calls.map((c) => [c.method, c.stack])).toEqual([
      ["ensureStack", "beta-alice"],
      ["up", "beta-alice"],
    ]);
    expect(result.stderr).toContain("Created stack beta-alice.");
    expect(result.stderr).toContain("Updating (beta-alice):"); // Pulumi's display, streamed
    expect(result.stdout).toContain("Beta alice is up: https://alice.beta.example.com");
    expect(result.stdout).toMatch(/api\s+https:\/\/api--alice\.beta\.example\.com\s+registry\.example\.com\/api:master-abc1234/);
  });

  it("without a name it uses $BETA_NAME and says so", async () => {
    const gateway = new ScriptedGateway();
    const result = await runBeta(["up"], { gateway, env: { BETA_NAME: "carol" }, osUser: "dave" });
    expect(result.code).toBe(0);
    expect(gateway.callsOf("up")[0].stack).toBe("beta-carol");
    expect(result.stderr).toContain('Using Beta "carol" from $BETA_NAME.');
  });

  it("an existing stack is updated, not created", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", outputs: betaOutputs("alice") }]);
    const result = await runBeta(["up", "alice"], { gateway });
    expect(result.stderr).toContain("Stack beta-alice exists; updating it.");
  });

  it("--branch pins every app to the branch build's tag", async () => {
    const gateway = new ScriptedGateway();
    const result = await runBeta(["up", "alice", "--branch", "Feature/Login"], { gateway });
    expect(result.code).toBe(0);
    expect(gateway.stacks.get("beta-alice")?.config).toEqual({ "beta:imageTag": "branch-feature-login" });
    expect(result.stderr).toContain("Pinned alice to image tag branch-feature-login");
    // The pin is set before the update runs.
    const methods = gateway.calls.map((c) => c.method);
    expect(methods.indexOf("setConfig")).toBeLessThan(methods.indexOf("up"));
  });

  it("--image-tag pins; --unpin removes the pin", async () => {
    const gateway = new ScriptedGateway();
    await runBeta(["up", "alice", "--image-tag", "master-1234567"], { gateway });
    expect(gateway.stacks.get("beta-alice")?.config).toEqual({ "beta:imageTag": "master-1234567" });
    await runBeta(["up", "alice", "--unpin"], { gateway });
    expect(gateway.stacks.get("beta-alice")?.config).toEqual({});
  });

  it("a bad tag is refused before anything is touched", async () => {
    const gateway = new ScriptedGateway();
    const result = await runBeta(["up", "alice", "--image-tag", "no spaces"], { gateway });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('beta:imageTag: an image tag is 1-128 letters');
    expect(gateway.calls).toEqual([]);
  });

  it("--json prints only JSON on stdout", async () => {
    const gateway = new ScriptedGateway();
    gateway.defaultOutputs = () => betaOutputs("alice", ["web"]);
    const result = await runBeta(["up", "alice", "--json"], { gateway });
    expect(JSON.parse(result.stdout)).toEqual({
      name: "alice",
      stack: "beta-alice",
      created: true,
      url: "https://alice.beta.example.com",
      urls: { web: "https://alice.beta.example.com" },
      images: { web: "registry.example.com/web:master-abc1234" },
      services: {},
    });
  });

  it("a failed update exits 1 with the error and what to do next", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", up: [{ kind: "fail", message: "Deployment web: image pull failed" }] }]);
    const result = await runBeta(["up", "alice"], { gateway });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: Deploying beta-alice failed: error: Deployment web: image pull failed");
    expect(result.stderr).toContain("run `beta up alice` again");
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("BETA_DEBUG=1 adds Pulumi's full output to the one-line summary", async () => {
    const failing = () =>
      new ScriptedGateway([{ name: "beta-alice", up: [{ kind: "fail", message: "Deployment web: image pull failed\n    ErrImagePull: registry.example.com/web:branch-x not found" }] }]);
    const plain = await runBeta(["up", "alice"], { gateway: failing() });
    expect(plain.stderr).toContain("Error: Deploying beta-alice failed: error: Deployment web: image pull failed");
    expect(plain.stderr).toContain("BETA_DEBUG=1 prints Pulumi's full output");
    expect(plain.stderr).not.toContain("ErrImagePull");

    const debug = await runBeta(["up", "alice"], { gateway: failing(), env: { BETA_DEBUG: "1" } });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain("Error: Deploying beta-alice failed: error: Deployment web: image pull failed");
    expect(debug.stderr).toContain("Caused by CommandError: Pulumi's output:");
    expect(debug.stderr).toContain("ErrImagePull: registry.example.com/web:branch-x not found");
  });

  it("an update already in progress says to wait (or pulumi cancel)", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", up: [{ kind: "conflict" }] }]);
    const result = await runBeta(["up", "alice"], { gateway });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Another update of beta-alice is in progress.");
    expect(result.stderr).toContain("pulumi cancel --stack beta-alice");
  });

  it("unknown options are usage errors with exit 2", async () => {
    const result = await runBeta(["up", "--imagetag", "x"], { gateway: new ScriptedGateway() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--imagetag'");
  });
});
