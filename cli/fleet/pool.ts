/**
 * A bounded-concurrency work pool with delayed retries: at most `parallel` items run at once;
 * an item that asks to be retried leaves its slot free while it waits, then queues again.
 */
import type { Clock } from "./clock";

/** What one attempt at an item came to: a result, or "try again after this many ms". */
export type Attempt<R> = { done: R } | { retryAfterMs: number };

export interface PoolOptions {
  /** Most items running at once (at least 1). */
  parallel: number;
  clock: Clock;
}

/**
 * Runs `work` for every item and resolves to the results in item order. `work` is called with
 * the attempt number (1 for the first). It should not throw: a throw rejects the whole pool
 * (items already running still finish on their own).
 */
export function runPool<T, R>(
  items: readonly T[],
  work: (item: T, attempt: number, index: number) => Promise<Attempt<R>>,
  options: PoolOptions,
): Promise<R[]> {
  const parallel = Math.max(1, Math.floor(options.parallel));
  const { clock } = options;
  const results = new Array<R>(items.length);
  const ready: { index: number; attempt: number }[] = items.map((_, index) => ({ index, attempt: 1 }));
  let readHead = 0;
  const waiting: { index: number; attempt: number; at: number }[] = [];
  let running = 0;
  let finished = 0;
  let wakeAt: number | undefined;

  return new Promise<R[]>((resolve, reject) => {
    let failed = false;

    const wakeAt_ = (at: number) => {
      if (wakeAt !== undefined && wakeAt <= at) return;
      wakeAt = at;
      clock.sleep(Math.max(0, at - clock.now())).then(() => {
        if (wakeAt === at) wakeAt = undefined;
        pump();
      }, reject);
    };

    const pump = () => {
      if (failed) return;
      if (waiting.length > 0) {
        const now = clock.now();
        waiting.sort((a, b) => a.at - b.at);
        while (waiting.length > 0 && waiting[0].at <= now) {
          const due = waiting.shift()!;
          ready.push({ index: due.index, attempt: due.attempt });
        }
      }
      while (running < parallel && readHead < ready.length) start(ready[readHead++]);
      if (finished === items.length) {
        resolve(results);
      } else if (running < parallel && readHead === ready.length && waiting.length > 0) {
        wakeAt_(waiting[0].at);
      }
    };

    const start = ({ index, attempt }: { index: number; attempt: number }) => {
      running++;
      work(items[index], attempt, index).then(
        (outcome) => {
          running--;
          if ("done" in outcome) {
            results[index] = outcome.done;
            finished++;
          } else {
            waiting.push({ index, attempt: attempt + 1, at: clock.now() + Math.max(0, outcome.retryAfterMs) });
          }
          pump();
        },
        (error: unknown) => {
          failed = true;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    };

    pump();
  });
}
