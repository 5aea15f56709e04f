/** `beta status [name]`: per app, ready replicas, image, restarts and URL; exit 1 when something is not ready. */
import { Command } from "commander";
import { AppStatus, summariseApps } from "../app-status";
import { imagePullHint } from "../image-pull-hint";
import type { CliDeps } from "../deps";
import { CliError, SilentExit } from "../errors";
import { chooseBeta, withExamples } from "../command-helpers";
import { refuseAppAsBetaName } from "../app-names";
import { mapOutput } from "../stack-outputs";
import { summariseError } from "../fleet/pulumi-errors";
import { contextArgs, kubectlJson } from "../kubectl";
import { type Column, formatJson, formatTable } from "../output";

interface StatusOptions {
  json?: boolean;
  context?: string;
  urls?: boolean;
}

export function registerStatusCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("status")
    .description("Show each app of a Beta: ready replicas, image, restarts, URL (exit 1 if any is not ready)")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option("--json", "print JSON: { name, namespace, ready, apps: [...] } (personal: true marks a personal copy of a shared service)")
    .option("--context <context>", "kubeconfig context to use (default: kubectl's current one)")
    .option("--no-urls", "do not ask Pulumi for the URLs (kubectl only)")
    .action(async (given: string | undefined, options: StatusOptions) => status(deps, given, options));
  withExamples(
    command,
    ["beta status", "beta status alice --json | jq '.apps[] | select(.ok | not)'", "beta status alice --json | jq -r '.apps[] | select(.personal) | .app'", "beta status && echo all ready"],
    "A personal copy of a shared service (`beta up --service <service>`) is listed like an app, marked\n\"personal copy\" (KIND column; personal: true in --json), and counts for readiness like one.",
  );
}

/** The Beta's app URLs from its stack outputs, or why they are not available. */
async function appUrls(deps: CliDeps, stack: string): Promise<{ urls: Record<string, string>; problem?: string }> {
  try {
    const gateway = await deps.gateway();
    return { urls: mapOutput(await gateway.outputs(stack), "urls") };
  } catch (error) {
    return { urls: {}, problem: error instanceof CliError ? error.message : summariseError(error) };
  }
}

async function status(deps: CliDeps, given: string | undefined, options: StatusOptions): Promise<void> {
  await refuseAppAsBetaName(given, undefined, deps.workDir, "status");
  const { name, stack } = chooseBeta(given, deps, "status");
  const namespace = stack;
  const list = await kubectlJson(deps.kubectl(), [...contextArgs(options.context), "get", "deploy,pods", "-n", namespace, "-o", "json"]);
  const apps = summariseApps(list);
  const { urls, problem } = options.urls === false ? { urls: {} } : await appUrls(deps, stack);
  if (problem) deps.stderr.write(`(URLs unavailable: ${problem})\n`);
  const rows = apps.map((app) => ({ ...app, url: urls[app.app] ?? null }));
  const ready = apps.length > 0 && apps.every((app) => app.ok);

  if (options.json) {
    deps.stdout.write(formatJson({ name, namespace, ready, apps: rows }));
  } else if (apps.length === 0) {
    deps.stdout.write(`No apps in namespace ${namespace}.\n`);
  } else {
    // The KIND column only when the Beta runs a personal copy of a shared service.
    const kind: Column<(typeof rows)[number]>[] = rows.some((r) => r.personal) ? [{ header: "kind", value: (r) => (r.personal ? "personal copy" : "app") }] : [];
    deps.stdout.write(
      formatTable(rows, [
        { header: "app", value: (r) => r.app },
        ...kind,
        { header: "ready", value: (r) => `${r.ready}/${r.desired}` },
        { header: "image", value: (r) => r.images.join(",") },
        { header: "restarts", value: (r) => String(r.restarts) },
        { header: "url", value: (r) => r.url ?? "-" },
        { header: "problems", value: (r) => r.problems.join(",") },
      ]),
    );
  }
  if (apps.length === 0) {
    throw new CliError(`Beta ${name} has no apps running (namespace ${namespace} is empty or missing).`, `Create or repair it with \`beta up ${name}\`.`);
  }
  if (!ready) {
    if (!options.json) {
      const pull = imagePullHint(apps, namespace, options.context);
      deps.stderr.write(`${pull ? `${pull}\n` : ""}${notReadyHint(name, apps)}`);
    }
    throw new SilentExit(1);
  }
  if (!options.json) deps.stderr.write(`All ${describeCount(apps)} of ${name} are ready.\n`);
}

/** "2 apps", or "2 apps and 1 personal copy" when the Beta runs copies of shared services. */
function describeCount(apps: readonly AppStatus[]): string {
  const copies = apps.filter((app) => app.personal).length;
  const plain = apps.length - copies;
  return copies === 0 ? `${plain} apps` : `${plain} apps and ${copies} personal ${copies === 1 ? "copy" : "copies"}`;
}

function notReadyHint(name: string, apps: AppStatus[]): string {
  const bad = apps.filter((app) => !app.ok);
  const first = bad[0];
  return (
    `${bad.length} of ${describeCount(apps)} not ready: ${bad.map((a) => a.app + (a.problems.length ? ` (${a.problems.join(", ")})` : "")).join(", ")}.\n` +
    `See why: beta logs ${name} ${first.app}\n`
  );
}
