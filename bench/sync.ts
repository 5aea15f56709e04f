/**
 * `beta sync` benchmark, through the kubectl stand-in and real rsync (run with
 * `npx tsx bench/sync.ts`). Prints figures; asserts nothing. Everything lives in temp
 * directories; rsync's "connection" is the stand-in's pipe, nothing touches the network.
 *
 * - initial sync of a generated tree of 5,000 files;
 * - save-to-visible latency: a local single-file edit until the new content is in the
 *   remote directory (p50/p95 over 50 edits; goals p50 < 250 ms, p95 < 500 ms); each edit
 *   waits until the run before it has ended and the next pre-connected run is up, so it
 *   measures a save's latency, not queueing behind the stand-in's start-up;
 * - watch-mode bytes sent for a one-line change in a 5 MB file (rsync --stats; goal < 64 KB);
 * - whole-tree run (`beta sync --once`) after a one-line change in a 5 MB tree vs plain
 *   `rsync -a` of the same tree through the same stand-in, bytes and time, three
 *   interleaved rounds (goal ≤ 1.1x);
 * - first sync into a container running release commit C of a 50,000-file tree with 3
 *   files changed since C vs plain `rsync -a` of the tree into another copy of C, interleaved
 *   rounds (`BETA_BENCH_RELEASE_ROUNDS`, default 3), with when each step of the first sync
 *   ended and how much of it was spent waiting for the stand-in's start-up (goal ≥ 10x).
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
import { startSync, syncOnce, type SyncEvent } from "../cli/sync";
import { parseStats } from "../cli/sync/itemize";
import { rshCommand, RSH_HOST, RSH_SCRIPT } from "../cli/sync/rsync";
import { commitAll, exportCommit } from "../test/support/git-repo";
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

/** Sections to run: `npx tsx bench/sync.ts [watch] [once] [release]` (default: all three). */
const SECTIONS = process.argv.slice(2).length > 0 ? new Set(process.argv.slice(2)) : new Set(["watch", "once", "release"]);

async function main(): Promise<void> {
  if (SECTIONS.has("watch")) await watchMode();
  const wholeTree = SECTIONS.has("once") ? await wholeTreeVsRsync() : undefined;
  const firstSync = SECTIONS.has("release") ? await firstSyncVsRsync() : undefined;
  console.log("");
  if (wholeTree) console.log(`whole-tree run vs plain rsync -a (median of ${ROUNDS}): bytes ${wholeTree.bytes.toFixed(2)}x, time ${wholeTree.time.toFixed(2)}x (goal ≤ 1.1x)`);
  if (firstSync) console.log(`first sync from a release vs plain rsync -a of the 50,000-file tree: ${firstSync.toFixed(1)}x faster (goal ≥ 10x)`);
}

async function watchMode(): Promise<void> {
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
    let runsSeen = events.filter((e) => e.type === "sync").length;
    await waitFor(`the first pre-connected run`, () => idleConnection(fixture), 20_000, 5);
    for (let n = 0; n < EDITS; n++) {
      const i = (n * 97) % FILES;
      const rel = path.join("src", `dir${i % DIRS}`, `file${i}.js`);
      const content = `${sourceFile(i)}// edit ${n} at ${Date.now()}\n`;
      const saved = performance.now();
      await fs.writeFile(path.join(fixture.local, rel), content);
      await waitFor(`edit ${n}`, async () => (await fs.readFile(path.join(remote, rel), "utf8").catch(() => "")) === content, 20_000, 1);
      latencies.push(performance.now() - saved);
      // The next save waits for this run's report and for the next run to be connected and
      // idle (the stand-in's start-up is done), so each edit measures a save's latency.
      const reported = runsSeen + 1;
      await waitFor(`run ${n} to report`, () => events.filter((e) => e.type === "sync").length >= reported, 20_000, 2);
      runsSeen = events.filter((e) => e.type === "sync").length;
      await waitFor(`the next run to connect`, () => idleConnection(fixture), 20_000, 5);
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
    console.log(`  watch mode: bytes sent ${bigRun.stats.bytesSent} (${(bigRun.stats.bytesSent / 1024).toFixed(1)} KB; goal < 64 KB)   bytes received ${bigRun.stats.bytesReceived}   run ${bigRun.durationMs.toFixed(0)} ms`);

    await session.stop();
  } finally {
    await fixture.cleanup();
  }
}

/** An exec session is up and idle: every run so far has ended and one more is connected. */
async function idleConnection(fixture: SyncFixture): Promise<boolean> {
  const log = await fixture.sessionEvents();
  const open = log.filter(([e]) => e === "#connected").length - log.filter(([e]) => e === "#ended").length;
  return open === 1 && log.at(-1)?.[0] === "#connected";
}

const ROUNDS = 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

/** Plain `rsync -a` of the local tree (without `.git`, which beta sync never sends) into `remote`, through the same rsh and stand-in. */
function plainRsync(fixture: SyncFixture, local: string, remote: string): { ms: number; bytesSent: number; ok: boolean; stderr: string } {
  const env = { ...fixture.env, BETA_SYNC_KUBECTL: FAKE_KUBECTL, BETA_SYNC_NAMESPACE: "beta-alice", BETA_SYNC_POD: "web-abc", BETA_SYNC_CONTAINER: "web" };
  const start = performance.now();
  const result = spawnSync("rsync", ["-a", "--delete", "--exclude=/.git", "--stats", `--rsh=${rshCommand(RSH_SCRIPT)}`, "./", `${RSH_HOST}:${remote}/`], { cwd: local, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  return { ms, bytesSent: parseStats(result.stdout).bytesSent, ok: result.status === 0 || result.status === 24, stderr: result.stderr };
}

/** One-line change in a 5 MB tree: `beta sync --once` vs plain `rsync -a`, three interleaved rounds. */
async function wholeTreeVsRsync(): Promise<{ bytes: number; time: number }> {
  const fixture = await SyncFixture.create();
  try {
    const remote = await fixture.newRemote("once");
    const plain = await fixture.newRemote("plain");
    await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
    const files = 2600;
    for (let d = 0; d < 20; d++) await fs.mkdir(path.join(fixture.local, `dir${d}`), { recursive: true });
    const fileOf = (i: number) => path.join(fixture.local, `dir${i % 20}`, `file${i}.js`);
    for (let i = 0; i < files; i++) await fs.writeFile(fileOf(i), sourceFile(i));
    const size = (await Promise.all(Array.from({ length: files }, (_, i) => fs.stat(fileOf(i))))).reduce((sum, st) => sum + st.size, 0);
    const once = async () => {
      const events: SyncEvent[] = [];
      const start = performance.now();
      const outcome = await syncOnce({ name: "alice", app: "web", localPath: fixture.local }, { env: fixture.env, log: (e) => events.push(e) });
      if (!outcome.ok) throw new Error(outcome.error?.message);
      const run = events.find((e): e is RunEvent => e.type === "sync");
      return { ms: performance.now() - start, runMs: run?.durationMs ?? NaN, bytesSent: run?.stats.bytesSent ?? NaN };
    };
    await once();
    plainRsync(fixture, fixture.local, plain);
    const rows: { beta: Awaited<ReturnType<typeof once>>; plain: ReturnType<typeof plainRsync> }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const file = fileOf(round * 101);
      await fs.writeFile(file, (await fs.readFile(file, "utf8")).replace("line 7 ", `line 7 (edit ${round})`));
      // Alternate which goes first, so neither always meets a warm cache.
      if (round % 2 === 0) {
        const beta = await once();
        rows.push({ beta, plain: plainRsync(fixture, fixture.local, plain) });
      } else {
        const p = plainRsync(fixture, fixture.local, plain);
        rows.push({ beta: await once(), plain: p });
      }
    }
    console.log("");
    console.log(`whole-tree run after a one-line change, ${files} files, ${(size / 1024 / 1024).toFixed(1)} MB, ${ROUNDS} interleaved rounds:`);
    for (const [i, r] of rows.entries()) {
      console.log(`  round ${i + 1}: beta sync --once ${r.beta.bytesSent} B sent, rsync run ${r.beta.runMs.toFixed(0)} ms (whole command ${r.beta.ms.toFixed(0)} ms)   plain rsync -a ${r.plain.bytesSent} B sent, ${r.plain.ms.toFixed(0)} ms`);
    }
    const bytes = median(rows.map((r) => r.beta.bytesSent)) / median(rows.map((r) => r.plain.bytesSent));
    const time = median(rows.map((r) => r.beta.runMs)) / median(rows.map((r) => r.plain.ms));
    const whole = median(rows.map((r) => r.beta.ms)) / median(rows.map((r) => r.plain.ms));
    console.log(`  medians: bytes ${bytes.toFixed(2)}x, rsync run time ${time.toFixed(2)}x, whole command (pod lookup and tree scan included) ${whole.toFixed(2)}x of plain rsync -a`);
    return { bytes, time };
  } finally {
    await fixture.cleanup();
  }
}

/** Writes back what earlier steps wrote (copies of a 50,000-file tree, removed ones), so that neither side of a comparison pays for the other's disk writes. */
function settleDisk(): void {
  spawnSync("sync");
}

/** Rounds of the first-sync comparison: `BETA_BENCH_RELEASE_ROUNDS` (default 3). */
const RELEASE_ROUNDS = Math.max(1, Math.min(9, Number(process.env.BETA_BENCH_RELEASE_ROUNDS ?? 3) || 3));

interface FirstSyncRound {
  plainMs: number;
  betaMs: number;
  runMs: number;
  bytesSent: number;
  /** Milestones after start (ms), from the session's events and the stand-in's log. */
  marks: { lookupStandInUp: number; podFound: number; changesListed: number; execStandInUp: number; connected: number; done: number };
}

/**
 * A 50,000-file repository, released as commit C, 3 files changed since: the first sync into
 * a container holding C vs plain `rsync -a` of the tree into another such container, in
 * interleaved rounds (each into fresh copies of C), with where the first sync's time goes.
 */
async function firstSyncVsRsync(): Promise<number> {
  const fixture = await SyncFixture.create();
  try {
    const count = 50_000;
    const dirs = 500;
    const generated = performance.now();
    for (let d = 0; d < dirs; d++) await fs.mkdir(path.join(fixture.local, `pkg${d}`));
    const fileOf = (i: number) => path.join(fixture.local, `pkg${i % dirs}`, `m${i}.js`);
    for (let i = 0; i < count; i += 500) await Promise.all(Array.from({ length: 500 }, (_, k) => fs.writeFile(fileOf(i + k), `export const m${i + k} = ${i + k};\n`)));
    const commit = commitAll(fixture.local);
    for (const i of [7, 20_011, 49_999]) await fs.appendFile(fileOf(i), "// changed\n");
    console.log("");
    console.log(`first sync into a release container: ${count} files in ${dirs} directories, 3 changed since the release (set up in ${((performance.now() - generated) / 1000).toFixed(1)} s)`);
    console.log(`machine: load average ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}; kubectl stand-in: ${standInCost(fixture.env).toFixed(0)} ms per bare exec`);

    const rounds: FirstSyncRound[] = [];
    for (let round = 0; round < RELEASE_ROUNDS; round++) {
      // Fresh copies of C each round: a container that has never been synced into.
      const plain = await fixture.newRemote(`plain-${round}`);
      const release = await fixture.newRemote(`release-${round}`);
      exportCommit(fixture.local, commit, plain);
      exportCommit(fixture.local, commit, release);
      const runPlain = async () => {
        await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", plain)] });
        settleDisk();
        const result = plainRsync(fixture, fixture.local, plain);
        if (!result.ok) throw new Error(`plain rsync failed: ${result.stderr}`);
        return result.ms;
      };
      // Only the first round waits for the background verification, to report it.
      const runBeta = () => {
        settleDisk();
        return firstSync(fixture, release, commit, round === 0);
      };
      // Alternate which goes first, so neither always meets a warm cache.
      let plainMs: number;
      let beta: Omit<FirstSyncRound, "plainMs">;
      if (round % 2 === 0) {
        plainMs = await runPlain();
        beta = await runBeta();
      } else {
        beta = await runBeta();
        plainMs = await runPlain();
      }
      rounds.push({ plainMs, ...beta });
      const m = beta.marks;
      console.log(
        `  round ${round + 1}: plain rsync -a ${(plainMs / 1000).toFixed(2)} s   beta sync start → first sync done ${beta.betaMs.toFixed(0)} ms (its run, git's listing included, ${beta.runMs.toFixed(0)} ms, ${beta.bytesSent} B sent; ${(plainMs / beta.betaMs).toFixed(1)}x)`,
      );
      console.log(
        `    after start: lookup's stand-in up ${m.lookupStandInUp} ms, pod found ${m.podFound}, git's changes listed ${m.changesListed}, exec's stand-in up ${m.execStandInUp}, remote rsync connected ${m.connected}, done ${m.done}`,
      );
      // The stand-in's Node start-up that the sync waits for: the lookup's whole start-up, and
      // the part of the exec's that git's listing (running meanwhile) does not cover.
      const standIn = m.lookupStandInUp + Math.max(0, m.execStandInUp - Math.max(m.podFound, m.changesListed));
      console.log(`    waited for the stand-in's start-up: about ${standIn} ms of ${m.done} (a real kubectl's exec costs a round trip to the API server instead)`);
      await fs.rm(plain, { recursive: true, force: true });
      await fs.rm(release, { recursive: true, force: true });
    }
    const plainMs = median(rounds.map((r) => r.plainMs));
    const betaMs = median(rounds.map((r) => r.betaMs));
    const ratio = plainMs / betaMs;
    console.log(`  medians of ${rounds.length} interleaved rounds: plain rsync -a ${(plainMs / 1000).toFixed(2)} s, first sync ${betaMs.toFixed(0)} ms: ${ratio.toFixed(1)}x faster`);
    return ratio;
  } finally {
    await fixture.cleanup();
  }
}

/** One session's first sync into `release` (a copy of `commit`); stopped once it is done (or verified). */
async function firstSync(fixture: SyncFixture, release: string, commit: string, verify: boolean): Promise<Omit<FirstSyncRound, "plainMs">> {
  await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", release, { containers: [{ name: "web", workingDir: release, image: `example/web:master-${commit.slice(0, 7)}` }] })] });
  await fs.rm(fixture.logPath, { force: true });
  const events: { event: SyncEvent; at: number }[] = [];
  const start = Date.now();
  const session = startSync({ name: "alice", app: "web", localPath: fixture.local }, { env: fixture.env, log: (event) => events.push({ event, at: Date.now() }) });
  const first = await waitFor("the first sync", () => events.find((e) => e.event.type === "sync"), 120_000, 2);
  const betaMs = first.at - start;
  const run = first.event as RunEvent;
  if (verify) {
    console.log(`  ${events.find((e) => e.event.type === "baseline")?.event.message}`);
    const verified = await waitFor("the background verification", () => events.find((e) => e.event.type === "sync" && e.event.full), 600_000, 20);
    console.log(`  then, in the background: ${verified.event.message}`);
  }
  await session.stop();
  const at = (type: SyncEvent["type"]) => (events.find((e) => e.event.type === type)?.at ?? NaN) - start;
  const log = (await fs.readFile(fixture.logPath, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { argv: string[]; time: number });
  const when = (match: (argv: string[]) => boolean) => (log.find((entry) => match(entry.argv))?.time ?? NaN) - start;
  return {
    betaMs,
    runMs: run.durationMs,
    bytesSent: run.stats.bytesSent,
    marks: {
      lookupStandInUp: when((argv) => argv[0] === "get"),
      podFound: at("target"),
      changesListed: at("baseline"),
      execStandInUp: when((argv) => argv[0] === "exec"),
      connected: when((argv) => argv[0] === "#connected"),
      done: betaMs,
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
