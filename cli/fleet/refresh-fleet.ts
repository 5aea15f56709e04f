/**
 * Brings every developer stack up to date after a release: each `beta-*` stack is updated
 * through the gateway, at most `parallel` at a time. One stack's failure never stops the
 * others; a stack busy with another update is retried later with backoff; a pinned Beta is
 * updated with its pin untouched; an opted-out Beta is skipped. The slowest stacks start
 * first (update-order.ts), so the fleet finishes together. Depends only on the gateway
 * interface and the clock.
 */
import { parseBetaConfig } from "../../lib/beta-config";
import { decodeStackConfig } from "../../lib/stack-config";
import type { OperationProgress, StackGateway } from "../deps";
import { personalCopies } from "../personal-copies";
import { stringOutput } from "../stack-outputs";
import type { Clock } from "./clock";
import { runPool } from "./pool";
import { isUpdateInProgress, summariseError } from "./pulumi-errors";
import { betaStackInfo, sameStack } from "./stack-names";
import { readLastDurations, slowestFirst } from "./update-order";

export type StackResult = "updated" | "failed" | "busy" | "skipped";

export interface StackOutcome {
  /** The stack as the backend lists it. */
  stack: string;
  /** The developer name (`alice` for `beta-alice`). */
  name: string;
  result: StackResult;
  /** Why it was skipped, or the error in one line. */
  detail?: string;
  /** Update attempts made (0 when skipped or its config could not be read). */
  attempts: number;
  /** Time spent in update attempts, not in waiting between them. */
  durationMs: number;
  url?: string;
  /** `beta:imageTag` when the Beta is pinned: its images stay, platform changes still apply. */
  pinnedImageTag?: string;
  /** Apps pinned by `beta:apps.<app>.imageTag`. */
  pinnedApps?: Record<string, string>;
  /** Personal copies of shared services pinned by `beta:services.<service>` (`tag` or `image`): the release leaves them. */
  pinnedServices?: Record<string, string>;
  /** Personal copies that follow the release: moved to the new tag with the apps. */
  followingServices?: string[];
  /** The full error text (trimmed), for the JSON report. */
  error?: string;
}

export interface RetryPolicy {
  /** Attempts after the first for a stack busy with another update. */
  retries: number;
  /** Wait before the first retry; doubles for each further one. */
  retryDelayMs: number;
  /** Longest wait between attempts. */
  maxRetryDelayMs: number;
}

export type FleetEvent =
  | { type: "stack-start"; stack: string; attempt: number }
  | { type: "stack-retry"; stack: string; attempt: number; delayMs: number; detail: string }
  | { type: "stack-progress"; stack: string; progress: OperationProgress }
  | { type: "stack-done"; outcome: StackOutcome };

export interface RefreshFleetOptions extends RetryPolicy {
  /** The platform stack this release deployed; Betas that follow another one are skipped. */
  platformStack: string;
  parallel: number;
  clock: Clock;
  /** Recorded with each update in the stack's history. */
  message?: string;
  onEvent?: (event: FleetEvent) => void;
}

/** What to do with one developer stack, decided from its config alone. */
export type RefreshPlan =
  | { action: "update"; pinnedImageTag?: string; pinnedApps?: Record<string, string>; pinnedServices?: Record<string, string>; followingServices?: string[] }
  | { action: "skip"; reason: string };

/** Pure: update, or skip and why, from the stack's raw config (`beta:` keys as Pulumi stores them). */
export function planRefresh(rawConfig: Readonly<Record<string, string>>, platformStack: string): RefreshPlan {
  const config = parseBetaConfig(decodeStackConfig(rawConfig));
  const copies = personalCopies(config.services);
  const pinnedServices = Object.fromEntries(copies.flatMap((copy) => (copy.pinned === undefined ? [] : [[copy.service, copy.pinned]])));
  const followingServices = copies.filter((copy) => copy.pinned === undefined).map((copy) => copy.service);
  if (!config.autoRefresh) return { action: "skip", reason: "opted out (beta:autoRefresh is false)" };
  if (!sameStack(config.platformStack, platformStack)) {
    return { action: "skip", reason: `follows platform stack ${config.platformStack}, not ${platformStack}` };
  }
  const pinnedApps = Object.fromEntries(
    Object.entries(config.apps).flatMap(([app, override]) => (override.imageTag ? [[app, override.imageTag]] : [])),
  );
  return {
    action: "update",
    ...(config.imageTag ? { pinnedImageTag: config.imageTag } : {}),
    ...(Object.keys(pinnedApps).length > 0 ? { pinnedApps } : {}),
    ...(Object.keys(pinnedServices).length > 0 ? { pinnedServices } : {}),
    ...(followingServices.length > 0 ? { followingServices } : {}),
  };
}

/** Wait before attempt `attempt + 1`: doubling from `retryDelayMs`, capped. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.retryDelayMs * 2 ** (attempt - 1), policy.maxRetryDelayMs);
}

const ERROR_TEXT_MAX = 4000;

/**
 * Updates `stacks` (developer stacks as listed), slowest first, and resolves to one outcome
 * each, in the order given.
 */
export async function refreshFleet(gateway: StackGateway, stacks: readonly string[], options: RefreshFleetOptions): Promise<StackOutcome[]> {
  const { clock } = options;
  const order = slowestFirst(stacks, await readLastDurations(gateway, stacks, options.parallel, clock));
  const outcomes = await updateInOrder(gateway, order, options);
  const byStack = new Map(order.map((stack, i) => [stack, outcomes[i]!]));
  return stacks.map((stack) => byStack.get(stack)!);
}

function updateInOrder(gateway: StackGateway, stacks: readonly string[], options: RefreshFleetOptions): Promise<StackOutcome[]> {
  const { clock } = options;
  const emit = options.onEvent ?? (() => undefined);
  const plans = new Map<string, RefreshPlan>();
  const spent = new Map<string, number>();

  const finish = (outcome: StackOutcome) => {
    emit({ type: "stack-done", outcome });
    return { done: outcome };
  };

  return runPool(
    stacks,
    async (stack, attempt) => {
      const info = betaStackInfo(stack);
      const name = info?.name ?? stack;
      const base = { stack, name, attempts: attempt - 1, durationMs: spent.get(stack) ?? 0 };
      if (!info) return finish({ ...base, result: "skipped", detail: "not a developer (beta-*) stack" });
      if (info.problem) return finish({ ...base, result: "skipped", detail: `not a valid developer stack name: ${info.problem}` });

      let plan = plans.get(stack);
      if (!plan) {
        try {
          plan = planRefresh(await gateway.getConfig(stack), options.platformStack);
        } catch (error) {
          return finish({ ...base, result: "failed", detail: `could not read its config: ${summariseError(error)}`, error: String(error).slice(0, ERROR_TEXT_MAX) });
        }
        plans.set(stack, plan);
      }
      if (plan.action === "skip") return finish({ ...base, result: "skipped", detail: plan.reason });
      const pins = { pinnedImageTag: plan.pinnedImageTag, pinnedApps: plan.pinnedApps, pinnedServices: plan.pinnedServices, followingServices: plan.followingServices };

      emit({ type: "stack-start", stack, attempt });
      const started = clock.now();
      try {
        const result = await gateway.up(stack, {
          message: options.message,
          onProgress: (progress) => emit({ type: "stack-progress", stack, progress }),
        });
        const durationMs = base.durationMs + clock.now() - started;
        return finish({ ...base, ...pins, attempts: attempt, durationMs, result: "updated", url: stringOutput(result.outputs, "url") });
      } catch (error) {
        const durationMs = base.durationMs + clock.now() - started;
        spent.set(stack, durationMs);
        const detail = summariseError(error);
        if (isUpdateInProgress(error)) {
          if (attempt <= options.retries) {
            const delayMs = retryDelay(options, attempt);
            emit({ type: "stack-retry", stack, attempt, delayMs, detail });
            return { retryAfterMs: delayMs };
          }
          return finish({ ...base, ...pins, attempts: attempt, durationMs, result: "busy", detail: `another update was still in progress after ${attempt} attempts`, error: String(error).slice(0, ERROR_TEXT_MAX) });
        }
        return finish({ ...base, ...pins, attempts: attempt, durationMs, result: "failed", detail, error: String(error).slice(0, ERROR_TEXT_MAX) });
      }
    },
    { parallel: options.parallel, clock },
  );
}
