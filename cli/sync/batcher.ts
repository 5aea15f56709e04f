/**
 * Turns a stream of changed paths into batches: a batch is flushed once no change has
 * arrived for `debounceMs` (an editor's save is often several events), or at the latest
 * `maxWaitMs` after its first change, so a constantly busy tree still syncs.
 */
import type { Clock, TimerHandle } from "./clock";

export interface BatcherOptions {
  debounceMs: number;
  maxWaitMs: number;
}

export class Batcher {
  private paths = new Set<string>();
  private firstAt = 0;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly flush: (paths: string[]) => void,
    private readonly options: BatcherOptions,
    private readonly clock: Clock,
  ) {}

  add(path: string): void {
    if (this.closed) return;
    if (this.paths.size === 0) this.firstAt = this.clock.now();
    this.paths.add(path);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    const untilMax = this.firstAt + this.options.maxWaitMs - this.clock.now();
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, Math.min(this.options.debounceMs, untilMax)));
  }

  private fire(): void {
    this.timer = undefined;
    const paths = [...this.paths];
    this.paths = new Set();
    if (paths.length > 0 && !this.closed) this.flush(paths);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
