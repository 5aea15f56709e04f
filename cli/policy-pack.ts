/**
 * The policy pack `beta up` runs: the repository's `policy/` (beta-guard-rails), configured
 * from the platform stack's outputs (which host names are shared services, the cluster's DNS
 * domain), so a Beta that breaks a guard rail fails before anything is changed.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DEFAULT_PLATFORM_STACK } from "../lib/stack-names";
import { packConfigFor } from "../policy/pack-config";
import type { StackGateway } from "./deps";
import { CliError } from "./errors";

/** The packages the pack's `index.ts` loads (policy/package.json). */
const PACK_PACKAGES = ["@pulumi/policy", "@pulumi/pulumi"] as const;

/** The pack's directory under `workDir`, or undefined when this checkout has none. */
export function policyPackDir(workDir: string): string | undefined {
  const dir = join(workDir, "policy");
  return existsSync(join(dir, "PulumiPolicy.yaml")) ? dir : undefined;
}

/**
 * True when Node resolves `pkg` from `dir` (its node_modules, then its parents'), as the pack
 * is started: the CLI runs the policy host with the pack's directory as working directory and
 * it resolves '@pulumi/pulumi/cmd/run-policy-pack' from there (pulumi/pulumi
 * sdk/go/common/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer: `pwd := policyPackPath`),
 * so the repository root's `npm ci` serves the pack too.
 */
function resolvable(pkg: string, dir: string): boolean {
  try {
    require.resolve(`${pkg}/package.json`, { paths: [dir] });
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails with what to run when the pack's packages are missing; `beta up` calls it before it
 * creates or changes anything.
 */
export function checkPolicyPackInstalled(dir: string, workDir: string, retry: string): void {
  const missing = PACK_PACKAGES.filter((pkg) => !resolvable(pkg, dir));
  if (missing.length === 0) return;
  const shown = relative(process.cwd(), dir) || dir;
  throw new CliError(
    `The policy pack in ${shown} cannot run: ${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not installed.`,
    `Run \`npm ci\` in ${relative(process.cwd(), workDir) || "."} (or \`npm install --prefix ${shown}\`), then \`${retry}\` again.`,
  );
}

/** What `gateway.up` needs to run the pack, and how to clean up its config file afterwards. */
export interface PolicyPackRun {
  policyPacks: string[];
  policyPackConfigs: string[];
  dispose(): void;
}

/** Writes the pack's config for `stack`'s platform (its `beta:platformStack`, default dev) to a temporary file. */
export async function policyPackRun(dir: string, gateway: StackGateway, stack: string): Promise<PolicyPackRun> {
  const config = await gateway.getConfig(stack);
  const platformStack = config["beta:platformStack"] ?? DEFAULT_PLATFORM_STACK;
  let outputs: Record<string, unknown>;
  try {
    outputs = await gateway.outputs(platformStack);
  } catch (error) {
    throw new CliError(
      `Cannot read the outputs of platform stack ${platformStack}, which the policy pack is configured from: ${error instanceof Error ? error.message : String(error)}`,
      `Check beta:platformStack in Pulumi.${stack}.yaml and that the platform is deployed (\`pulumi stack ls\`).`,
      1,
      { cause: error },
    );
  }
  const configDir = mkdtempSync(join(tmpdir(), "beta-policy-"));
  const file = join(configDir, "policy-config.json");
  writeFileSync(file, `${JSON.stringify(packConfigFor(outputs), null, 2)}\n`);
  return { policyPacks: [dir], policyPackConfigs: [file], dispose: () => rmSync(configDir, { recursive: true, force: true }) };
}
