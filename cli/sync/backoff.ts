/**
 * Bounded exponential backoff for kubectl and network failures: the delay doubles from
 * `initialDelayMs` up to `maxDelayMs`, and after `attempts` tries the sync gives up with
 * the last problem. No jitter: there is one client per Beta, so there is no herd to spread.
 */
export interface RetryPolicy {
  /** Tries in total, the first included, before giving up. */
  attempts: number;
  /** Delay after the first failure. */
  initialDelayMs: number;
  /** Ceiling of any one delay. */
  maxDelayMs: number;
}

/** About 1.5 minutes in total before giving up: 0.5 + 1 + 2 + 4 + 8 + 15 × 5 s. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 11, initialDelayMs: 500, maxDelayMs: 15_000 };

/** Delay after the `failures`-th consecutive failure (1-based). */
export function backoffDelay(policy: RetryPolicy, failures: number): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(exponent, 30));
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
