/**
 * A `beta sync` session: one full sync, then (unless `once`/`dryRun`) watch, batch and
 * sync changes until stopped. It owns the invariant "synced edits are never silently
 * lost": it checks the pod with every run and every `pollIntervalMs`, and when the pod
 * (or its container) was replaced it syncs the whole tree into the new one on its own.
 * Failures of kubectl or the network are retried with bounded exponential backoff, except
 * no cluster answering the first pod lookup: nothing there heals, so that fails at once.
 *
 * Runs never overlap: changes, full re-syncs and pod checks are queued and served one at
 * a time, so changes arriving during a run make exactly one follow-up run.
 *
 * A fresh container (the first sync of a watching session, or a replaced pod) that runs a
 * release image gets only the files that differ from the release's commit, then a checksum
 * run over the whole tree in the background, served after every pending change
 * (release-baseline.ts).
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { assertAppName, assertDeveloperName, betaNamespace, NameError } from "../../lib/names";
import { backoffDelay, DEFAULT_RETRY, formatDuration, type RetryPolicy } from "./backoff";
import { Batcher } from "./batcher";
import { systemClock, type Clock, type TimerHandle } from "./clock";
import { SyncError } from "./errors";
import type { SyncEvent, SyncLogger } from "./events";
import { exactRsyncPattern, hiddenUnder, isIgnoreFile, rulesForPaths, scanTree, type IgnoreRules, type TreeScan } from "./ignore-rules";
import { contentChanges, formatBytes, summariseChanges, type Change } from "./itemize";
import { kubectlPath } from "./kubectl";
import { describeReplacement, lookupPod, samePodInstance, type PodTarget } from "./pod";
import { changedSince, localChanges, releaseCommitOf, type LocalChanges } from "./release-baseline";
import { prepareRsync, RSH_SCRIPT, runRsync, type PreparedRsync, type RsyncOutcome, type RsyncRunOptions } from "./rsync";
import { watchTree, type TreeWatcher } from "./watcher";

export interface SyncOptions {
  /** Developer name; the namespace is always `beta-<name>`. */
  name: string;
  app: string;
  /** Local directory to mirror (read only, never written). */
  localPath: string;
  /** Directory in the container; default: the app container's `workingDir`. */
  remotePath?: string;
  /** One full sync, then stop. */
  once?: boolean;
  /** Report what a full sync would change, change nothing, stop. */
  dryRun?: boolean;
  /** Quiet time that closes a batch of changes (default 50 ms). */
  debounceMs?: number;
  /** Longest a batch waits while changes keep coming (default 500 ms). */
  maxBatchWaitMs?: number;
  /** How often an idle session checks whether its pod was replaced (default 3 s). */
  pollIntervalMs?: number;
  /** A run checks the pod alongside itself unless a check succeeded this recently (default 1 s). */
  recheckAfterMs?: number;
  /** Keep the next watch run connected ahead of time (default true; see PreparedRsync). */
  preconnect?: boolean;
  /** A pre-connected run unused this long is replaced by a fresh one (default 45 s: under rsync's --timeout of 60 s and common load-balancer idle cut-offs). */
  preconnectRefreshMs?: number;
  retry?: Partial<RetryPolicy>;
  /** A batch with more changed paths than this syncs the whole tree instead (default 500). */
  fullSyncThreshold?: number;
}

/** What the engine needs from the outside world; every field can be replaced in tests. */
export interface SyncDeps {
  /** kubectl binary (default: `$BETA_KUBECTL`, else `kubectl` on PATH). */
  kubectl: string;
  /** rsync binary (default `rsync` on PATH). */
  rsync: string;
  /** The rsh adapter script (default: cli/sync/kubectl-rsh.sh). */
  rshScript: string;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  log: SyncLogger;
}

export interface SyncOutcome {
  ok: boolean;
  /** Why the session failed; its message says what to do next. */
  error?: SyncError;
  /** Completed rsync runs. */
  runs: number;
}

export interface SyncSession {
  /** Resolves when the session ends: after `once`/`dryRun`, on `stop()`, or on a fatal error. */
  readonly done: Promise<SyncOutcome>;
  /** Resolves true once watching has begun, false if the session ended before. */
  readonly watching: Promise<boolean>;
  /** Stops watching, cancels a running transfer and resolves with the outcome. */
  stop(): Promise<SyncOutcome>;
}

/**
 * The directory in the container to mirror into: absolute, normalised, and never "/",
 * because `--delete` would then mirror deletions across the container's whole filesystem.
 */
export function validateRemotePath(value: string, source = "--remote-path"): string {
  if (value.includes("\0") || value.includes("\n")) throw new SyncError(`${source} ${JSON.stringify(value)} contains a control character`, false);
  if (!value.startsWith("/")) throw new SyncError(`${source} ${JSON.stringify(value)} is not valid: it must be an absolute path in the container, like /app`, false);
  const normalised = path.posix.normalize(value).replace(/\/+$/, "");
  if (normalised === "") {
    throw new SyncError(
      `${source} ${JSON.stringify(value)} is the container's root: beta sync mirrors deletions and will not do that to "/"; pass --remote-path with the app's source directory, e.g. /app`,
      false,
    );
  }
  return normalised;
}

function toSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  if (error instanceof NameError) return new SyncError(error.message, false);
  return new SyncError(`unexpected error: ${error instanceof Error ? error.message : String(error)}`, false);
}

/** Paths of a batch without those already covered by a changed ancestor directory. */
export function minimisePaths(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  const kept: string[] = [];
  for (const p of sorted) {
    if (!kept.some((k) => p.startsWith(`${k}/`))) kept.push(p);
  }
  return kept;
}

/** The paths (relative) that are directories in the local tree. */
async function localDirectories(root: string, paths: readonly string[]): Promise<string[]> {
  const stats = await Promise.all(paths.map((p) => fs.lstat(path.join(root, p)).catch(() => undefined)));
  return paths.filter((_, i) => stats[i]?.isDirectory());
}

function describeRun(changes: readonly Change[]): string {
  const content = contentChanges(changes);
  if (content.length === 0) return "no content changes";
  const names = content.slice(0, 3).map((c) => c.path);
  const more = content.length > 3 ? `, +${content.length - 3} more` : "";
  if (content.length === 1) return `${content[0]?.kind === "delete" ? "deleted" : "synced"} ${names[0]}`;
  return `synced ${content.length} changes (${summariseChanges(content)}): ${names.join(", ")}${more}`;
}

/** `localChanges` started early, and the means to stop it when it turns out not to be needed. */
interface EarlyListing {
  changes: Promise<LocalChanges>;
  cancel(): void;
}

interface Job {
  full: boolean;
  reason: string;
  paths?: string[];
  /** Rebuild the watcher afterwards (ignore rules changed, so what is watched changes). */
  rewatch?: boolean;
  /** The container is new: a release image lets the run send only what differs from its commit. */
  fresh?: boolean;
  /** Compare checksums instead of size + mtime (the background verification). */
  checksum?: boolean;
}

class Session implements SyncSession {
  readonly done: Promise<SyncOutcome>;
  readonly watching: Promise<boolean>;
  private resolveDone!: (outcome: SyncOutcome) => void;
  private resolveWatching!: (watching: boolean) => void;

  private readonly namespace: string;
  private readonly root: string;
  private readonly retry: RetryPolicy;
  private readonly abort = new AbortController();

  private pod: PodTarget | undefined;
  private remotePath: string | undefined;
  private needLookup = true;
  private rules: IgnoreRules | undefined;
  private workDir: string | undefined;
  private watcher: TreeWatcher | undefined;
  private batcher: Batcher | undefined;
  private pollTimer: TimerHandle | undefined;
  private prepared: PreparedRsync | undefined;
  private preparedTimer: TimerHandle | undefined;

  private pending = new Set<string>();
  private fullRequest: Job | undefined;
  /** The background checksum run after a first sync from a release; served when idle. */
  private verifyRequest: Job | undefined;
  /** Starts the initial watcher; a whole-tree run starts it first, a release-baseline run after itself. */
  private startWatching: (() => Promise<void>) | undefined;
  /** The initial watcher's readiness. */
  private watcherReady: Promise<void> = Promise.resolve();
  private checkRequested = false;
  private busy = false;
  private stopped = false;
  private finishing: Promise<void> | undefined;
  private pollFailing = false;
  /** When a lookup last confirmed the pod (clock time). */
  private confirmedAt = -Infinity;
  private runs = 0;
  /** Queued work is served only once the initial sync is done and watching has begun. */
  private serving = false;

  constructor(
    private readonly options: SyncOptions,
    private readonly deps: SyncDeps,
  ) {
    this.namespace = betaNamespace(assertDeveloperName(options.name));
    assertAppName(options.app);
    if (options.remotePath !== undefined) validateRemotePath(options.remotePath);
    this.root = path.resolve(options.localPath);
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.watching = new Promise((resolve) => (this.resolveWatching = resolve));
    void this.main();
  }

  stop(): Promise<SyncOutcome> {
    if (!this.stopped) this.emit({ type: "stopped", message: "sync stopped" });
    void this.finish();
    return this.done;
  }

  private emit(event: SyncEvent): void {
    try {
      this.deps.log(event);
    } catch {
      // A broken logger must not break the sync.
    }
  }

  private async main(): Promise<void> {
    try {
      const stat = await fs.stat(this.root).catch(() => undefined);
      if (!stat?.isDirectory()) throw new SyncError(`${this.root} is not a directory: pass --path with the app's source directory`, false);
      this.workDir = await fs.mkdtemp(path.join(os.tmpdir(), "beta-sync-"));
      const watch = !this.options.once && !this.options.dryRun;
      // Watch before the first whole-tree sync, so an edit made while it runs is not missed.
      // A first sync from a release starts watching (and scanning the tree for ignore files)
      // after itself, so the two do not compete for the CPU: the verification after it covers
      // the whole tree once the watcher is ready.
      if (watch) this.startWatching = async () => this.startWatcher((await scanTree(this.root)).rules);
      await this.syncWithRetry({ full: true, reason: this.options.dryRun ? "dry run" : "initial sync", fresh: watch });
      await this.watchNow();
      if (!watch || this.stopped) return void (await this.finish());
      this.emit({ type: "watching", message: `watching ${this.root} for changes (Ctrl-C to stop)`, localPath: this.root });
      this.resolveWatching(true);
      this.serving = true;
      this.schedulePoll();
      this.kick();
    } catch (error) {
      await this.finish(toSyncError(error));
    }
  }

  private async finish(error?: SyncError): Promise<void> {
    this.finishing ??= (async () => {
      this.stopped = true;
      this.abort.abort();
      this.batcher?.close();
      if (this.pollTimer !== undefined) this.deps.clock.clearTimeout(this.pollTimer);
      this.takePrepared()?.discard();
      await this.watcher?.close().catch(() => undefined);
      if (this.workDir) await fs.rm(this.workDir, { recursive: true, force: true }).catch(() => undefined);
      this.resolveWatching(false);
      this.resolveDone({ ok: error === undefined, error, runs: this.runs });
    })();
    return this.finishing;
  }

  /** Starts the initial watcher if it is not running yet; resolves once it is ready. */
  private watchNow(): Promise<void> {
    const start = this.startWatching;
    this.startWatching = undefined;
    if (start) this.watcherReady = start();
    return this.watcherReady;
  }

  private async startWatcher(rules: IgnoreRules): Promise<void> {
    if (this.stopped) return;
    this.rules = rules;
    this.batcher ??= new Batcher(
      (paths) => this.onBatch(paths),
      { debounceMs: this.options.debounceMs ?? 50, maxWaitMs: this.options.maxBatchWaitMs ?? 500 },
      this.deps.clock,
    );
    const batcher = this.batcher;
    const watcher = watchTree({
      root: this.root,
      isIgnored: (rel, isDir) => this.rules?.isIgnored(rel, isDir) ?? false,
      onChange: (rel) => batcher.add(rel),
      onError: (error) => {
        this.emit({ type: "warning", message: `file watcher: ${error.message}; syncing the whole tree to be safe` });
        this.requestFull({ full: true, reason: "file watcher error" });
      },
    });
    const previous = this.watcher;
    this.watcher = watcher;
    await watcher.ready;
    // Replaced only once the new one is ready, so no change falls between the two.
    await previous?.close().catch(() => undefined);
    // Stopped meanwhile: finish() may have closed only the previous watcher.
    if (this.stopped) await watcher.close().catch(() => undefined);
  }

  private onBatch(paths: string[]): void {
    if (paths.some(isIgnoreFile)) {
      this.requestFull({ full: true, reason: "ignore rules changed", rewatch: true });
    } else {
      for (const p of paths) this.pending.add(p);
    }
    this.kick();
  }

  private requestFull(job: Job): void {
    this.fullRequest = { ...job, rewatch: job.rewatch || this.fullRequest?.rewatch };
    this.kick();
  }

  private schedulePoll(): void {
    const interval = this.options.pollIntervalMs ?? 3000;
    this.pollTimer = this.deps.clock.setTimeout(() => {
      if (this.stopped) return;
      // A busy session checks the pod with its run anyway.
      if (!this.busy) {
        this.checkRequested = true;
        this.kick();
      }
      this.schedulePoll();
    }, interval);
  }

  private kick(): void {
    if (!this.busy && !this.stopped && this.serving) void this.pump();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      while (!this.stopped) {
        const full = this.fullRequest;
        if (full) {
          this.fullRequest = undefined;
          this.pending.clear();
          // Watch what the new rules let through before syncing it, so nothing falls between.
          if (full.rewatch) await this.startWatcher((await scanTree(this.root)).rules);
          await this.syncWithRetry(full);
          continue;
        }
        if (this.pending.size > 0) {
          const paths = minimisePaths([...this.pending]);
          this.pending.clear();
          const threshold = this.options.fullSyncThreshold ?? 500;
          await this.syncWithRetry(paths.length > threshold ? { full: true, reason: `${paths.length} changed paths` } : { full: false, reason: "changes", paths });
          continue;
        }
        if (this.checkRequested) {
          this.checkRequested = false;
          await this.checkPod();
          continue;
        }
        const verify = this.verifyRequest;
        if (verify) {
          this.verifyRequest = undefined;
          await this.syncWithRetry(verify);
          continue;
        }
        break;
      }
    } catch (error) {
      await this.finish(toSyncError(error));
    } finally {
      this.busy = false;
    }
  }

  /** Periodic check: a replaced pod gets a full re-sync without any local change. */
  private async checkPod(): Promise<void> {
    try {
      const replaced = await this.refreshPod();
      if (this.pollFailing) this.emit({ type: "warning", message: `pod check works again (pod ${this.pod?.name})` });
      this.pollFailing = false;
      if (replaced) await this.syncWithRetry({ full: true, reason: replaced });
    } catch (error) {
      const e = toSyncError(error);
      if (!e.retryable || this.stopped) throw e;
      if (!this.pollFailing) this.emit({ type: "warning", message: `cannot check the pod: ${e.message}; will keep trying` });
      this.pollFailing = true;
    }
  }

  /** Looks the pod up; returns the replacement message when it is not the one synced so far. */
  private async refreshPod(): Promise<string | undefined> {
    return this.adoptPod(await this.lookup());
  }

  /** Makes `found` the target; returns the replacement message when it differs from the last one. */
  private adoptPod(found: PodTarget): string | undefined {
    this.needLookup = false;
    const previous = this.pod;
    const remotePath =
      this.options.remotePath !== undefined
        ? validateRemotePath(this.options.remotePath)
        : validateRemotePath(
            found.workingDir ??
              (() => {
                throw new SyncError(
                  `container ${found.container} of pod ${found.name} has no workingDir, so beta sync does not know where the source lives: pass --remote-path <dir>`,
                  false,
                );
              })(),
            `workingDir of container ${found.container}`,
          );
    this.pod = found;
    const targetChanged = !previous || previous.name !== found.name || this.remotePath !== remotePath;
    this.remotePath = remotePath;
    if (targetChanged) {
      this.emit({
        type: "target",
        message: `syncing ${this.root} → ${found.namespace}/${found.name} (container ${found.container}):${remotePath}`,
        namespace: found.namespace,
        pod: found.name,
        container: found.container,
        remotePath,
        localPath: this.root,
      });
    }
    if (previous && !samePodInstance(previous, found)) {
      const message = `${describeReplacement(previous, found)}: full re-sync`;
      this.emit({ type: "replaced", message, from: previous.name, to: found.name });
      return message;
    }
    return undefined;
  }

  private async lookup(): Promise<PodTarget> {
    const found = await lookupPod({
      kubectl: this.deps.kubectl,
      env: this.deps.env,
      signal: this.abort.signal,
      namespace: this.namespace,
      app: this.options.app,
      // Once a pod was found the cluster was there: losing it is a dropped connection, retried.
      reachedBefore: this.pod !== undefined,
    });
    this.confirmedAt = this.deps.clock.now();
    return found;
  }

  private async syncWithRetry(job: Job): Promise<void> {
    let failures = 0;
    let current = job;
    let listing: EarlyListing | undefined;
    for (;;) {
      if (this.stopped) return;
      try {
        let lookedUp = false;
        // A whole-tree run's scan goes alongside the pod lookup, so the run need not wait for it.
        // A fresh container may run a release, which needs no scan but git's list of local
        // changes: git reads the work tree while kubectl finds the pod (see releaseBaseline).
        let prescan: Promise<TreeScan> | undefined;
        if (this.needLookup || !this.pod) {
          // kubectl is started first: the lookup is what everything else waits for.
          const refreshing = this.refreshPod();
          if (current.full && !current.fresh) prescan = scanTree(this.root);
          else if (current.full) listing = this.listLocalChanges();
          const replaced = await refreshing;
          lookedUp = true;
          if (replaced) current = this.resyncJob(replaced);
        }
        const replaced = await this.runOnce(current, !lookedUp, prescan, listing);
        listing = undefined;
        if (replaced === undefined) return;
        current = this.resyncJob(replaced);
        failures = 0;
      } catch (error) {
        listing?.cancel();
        listing = undefined;
        const e = toSyncError(error);
        if (!e.retryable || this.stopped) throw e;
        failures++;
        if (failures >= this.retry.attempts) {
          throw new SyncError(`${e.message} (gave up after ${failures} attempts; check the cluster with: kubectl get pods -n ${this.namespace}, then run beta sync again)`, false);
        }
        const delayMs = backoffDelay(this.retry, failures);
        this.emit({
          type: "retry",
          message: `${e.message}; retrying in ${formatDuration(delayMs)} (attempt ${failures + 1} of ${this.retry.attempts})`,
          problem: e.message,
          attempt: failures + 1,
          attempts: this.retry.attempts,
          delayMs,
        });
        this.needLookup = true;
        await this.deps.clock.sleep(delayMs, this.abort.signal);
      }
    }
  }

  /** Starts `localChanges`; stopped with the session or by `cancel()`. */
  private listLocalChanges(): EarlyListing {
    const own = new AbortController();
    const stop = (): void => own.abort();
    this.abort.signal.addEventListener("abort", stop, { once: true });
    const changes = localChanges(this.root, own.signal).finally(() => this.abort.signal.removeEventListener("abort", stop));
    return { changes, cancel: stop };
  }

  /** The whole-tree run into a replacement container. */
  private resyncJob(reason: string): Job {
    return { full: true, reason, fresh: !this.options.once && !this.options.dryRun };
  }

  /**
   * For a fresh container running a release image: the paths that differ from the
   * release's commit, with the background verification queued. Undefined: sync the whole
   * tree (the reason is reported).
   *
   * Nothing here walks the tree: git lists the changes (`listing`, started alongside the pod
   * lookup), and only the ignore files above the listed paths are read to filter them. The
   * rsync run is connected while git works (see connectFirstRun), so its start-up is not
   * waited for after git's.
   */
  private async releaseBaseline(target: PodTarget, job: Job, listing?: EarlyListing): Promise<{ paths: string[]; reason: string; receiverRules: string[] } | undefined> {
    const commit = releaseCommitOf(target.image);
    const image = target.image ?? "(unknown image)";
    const fallback = (why: string): undefined => {
      this.takePrepared()?.discard();
      this.emit({ type: "baseline", message: `${why}: syncing the whole tree` });
      return undefined;
    };
    if (!commit) {
      listing?.cancel();
      return fallback(`container ${target.container} runs ${image}, not a release build (master-<commit>)`);
    }
    const connecting = this.connectFirstRun(target);
    const baseline = await changedSince(this.root, commit, this.abort.signal, listing?.changes);
    const receiverRules = await connecting;
    if (baseline.status !== "ok") return fallback(`container ${target.container} runs release ${commit}, but ${baseline.reason}`);
    const rules = this.rules ?? (await rulesForPaths(this.root, baseline.paths));
    const paths = baseline.paths.filter((p) => !rules.isIgnored(p, false));
    const threshold = this.options.fullSyncThreshold ?? 500;
    if (paths.length > threshold) return fallback(`${paths.length} files differ from release ${commit.slice(0, 7)}, more than ${threshold}`);
    this.verifyRequest = { full: true, checksum: true, reason: `verifying the rest against release ${commit.slice(0, 7)}` };
    this.emit({
      type: "baseline",
      message: `container ${target.container} runs release ${commit.slice(0, 7)}: sending the ${paths.length} files that differ from it, then verifying the rest in the background`,
      commit: baseline.commit,
      files: paths.length,
    });
    return { paths, reason: `${job.reason}, ${paths.length} files changed since release ${commit.slice(0, 7)}`, receiverRules };
  }

  /**
   * Starts the first run from a release as a pre-connected run (PreparedRsync) and returns
   * the receiver rules it was started with, which the run then uses. They come from the
   * ignore files known before git has listed anything: all of them after a scan, else the
   * root's. That is enough for a run that names only files: rsync then deletes only the
   * named paths that are missing locally, which passed the ignore rules (man rsync,
   * --files-from: "Listing individual files with --files-from does not make unlisted
   * siblings eligible for deletion"; RsyncProject/rsync 7c20b077, generator.c line 1926
   * deletes only in a directory flagged FLAG_CONTENT_DIR, which flist.c line 2220 clears for
   * implied directories). A run that names a directory is not sent this way (runOnce).
   */
  private async connectFirstRun(target: PodTarget): Promise<string[]> {
    const rules = this.rules ?? (await rulesForPaths(this.root, []));
    const receiverRules = rules.receiverRules();
    this.takePrepared()?.discard();
    const { remotePath, workDir } = this;
    if (this.options.preconnect === false || !remotePath || !workDir || this.stopped) return receiverRules;
    try {
      const prepared = await prepareRsync({ localRoot: this.root, target, remotePath, filterRules: receiverRules }, this.rsyncOptions(workDir));
      if (this.stopped) prepared.discard();
      else this.prepared = prepared;
    } catch {
      // No head start this time: the run starts cold and reports any problem.
    }
    return receiverRules;
  }

  /**
   * One rsync run. With `check`, the pod is looked up while rsync runs (not before, which
   * would add a kubectl round trip to every save), unless a lookup confirmed it within the
   * last second (a burst of saves needs no burst of lookups; the poll covers the rest). A
   * replacement found makes the caller re-sync everything. Returns its message, if any.
   */
  private async runOnce(job: Job, check: boolean, prescan?: Promise<TreeScan>, listing?: EarlyListing): Promise<string | undefined> {
    const target = this.pod;
    const remotePath = this.remotePath;
    const workDir = this.workDir;
    if (!target || !remotePath || !workDir) throw new SyncError("internal error: no target pod", false);
    const started = this.deps.clock.now();
    let filterRules: string[];
    let receiverRules: string[];
    let paths: string[] | undefined;
    let files = 0;
    const baseline = job.full && job.fresh ? await this.releaseBaseline(target, job, listing) : undefined;
    if (job.full && !baseline) await this.watchNow();
    if (baseline) {
      paths = baseline.paths;
      files = paths.length;
      this.emit({ type: "sync-start", message: `first sync (${baseline.reason}) into ${target.name}:${remotePath}…`, full: false, reason: baseline.reason, files });
      if (paths.length === 0) {
        this.takePrepared()?.discard();
        return undefined;
      }
      receiverRules = baseline.receiverRules;
      filterRules = receiverRules;
      // A listed directory (a tracked file replaced by one) is sent with its contents and
      // --delete inside it: that needs every ignore file under it, so the tree is scanned.
      const dirs = await localDirectories(this.root, paths);
      if (dirs.length > 0) {
        const scan = await scanTree(this.root);
        receiverRules = scan.rules.receiverRules();
        filterRules = [...(await hiddenUnder(this.root, scan.rules, dirs)).map((p) => `- ${exactRsyncPattern(p)}`), ...receiverRules];
      }
    } else if (job.full || !this.rules) {
      const scan = await (prescan ?? scanTree(this.root));
      this.rules = scan.rules;
      files = scan.files;
      receiverRules = scan.rules.receiverRules();
      filterRules = [...scan.hidden.map((p) => `- ${exactRsyncPattern(p)}`), ...receiverRules];
      this.emit({
        type: "sync-start",
        message: `${this.options.dryRun ? "dry run" : "full sync"} (${job.reason}) of ${files} files into ${target.name}:${remotePath}…`,
        full: true,
        reason: job.reason,
        files,
      });
    } else {
      const rules = this.rules;
      paths = (job.paths ?? []).filter((p) => !rules.isIgnored(p, false));
      const dirs = await localDirectories(this.root, paths);
      const hidden = await hiddenUnder(this.root, rules, dirs);
      receiverRules = rules.receiverRules();
      filterRules = [...hidden.map((p) => `- ${exactRsyncPattern(p)}`), ...receiverRules];
      files = paths.length;
      if (paths.length === 0) return undefined;
    }
    const recentlyConfirmed = this.deps.clock.now() - this.confirmedAt < (this.options.recheckAfterMs ?? 1000);
    const checking = check && !recentlyConfirmed ? this.lookup().then((pod) => pod, () => undefined) : Promise.resolve(undefined);
    const runOptions = this.rsyncOptions(workDir);
    const prepared = this.takePrepared();
    let transfer: Promise<RsyncOutcome>;
    let preconnected = false;
    if (
      paths &&
      prepared?.usable &&
      filterRules.length === receiverRules.length &&
      prepared.rulesKey === receiverRules.join("\n") &&
      prepared.remotePath === remotePath &&
      samePodInstance(prepared.target, target)
    ) {
      transfer = prepared.run(paths);
      preconnected = true;
    } else {
      prepared?.discard();
      // A dry run reports content differences only, so it compares checksums too.
      const checksum = job.checksum === true || this.options.dryRun === true;
      transfer = runRsync({ localRoot: this.root, target, remotePath, paths, filterRules, dryRun: this.options.dryRun ?? false, checksum }, runOptions);
    }
    const [outcome, seen]: [RsyncOutcome, PodTarget | undefined] = await Promise.all([transfer, checking]);
    if (seen && !samePodInstance(seen, target)) return this.adoptPod(seen);
    const where = `${target.name}:${remotePath}`;
    switch (outcome.status) {
      case "aborted":
        return undefined;
      case "missing-remote-rsync":
        throw new SyncError(
          `the container ${target.container} of pod ${target.name} has no rsync, which beta sync runs inside the container (${outcome.problem}): add rsync to the app's image (Debian/Ubuntu: RUN apt-get update && apt-get install -y rsync; Alpine: RUN apk add --no-cache rsync), redeploy, then run beta sync again`,
          false,
        );
      case "transient":
        throw new SyncError(`syncing into ${where} failed: ${outcome.problem}`, true);
      case "fatal":
        throw new SyncError(`syncing into ${where} failed: ${outcome.problem}; check --path/--remote-path and the container, then run beta sync again`, false);
      case "partial":
        this.runs++;
        if (this.options.once || this.options.dryRun) {
          throw new SyncError(`some files could not be synced into ${where}: ${outcome.problem}; fix the permissions or paths named and run beta sync again`, false);
        }
        this.emit({ type: "warning", message: `some files could not be synced into ${where}: ${outcome.problem}` });
        await this.prepareNext();
        return undefined;
      case "ok": {
        this.runs++;
        const durationMs = this.deps.clock.now() - started;
        const sent = `${formatBytes(outcome.stats.bytesSent)} sent, ${formatDuration(durationMs)}`;
        let message: string;
        if (this.options.dryRun) {
          message = `dry run: ${summariseChanges(contentChanges(outcome.changes))} would be made in ${where}; nothing was changed`;
        } else if (baseline) {
          message = `first sync done (${baseline.reason}): ${summariseChanges(contentChanges(outcome.changes))}; ${sent}`;
        } else if (job.full) {
          message = `full sync done (${job.reason}): ${summariseChanges(contentChanges(outcome.changes))}; ${files} files checked, ${sent}`;
        } else {
          message = `${describeRun(outcome.changes)} (${sent})`;
        }
        if (outcome.vanished) message += "; some files vanished while being sent and will follow with the next run";
        this.emit({
          type: "sync",
          message,
          full: job.full && !baseline,
          dryRun: this.options.dryRun ?? false,
          reason: job.reason,
          changes: outcome.changes,
          stats: outcome.stats,
          durationMs,
          preconnected,
        });
        await this.prepareNext();
        return undefined;
      }
    }
  }

  private rsyncOptions(workDir: string): RsyncRunOptions {
    return { rsync: this.deps.rsync, kubectl: this.deps.kubectl, rshScript: this.deps.rshScript, env: this.deps.env, signal: this.abort.signal, workDir };
  }

  private takePrepared(): PreparedRsync | undefined {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (this.preparedTimer !== undefined) this.deps.clock.clearTimeout(this.preparedTimer);
    this.preparedTimer = undefined;
    return prepared;
  }

  /**
   * Connects the next watch run ahead of time (watch mode only), so that a save pays for
   * the transfer, not for kubectl exec and rsync start-up. Refreshed while unused, because
   * an idle connection may be cut by rsync's --timeout or by the network.
   */
  private async prepareNext(): Promise<void> {
    this.takePrepared()?.discard();
    if (this.options.once || this.options.dryRun || this.options.preconnect === false || this.stopped) return;
    const { pod, remotePath, workDir, rules } = this;
    if (!pod || !remotePath || !workDir || !rules) return;
    let prepared: PreparedRsync;
    try {
      prepared = await prepareRsync({ localRoot: this.root, target: pod, remotePath, filterRules: rules.receiverRules() }, this.rsyncOptions(workDir));
    } catch {
      return; // No head start this time; the next run starts cold and reports any problem.
    }
    if (this.stopped) return prepared.discard();
    this.prepared = prepared;
    const refresh = (): void => {
      if (this.prepared !== prepared || this.stopped) return;
      if (this.busy) this.preparedTimer = this.deps.clock.setTimeout(refresh, this.options.preconnectRefreshMs ?? 45_000);
      else void this.prepareNext();
    };
    this.preparedTimer = this.deps.clock.setTimeout(refresh, this.options.preconnectRefreshMs ?? 45_000);
  }
}

/** Starts a sync session. Names are validated before anything runs (NameError). */
export function startSync(options: SyncOptions, deps: Partial<SyncDeps> = {}): SyncSession {
  const env = deps.env ?? process.env;
  return new Session(options, {
    kubectl: deps.kubectl ?? kubectlPath(env),
    rsync: deps.rsync ?? "rsync",
    rshScript: deps.rshScript ?? RSH_SCRIPT,
    clock: deps.clock ?? systemClock,
    env,
    log: deps.log ?? (() => undefined),
  });
}

/** One full sync (or dry run) to completion. */
export function syncOnce(options: Omit<SyncOptions, "once">, deps: Partial<SyncDeps> = {}): Promise<SyncOutcome> {
  return startSync({ ...options, once: true }, deps).done;
}
