/**
 * How long `beta` takes to start, each run a whole process as a person runs it
 * (hyperfine-style: one warm-up, then repeats; median and min):
 *   - `beta --help`
 *   - `beta status alice --no-urls` against a stub kubectl (test/support/stub-kubectl.mjs)
 *   - `beta render alice` (the real program, offline)
 * plus `node -e ""` as this machine's floor. Runs the bundled dist/ when it is current
 * (`npm run build`), else the TypeScript through tsx, and says which.
 *
 *   npx tsx bench/cli.ts [repeats=10]
 *
 * Prints figures only, the ratio of each median to its goal last (≤ 1 meets it).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { clusterList } from "../test/support/cluster-json";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledCliIsCurrent } = require("../bin/compiled-cli.cjs") as { compiledCliIsCurrent: () => boolean };

const REPEATS = Number(process.argv[2] ?? 10);
const repo = path.resolve(__dirname, "..");
const bin = path.join(repo, "bin", "beta.cjs");

const dir = mkdtempSync(path.join(tmpdir(), "beta-bench-cli-"));
const reply = path.join(dir, "reply.json");
writeFileSync(reply, JSON.stringify(clusterList("beta-alice", [{ app: "web" }, { app: "api" }])));
const env = { ...process.env, BETA_NAME: "alice", BETA_KUBECTL: path.join(repo, "test/support/stub-kubectl.mjs"), STUB_KUBECTL_REPLY: reply };

interface Case {
  name: string;
  args: string[];
  /** Goal for the median, seconds (issue 13), when there is one. */
  goal?: number;
  repeats: number;
}

const CASES: Case[] = [
  { name: "node -e '' (floor)", args: ["-e", ""], repeats: REPEATS },
  { name: "beta --help", args: [bin, "--help"], goal: 0.3, repeats: REPEATS },
  { name: "beta status (stub kubectl)", args: [bin, "status", "alice", "--no-urls"], repeats: REPEATS },
  { name: "beta render alice", args: [bin, "render", "alice"], goal: 1.5, repeats: Math.max(3, Math.ceil(REPEATS / 2)) },
];

function once(args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: repo, env, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return seconds;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

console.log(`beta start-up, ${compiledCliIsCurrent() ? "bundled dist/" : "dist/ missing or older than the sources: TypeScript through tsx (run npm run build)"}; ${REPEATS} repeats`);
const rows: { name: string; median: number; min: number; goal?: number }[] = [];
for (const c of CASES) {
  once(c.args); // warm-up: file cache, like hyperfine's --warmup 1
  const times = Array.from({ length: c.repeats }, () => once(c.args));
  rows.push({ name: c.name, median: median(times), min: Math.min(...times), goal: c.goal });
}
for (const r of rows) console.log(`${r.name.padEnd(30)} median ${r.median.toFixed(3)} s   min ${r.min.toFixed(3)} s${r.goal ? `   goal ≤ ${r.goal} s` : ""}`);
const floor = rows[0].median;
console.log(`over the node floor (median − ${floor.toFixed(3)} s): ${rows.slice(1).map((r) => `${r.name} ${(r.median - floor).toFixed(3)} s`).join(", ")}`);
console.log(`ratio to goal (median / goal): ${rows.filter((r) => r.goal).map((r) => `${r.name} ${(r.median / r.goal!).toFixed(2)}`).join(", ")}`);
