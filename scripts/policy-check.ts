/**
 * The guard rails over everything the repository deploys, offline: every platform stack file
 * (`Pulumi.<stack>.yaml` not named `beta-*`), every committed Beta (`Pulumi.beta-<name>.yaml`)
 * and a Beta with no config of its own, each rendered the way `beta render` renders it, every
 * rule of the policy pack run over every resource it declares, with the pack's config taken
 * from its platform's outputs (as `beta up` passes it). `scripts/check-policy.ts` runs it in CI;
 * test/policy/declared-resources.test.ts runs it under `npm test`.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseBetaConfig } from "../lib/beta-config";
import { BETA_PREFIX } from "../lib/names";
import { renderBetaWith } from "../offline/render-beta";
import { runOffline } from "../offline/run-offline";
import { platformStandInKubeconfig } from "../offline/stand-in-kubeconfig";
import { readStackConfigFile } from "../offline/stack-file";
import type { OfflineRun } from "../offline/types";
import { PackConfig, packConfigFor, ruleContext } from "../policy/pack-config";
import { rules } from "../policy/rules";

/** One violation: which stack, which resource (Pulumi type and name), and the rule's message. */
export interface Finding {
  stack: string;
  resource: string;
  message: string;
}

/** One stack checked: how many resources it declared and what broke a rule. */
export interface StackCheck {
  stack: string;
  /** Where its config came from: `Pulumi.dev.yaml`, or `no config (against Pulumi.dev.yaml)`. */
  source: string;
  resources: number;
  findings: Finding[];
  /** What it declared; absent when it could not be rendered. */
  run?: OfflineRun;
  /** The pack's config it was checked with. */
  config?: PackConfig;
}

/** Every rule over every resource of `run`. */
export function checkRun(run: OfflineRun, config: PackConfig): Finding[] {
  return run.resources.flatMap((resource) =>
    rules.flatMap((rule) =>
      rule
        .check(resource.type, resource.inputs, ruleContext(rule, run.stack, resource.name, config))
        .map((message) => ({ stack: run.stack, resource: `${resource.type}::${resource.name}`, message })),
    ),
  );
}

function stackFiles(repoRoot: string): string[] {
  return readdirSync(repoRoot)
    .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

function stackFile(repoRoot: string, stack: string): string | undefined {
  return [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].map((file) => join(repoRoot, file)).find(existsSync);
}

/** The first developer the platform lists (the Beta checked with no config), else a placeholder name. */
function firstDeveloper(platformConfig: Record<string, unknown>): string {
  const developers = Array.isArray(platformConfig.developers) ? platformConfig.developers : [];
  const name = (developers[0] as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : "policy-check";
}

/** Renders and checks every platform and Beta of the repository at `repoRoot`. */
export async function checkRenderedStacks(repoRoot: string): Promise<StackCheck[]> {
  const stacks = stackFiles(repoRoot);
  const platforms = stacks.filter((stack) => !stack.startsWith(BETA_PREFIX));
  const betas = stacks.filter((stack) => stack.startsWith(BETA_PREFIX)).map((stack) => stack.slice(BETA_PREFIX.length));
  const checks: StackCheck[] = [];

  for (const stack of platforms) {
    const platformConfig = readStackConfigFile(stackFile(repoRoot, stack)!);
    // Offline: a context the platform adopts is a stand-in, never this machine's kubeconfig.
    const run = await runOffline({ stack, config: platformConfig, localKubeconfig: platformStandInKubeconfig(platformConfig) });
    const config = packConfigFor(run.outputs);
    checks.push({ stack, source: `Pulumi.${stack}.yaml`, resources: run.resources.length, findings: checkRun(run, config), run, config });
  }

  const defaultPlatform = parseBetaConfig({}).platformStack;
  const defaultPlatformFile = stackFile(repoRoot, defaultPlatform);
  const unconfigured = defaultPlatformFile === undefined ? [] : [firstDeveloper(readStackConfigFile(defaultPlatformFile))].filter((name) => !betas.includes(name));
  for (const name of [...betas, ...unconfigured]) {
    const file = stackFile(repoRoot, `${BETA_PREFIX}${name}`);
    const betaConfig = file === undefined ? {} : readStackConfigFile(file);
    const platformStack = parseBetaConfig(betaConfig).platformStack.split("/").pop()!;
    const platformFile = stackFile(repoRoot, platformStack);
    const stack = `${BETA_PREFIX}${name}`;
    const source = `${file === undefined ? "no config" : `Pulumi.${stack}.yaml`} (against Pulumi.${platformStack}.yaml)`;
    if (platformFile === undefined) {
      const message = `its platform stack ${platformStack} has no Pulumi.${platformStack}.yaml here to render it against`;
      checks.push({ stack, source, resources: 0, findings: [{ stack, resource: "(stack)", message }] });
      continue;
    }
    const { platform, beta } = await renderBetaWith({ name, platformConfig: readStackConfigFile(platformFile), platformStack, betaConfig });
    const config = packConfigFor(platform.outputs);
    checks.push({ stack, source, resources: beta.resources.length, findings: checkRun(beta, config), run: beta, config });
  }
  return checks;
}

/** The report `scripts/check-policy.ts` prints: one line per stack, then each violation. */
export function formatChecks(checks: readonly StackCheck[]): string {
  const lines: string[] = [];
  for (const check of checks) {
    const verdict = check.findings.length === 0 ? "ok" : `${check.findings.length} violation(s)`;
    lines.push(`${check.stack} (${check.source}): ${check.resources} resources, ${verdict}`);
    for (const finding of check.findings) lines.push(`  ${finding.message}\n    (${finding.resource})`);
  }
  return `${lines.join("\n")}\n`;
}
