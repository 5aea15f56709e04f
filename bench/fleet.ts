/**
 * How close `beta release`'s fleet update comes to the ideal: 200 scripted stacks whose
 * update takes a fixed time t, updated `parallel` at a time. Ideal wall time is
 * ceil(200 / parallel) × t; the rest is the orchestration's overhead (plus timer slack).
 *
 *   npx tsx bench/fleet.ts [stacks=200] [t_ms=50]
 *
 * Prints figures only; no assertions.
 */
import { systemClock } from "../cli/fleet/clock";
import { refreshFleet } from "../cli/fleet/refresh-fleet";
import type { OperationOptions, StackGateway, StackSummary, UpdateRecord, UpResult } from "../cli/deps";

const STACKS = Number(process.argv[2] ?? 200);
const T_MS = Number(process.argv[3] ?? 50);
const RUNS = 5;

/** Every update takes `t` ms (0: resolves at once, to measure pure orchestration). */
class TimedGateway implements StackGateway {
  running = 0;
  peak = 0;
  updates = 0;
  constructor(private readonly t: number) {}
  async listStacks(): Promise<StackSummary[]> {
    return [];
  }
  async hasStack(): Promise<boolean> {
    return true;
  }
  async ensureStack(): Promise<{ created: boolean }> {
    return { created: false };
  }
  async getConfig(): Promise<Record<string, string>> {
    return {};
  }
  async setConfig(): Promise<void> {}
  async removeConfig(): Promise<void> {}
  async up(stack: string, _options?: OperationOptions): Promise<UpResult> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    if (this.t > 0) await new Promise((resolve) => setTimeout(resolve, this.t));
    this.running--;
    this.updates++;
    return { outputs: { url: `https://${stack.slice(5)}.beta.example.com` }, changes: { update: 1 } };
  }
  async destroy(): Promise<void> {}
  async removeStack(): Promise<void> {}
  async outputs(): Promise<Record<string, unknown>> {
    return {};
  }
  async history(): Promise<UpdateRecord[]> {
    return [];
  }
}

const stacks = Array.from({ length: STACKS }, (_, i) => `beta-dev${String(i).padStart(3, "0")}`);

async function measure(parallel: number, t: number): Promise<{ wallMs: number; peak: number; updates: number }> {
  const gateway = new TimedGateway(t);
  const started = performance.now();
  await refreshFleet(gateway, stacks, { platformStack: "dev", parallel, retries: 0, retryDelayMs: 0, maxRetryDelayMs: 0, clock: systemClock });
  return { wallMs: performance.now() - started, peak: gateway.peak, updates: gateway.updates };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Timer slack alone: `n` sequential sleeps of t, what no scheduler can beat. */
async function timerFloor(n: number, t: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await new Promise((resolve) => setTimeout(resolve, t));
  return performance.now() - started;
}

async function main(): Promise<void> {
  await measure(4, 0); // warm up
  console.log(`beta release fleet benchmark: ${STACKS} stacks, update time t = ${T_MS} ms, median of ${RUNS} runs, node ${process.version}\n`);
  const header = ["parallel", "ideal ms", "wall ms (median)", "over ideal", "best wall ms", "best over ideal", "timer floor ms", "median over floor", "peak running", "updates"];
  const rows: string[][] = [];
  for (const parallel of [4, 8, 16]) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(parallel, T_MS));
    const wall = median(runs.map((r) => r.wallMs));
    const best = Math.min(...runs.map((r) => r.wallMs));
    const batches = Math.ceil(STACKS / parallel);
    const ideal = batches * T_MS;
    const floor = await timerFloor(batches, T_MS);
    rows.push([
      String(parallel),
      ideal.toFixed(0),
      wall.toFixed(1),
      `${(((wall - ideal) / ideal) * 100).toFixed(2)}%`,
      best.toFixed(1),
      `${(((best - ideal) / ideal) * 100).toFixed(2)}%`,
      floor.toFixed(1),
      `${(((wall - floor) / floor) * 100).toFixed(2)}%`,
      String(Math.max(...runs.map((r) => r.peak))),
      String(runs[0].updates),
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const line of [header, ...rows]) console.log(line.map((cell, i) => cell.padStart(widths[i])).join("  "));

  const zero = [];
  for (let i = 0; i < RUNS; i++) zero.push((await measure(16, 0)).wallMs);
  const overhead = median(zero);
  console.log(
    `\nOrchestration alone (t = 0, parallel 16): median ${overhead.toFixed(2)} ms, best ${Math.min(...zero).toFixed(2)} ms for ${STACKS} stacks` +
      ` = ${((Math.min(...zero) / STACKS) * 1000).toFixed(1)}-${((overhead / STACKS) * 1000).toFixed(1)} µs per stack`,
  );
  console.log("over ideal: wall vs ceil(stacks/parallel) × t; over floor: wall vs the same number of back-to-back setTimeout(t) calls (timer slack included).");
}

void main();
