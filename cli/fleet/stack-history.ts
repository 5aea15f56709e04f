/**
 * Reading just enough of a Beta's history for `beta reap`: pages, newest first, until a
 * developer's update turns up, an entry older than the idle line is reached, or the history
 * ends. A Beta `beta release` updates many times a day has long histories; this reads only
 * the part since the line.
 */
import type { StackGateway } from "../deps";
import type { StackHistory } from "./select-idle";
import { isDeveloperUpdate } from "./update-messages";

export interface HistoryLimits {
  /** Entries per page. */
  pageSize: number;
  /** Pages read at most; the history is then reported as incomplete. */
  maxPages: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { pageSize: 100, maxPages: 20 };

export async function readHistorySince(gateway: StackGateway, stack: string, since: Date, limits: HistoryLimits = DEFAULT_HISTORY_LIMITS): Promise<StackHistory> {
  const records = [];
  for (let number = 1; number <= limits.maxPages; number++) {
    const page = await gateway.history(stack, { size: limits.pageSize, number });
    records.push(...page);
    if (page.length < limits.pageSize) return { records, complete: true };
    if (page.some(isDeveloperUpdate) || page.some((record) => record.startTime.getTime() < since.getTime())) return { records, complete: false };
  }
  return { records, complete: false };
}
