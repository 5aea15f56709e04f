/**
 * Which Betas `beta reap` may remove: developer stacks whose last update is more than N days
 * old. Pure: stacks and a date in, a decision per stack out. Never selects the platform stack
 * or any stack that is not `beta-<valid name>`.
 */
import type { StackSummary } from "../deps";
import { betaStackInfo } from "./stack-names";

const DAY_MS = 86_400_000;

export interface IdleDecision {
  stack: string;
  /** The developer name, for `beta-*` stacks. */
  name?: string;
  lastUpdate?: Date;
  /** Whole days since the last update. */
  idleDays?: number;
  reap: boolean;
  /** Why it is kept or reaped, for the dry-run table. */
  reason: string;
}

export interface IdleSelectionOptions {
  /** Reap Betas whose last update is more than this many days before `now` (at least 1). */
  idleDays: number;
  now: Date;
  /** Also reap Betas that were never deployed (no last update; their age is unknown). */
  includeNeverUpdated?: boolean;
}

/** One decision per `beta-*` stack (other stacks are left out entirely), oldest first. */
export function selectIdle(stacks: readonly StackSummary[], options: IdleSelectionOptions): IdleDecision[] {
  if (!Number.isInteger(options.idleDays) || options.idleDays < 1) {
    throw new RangeError(`idleDays must be a whole number of days, at least 1 (got ${options.idleDays})`);
  }
  const cutoff = options.now.getTime() - options.idleDays * DAY_MS;
  const decisions: IdleDecision[] = [];
  for (const stack of stacks) {
    const info = betaStackInfo(stack.name);
    if (!info) continue;
    const base = { stack: stack.name, name: info.name, lastUpdate: stack.lastUpdate };
    if (info.problem) {
      decisions.push({ ...base, reap: false, reason: `kept: not a valid developer name (${info.problem})` });
      continue;
    }
    if (stack.updateInProgress) {
      decisions.push({ ...base, reap: false, reason: "kept: an update is in progress" });
      continue;
    }
    if (!stack.lastUpdate || Number.isNaN(stack.lastUpdate.getTime())) {
      decisions.push({
        ...base,
        reap: options.includeNeverUpdated === true,
        reason: options.includeNeverUpdated ? "never deployed" : "kept: never deployed, age unknown (--include-never-updated reaps it)",
      });
      continue;
    }
    const idleDays = Math.floor((options.now.getTime() - stack.lastUpdate.getTime()) / DAY_MS);
    const reap = stack.lastUpdate.getTime() < cutoff;
    decisions.push({
      ...base,
      idleDays,
      reap,
      reason: reap
        ? `idle for more than ${options.idleDays} days (last update ${stack.lastUpdate.toISOString().slice(0, 10)})`
        : `kept: updated ${idleDays} days ago`,
    });
  }
  const age = (d: IdleDecision) => d.lastUpdate?.getTime() ?? Number.NEGATIVE_INFINITY;
  return decisions.sort((a, b) => age(a) - age(b) || a.stack.localeCompare(b.stack));
}
