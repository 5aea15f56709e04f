/**
 * `beta reap --idle-days N`: find Betas no developer has updated for more than N days (dry
 * run), and with --yes destroy them and remove their stacks. `beta release` updates every
 * Beta on each green build, so idleness is read from each stack's history, skipping the
 * updates `beta release` made (see cli/fleet/select-idle.ts). Never touches the platform stack
 * or any stack that is not `beta-<name>`.
 */
import { Command } from "commander";
import type { CliDeps, StackGateway } from "../deps";
import { cancellable, intOption, withExamples } from "../command-helpers";
import { SilentExit } from "../errors";
import { runPool } from "../fleet/pool";
import { isUpdateInProgress, summariseError } from "../fleet/pulumi-errors";
import { HistoryRead, IdleDecision, IdleSelectionOptions, historyNeeded, idleCutoff, selectIdle } from "../fleet/select-idle";
import { readHistorySince } from "../fleet/stack-history";
import { reapUpdateMessage } from "../fleet/update-messages";
import { formatAge, formatJson, formatTable } from "../output";

interface ReapOptions {
  idleDays?: number;
  yes?: boolean;
  includeNeverUpdated?: boolean;
  parallel: number;
  json?: boolean;
}

export interface ReapResult {
  stack: string;
  name?: string;
  /** The last update of any kind (usually `beta release`'s). */
  lastUpdate: string | null;
  /** No developer has updated the Beta since then. */
  idleSince: string | null;
  idleDays: number | null;
  selected: boolean;
  reason: string;
  /** With --yes: what happened to a selected stack. */
  result?: "reaped" | "failed" | "busy";
  error?: string;
}

async function reapOne(gateway: StackGateway, decision: IdleDecision): Promise<Pick<ReapResult, "result" | "error">> {
  try {
    await gateway.destroy(decision.stack, { message: reapUpdateMessage(decision.idleSince) });
    await gateway.removeStack(decision.stack);
    return { result: "reaped" };
  } catch (error) {
    return { result: isUpdateInProgress(error) ? "busy" : "failed", error: summariseError(error) };
  }
}

/** The histories of `stacks`, read back to the idle line, `parallel` at a time; a failed read is kept as its error. */
async function readHistories(gateway: StackGateway, stacks: readonly string[], selection: IdleSelectionOptions, parallel: number, deps: CliDeps): Promise<Map<string, HistoryRead>> {
  if (stacks.length === 0) return new Map();
  deps.stderr.write(`Reading the update history of ${stacks.length} recently updated Betas...\n`);
  const since = idleCutoff(selection);
  const reads = await runPool(
    stacks,
    async (stack): Promise<{ done: HistoryRead }> => {
      try {
        return { done: await readHistorySince(gateway, stack, since) };
      } catch (error) {
        return { done: { error: summariseError(error) } };
      }
    },
    { parallel, clock: deps.clock },
  );
  return new Map(stacks.map((stack, i) => [stack, reads[i]]));
}

export function registerReapCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("reap")
    .description("Find Betas no developer has updated for more than N days; with --yes destroy them and remove their stacks")
    .requiredOption("--idle-days <n>", "reap Betas no developer has updated for more than this many days (beta release's updates do not count)", intOption(1))
    .option("-y, --yes", "destroy and remove the idle Betas (default: only list them)")
    .option("--include-never-updated", "also reap Betas that were never deployed (their age is unknown)")
    .option("--parallel <n>", "Betas read or destroyed at once", intOption(1, 32), 4)
    .option("--json", "print JSON")
    .action(async (options: ReapOptions) => {
      const gateway = await deps.gateway();
      const now = new Date(deps.clock.now());
      const selection: IdleSelectionOptions = { idleDays: options.idleDays!, now, includeNeverUpdated: options.includeNeverUpdated };
      const stacks = await gateway.listStacks();
      const histories = await readHistories(gateway, historyNeeded(stacks, selection), selection, options.parallel, deps);
      const decisions = selectIdle(stacks, selection, histories);
      const selected = decisions.filter((d) => d.reap);
      const outcomes = new Map<string, Pick<ReapResult, "result" | "error">>();
      if (options.yes && selected.length > 0) {
        deps.stderr.write(`Reaping ${selected.length} idle Betas, ${options.parallel} at a time...\n`);
        const results = await cancellable(deps.stderr, () => runPool(
          selected,
          async (decision) => {
            deps.stderr.write(`[${decision.stack}] destroying...\n`);
            const outcome = await reapOne(gateway, decision);
            deps.stderr.write(`[${decision.stack}] ${outcome.result}${outcome.error ? `: ${outcome.error}` : ""}\n`);
            return { done: outcome };
          },
          { parallel: options.parallel, clock: deps.clock },
        ));
        selected.forEach((decision, i) => outcomes.set(decision.stack, results[i]));
      }
      const rows: ReapResult[] = decisions.map((d) => ({
        stack: d.stack,
        name: d.name,
        lastUpdate: d.lastUpdate?.toISOString() ?? null,
        idleSince: d.idleSince?.toISOString() ?? null,
        idleDays: d.idleDays ?? null,
        selected: d.reap,
        reason: d.reason,
        ...outcomes.get(d.stack),
      }));
      if (options.json) {
        deps.stdout.write(formatJson({ idleDays: options.idleDays, dryRun: !options.yes, stacks: rows }));
      } else if (rows.length === 0) {
        deps.stdout.write("No Betas.\n");
      } else {
        deps.stdout.write(
          formatTable(rows, [
            { header: "stack", value: (r) => r.stack },
            { header: "idle since", value: (r) => (r.idleSince ? formatAge(new Date(r.idleSince), now) : r.lastUpdate ? "-" : formatAge(undefined, now)) },
            { header: "action", value: (r) => r.result ?? (r.selected ? "would reap" : "keep") },
            { header: "why", value: (r) => (r.error ? `${r.reason}; ${r.error}` : r.reason) },
          ]),
        );
        if (!options.yes) {
          deps.stderr.write(
            selected.length > 0
              ? `Dry run: ${selected.length} Betas would be destroyed. Re-run with --yes to destroy them.\n`
              : `No Beta has been idle for more than ${options.idleDays} days.\n`,
          );
        }
      }
      const failed = rows.filter((r) => r.result === "failed" || r.result === "busy");
      if (failed.length > 0) {
        if (!options.json) deps.stderr.write(`${failed.length} Betas could not be reaped: ${failed.map((r) => r.stack).join(", ")}.\n`);
        throw new SilentExit(1);
      }
    });
  withExamples(
    command,
    ["beta reap --idle-days 14           # dry run: what would go", "beta reap --idle-days 14 --yes     # CI, on a schedule"],
    `
A Beta is idle when no developer has updated it for more than N days. The updates
\`beta release\` makes (recorded as "beta release <tag>") do not count, so a Beta only CI
has refreshed since then is idle; anything else does: \`beta up\`, a plain \`pulumi up\`,
a refresh. Reap reads the history of each Beta updated since then to tell.`,
  );
}
