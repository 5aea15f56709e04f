import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatChangeSummary } from "../../cli/commands/up";
import type { PreviewOptions, PreviewResult, RenderBeta } from "../../cli/deps";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway } from "../support/scripted-gateway";

const rendered: RenderBeta = async () => ({
  platform: {} as never,
  beta: {} as never,
  routerConfig: "",
  kubernetesObjects: [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "beta-alice" } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "beta-alice" } },
  ],
});

describe("beta up --preview", () => {
  it("an existing Beta: Pulumi's diff and the change counts on stdout, exit 0, nothing deployed or set", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", config: { "beta:imageTag": "branch-x" }, preview: { create: 1, update: 2, same: 5 } }]);
    const result = await runBeta(["up", "alice", "--preview"], { gateway });
    expect(result.code).toBe(0);
    expect(gateway.calls.map((c) => [c.method, c.stack])).toEqual([
      ["hasStack", "beta-alice"],
      ["preview", "beta-alice"],
    ]);
    expect(result.stdout).toContain("~ kubernetes:apps/v1:Deployment web update [diff: ~spec]");
    expect(result.stdout).toContain("Preview of beta-alice: 1 to create, 2 to update, 0 to delete, 5 unchanged. Nothing was deployed; `beta up alice` applies it.");
    expect(gateway.stacks.get("beta-alice")?.config).toEqual({ "beta:imageTag": "branch-x" });
  });

  it("--json prints only the counts on stdout; the diff goes to stderr", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", preview: { update: 1, same: 2 } }]);
    const result = await runBeta(["up", "alice", "--preview", "--json"], { gateway });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ name: "alice", stack: "beta-alice", exists: true, changes: { update: 1, same: 2 } });
    expect(result.stderr).toContain("Previewing update (beta-alice):");
  });

  it("a Beta with no stack yet: says so, lists what beta up would create, creates nothing", async () => {
    const gateway = new ScriptedGateway();
    const result = await runBeta(["up", "alice", "--preview"], { gateway, renderBeta: rendered });
    expect(result.code).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe("Stack beta-alice does not exist yet, so Pulumi has nothing to preview against; nothing was created.");
    expect(result.stdout).toBe(
      "`beta up alice` would create stack beta-alice and these 2 Kubernetes objects (rendered offline, as `beta render alice` does):\n  + Namespace beta-alice\n  + Deployment web\n",
    );
    expect(gateway.calls.map((c) => c.method)).toEqual(["hasStack"]);
    expect(gateway.stacks.size).toBe(0);
  });

  it("a Beta with no stack that cannot be rendered: exit 1 with the reason, still nothing created", async () => {
    const gateway = new ScriptedGateway();
    const result = await runBeta(["up", "alice", "--preview"], { gateway, renderBeta: () => Promise.reject(new Error("beta:releaseTag is missing")) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: Stack beta-alice does not exist yet, and what `beta up alice` would create could not be rendered offline: beta:releaseTag is missing\n");
    expect(gateway.stacks.size).toBe(0);
  });

  it.each([
    [["--branch", "feature/x"], "--branch"],
    [["--image-tag", "master-1234567"], "--image-tag"],
    [["--unpin"], "--unpin"],
  ])("%j with --preview is a usage error (exit 2) before Pulumi is touched", async (extra, named) => {
    const gateway = new ScriptedGateway([{ name: "beta-alice" }]);
    const result = await runBeta(["up", "alice", "--preview", ...extra], { gateway });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(`Error: --preview cannot be combined with ${named}: they save beta:imageTag, and a preview changes nothing.`);
    expect(gateway.calls).toEqual([]);
  });

  it("a failing preview exits 1 with Pulumi's error in one line", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", previewError: "Deployment web: invalid spec" }]);
    const result = await runBeta(["up", "alice", "--preview"], { gateway });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: Previewing beta-alice failed: error: Deployment web: invalid spec\n");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("runs the checkout's policy pack with the platform's config, like beta up, and removes the config file after", async () => {
    const workDir = mkdtempSync(path.join(tmpdir(), "beta-checkout-"));
    mkdirSync(path.join(workDir, "policy"));
    writeFileSync(path.join(workDir, "policy", "PulumiPolicy.yaml"), "name: beta-guard-rails\nruntime: nodejs\n");
    for (const pkg of ["@pulumi/policy", "@pulumi/pulumi"]) {
      mkdirSync(path.join(workDir, "node_modules", pkg), { recursive: true });
      writeFileSync(path.join(workDir, "node_modules", pkg, "package.json"), JSON.stringify({ name: pkg, version: "0.0.0" }));
    }
    const seen: { options?: PreviewOptions; config?: unknown }[] = [];
    class RecordingGateway extends ScriptedGateway {
      override async preview(stack: string, options?: PreviewOptions): Promise<PreviewResult> {
        const file = options?.policyPackConfigs?.[0];
        seen.push({ options, config: file === undefined ? undefined : JSON.parse(readFileSync(file, "utf8")) });
        return super.preview(stack, options);
      }
    }
    const gateway = new RecordingGateway([{ name: "dev", outputs: { sharedServices: [], clusterDomain: "cluster.local" } }, { name: "beta-alice" }]);
    const result = await runBeta(["up", "alice", "--preview"], { gateway, workDir });
    expect(result.code, result.stderr).toBe(0);
    expect(seen[0].options?.policyPacks).toEqual([path.join(workDir, "policy")]);
    expect(seen[0].config).toEqual({ "service-exposure": { sharedServiceHosts: [], clusterDomain: "cluster.local" } });
    expect(existsSync(seen[0].options!.policyPackConfigs![0])).toBe(false);
    expect(gateway.callsOf("up")).toEqual([]);
  });

  it("a bad name is a usage error, as for beta up", async () => {
    const result = await runBeta(["up", "Not_A_Name", "--preview"], { gateway: new ScriptedGateway() });
    expect(result.code).toBe(2);
  });
});

describe("formatChangeSummary", () => {
  it.each([
    [{}, "0 to create, 0 to update, 0 to delete, 0 unchanged"],
    [{ same: 4 }, "0 to create, 0 to update, 0 to delete, 4 unchanged"],
    [{ create: 1, replace: 2, delete: 1 }, "1 to create, 0 to update, 1 to delete, 0 unchanged, 2 to replace"],
  ])("%j → %s", (changes, text) => {
    expect(formatChangeSummary(changes)).toBe(text);
  });
});
