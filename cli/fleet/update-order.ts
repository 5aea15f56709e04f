/**
 * Which Betas `beta release` starts first: the slowest, by how long each one's last update
 * took (its history), and those with no known duration before all of them (a new Beta's
 * first update creates everything, the slowest kind). With stacks of unequal length, a pool
 * that starts the longest jobs first ends within 4/3 of the best possible schedule (Graham,
 * "Bounds on multiprocessing timing anomalies", SIAM J. Appl. Math. 17(2), 1969, the LPT
 * rule), where one started in name order can leave a slow stack running alone at the end.
 */
import type { StackGateway, UpdateRecord } from "../deps";
import type { Clock } from "./clock";
import { runPool } from "./pool";

/** History entries read per stack: enough to step over a few refreshes and previews. */
export const HISTORY_PAGE = 10;

/** How long the newest finished, successful update in `records` (newest first) took, in ms. */
export function lastUpdateMs(records: readonly UpdateRecord[]): number | undefined {
  const last = records.find((r) => r.kind === "update" && r.result === "succeeded" && r.endTime !== undefined);
  if (!last?.endTime) return undefined;
  return Math.max(0, last.endTime.getTime() - last.startTime.getTime());
}

/** `stacks` reordered: unknown durations first (in the order given), then the longest first. Pure. */
export function slowestFirst(stacks: readonly string[], durations: ReadonlyMap<string, number | undefined>): string[] {
  const key = (stack: string) => durations.get(stack) ?? Infinity;
  return stacks
    .map((stack, index) => ({ stack, index }))
    .sort((a, b) => key(b.stack) - key(a.stack) || a.index - b.index)
    .map(({ stack }) => stack);
}

/** The last update's duration of every stack, `parallel` reads at a time; a failed read counts as unknown. */
export async function readLastDurations(gateway: StackGateway, stacks: readonly string[], parallel: number, clock: Clock): Promise<Map<string, number | undefined>> {
  const durations = await runPool(
    stacks,
    async (stack) => {
      try {
        return { done: lastUpdateMs(await gateway.history(stack, { size: HISTORY_PAGE, number: 1 })) };
      } catch {
        return { done: undefined };
      }
    },
    { parallel, clock },
  );
  return new Map(stacks.map((stack, i) => [stack, durations[i]]));
}
