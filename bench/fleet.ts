/**
 * How close `beta release`'s fleet update comes to the best possible finish, and what its
 * `--parallel` default is based on. Run: npx tsx bench/fleet.ts [stacks=120] [parallel=16]
 *
 * 1. Order: `stacks` scripted Betas with unequal update times (log-normal, median 300 ms,
 *    sigma 0.6, plus 3 slow outliers at 6-10x the median; seeded, so every run draws the
 *    same fleet), updated `parallel` at a time through refreshFleet, once in name order and
 *    once slowest first (from each stack's history: its last update's duration, off by up
 *    to ±15 % as real ones are, 5 % of stacks new with no history). Three interleaved
 *    rounds; the gap is measured against the lower bound max(longest, total / parallel) of
 *    the update times the gateway really saw (timer slack included in them).
 * 2. Cost of one update here: CPU of one evaluation of the developer program in a fresh
 *    process (bench/support/program-once.ts), then a sweep of --parallel over a stand-in
 *    that burns that CPU and then sleeps the time an update waits on the cluster, both
 *    scaled by 1/20 so the sweep takes a minute.
 *
 * Prints figures only; no assertions. The gap to the lower bound is printed last.
 */
import { execFileSync, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { systemClock } from "../cli/fleet/clock";
import { refreshFleet } from "../cli/fleet/refresh-fleet";
import type { OperationOptions, StackGateway, StackSummary, UpdateRecord, UpResult } from "../cli/deps";

const STACKS = Number(process.argv[2] ?? 120);
const PARALLEL = Number(process.argv[3] ?? 16);
const ROUNDS = 3;
const MEDIAN_MS = 300;
const SIGMA = 0.6;
/** What an update of a Beta waits on the cluster (rollouts, image pulls, readiness): an assumption, not measured here. */
const CLUSTER_WAIT_MS = 30_000;
const SWEEP_SCALE = 1 / 20;
const SWEEP_STACKS = 32;

/** mulberry32: a small seeded PRNG, so the fleet is the same in every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Fleet {
  names: string[];
  durations: Map<string, number>;
  /** What each stack's history says its last update took (undefined: a new stack). */
  history: Map<string, number | undefined>;
}

function drawFleet(count: number, seed = 13): Fleet {
  const rand = random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const names = Array.from({ length: count }, (_, i) => `beta-dev${String(i).padStart(3, "0")}`);
  const durations = new Map(names.map((n) => [n, Math.round(MEDIAN_MS * Math.exp(SIGMA * normal()))]));
  for (let i = 0; i < 3; i++) durations.set(names[Math.floor(rand() * count)]!, Math.round(MEDIAN_MS * (6 + 4 * rand())));
  const history = new Map(names.map((n) => [n, rand() < 0.05 ? undefined : Math.round(durations.get(n)! * (0.85 + 0.3 * rand()))]));
  return { names, durations, history };
}

/** Updates sleep their scripted time; the history reports the last one. */
class TimedGateway implements StackGateway {
  readonly seen: number[] = [];
  constructor(private readonly fleet: Fleet) {}
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
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, this.fleet.durations.get(stack)));
    this.seen.push(performance.now() - started);
    return { outputs: {}, changes: { update: 1 } };
  }
  async preview(): Promise<{ changes: Record<string, number> }> {
    return { changes: {} };
  }
  async destroy(): Promise<void> {}
  async removeStack(): Promise<void> {}
  async outputs(): Promise<Record<string, unknown>> {
    return {};
  }
  async history(stack: string): Promise<UpdateRecord[]> {
    const last = this.fleet.history.get(stack);
    if (last === undefined) return [];
    const end = new Date();
    return [{ kind: "update", result: "succeeded", message: "beta release master-1", startTime: new Date(end.getTime() - last), endTime: end }];
  }
}

/** Same interface, but history reads nothing: every stack unknown, so refreshFleet keeps name order. */
class NameOrderGateway extends TimedGateway {
  override async history(): Promise<UpdateRecord[]> {
    return [];
  }
}

interface OrderRun {
  wallMs: number;
  boundMs: number;
}

async function runOrder(gateway: TimedGateway, fleet: Fleet, parallel: number): Promise<OrderRun> {
  const started = performance.now();
  await refreshFleet(gateway, fleet.names, { platformStack: "dev", parallel, retries: 0, retryDelayMs: 0, maxRetryDelayMs: 0, clock: systemClock });
  const wallMs = performance.now() - started;
  const total = gateway.seen.reduce((a, b) => a + b, 0);
  return { wallMs, boundMs: Math.max(Math.max(...gateway.seen), total / parallel) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const pct = (ratio: number) => `${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)} %`;

/** CPU ms and peak MB of one developer-program evaluation in a fresh process (median of 3). */
function programCost(): { cpuMs: number; maxRssMb: number } {
  const runs = Array.from({ length: 3 }, () => {
    const out = execFileSync(process.execPath, ["--import", "tsx", path.join(__dirname, "support", "program-once.ts")], { encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").at(-1)!) as { cpuMs: number; maxRssMb: number };
  });
  return { cpuMs: median(runs.map((r) => r.cpuMs)), maxRssMb: median(runs.map((r) => r.maxRssMb)) };
}

/** `count` stand-in updates (burn cpuMs, then wait waitMs), `parallel` processes at a time. */
async function sweep(count: number, parallel: number, cpuMs: number, waitMs: number): Promise<number> {
  const script = path.join(__dirname, "support", "burn-and-wait.mjs");
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [script, String(cpuMs), String(waitMs)], { stdio: "ignore" });
        child.on("error", reject);
        child.on("exit", () => resolve());
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return performance.now() - started;
}

async function main(): Promise<void> {
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}, node ${process.version}\n`);

  const cost = programCost();
  const cpuMs = cost.cpuMs * SWEEP_SCALE;
  const waitMs = CLUSTER_WAIT_MS * SWEEP_SCALE;
  console.log(`one update here: developer program ${(cost.cpuMs / 1000).toFixed(1)} s CPU, ${cost.maxRssMb.toFixed(0)} MB peak (measured), + ${CLUSTER_WAIT_MS / 1000} s waiting on the cluster (assumed)`);
  console.log(`--parallel sweep: ${SWEEP_STACKS} stand-in updates of ${cpuMs.toFixed(0)} ms CPU + ${waitMs.toFixed(0)} ms wait (1/20 scale)`);
  const sweepRows: [number, number][] = [];
  for (const parallel of [2, 4, 8, 12, 16]) sweepRows.push([parallel, await sweep(SWEEP_STACKS, parallel, cpuMs, waitMs)]);
  const best = Math.min(...sweepRows.map(([, wall]) => wall));
  for (const [parallel, wall] of sweepRows) {
    const ideal = Math.max((SWEEP_STACKS * (cpuMs + waitMs)) / parallel, (SWEEP_STACKS * cpuMs) / os.cpus().length);
    console.log(`  parallel ${String(parallel).padStart(2)}: ${(wall / 1000).toFixed(2)} s (${pct(wall / best)} vs best; no-contention ideal ${(ideal / 1000).toFixed(2)} s)`);
  }

  const fleet = drawFleet(STACKS);
  const values = [...fleet.durations.values()];
  const total = values.reduce((a, b) => a + b, 0);
  console.log(
    `\norder: ${STACKS} stacks, update times ${Math.min(...values)}-${Math.max(...values)} ms (median ${median(values)}, total ${(total / 1000).toFixed(1)} s), ` +
      `${[...fleet.history.values()].filter((v) => v === undefined).length} without history, parallel ${PARALLEL}, ${ROUNDS} interleaved rounds`,
  );
  const named: OrderRun[] = [];
  const slowest: OrderRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    named.push(await runOrder(new NameOrderGateway(fleet), fleet, PARALLEL));
    slowest.push(await runOrder(new TimedGateway(fleet), fleet, PARALLEL));
  }
  const report = (label: string, runs: OrderRun[]) => {
    const wall = median(runs.map((r) => r.wallMs));
    const bound = median(runs.map((r) => r.boundMs));
    console.log(`  ${label}: ${(wall / 1000).toFixed(2)} s, lower bound ${(bound / 1000).toFixed(2)} s, gap ${pct(wall / bound)}`);
    return wall / bound;
  };
  report("name order   ", named);
  const gap = report("slowest first", slowest);
  console.log(`\nslowest first vs lower bound max(longest, total/parallel): ${pct(gap)} (goal within 5 %)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
