/**
 * Which Betas `beta reap` may remove: developer stacks no developer has updated for more than
 * N days. `beta release` updates every Beta on each green build, so a stack's last update says
 * nothing about its use; what counts is the last update in its history that `beta release`
 * (or `beta reap`) did not make. A Beta only `beta release` has updated for N days is idle.
 *
 * Pure, in two steps: `historyNeeded` names the stacks whose decision depends on their
 * history (the last update of any kind is recent); the caller reads those histories (see
 * stack-history.ts); `selectIdle` decides. Never selects the platform stack or any stack that
 * is not `beta-<valid name>`.
 */
import type { StackSummary, UpdateRecord } from "../deps";
import { betaStackInfo } from "./stack-names";
import { isDeveloperUpdate } from "./update-messages";

const DAY_MS = 86_400_000;

/** A stack's most recent history, newest first, read back far enough to decide (stack-history.ts). */
export interface StackHistory {
  records: readonly UpdateRecord[];
  /** True when `records` is the stack's whole history. */
  complete: boolean;
}

/** A history as read: the records, or why they could not be read. */
export type HistoryRead = StackHistory | { error: string };

export interface IdleDecision {
  stack: string;
  /** The developer name, for `beta-*` stacks. */
  name?: string;
  /** The stack's last update of any kind (usually `beta release`'s). */
  lastUpdate?: Date;
  /** No developer has updated the Beta since this date (when known). */
  idleSince?: Date;
  /** Whole days since `idleSince`. */
  idleDays?: number;
  reap: boolean;
  /** Why it is kept or reaped, for the dry-run table. */
  reason: string;
}

export interface IdleSelectionOptions {
  /** Reap Betas no developer has updated for more than this many days before `now` (at least 1). */
  idleDays: number;
  now: Date;
  /** Also reap Betas that were never deployed (no last update; their age is unknown). */
  includeNeverUpdated?: boolean;
}

/** The line: a Beta with no developer update after this is idle. */
export function idleCutoff(options: IdleSelectionOptions): Date {
  if (!Number.isInteger(options.idleDays) || options.idleDays < 1) {
    throw new RangeError(`idleDays must be a whole number of days, at least 1 (got ${options.idleDays})`);
  }
  return new Date(options.now.getTime() - options.idleDays * DAY_MS);
}

const validTime = (date: Date | undefined): number | undefined => (date && !Number.isNaN(date.getTime()) ? date.getTime() : undefined);
const day = (time: number) => new Date(time).toISOString().slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Decidable from the stack list alone: not `beta-<valid name>`, busy, never deployed, or idle by any measure. */
function listDecision(stack: StackSummary, cutoff: number, options: IdleSelectionOptions): IdleDecision | "history" | undefined {
  const info = betaStackInfo(stack.name);
  if (!info) return undefined;
  const base = { stack: stack.name, name: info.name, lastUpdate: stack.lastUpdate };
  if (info.problem) return { ...base, reap: false, reason: `kept: not a valid developer name (${info.problem})` };
  if (stack.updateInProgress) return { ...base, reap: false, reason: "kept: an update is in progress" };
  const last = validTime(stack.lastUpdate);
  if (last === undefined) {
    return {
      ...base,
      reap: options.includeNeverUpdated === true,
      reason: options.includeNeverUpdated ? "never deployed" : "kept: never deployed, age unknown (--include-never-updated reaps it)",
    };
  }
  // No update at all since the line, so no developer update either.
  if (last < cutoff) {
    return {
      ...base,
      idleSince: stack.lastUpdate,
      idleDays: Math.floor((options.now.getTime() - last) / DAY_MS),
      reap: true,
      reason: `idle for more than ${plural(options.idleDays, "day")} (last update ${day(last)})`,
    };
  }
  return "history";
}

/** The stacks whose history `selectIdle` needs: valid, deployed Betas updated (by anyone) since the line. */
export function historyNeeded(stacks: readonly StackSummary[], options: IdleSelectionOptions): string[] {
  const cutoff = idleCutoff(options).getTime();
  return stacks.filter((stack) => listDecision(stack, cutoff, options) === "history").map((stack) => stack.name);
}

/** Decides a recently updated Beta from its history. */
function historyDecision(base: Omit<IdleDecision, "reap" | "reason">, read: HistoryRead | undefined, cutoff: number, options: IdleSelectionOptions): IdleDecision {
  const now = options.now.getTime();
  const daysSince = (time: number) => Math.floor((now - time) / DAY_MS);
  const last = validTime(base.lastUpdate)!;
  if (read === undefined) return { ...base, reap: false, reason: `kept: updated ${plural(daysSince(last), "day")} ago (history not read)` };
  if ("error" in read) return { ...base, reap: false, reason: `kept: could not read its history (${read.error})` };

  const developer = read.records.filter(isDeveloperUpdate);
  if (developer.length > 0) {
    const times = developer.map((r) => validTime(r.endTime) ?? validTime(r.startTime));
    if (times.some((t) => t === undefined)) return { ...base, reap: false, reason: "kept: a developer update in its history has no readable date" };
    const latest = Math.max(...(times as number[]));
    const idle = { ...base, idleSince: new Date(latest), idleDays: daysSince(latest) };
    return latest < cutoff
      ? { ...idle, reap: true, reason: `idle for more than ${plural(options.idleDays, "day")}: last developer update ${day(latest)}, only beta release since` }
      : { ...idle, reap: false, reason: `kept: a developer updated it ${plural(daysSince(latest), "day")} ago` };
  }

  // Only beta release in what was read: idle since at least the oldest entry read.
  const starts = read.records.map((r) => validTime(r.startTime));
  if (starts.length === 0) return { ...base, reap: false, reason: "kept: its history is empty, age unknown" };
  if (starts.some((t) => t === undefined)) return { ...base, reap: false, reason: "kept: an update in its history has no readable date" };
  const oldest = Math.min(...(starts as number[]));
  const idle = { ...base, idleSince: new Date(oldest), idleDays: daysSince(oldest) };
  if (oldest < cutoff) {
    return { ...idle, reap: true, reason: `idle for more than ${plural(options.idleDays, "day")}: only beta release has updated it since ${day(oldest)}` };
  }
  return read.complete
    ? { ...idle, reap: false, reason: `kept: first deployed ${plural(daysSince(oldest), "day")} ago (only beta release since)` }
    : { ...idle, reap: false, reason: `kept: its history could be read back only to ${day(oldest)}` };
}

/**
 * One decision per `beta-*` stack (other stacks are left out entirely), longest idle first.
 * `histories` holds what was read for the stacks `historyNeeded` named; a stack needing a
 * history it does not have is kept.
 */
export function selectIdle(
  stacks: readonly StackSummary[],
  options: IdleSelectionOptions,
  histories: ReadonlyMap<string, HistoryRead> = new Map(),
): IdleDecision[] {
  const cutoff = idleCutoff(options).getTime();
  const decisions: IdleDecision[] = [];
  for (const stack of stacks) {
    const decision = listDecision(stack, cutoff, options);
    if (decision === undefined) continue;
    if (decision !== "history") {
      decisions.push(decision);
      continue;
    }
    const base = { stack: stack.name, name: betaStackInfo(stack.name)!.name, lastUpdate: stack.lastUpdate };
    decisions.push(historyDecision(base, histories.get(stack.name), cutoff, options));
  }
  const age = (d: IdleDecision) => validTime(d.idleSince) ?? validTime(d.lastUpdate) ?? Number.NEGATIVE_INFINITY;
  return decisions.sort((a, b) => age(a) - age(b) || a.stack.localeCompare(b.stack));
}
