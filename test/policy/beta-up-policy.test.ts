/**
 * `beta up` runs the beta-guard-rails pack: with the repository's `policy/` and a config made
 * from the platform's outputs, through the scripted gateway; through the real Automation API
 * to a stub Pulumi CLI as `--policy-pack <dir> --policy-pack-config <file>`, falling back with
 * a warning when the CLI has no such flag; and it says what to install, before creating
 * anything, when the pack's packages are missing.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AutomationGateway, POLICY_PACK_UNSUPPORTED } from "../../cli/automation-gateway";
import type { OperationOptions, OperationProgress, UpResult } from "../../cli/deps";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway, ScriptedStack, betaOutputs } from "../support/scripted-gateway";

const repo = path.resolve(__dirname, "../..");

/** A checkout with a policy pack in `policy/`; its packages installed (as empty packages) when `installed`. */
function checkout(installed: boolean): string {
  const workDir = mkdtempSync(path.join(tmpdir(), "beta-checkout-"));
  mkdirSync(path.join(workDir, "policy"));
  writeFileSync(path.join(workDir, "policy", "PulumiPolicy.yaml"), "name: beta-guard-rails\nruntime: nodejs\n");
  if (installed) {
    for (const pkg of ["@pulumi/policy", "@pulumi/pulumi"]) {
      mkdirSync(path.join(workDir, "node_modules", pkg), { recursive: true });
      writeFileSync(path.join(workDir, "node_modules", pkg, "package.json"), JSON.stringify({ name: pkg, version: "0.0.0" }));
    }
  }
  return workDir;
}

/** A ScriptedGateway that keeps the options of each `up` and the pack config file's content at that moment. */
class RecordingGateway extends ScriptedGateway {
  readonly ups: { options?: OperationOptions; config?: unknown }[] = [];
  override async up(stack: string, options?: OperationOptions): Promise<UpResult> {
    const file = options?.policyPackConfigs?.[0];
    this.ups.push({ options, config: file === undefined ? undefined : JSON.parse(readFileSync(file, "utf8")) });
    return super.up(stack, options);
  }
}

const PLATFORM: ScriptedStack = {
  name: "dev",
  outputs: {
    sharedServices: [
      { name: "billing", host: "billing.internal.example.com", port: 8080 },
      { name: "postgres", host: "10.0.12.34", port: 5432 },
    ],
    clusterDomain: "cluster.local",
  },
};

describe("beta up and the policy pack", () => {
  it("runs the checkout's policy/ with the config of the Beta's platform, and removes the config file afterwards", async () => {
    const workDir = checkout(true);
    const gateway = new RecordingGateway([PLATFORM, { ...PLATFORM, name: "staging", outputs: { sharedServices: [], clusterDomain: "staging.local" } }]);
    gateway.defaultOutputs = () => betaOutputs("alice");
    const result = await runBeta(["up", "alice"], { gateway, workDir });
    expect(result.code, result.stderr).toBe(0);
    const [{ options, config }] = gateway.ups;
    expect(options?.policyPacks).toEqual([path.join(workDir, "policy")]);
    expect(config).toEqual({ "service-exposure": { sharedServiceHosts: ["billing.internal.example.com"], clusterDomain: "cluster.local" } });
    expect(existsSync(options!.policyPackConfigs![0]), "config file removed").toBe(false);
  });

  it("reads the platform named by beta:platformStack", async () => {
    const gateway = new RecordingGateway([
      { ...PLATFORM, name: "staging", outputs: { sharedServices: [], clusterDomain: "staging.local" } },
      { name: "beta-alice", config: { "beta:platformStack": "staging" } },
    ]);
    const result = await runBeta(["up", "alice"], { gateway, workDir: checkout(true) });
    expect(result.code, result.stderr).toBe(0);
    expect(gateway.ups[0].config).toEqual({ "service-exposure": { sharedServiceHosts: [], clusterDomain: "staging.local" } });
  });

  it("says what to run when the pack's packages are missing, before creating or changing anything", async () => {
    const workDir = checkout(false);
    const gateway = new RecordingGateway([PLATFORM]);
    const result = await runBeta(["up", "alice", "--branch", "login"], { gateway, workDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/policy pack in .*policy cannot run: @pulumi\/policy and @pulumi\/pulumi are not installed/);
    expect(result.stderr).toMatch(/Run `npm ci` in .*\(or `npm install --prefix .*policy`\), then `beta up alice` again/);
    expect(gateway.calls).toEqual([]);
  });

  it("a checkout without policy/ updates without a pack", async () => {
    const gateway = new RecordingGateway();
    const result = await runBeta(["up", "alice"], { gateway, workDir: mkdtempSync(path.join(tmpdir(), "beta-nopack-")) });
    expect(result.code).toBe(0);
    expect(gateway.ups[0].options?.policyPacks).toBeUndefined();
  });

  it("fails clearly when the platform's outputs cannot be read", async () => {
    const gateway = new RecordingGateway();
    const result = await runBeta(["up", "alice"], { gateway, workDir: checkout(true) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Cannot read the outputs of platform stack dev, which the policy pack is configured from");
    expect(gateway.ups).toEqual([]);
  });
});

describe("AutomationGateway.up with a policy pack (real Automation API, stub Pulumi CLI)", () => {
  const bin = mkdtempSync(path.join(tmpdir(), "policy-pulumi-bin-"));
  const workDir = mkdtempSync(path.join(tmpdir(), "policy-pulumi-work-"));
  const state = path.join(workDir, "state.json");
  const log = path.join(workDir, "calls.log");
  const calls = () => readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as string[]);
  const ups = () => calls().filter((args) => args[0] === "up");

  beforeAll(() => {
    // `pulumi` refuses --policy-pack when $OLD_PULUMI is set, as a CLI without the flag does (pflag's text).
    const wrapper = path.join(bin, "pulumi");
    writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ -n "$OLD_PULUMI" ]; then for a in "$@"; do if [ "$a" = "--policy-pack" ]; then echo refused >> "$STUB_PULUMI_LOG.refused"; echo "error: unknown flag: --policy-pack" >&2; exit 255; fi; done; fi\nexec "${path.join(bin, "stub-pulumi.mjs")}" "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    symlinkSync(path.join(repo, "test/support/stub-pulumi.mjs"), path.join(bin, "stub-pulumi.mjs"));
    writeFileSync(path.join(workDir, "Pulumi.yaml"), "name: beta\nruntime: nodejs\n");
    process.env.PATH = `${bin}${path.delimiter}${process.env.PATH}`;
    process.env.STUB_PULUMI_STATE = state;
    process.env.STUB_PULUMI_LOG = log;
  });

  const run = async (oldCli: boolean) => {
    writeFileSync(state, JSON.stringify({ "beta-alice": { config: {}, outputs: {} } }));
    writeFileSync(log, "");
    writeFileSync(`${log}.refused`, "");
    if (oldCli) process.env.OLD_PULUMI = "1";
    else delete process.env.OLD_PULUMI;
    const progress: OperationProgress[] = [];
    const gateway = await AutomationGateway.create(workDir);
    await gateway.up("beta-alice", { policyPacks: ["/repo/policy"], policyPackConfigs: ["/tmp/policy-config.json"], onProgress: (p) => progress.push(p) });
    return progress;
  };

  it("passes the pack and its config to `pulumi up`", async () => {
    const progress = await run(false);
    const [up] = ups();
    expect(up.slice(up.indexOf("--policy-pack"), up.indexOf("--policy-pack") + 2)).toEqual(["--policy-pack", "/repo/policy"]);
    expect(up.slice(up.indexOf("--policy-pack-config"), up.indexOf("--policy-pack-config") + 2)).toEqual(["--policy-pack-config", "/tmp/policy-config.json"]);
    expect(progress.filter((p) => p.kind === "diagnostic" && p.message === POLICY_PACK_UNSUPPORTED)).toEqual([]);
  }, 60_000);

  it("on a CLI without --policy-pack, warns and updates without it", async () => {
    const progress = await run(true);
    expect(readFileSync(`${log}.refused`, "utf8"), "the CLI refused the flag once").toBe("refused\n");
    expect(ups().map((args) => args.includes("--policy-pack")), "then updated without it").toEqual([false]);
    expect(progress).toContainEqual({ kind: "diagnostic", severity: "warning", message: POLICY_PACK_UNSUPPORTED });
  }, 60_000);
});
