/**
 * A Clock whose sleeps take no real time: each sleep moves "now" forward by its length and
 * resolves on the next turn of the event loop. Waiting is recorded, so retry backoff can be
 * asserted without waiting for it.
 */
import type { Clock } from "../../cli/fleet/clock";

export class FastForwardClock implements Clock {
  skipped = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return Date.now() + this.skipped;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.skipped += Math.max(0, ms);
    return new Promise((resolve) => setImmediate(resolve));
  }
}
