/**
 * One rsync run from the local tree into the pod's directory, through `kubectl exec`.
 *
 * Flags, and why:
 * - `--recursive --links --times --executability`: the tree, symlinks as symlinks, mtimes
 *   (the quick check compares size + mtime) and the executable bit; no owner/group/full
 *   permissions, which a non-root container could not set anyway.
 * - `--omit-dir-times`: directory mtimes carry no content and may not be settable.
 * - `--delete`: mirror deletions, and only inside the destination: rsync never deletes
 *   outside the directory it copies into, and the engine refuses "/" as that directory.
 *   Excluded and protected paths (ignore rules, see ignore-rules.ts) are never deleted.
 * - watch runs and the first sync from a release name just the changed paths
 *   (`--files-from`, NUL-separated, with `--delete-missing-args` so a path that no longer
 *   exists locally is deleted remotely), so one save sends one file-list entry, not the
 *   whole tree's, and the receiver looks at nothing else: `--delete` then removes entries
 *   only in named directories (man rsync, --files-from: "Listing individual files with
 *   --files-from does not make unlisted siblings eligible for deletion"). Their parent
 *   directories still travel as implied directories (`--relative`, implied by
 *   `--files-from`), one entry each; `--no-implied-dirs` would save only those entries and
 *   would make the receiver follow a symlink it finds in their place (man rsync,
 *   --no-implied-dirs), so it is not used.
 * - how a file is found changed: whole-tree runs use rsync's quick check (size + mtime)
 *   with `--modify-window=-1`, which makes it compare the nanoseconds too: by default it
 *   compares whole seconds only (rsync util1.c `same_time`, line 1746 at
 *   RsyncProject/rsync 7c20b077; man rsync, --modify-window: "If you specify a negative
 *   value (and the receiver is at least version 3.1.3) then nanoseconds will also be taken
 *   into account"), so a same-size edit saved within the second of the previous sync would
 *   be missed. Nanosecond mtimes travel in the file list since protocol 31 (flist.c
 *   XMIT_MOD_NSEC) and `--times` sets them on the receiver. This sends what plain
 *   `rsync -a` sends; `--checksum` would add a checksum per file to the file list and read
 *   every file on both sides (generator.c `quick_check_ok`, line 630), about twice the
 *   time and 1.7x the bytes on a 5 MB tree.
 * - `--checksum` where content is the only safe test: watch runs (only the paths they
 *   name; a save within the same timestamp tick as the last sync keeps size and mtime) and
 *   the background verification after a first sync from a release (see release-baseline.ts),
 *   where the image's copy has other mtimes, so matching content is left alone instead of
 *   rewritten and the app's own file watcher stays calm.
 * - delta transfer is rsync's default for remote copies: a one-line change in a 5 MB file
 *   sends a few KB. `--timeout` turns a hung connection into an error (and a retry).
 * - `--protect-args` (`-s`; `--secluded-args` since rsync 3.2.7): file names travel inside
 *   the rsync protocol, not on the remote command line, which `kubectl exec` hands to rsync
 *   without a shell to unquote it.
 * - a watching session keeps the next run connected ahead of time (see PreparedRsync):
 *   rsync with `--files-from=-` starts kubectl exec and the remote rsync, negotiates, and
 *   then waits for the file list on stdin, so a save pays only for the transfer.
 * - `--blocking-io`, `--rsh`: see kubectl-rsh.sh. `--itemize-changes --stats
 *   --no-human-readable --8-bit-output`: machine-readable report of what changed.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { runProcess, startProcess, type ProcessResult, type StartedProcess } from "./process";
import { parseItemized, parseStats, type Change, type TransferStats } from "./itemize";
import { summariseStderr, SyncError } from "./errors";
import type { PodTarget } from "./pod";
import { REPO_ROOT } from "../repo-root";

/** The placeholder host rsync is given; kubectl-rsh.sh drops it. */
export const RSH_HOST = "beta";
/** The rsh adapter shipped next to this file. */
export const RSH_SCRIPT = path.join(REPO_ROOT, "cli", "sync", "kubectl-rsh.sh");

export interface RsyncRequest {
  localRoot: string;
  target: PodTarget;
  /** Absolute directory in the container. */
  remotePath: string;
  /** Undefined: the whole tree. Else only these paths (relative); missing ones are deleted remotely. */
  paths?: readonly string[];
  /** rsync filter rules, one per entry (see ignore-rules.ts). */
  filterRules: readonly string[];
  dryRun: boolean;
  /** Compare content checksums instead of size + mtime (always for path lists; see the flags above). */
  checksum?: boolean;
}

export interface RsyncFiles {
  filterFile: string;
  /** NUL-separated list of paths; "-" reads it from stdin. */
  listFile?: string;
}

/** rsync -e value; rsync's own parser doubles a quote character to escape it. */
export function rshCommand(script: string): string {
  return `sh '${script.replace(/'/g, "''")}'`;
}

/** The argument list for `rsync`, run with the local root as working directory. Pure. */
export function rsyncArgs(request: RsyncRequest, files: RsyncFiles, rshScript = RSH_SCRIPT, timeoutSeconds = 60): string[] {
  const args = [
    "--recursive",
    "--links",
    "--times",
    "--executability",
    "--omit-dir-times",
    "--delete",
    // NUL-separated filter (and file list) files: any file name can be expressed.
    "--from0",
    `--filter=merge ${files.filterFile}`,
  ];
  if (request.paths) {
    if (!files.listFile) throw new Error("rsyncArgs: a path list needs a list file");
    args.push(`--files-from=${files.listFile}`, "--delete-missing-args");
  }
  args.push(request.paths || request.checksum ? "--checksum" : "--modify-window=-1");
  args.push(
    "--protect-args",
    "--blocking-io",
    `--rsh=${rshCommand(rshScript)}`,
    `--timeout=${timeoutSeconds}`,
    "--itemize-changes",
    "--stats",
    "--no-human-readable",
    "--8-bit-output",
  );
  if (request.dryRun) args.push("--dry-run");
  // The source is given relative to the working directory, so a local path containing ':'
  // cannot be mistaken for a remote one.
  args.push(request.paths ? "." : "./", `${RSH_HOST}:${request.remotePath}/`);
  return args;
}

export type RsyncOutcome =
  | { status: "ok"; changes: Change[]; stats: TransferStats; vanished: boolean }
  | { status: "partial"; changes: Change[]; stats: TransferStats; problem: string }
  | { status: "missing-remote-rsync"; problem: string }
  | { status: "transient"; problem: string }
  | { status: "fatal"; problem: string }
  | { status: "aborted" };

const MISSING_REMOTE_RSYNC = [/exec: "?rsync"?: executable file not found/i, /\brsync: (command )?not found/i, /exec: rsync: not found/i];
/**
 * Exit codes worth a retry: protocol start (5), socket I/O (10), broken stream (12), killed
 * by a signal (20; a stopping session does not retry), timeouts (30, 35), rsh died (255).
 */
const TRANSIENT_CODES = new Set([5, 10, 12, 20, 30, 35, 255]);

/** What an rsync exit means for the session. Pure, so every case is tested directly. */
export function classifyRsyncExit(code: number | null, stdout: string, stderr: string, kubectl: string): RsyncOutcome {
  if (code === 0 || code === 24) {
    return { status: "ok", changes: parseItemized(stdout), stats: parseStats(stdout), vanished: code === 24 };
  }
  const problem = summariseStderr(stderr, `rsync exited with code ${code}`);
  if (MISSING_REMOTE_RSYNC.some((re) => re.test(stderr))) return { status: "missing-remote-rsync", problem };
  if (code === 127 || code === 126) {
    if (stderr.includes(`${kubectl}: not found`)) return { status: "fatal", problem: `kubectl was not found (${kubectl}) when rsync started it; install kubectl or set BETA_KUBECTL` };
    return { status: "missing-remote-rsync", problem };
  }
  if (code === 23) {
    const lines = stderr
      .split("\n")
      .filter((line) => line.startsWith("rsync:") || line.startsWith("cannot delete"))
      .slice(0, 5);
    return { status: "partial", changes: parseItemized(stdout), stats: parseStats(stdout), problem: lines.join("; ") || problem };
  }
  if (code === null || TRANSIENT_CODES.has(code)) return { status: "transient", problem };
  if (/unknown option|protocol version mismatch|incompatible/i.test(stderr)) {
    return { status: "fatal", problem: `rsync refused the options beta sync uses (${problem}); the app's image needs rsync 3.1 or newer, and so does this machine` };
  }
  return { status: "fatal", problem: `rsync failed (exit code ${code}): ${problem}` };
}

export interface RsyncRunOptions {
  rsync: string;
  kubectl: string;
  rshScript?: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Directory for the run's filter and list files (never inside the synced tree). */
  workDir: string;
  timeoutSeconds?: number;
}

function rsyncEnv(target: PodTarget, options: RsyncRunOptions): NodeJS.ProcessEnv {
  return {
    ...options.env,
    BETA_SYNC_KUBECTL: options.kubectl,
    BETA_SYNC_NAMESPACE: target.namespace,
    BETA_SYNC_POD: target.name,
    BETA_SYNC_CONTAINER: target.container,
  };
}

function outcomeOf(result: ProcessResult, options: RsyncRunOptions): RsyncOutcome {
  if (result.spawnError) {
    throw new SyncError(
      result.spawnError.code === "ENOENT"
        ? `rsync is not installed on this machine (looked for ${JSON.stringify(options.rsync)}): install it, e.g. apt-get install rsync or brew install rsync`
        : `could not start rsync: ${result.spawnError.message}`,
      false,
    );
  }
  if (result.aborted || options.signal?.aborted) return { status: "aborted" };
  return classifyRsyncExit(result.code, result.stdout, result.stderr, options.kubectl);
}

/** Runs rsync once. Never writes into the local tree: it is only ever the source. */
export async function runRsync(request: RsyncRequest, options: RsyncRunOptions): Promise<RsyncOutcome> {
  const files: RsyncFiles = { filterFile: path.join(options.workDir, "filter") };
  await fs.writeFile(files.filterFile, request.filterRules.map((rule) => `${rule}\0`).join(""));
  if (request.paths) {
    files.listFile = path.join(options.workDir, "paths");
    await fs.writeFile(files.listFile, request.paths.map((p) => `${p}\0`).join(""));
  }
  const args = rsyncArgs(request, files, options.rshScript ?? RSH_SCRIPT, options.timeoutSeconds);
  const result = await runProcess(options.rsync, args, { cwd: request.localRoot, signal: options.signal, env: rsyncEnv(request.target, options) });
  return outcomeOf(result, options);
}

/**
 * A watch run started ahead of time: rsync is connected to the pod and waits for its file
 * list on stdin. `run(paths)` sends the list and resolves with the outcome; `discard()`
 * sends an empty list (a no-op run) and lets it end. Used once, for a batch of files only:
 * its filter holds the receiver rules but no per-directory exclusions.
 */
export class PreparedRsync {
  private exited = false;
  private used = false;

  constructor(
    readonly target: PodTarget,
    readonly remotePath: string,
    /** The filter rules it was started with; a run with other rules cannot use it. */
    readonly rulesKey: string,
    private readonly process: StartedProcess,
    private readonly options: RsyncRunOptions,
  ) {
    void process.done.then(() => (this.exited = true));
  }

  /** Still connected and unused. A pre-connected run that died while idle is just dropped. */
  get usable(): boolean {
    return !this.exited && !this.used;
  }

  async run(paths: readonly string[]): Promise<RsyncOutcome> {
    this.used = true;
    this.process.stdin?.end(paths.map((p) => `${p}\0`).join(""));
    return outcomeOf(await this.process.done, this.options);
  }

  discard(): void {
    if (this.used) return;
    this.used = true;
    this.process.stdin?.end();
    // An empty list ends it at once; a stuck connection is cut.
    const timer = setTimeout(() => this.process.kill(), 10_000);
    timer.unref();
    void this.process.done.then(() => clearTimeout(timer));
  }
}

let preparedRuns = 0;

/** Starts a run that waits for its file list (see PreparedRsync). */
export async function prepareRsync(
  request: Omit<RsyncRequest, "paths" | "dryRun">,
  options: RsyncRunOptions,
): Promise<PreparedRsync> {
  // A file of its own: rsync reads it after starting, when another prepared run may be starting too.
  const files: RsyncFiles = { filterFile: path.join(options.workDir, `filter-prepared-${++preparedRuns}`), listFile: "-" };
  await fs.writeFile(files.filterFile, request.filterRules.map((rule) => `${rule}\0`).join(""));
  const args = rsyncArgs({ ...request, paths: [], dryRun: false }, files, options.rshScript ?? RSH_SCRIPT, options.timeoutSeconds);
  const process = startProcess(options.rsync, args, {
    cwd: request.localRoot,
    signal: options.signal,
    env: rsyncEnv(request.target, options),
    stdin: true,
  });
  void process.done.then(() => fs.rm(files.filterFile, { force: true }).catch(() => undefined));
  return new PreparedRsync(request.target, request.remotePath, request.filterRules.join("\n"), process, options);
}
