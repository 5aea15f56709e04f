import { describe, expect, it } from "vitest";
import { Batcher } from "../../cli/sync/batcher";
import { backoffDelay } from "../../cli/sync/backoff";
import type { Clock } from "../../cli/sync/clock";

/** A clock that moves only when told to. */
class FakeClock implements Clock {
  private time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.time = next.at;
      this.timers = this.timers.filter((t) => t !== next);
      next.fn();
    }
    this.time = end;
  }
}

describe("batching changes", () => {
  it("sends a burst of changes as one batch once it is quiet", () => {
    const clock = new FakeClock();
    const batches: string[][] = [];
    const batcher = new Batcher((paths) => batches.push(paths), { debounceMs: 50, maxWaitMs: 500 }, clock);
    batcher.add("a.js");
    clock.advance(30);
    batcher.add("b.js");
    batcher.add("a.js");
    clock.advance(49);
    expect(batches).toEqual([]);
    clock.advance(1);
    expect(batches).toEqual([["a.js", "b.js"]]);
  });

  it("does not wait forever while changes keep coming", () => {
    const clock = new FakeClock();
    const batches: string[][] = [];
    const batcher = new Batcher((paths) => batches.push(paths), { debounceMs: 50, maxWaitMs: 200 }, clock);
    for (let t = 0; t < 10; t++) {
      batcher.add(`f${t}`);
      clock.advance(30);
    }
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(batches[0]).toEqual(["f0", "f1", "f2", "f3", "f4", "f5", "f6"]);
  });

  it("sends nothing after close", () => {
    const clock = new FakeClock();
    const batches: string[][] = [];
    const batcher = new Batcher((paths) => batches.push(paths), { debounceMs: 50, maxWaitMs: 500 }, clock);
    batcher.add("a");
    batcher.close();
    clock.advance(1000);
    expect(batches).toEqual([]);
  });
});

describe("backoff", () => {
  it.each([
    [1, 500],
    [2, 1000],
    [3, 2000],
    [5, 8000],
    [6, 10_000],
    [50, 10_000],
  ])("after failure %i waits %i ms (doubling, capped)", (failures, delay) => {
    expect(backoffDelay({ attempts: 10, initialDelayMs: 500, maxDelayMs: 10_000 }, failures)).toBe(delay);
  });
});
