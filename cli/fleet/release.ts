/**
 * `beta release <tag>`: set `beta:releaseTag` on the platform stack and deploy it, then bring
 * every developer stack up to date (see refresh-fleet.ts). If the platform deploy fails, no
 * Beta is touched: they would read the old platform outputs anyway. Every update is recorded
 * as `beta release <tag>`, which is how `beta reap` tells them from a developer's own.
 */
import { BETA_CONFIG_SCHEMAS } from "../../lib/beta-config";
import { parseConfigValue } from "../../lib/config-error";
import type { OperationProgress, StackGateway } from "../deps";
import type { Clock } from "./clock";
import { FleetEvent, RefreshFleetOptions, RetryPolicy, StackOutcome, refreshFleet, retryDelay } from "./refresh-fleet";
import { isUpdateInProgress, summariseError } from "./pulumi-errors";
import { PlatformOutcome, ReleaseReport, buildReleaseReport } from "./report";
import { betaStackInfo, sameStack } from "./stack-names";
import { releaseUpdateMessage } from "./update-messages";

export type ReleaseEvent =
  | FleetEvent
  | { type: "platform-start"; stack: string; attempt: number }
  | { type: "platform-retry"; stack: string; attempt: number; delayMs: number; detail: string }
  | { type: "platform-progress"; stack: string; progress: OperationProgress }
  | { type: "platform-done"; outcome: PlatformOutcome }
  | { type: "fleet-start"; stacks: string[] };

export interface ReleaseOptions extends RetryPolicy {
  releaseTag: string;
  platformStack: string;
  parallel: number;
  clock: Clock;
  onEvent?: (event: ReleaseEvent) => void;
}

/** Every developer stack the backend lists, in name order; never the platform stack. */
export async function listDeveloperStacks(gateway: StackGateway, platformStack: string): Promise<string[]> {
  const stacks = await gateway.listStacks();
  return stacks
    .map((stack) => stack.name)
    .filter((name) => betaStackInfo(name) !== undefined && !sameStack(name, platformStack))
    .sort((a, b) => a.localeCompare(b));
}

async function deployPlatform(gateway: StackGateway, options: ReleaseOptions): Promise<PlatformOutcome> {
  const { clock, platformStack: stack } = options;
  const emit = options.onEvent ?? (() => undefined);
  let durationMs = 0;
  for (let attempt = 1; ; attempt++) {
    emit({ type: "platform-start", stack, attempt });
    const started = clock.now();
    try {
      if (attempt === 1) await gateway.setConfig(stack, "beta:releaseTag", options.releaseTag);
      await gateway.up(stack, {
        message: releaseUpdateMessage(options.releaseTag),
        onProgress: (progress) => emit({ type: "platform-progress", stack, progress }),
      });
      return { stack, result: "updated", attempts: attempt, durationMs: durationMs + clock.now() - started };
    } catch (error) {
      durationMs += clock.now() - started;
      const detail = summariseError(error);
      const busy = isUpdateInProgress(error);
      if (busy && attempt <= options.retries) {
        const delayMs = retryDelay(options, attempt);
        emit({ type: "platform-retry", stack, attempt, delayMs, detail });
        await clock.sleep(delayMs);
        continue;
      }
      return { stack, result: busy ? "busy" : "failed", attempts: attempt, durationMs, detail, error: String(error).slice(0, 4000) };
    }
  }
}

export async function runRelease(gateway: StackGateway, options: ReleaseOptions): Promise<ReleaseReport> {
  parseConfigValue("beta:releaseTag", BETA_CONFIG_SCHEMAS.imageTag, options.releaseTag);
  const { clock } = options;
  const emit = options.onEvent ?? (() => undefined);
  const startedAt = clock.now();

  const platform = await deployPlatform(gateway, options);
  emit({ type: "platform-done", outcome: platform });
  let stacks: StackOutcome[] = [];
  let listError: string | undefined;
  if (platform.result === "updated") {
    try {
      const names = await listDeveloperStacks(gateway, options.platformStack);
      emit({ type: "fleet-start", stacks: names });
      const fleetOptions: RefreshFleetOptions = { ...options, message: releaseUpdateMessage(options.releaseTag), onEvent: emit };
      stacks = await refreshFleet(gateway, names, fleetOptions);
    } catch (error) {
      listError = `could not list the developer stacks: ${summariseError(error)}`;
    }
  }
  return buildReleaseReport({ releaseTag: options.releaseTag, platform, stacks, listError, startedAt, finishedAt: clock.now() });
}
