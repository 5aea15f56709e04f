/**
 * A Beta for `beta sync` tests and benchmarks, made of temp directories: a local source
 * tree, "remote" directories standing in for containers' workingDirs, and the kubectl
 * stand-in (fake-kubectl.mjs) whose pods point at them. Files really move, via real rsync.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSync, type SyncDeps, type SyncEvent, type SyncOptions, type SyncSession } from "../../cli/sync";

export const FAKE_KUBECTL = path.join(__dirname, "fake-kubectl.mjs");
/** rsync that announces each run and starts late (see slow-rsync.sh). */
export const SLOW_RSYNC = path.join(__dirname, "slow-rsync.sh");

export interface FakePod {
  namespace: string;
  name: string;
  uid: string;
  app: string;
  ready: boolean;
  terminating?: boolean;
  createdAt: string;
  containerId?: string;
  containers: { name: string; workingDir?: string; image?: string }[];
}

export interface FakeState {
  pods: FakePod[];
  failGet?: number;
  /** kubectl's stderr for those failures (default: the API server refused the connection). */
  failGetMessage?: string;
  failExec?: number;
  noRsync?: boolean;
  dropSessions?: number;
}

export interface KubectlCall {
  argv: string[];
  time: number;
}

export class SyncFixture {
  private constructor(
    /** Everything lives under here. */
    readonly base: string,
    readonly local: string,
    readonly statePath: string,
    readonly logPath: string,
  ) {}

  static async create(): Promise<SyncFixture> {
    const base = await fs.mkdtemp(path.join(os.tmpdir(), "beta-sync-test-"));
    const local = path.join(base, "local");
    await fs.mkdir(local);
    const fixture = new SyncFixture(base, local, path.join(base, "kubectl-state.json"), path.join(base, "kubectl-log.jsonl"));
    await fixture.writeState({ pods: [] });
    return fixture;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, BETA_KUBECTL: FAKE_KUBECTL, FAKE_KUBECTL_STATE: this.statePath, FAKE_KUBECTL_LOG: this.logPath };
  }

  /** A fresh, empty directory standing in for a new container's workingDir. */
  async newRemote(label: string): Promise<string> {
    const dir = path.join(this.base, `remote-${label}`);
    await fs.mkdir(dir, { recursive: true });
    return dir;
  }

  /** A Ready pod of `app` in beta-<name> whose container `app` works in `workingDir`. */
  pod(name: string, uid: string, workingDir: string, overrides: Partial<FakePod> = {}): FakePod {
    return {
      namespace: "beta-alice",
      name,
      uid,
      app: "web",
      ready: true,
      createdAt: new Date(Date.UTC(2025, 0, 1) + Number(uid.replace(/\D/g, "") || 0) * 1000).toISOString(),
      containers: [{ name: "web", workingDir }],
      ...overrides,
    };
  }

  async writeState(state: FakeState): Promise<void> {
    const tmp = `${this.statePath}.test.tmp`;
    await fs.writeFile(tmp, JSON.stringify(state, null, 2));
    await fs.rename(tmp, this.statePath);
  }

  async readState(): Promise<FakeState> {
    return JSON.parse(await fs.readFile(this.statePath, "utf8")) as FakeState;
  }

  async updateState(change: (state: FakeState) => void): Promise<void> {
    const state = await this.readState();
    change(state);
    await this.writeState(state);
  }

  /** kubectl invocations, in order. */
  async calls(): Promise<KubectlCall[]> {
    return (await this.log()).filter((entry) => !entry.argv[0]?.startsWith("#"));
  }

  /** Exec session events: ["#connected", pod], ["#cut", pod], ["#ended", pod, exitCode]. */
  async sessionEvents(): Promise<string[][]> {
    return (await this.log()).filter((entry) => entry.argv[0]?.startsWith("#")).map((entry) => entry.argv);
  }

  private async log(): Promise<KubectlCall[]> {
    const text = await fs.readFile(this.logPath, "utf8").catch(() => "");
    return text
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as KubectlCall);
  }

  /** Starts a session against this fixture, recording its events. */
  start(options: Partial<SyncOptions> = {}, deps: Partial<SyncDeps> = {}): RecordedSession {
    const events: SyncEvent[] = [];
    const session = startSync(
      { name: "alice", app: "web", localPath: this.local, debounceMs: 30, pollIntervalMs: 300, retry: { initialDelayMs: 50, maxDelayMs: 200 }, ...options },
      { env: this.env, log: (event) => events.push(event), ...deps },
    );
    return { session, events };
  }

  /** Removes everything, once the exec sessions (rsync servers writing into it) have ended. */
  async cleanup(): Promise<void> {
    const open = async (): Promise<number> => {
      const events = await this.sessionEvents();
      return events.filter(([e]) => e === "#connected").length - events.filter(([e]) => e === "#ended").length;
    };
    await waitFor("exec sessions to end", async () => (await open()) <= 0, 5000).catch(() => undefined);
    await fs.rm(this.base, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  }
}

export interface RecordedSession {
  session: SyncSession;
  events: SyncEvent[];
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export type TreeSnapshot = Map<string, string>;

/**
 * Every entry under `dir` with what proves it unchanged: files by SHA-256, size, mode and
 * mtime (ns); directories by mode and mtime (so a created or removed entry shows too);
 * symlinks by target. `skip` names top-level entries to leave out.
 */
export async function snapshotTree(dir: string, options: { mtimes?: boolean } = {}): Promise<TreeSnapshot> {
  const mtimes = options.mtimes ?? true;
  const snapshot: TreeSnapshot = new Map();
  const walk = async (rel: string): Promise<void> => {
    const abs = path.join(dir, rel);
    const stat = await fs.lstat(abs, { bigint: true });
    const time = mtimes ? ` mtime=${stat.mtimeNs}` : "";
    if (stat.isSymbolicLink()) {
      snapshot.set(rel, `link -> ${await fs.readlink(abs)}`);
    } else if (stat.isDirectory()) {
      if (rel !== "") snapshot.set(`${rel}/`, `dir mode=${(stat.mode & 0o7777n).toString(8)}${time}`);
      for (const name of (await fs.readdir(abs)).sort()) await walk(rel === "" ? name : `${rel}/${name}`);
    } else {
      const hash = createHash("sha256").update(await fs.readFile(abs)).digest("hex");
      snapshot.set(rel, `file ${hash} size=${stat.size} mode=${(stat.mode & 0o7777n).toString(8)}${time}`);
    }
  };
  await walk("");
  return snapshot;
}

/** Relative path → content of every regular file under `dir`. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) files.set(child, await fs.readFile(path.join(dir, child), "utf8"));
    }
  };
  await walk("");
  return files;
}

/** Writes `files` (relative path → content) under `dir`, creating directories. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), content);
  }
}

export async function fileContent(file: string): Promise<string | undefined> {
  return fs.readFile(file, "utf8").catch(() => undefined);
}
