/**
 * `beta sync` benchmark, through the kubectl stand-in and real rsync (run with
 * `npx tsx bench/sync.ts`). Prints figures; asserts nothing.
 *
 * - initial sync of a generated tree of 5,000 files;
 * - save-to-visible latency: a local single-file edit until the new content is in the
 *   remote directory (p50/p95 over 50 edits; goals p50 < 250 ms, p95 < 500 ms);
 * - bytes sent for a one-line change in a 5 MB file (rsync --stats; goal < 64 KB).
 *
 * Each "kubectl exec" starts the Node stand-in, which costs tens of ms of CPU that a real
 * kubectl (a Go binary) does not; a busy machine shows in every figure, so the load
 * average is printed too.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSync, type SyncEvent } from "../cli/sync";
import { FAKE_KUBECTL, SyncFixture, waitFor } from "../test/support/sync-fixture";

const FILES = 5000;
const DIRS = 50;
const EDITS = 50;
const BIG_FILE_BYTES = 5 * 1024 * 1024;

type RunEvent = Extract<SyncEvent, { type: "sync" }>;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

function sourceFile(i: number): string {
  const lines = [`// generated module ${i}`];
  for (let l = 0; l < 30; l++) lines.push(`export const value${l} = ${JSON.stringify(`module ${i} line ${l} `.repeat(2))};`);
  return `${lines.join("\n")}\n`;
}

function bigFile(): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < BIG_FILE_BYTES; i++) {
    const line = `${String(i).padStart(8, "0")} ${createHash("sha256").update(String(i)).digest("hex")} lorem ipsum dolor sit amet\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join("");
}

async function sha(file: string): Promise<string | undefined> {
  try {
    return createHash("sha256").update(await fs.readFile(file)).digest("hex");
  } catch {
    return undefined;
  }
}

/** Median wall time of `fake-kubectl exec ... -- true`: the stand-in's own cost per exec. */
function standInCost(env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    spawnSync(FAKE_KUBECTL, ["exec", "-i", "-n", "beta-alice", "web-abc", "-c", "web", "--", "true"], { env });
    times.push(performance.now() - start);
  }
  return percentile(times.sort((a, b) => a - b), 50);
}

async function main(): Promise<void> {
  const fixture = await SyncFixture.create();
  try {
    const remote = await fixture.newRemote("a");
    await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });

    const generateStart = performance.now();
    for (let d = 0; d < DIRS; d++) await fs.mkdir(path.join(fixture.local, "src", `dir${d}`), { recursive: true });
    for (let i = 0; i < FILES; i++) await fs.writeFile(path.join(fixture.local, "src", `dir${i % DIRS}`, `file${i}.js`), sourceFile(i));
    await fs.mkdir(path.join(fixture.local, "data"));
    const big = bigFile();
    await fs.writeFile(path.join(fixture.local, "data", "big.txt"), big);
    await fs.writeFile(path.join(fixture.local, ".gitignore"), "*.log\n");
    console.log(`generated ${FILES} source files in ${DIRS} directories + one ${(big.length / 1024 / 1024).toFixed(1)} MB file in ${((performance.now() - generateStart) / 1000).toFixed(1)} s`);
    console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}`);
    console.log(`kubectl stand-in: ${standInCost(fixture.env).toFixed(0)} ms per bare exec (Node start-up; part of every figure below)`);

    const events: SyncEvent[] = [];
    const sessionStart = performance.now();
    const session = startSync({ name: "alice", app: "web", localPath: fixture.local }, { env: fixture.env, log: (e) => events.push(e) });
    const watching = await session.watching;
    if (!watching) throw new Error(`the session ended: ${(await session.done).error?.message}`);
    const initial = events.find((e): e is RunEvent => e.type === "sync");
    console.log("");
    console.log(`initial sync (${initial?.stats.filesConsidered} entries, ${initial?.stats.filesTransferred} files sent, ${((initial?.stats.bytesSent ?? 0) / 1024 / 1024).toFixed(1)} MB):`);
    console.log(`  rsync run                     ${((initial?.durationMs ?? NaN) / 1000).toFixed(2)} s`);
    console.log(`  start → watching (incl. scan and watcher setup) ${((performance.now() - sessionStart) / 1000).toFixed(2)} s`);

    // Save-to-visible latency of single-file edits.
    const latencies: number[] = [];
    for (let n = 0; n < EDITS; n++) {
      const i = (n * 97) % FILES;
      const rel = path.join("src", `dir${i % DIRS}`, `file${i}.js`);
      const content = `${sourceFile(i)}// edit ${n} at ${Date.now()}\n`;
      const saved = performance.now();
      await fs.writeFile(path.join(fixture.local, rel), content);
      await waitFor(`edit ${n}`, async () => (await fs.readFile(path.join(remote, rel), "utf8").catch(() => "")) === content, 20_000, 1);
      latencies.push(performance.now() - saved);
      // Let the run report and settle before the next save, so edits are independent.
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const runs = events.filter((e): e is RunEvent => e.type === "sync" && !e.full);
    const runTimes = runs.map((r) => r.durationMs).sort((a, b) => a - b);
    console.log("");
    console.log(`save → visible in the container, ${EDITS} single-file edits:`);
    console.log(`  p50 ${percentile(sorted, 50).toFixed(0)} ms   p95 ${percentile(sorted, 95).toFixed(0)} ms   min ${sorted[0]?.toFixed(0)} ms   max ${sorted[sorted.length - 1]?.toFixed(0)} ms   (goals: p50 < 250, p95 < 500)`);
    console.log(`  rsync run alone: p50 ${percentile(runTimes, 50).toFixed(0)} ms   p95 ${percentile(runTimes, 95).toFixed(0)} ms over ${runs.length} runs, ${runs.filter((r) => r.preconnected).length} of them pre-connected`);

    // One-line change in the 5 MB file.
    const bigPath = path.join(fixture.local, "data", "big.txt");
    const lines = big.split("\n");
    const middle = Math.floor(lines.length / 2);
    lines[middle] = `${lines[middle]} <- one changed line`;
    const changed = lines.join("\n");
    const expected = createHash("sha256").update(changed).digest("hex");
    const before = events.length;
    await fs.writeFile(bigPath, changed);
    await waitFor("the big file", async () => (await sha(path.join(remote, "data", "big.txt"))) === expected, 30_000, 2);
    const bigRun = await waitFor("the big file's run", () => events.slice(before).find((e): e is RunEvent => e.type === "sync" && e.changes.some((c) => c.path === "data/big.txt")));
    console.log("");
    console.log(`one-line change in a ${(big.length / 1024 / 1024).toFixed(1)} MB file:`);
    console.log(`  bytes sent ${bigRun.stats.bytesSent} (${(bigRun.stats.bytesSent / 1024).toFixed(1)} KB; goal < 64 KB)   bytes received ${bigRun.stats.bytesReceived}   run ${bigRun.durationMs.toFixed(0)} ms`);

    await session.stop();
  } finally {
    await fixture.cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
