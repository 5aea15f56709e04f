/** `beta list`: every Beta (`beta-*` stack) with its URL, image tag, last update and owner. */
import { Command } from "commander";
import { decodeStackConfig } from "../../lib/stack-config";
import type { CliDeps, StackGateway, StackSummary } from "../deps";
import { withExamples } from "../command-helpers";
import { mapOutput, stringOutput } from "../stack-outputs";
import type { Clock } from "../fleet/clock";
import { runPool } from "../fleet/pool";
import { betaStackInfo } from "../fleet/stack-names";

import { formatAge, formatJson, formatTable } from "../output";

export interface BetaListing {
  name: string;
  stack: string;
  url: string | null;
  /** `beta:imageTag` when pinned, else the tag(s) the apps run. */
  imageTag: string | null;
  pinned: boolean;
  /** ISO date, or null when never deployed. */
  lastUpdate: string | null;
  updateInProgress: boolean;
  /** The developer whose tenant the Beta runs in (the platform's `beta:developers`). */
  owner: string;
}

/** How many stacks `list` reads at once (each read is a Pulumi CLI call). */
const READ_PARALLEL = 8;

async function describe(gateway: StackGateway, summary: StackSummary, name: string): Promise<BetaListing> {
  const [outputs, rawConfig] = await Promise.all([
    gateway.outputs(summary.name).catch(() => ({}) as Record<string, unknown>),
    gateway.getConfig(summary.name).catch(() => ({}) as Record<string, string>),
  ]);
  let pinnedTag: string | undefined;
  // The schemas (zod) load when a list runs, not at start-up.
  const { parseBetaConfig } = await import("../../lib/beta-config.js");
  try {
    const config = parseBetaConfig(decodeStackConfig(rawConfig));
    pinnedTag = config.imageTag;
  } catch {
    // A broken config does not hide the Beta from the list; `beta up` reports it.
  }
  const tags = [...new Set(Object.values(mapOutput(outputs, "images")).map((image) => image.slice(image.lastIndexOf(":") + 1)))].sort();
  return {
    name,
    stack: summary.name,
    url: stringOutput(outputs, "url") ?? null,
    imageTag: pinnedTag ?? (tags.length > 0 ? tags.join(",") : null),
    pinned: pinnedTag !== undefined,
    lastUpdate: summary.lastUpdate?.toISOString() ?? null,
    updateInProgress: summary.updateInProgress,
    owner: name,
  };
}

export async function listBetas(gateway: StackGateway, clock: Clock): Promise<BetaListing[]> {
  const betas = (await gateway.listStacks()).flatMap((summary) => {
    const info = betaStackInfo(summary.name);
    return info && !info.problem ? [{ summary, name: info.name }] : [];
  });
  betas.sort((a, b) => a.name.localeCompare(b.name));
  return runPool(betas, async ({ summary, name }) => ({ done: await describe(gateway, summary, name) }), {
    parallel: READ_PARALLEL,
    clock,
  });
}

export function registerListCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("list")
    .alias("ls")
    .description("List every Beta: name, URL, image tag, last update, owner")
    .option("--json", "print a JSON array")
    .action(async (options: { json?: boolean }) => {
      const gateway = await deps.gateway();
      deps.stderr.write("Reading stacks...\n");
      const betas = await listBetas(gateway, deps.clock);
      if (options.json) {
        deps.stdout.write(formatJson(betas));
        return;
      }
      if (betas.length === 0) {
        deps.stdout.write("No Betas yet. Create yours with `beta up`.\n");
        return;
      }
      const now = new Date(deps.clock.now());
      deps.stdout.write(
        formatTable(betas, [
          { header: "name", value: (b) => b.name },
          { header: "url", value: (b) => b.url ?? "-" },
          { header: "image tag", value: (b) => (b.imageTag ?? "-") + (b.pinned ? " (pinned)" : "") },
          {
            header: "last update",
            value: (b) => (b.updateInProgress ? "updating now" : formatAge(b.lastUpdate ? new Date(b.lastUpdate) : undefined, now)),
          },
          { header: "owner", value: (b) => b.owner },
        ]),
      );
    });
  withExamples(command, ["beta list", "beta list --json | jq -r '.[].url'"]);
}
