import { describe, expect, it } from "vitest";
import { systemClock } from "../../cli/fleet/clock";
import { runPool } from "../../cli/fleet/pool";
import { FastForwardClock } from "../support/fast-forward-clock";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("runPool: bounded concurrency with delayed retries", () => {
  it.each([1, 3, 8, 50])("never runs more than parallel=%i at once, runs every item, keeps item order", async (parallel) => {
    let running = 0;
    let peak = 0;
    const items = Array.from({ length: 30 }, (_, i) => i);
    const results = await runPool(
      items,
      async (item) => {
        running++;
        peak = Math.max(peak, running);
        await sleep((item * 7) % 5);
        running--;
        return { done: item * 2 };
      },
      { parallel, clock: systemClock },
    );
    expect(results).toEqual(items.map((i) => i * 2));
    expect(peak).toBe(Math.min(parallel, items.length));
  });

  it("an item waiting to be retried leaves its slot to others", async () => {
    const clock = new FastForwardClock();
    const order: string[] = [];
    const results = await runPool(
      ["busy", "a", "b"],
      async (item, attempt) => {
        order.push(`${item}#${attempt}`);
        if (item === "busy" && attempt < 3) return { retryAfterMs: 1000 };
        return { done: `${item} after ${attempt}` };
      },
      { parallel: 1, clock },
    );
    expect(results).toEqual(["busy after 3", "a after 1", "b after 1"]);
    expect(order).toEqual(["busy#1", "a#1", "b#1", "busy#2", "busy#3"]);
    expect(clock.sleeps.length).toBeGreaterThan(0);
  });

  it("waits for the earliest retry when everything else is done", async () => {
    const clock = new FastForwardClock();
    const started = clock.now();
    await runPool([0], async (_item, attempt) => (attempt === 1 ? { retryAfterMs: 5000 } : { done: attempt }), { parallel: 4, clock });
    expect(clock.now() - started).toBeGreaterThanOrEqual(5000);
  });

  it("no items: resolves at once", async () => {
    expect(await runPool([], async () => ({ done: 1 }), { parallel: 4, clock: systemClock })).toEqual([]);
  });

  it("a worker that throws rejects the pool (workers are expected to catch)", async () => {
    await expect(runPool([1], async () => Promise.reject(new Error("boom")), { parallel: 1, clock: systemClock })).rejects.toThrow("boom");
  });
});
