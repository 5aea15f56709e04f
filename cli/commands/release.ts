/**
 * `beta release <tag>` (CI): set the platform's release tag and deploy it, then bring every
 * Beta up to date. See cli/fleet/ for the rules (conflicts, pins, opt-outs).
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import type { CliDeps } from "../deps";
import { cancellable, intOption, withExamples } from "../command-helpers";
import { SilentExit } from "../errors";
import { formatDuration, formatJson } from "../output";
import type { ReleaseEvent } from "../fleet/release";
import { formatReleaseTable, releaseExitCode } from "../fleet/report";
import { shortStackName } from "../fleet/stack-names";
import { DEFAULT_PLATFORM_STACK } from "../../lib/stack-names";

interface ReleaseOptions {
  platformStack: string;
  parallel: number;
  retries: number;
  retryDelay: number;
  report?: string;
  json?: boolean;
  verbose?: boolean;
}

/** One stderr line per step, prefixed with the stack, so parallel updates read clearly in CI logs. */
export function describeReleaseEvent(event: ReleaseEvent, verbose: boolean): string | undefined {
  switch (event.type) {
    case "platform-start":
      return event.attempt === 1 ? `[${event.stack}] setting beta:releaseTag and deploying the platform...` : `[${event.stack}] deploying (attempt ${event.attempt})...`;
    case "platform-retry":
    case "stack-retry":
      return `[${event.stack}] another update is in progress; retrying in ${formatDuration(event.delayMs)} (attempt ${event.attempt + 1})`;
    case "platform-done":
      return event.outcome.result === "updated"
        ? `[${event.outcome.stack}] platform updated in ${formatDuration(event.outcome.durationMs)}`
        : `[${event.outcome.stack}] platform ${event.outcome.result.toUpperCase()}: ${event.outcome.detail ?? ""}`;
    case "fleet-start":
      return `Updating ${event.stacks.length} Betas...`;
    case "stack-start":
      return `[${event.stack}] updating${event.attempt > 1 ? ` (attempt ${event.attempt})` : ""}...`;
    case "stack-done": {
      const o = event.outcome;
      if (o.result === "updated") {
        const kept = [o.pinnedImageTag && `kept pin ${o.pinnedImageTag}`, o.pinnedServices && `kept personal ${Object.entries(o.pinnedServices).map(([service, pin]) => `${service}=${pin}`).join(", ")}`].filter(Boolean);
        return `[${o.stack}] updated in ${formatDuration(o.durationMs)}${kept.length > 0 ? ` (${kept.join("; ")})` : ""}`;
      }
      if (o.result === "skipped") return `[${o.stack}] skipped: ${o.detail ?? ""}`;
      return `[${o.stack}] ${o.result.toUpperCase()}: ${o.detail ?? ""}`;
    }
    case "platform-progress":
    case "stack-progress": {
      if (!verbose) return undefined;
      const p = event.progress;
      if (p.kind === "resource" && p.status !== "started") return `[${event.stack}] ${p.op} ${p.type} ${p.name}: ${p.status}`;
      if (p.kind === "diagnostic" && p.severity !== "info") return `[${event.stack}] ${p.severity}: ${p.message}`;
      return undefined;
    }
  }
}

/** True when run by a CI service (they set CI, e.g. CI=true on GitHub Actions and CircleCI). */
function runByCi(env: CliDeps["env"]): boolean {
  const ci = env.CI?.trim().toLowerCase();
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * The line that reminds a person who released by hand to commit the platform's stack file:
 * `beta:releaseTag` lives there, so a `pulumi up --stack dev` from a checkout without it
 * rolls the release back. CI commits the file itself (see .github/workflows/beta-release.yml).
 */
export function commitReminder(platformUpdated: boolean, tag: string, platformStack: string, env: CliDeps["env"]): string | undefined {
  if (!platformUpdated || runByCi(env)) return undefined;
  const file = `Pulumi.${shortStackName(platformStack)}.yaml`;
  return `Reminder: ${file} now sets beta:releaseTag to ${tag}. Commit and push it to master; until then the next \`pulumi up --stack ${platformStack}\` from another checkout rolls the platform back to the tag that checkout has.`;
}

/**
 * Betas updated at once by default. A Beta's update costs CPU here (the program: 4.2 s of
 * CPU and 220 MB to load and evaluate in a fresh process, measured by bench/fleet.ts; plus
 * the engine and the Kubernetes provider, not measurable without the Pulumi CLI) and
 * otherwise waits on the cluster (assumed 30 s: rollouts, image pulls, readiness). Swept
 * with a stand-in that burns that CPU and sleeps that wait (1/20 scale) on this 2-core
 * machine: 32 updates took 140 s at --parallel 2, 96 s at 4, 72 s at 8, 75 s at 12, 70 s
 * at 16. From 8 on the CPU is the limit (an idle 2-core runner saturates near
 * 2 x (4.2 + 30) / 4.2 = 16), so 8 gets within 4 % of the best with half the memory of 16.
 */
export const DEFAULT_RELEASE_PARALLEL = 8;

export function registerReleaseCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("release")
    .description("CI: set the platform's release tag, deploy the platform, then update every Beta")
    .argument("<tag>", "image tag of the green master build, e.g. master-3f2c1ab")
    .option("--platform-stack <stack>", "the platform stack", DEFAULT_PLATFORM_STACK)
    .option("--parallel <n>", "Betas updated at once (slowest first, by their last update)", intOption(1, 64), DEFAULT_RELEASE_PARALLEL)
    .option("--retries <n>", "retries for a stack busy with another update", intOption(0, 20), 5)
    .option("--retry-delay <seconds>", "wait before the first retry; doubles each time (at most 10 minutes)", intOption(0, 3600), 30)
    .option("--report <file>", "write the JSON report here (for CI artifacts)")
    .option("--json", "print the JSON report on stdout instead of the table")
    .option("--verbose", "print every resource step of every stack")
    .action(async (tag: string, options: ReleaseOptions) => {
      const gateway = await deps.gateway();
      deps.stderr.write(`Releasing ${tag}: platform stack ${options.platformStack}, then every Beta, ${options.parallel} at a time.\n`);
      // The release engine (and its zod schemas) loads when a release runs, not at start-up.
      const { runRelease } = await import("../fleet/release.js");
      const report = await cancellable(deps.stderr, () => runRelease(gateway, {
        releaseTag: tag,
        platformStack: options.platformStack,
        parallel: options.parallel,
        retries: options.retries,
        retryDelayMs: options.retryDelay * 1000,
        maxRetryDelayMs: 600_000,
        clock: deps.clock,
        onEvent: (event) => {
          const line = describeReleaseEvent(event, Boolean(options.verbose));
          if (line) deps.stderr.write(`${line}\n`);
        },
      }));
      if (options.report) {
        writeFileSync(options.report, formatJson(report));
        deps.stderr.write(`Report written to ${options.report}.\n`);
      }
      deps.stdout.write(options.json ? formatJson(report) : formatReleaseTable(report));
      const reminder = commitReminder(report.platform.result === "updated", tag, options.platformStack, deps.env);
      if (reminder) deps.stderr.write(`${reminder}\n`);
      const code = releaseExitCode(report);
      if (code !== 0) throw new SilentExit(code);
    });
  withExamples(
    command,
    ["beta release master-3f2c1ab --report beta-release.json", "beta release master-3f2c1ab --parallel 8 --platform-stack acme/beta/dev"],
    `
If the platform deploy fails, no Beta is touched. One Beta's failure never stops the others.
A Beta busy with another update is retried later (--retries, waits doubling from
--retry-delay), then reported as BUSY. A Beta pinned with beta:imageTag keeps its images but
is still updated (platform changes apply). A personal copy of a shared service
(beta:services) with a tag or image keeps it; one without moves to the new tag, and the report
names both. A Beta with beta:autoRefresh false, or following
another platform stack, is skipped. Exit code 0 only when the platform and every Beta not
skipped were updated.

beta:releaseTag is set in the platform's stack file (Pulumi.dev.yaml): commit it after a
release (CI does), or the next \`pulumi up --stack dev\` from another checkout rolls the
release back. Every update is recorded as "beta release <tag>", which beta reap does not
count as a developer's use of a Beta.`,
  );
}
