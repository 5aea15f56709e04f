/**
 * `beta sync` end to end: real rsync, real files, the kubectl stand-in playing the
 * cluster (test/support/fake-kubectl.mjs). Each "container" is a temp directory.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SyncEvent } from "../../cli/sync";
import { fileContent, readTree, SLOW_RSYNC, snapshotTree, SyncFixture, waitFor, writeFiles } from "../support/sync-fixture";

let fixture: SyncFixture;
beforeEach(async () => {
  fixture = await SyncFixture.create();
});
afterEach(async () => {
  await fixture.cleanup();
});

const E2E_TIMEOUT = 60_000;

/** A reachable API server that cannot serve the request for now: what backoff may heal. */
const UNAVAILABLE = "Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods)";

function messages(events: SyncEvent[], type?: SyncEvent["type"]): string[] {
  return events.filter((e) => type === undefined || e.type === type).map((e) => e.message);
}

async function remoteHas(remote: string, rel: string, content?: string): Promise<boolean> {
  const actual = await fileContent(path.join(remote, rel));
  return content === undefined ? actual !== undefined : actual === content;
}

/** Waits until `dir` holds exactly `files` (rsync's temporary files make it differ meanwhile). */
async function waitForTree(what: string, dir: string, files: Record<string, string>): Promise<void> {
  const expected = JSON.stringify(Object.entries(files).sort());
  await waitFor(what, async () => JSON.stringify([...(await readTree(dir))].sort()) === expected);
}

async function remoteLacks(remote: string, rel: string): Promise<boolean> {
  return (await fs.lstat(path.join(remote, rel)).catch(() => undefined)) === undefined;
}

describe("beta sync --once", () => {
  it(
    "mirrors the tree into the pod's workingDir, deletes strays there, and keeps the container's ignored files",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, {
        ".gitignore": "*.log\ndist/\n.env\n",
        ".betaignore": "secrets/\n",
        "src/index.js": "console.log(1)\n",
        "src/lib/util.js": "export const u = 1;\n",
        "README.md": "new readme",
        "app.log": "local log",
        "dist/bundle.js": "local build",
        ".env": "TOKEN=local",
        "secrets/key.pem": "key",
        "node_modules/left-pad/index.js": "local dep",
        ".git/HEAD": "ref: refs/heads/main",
      });
      await writeFiles(remote, {
        "node_modules/express/index.js": "installed in the image",
        "dist/bundle.js": "built in the image",
        "server.log": "written by the app",
        "stale.js": "deleted locally long ago",
        "src/removed.js": "deleted locally long ago",
        "README.md": "old readme",
      });
      const localBefore = await snapshotTree(fixture.local);

      const { session, events } = fixture.start({ once: true });
      const outcome = await session.done;

      expect(outcome, outcome.error?.message).toMatchObject({ ok: true, runs: 1 });
      expect(Object.fromEntries(await readTree(remote))).toEqual({
        ".gitignore": "*.log\ndist/\n.env\n",
        ".betaignore": "secrets/\n",
        "src/index.js": "console.log(1)\n",
        "src/lib/util.js": "export const u = 1;\n",
        "README.md": "new readme",
        // Ignored paths are neither sent nor deleted: the image's own copies stay.
        "node_modules/express/index.js": "installed in the image",
        "dist/bundle.js": "built in the image",
        "server.log": "written by the app",
      });
      expect(messages(events, "target")[0]).toBe(`syncing ${fixture.local} → beta-alice/web-abc (container web):${remote}`);
      expect(messages(events, "sync")[0]).toMatch(/^full sync done \(initial sync\): 1 updated, 5 created, 2 deleted; 5 files checked/);
      expect(await snapshotTree(fixture.local)).toEqual(localBefore);
      const calls = await fixture.calls();
      expect(calls.map((c) => c.argv.slice(0, 10).join(" "))).toEqual([
        "get pods -n beta-alice -l app.kubernetes.io/name=web -o json --request-timeout=8s",
        "exec -i -n beta-alice web-abc -c web -- rsync --server",
      ]);
    },
    E2E_TIMEOUT,
  );

  it(
    "--remote-path overrides the workingDir; a container without one, or '/', is refused with advice",
    async () => {
      const remote = await fixture.newRemote("override");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", "/nonexistent-workdir")] });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const ok = await fixture.start({ once: true, remotePath: remote }).session.done;
      expect(ok.ok, ok.error?.message).toBe(true);
      expect(await remoteHas(remote, "a.txt", "a")).toBe(true);

      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", "/", { containers: [{ name: "web" }] })] });
      const noWorkdir = await fixture.start({ once: true }).session.done;
      expect(noWorkdir.ok).toBe(false);
      expect(noWorkdir.error?.message).toMatch(/container web of pod web-abc has no workingDir.*pass --remote-path <dir>/);

      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", "/")] });
      const root = await fixture.start({ once: true }).session.done;
      expect(root.ok).toBe(false);
      expect(root.error?.message).toMatch(/workingDir of container web "\/" is the container's root.*will not do that to "\/"/);
    },
    E2E_TIMEOUT,
  );
});

describe("beta sync --context", () => {
  it(
    "runs every kubectl of the sync, rsync's remote shell included, in the chosen context",
    async () => {
      const remote = await fixture.newRemote("context");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const outcome = await fixture.start({ once: true }, { env: { ...fixture.env, BETA_SYNC_CONTEXT: "staging" } }).session.done;
      expect(outcome.ok, outcome.error?.message).toBe(true);
      expect(await remoteHas(remote, "a.txt", "a")).toBe(true);
      const calls = await fixture.calls();
      expect(calls.map((call) => call.argv[2]).sort()).toEqual(expect.arrayContaining(["exec", "get"]));
      for (const call of calls) expect(call.argv.slice(0, 2), call.argv.join(" ")).toEqual(["--context", "staging"]);
    },
    E2E_TIMEOUT,
  );
});

describe("beta sync --dry-run", () => {
  it(
    "lists what would change and changes nothing, remotely or locally",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { "new.js": "new", "changed.js": "v2 longer", "same.js": "same", "dir/inner.js": "i" });
      await writeFiles(remote, { "changed.js": "v1", "same.js": "same", "stale.js": "stale" });
      const localBefore = await snapshotTree(fixture.local);
      const remoteBefore = await snapshotTree(remote);

      const { session, events } = fixture.start({ dryRun: true });
      const outcome = await session.done;

      expect(outcome.ok, outcome.error?.message).toBe(true);
      const run = events.find((e): e is Extract<SyncEvent, { type: "sync" }> => e.type === "sync");
      expect(run?.dryRun).toBe(true);
      const changes = (run?.changes ?? []).filter((c) => c.kind !== "attributes").map((c) => `${c.kind} ${c.path}`);
      expect(changes.sort()).toEqual(["create dir/", "create dir/inner.js", "create new.js", "delete stale.js", "update changed.js"]);
      expect(run?.message).toMatch(/^dry run: 1 updated, 3 created, 1 deleted would be made in web-abc:.*; nothing was changed$/);
      expect(await snapshotTree(remote)).toEqual(remoteBefore);
      expect(await snapshotTree(fixture.local)).toEqual(localBefore);
    },
    E2E_TIMEOUT,
  );
});

describe("beta sync (watching)", () => {
  it(
    "sends edits, new and deleted files and directories, and renames; never ignored files; never touches the local tree",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, {
        ".gitignore": "*.log\n",
        ".betaignore": "scratch/\n",
        "src/a.js": "a1",
        "src/old-name.js": "renamed file",
        "lib/one.js": "one",
        "lib/two.js": "two",
      });
      const { session, events } = fixture.start();
      expect(await session.watching).toBe(true);
      expect(await remoteHas(remote, "lib/two.js", "two")).toBe(true);

      // An edit.
      await fs.writeFile(path.join(fixture.local, "src/a.js"), "a2");
      await waitFor("the edit to reach the container", () => remoteHas(remote, "src/a.js", "a2"));
      // Same size, same second: rsync's mtime quick check alone would miss this one.
      await fs.writeFile(path.join(fixture.local, "src/a.js"), "a3");
      await waitFor("a same-size edit to reach the container", () => remoteHas(remote, "src/a.js", "a3"));

      // New files and a new directory tree.
      await writeFiles(fixture.local, { "src/new.js": "new", "pkg/deep/x.js": "x", "pkg/y.js": "y" });
      await waitFor("new files and directories", async () => (await remoteHas(remote, "src/new.js", "new")) && (await remoteHas(remote, "pkg/deep/x.js", "x")) && (await remoteHas(remote, "pkg/y.js", "y")));

      // Deleted file and deleted directory tree.
      await fs.rm(path.join(fixture.local, "lib/two.js"));
      await fs.rm(path.join(fixture.local, "pkg"), { recursive: true });
      await waitFor("deletions", async () => (await remoteLacks(remote, "lib/two.js")) && (await remoteLacks(remote, "pkg")));

      // Renames of a file and of a directory.
      await fs.rename(path.join(fixture.local, "src/old-name.js"), path.join(fixture.local, "src/new-name.js"));
      await fs.rename(path.join(fixture.local, "lib"), path.join(fixture.local, "library"));
      await waitFor(
        "renames",
        async () =>
          (await remoteHas(remote, "src/new-name.js", "renamed file")) &&
          (await remoteLacks(remote, "src/old-name.js")) &&
          (await remoteHas(remote, "library/one.js", "one")) &&
          (await remoteLacks(remote, "lib")),
      );

      // Ignored files, then a marker: once the marker is there, the batch with them is done.
      await fs.mkdir(path.join(fixture.local, ".git"), { recursive: true });
      await writeFiles(fixture.local, { "debug.log": "x", "scratch/notes.txt": "x", "node_modules/dep/index.js": "x", ".git/config": "x", "src/deep/node_modules/d.js": "x" });
      await writeFiles(fixture.local, { "src/marker.js": "marker" });
      await waitFor("the marker", () => remoteHas(remote, "src/marker.js", "marker"));
      for (const ignored of ["debug.log", "scratch", "node_modules", ".git", "src/deep/node_modules"]) {
        expect(await remoteLacks(remote, ignored), `${ignored} must not be sent`).toBe(true);
      }

      // The whole remote tree is now the local one minus what is ignored.
      const local = await readTree(fixture.local);
      const expected = Object.fromEntries(
        [...local].filter(([rel]) => !/(^|\/)(node_modules|\.git|scratch)\//.test(rel) && !rel.endsWith(".log")),
      );
      await waitForTree("the mirror to settle", remote, expected);

      // Syncing, polling and stopping leave the local tree exactly as the test left it.
      const localBefore = await snapshotTree(fixture.local);
      await waitFor("a pod poll", async () => (await fixture.calls()).filter((c) => c.argv[0] === "get").length >= 3, 5000);
      await session.stop();
      expect(await snapshotTree(fixture.local)).toEqual(localBefore);

      // Every exec was `kubectl exec -i ... -- rsync --server`, never with a TTY.
      const execs = (await fixture.calls()).filter((c) => c.argv[0] === "exec");
      expect(execs.length).toBeGreaterThan(3);
      for (const call of execs) {
        expect(call.argv.slice(0, 9)).toEqual(["exec", "-i", "-n", "beta-alice", "web-abc", "-c", "web", "--", "rsync"]);
        expect(call.argv).not.toContain("-t");
      }
      expect(messages(events, "warning")).toEqual([]);
    },
    E2E_TIMEOUT,
  );

  it(
    "editing an ignore file takes effect at once: a directory no longer ignored is synced and watched",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { ".betaignore": "scratch/\n", "scratch/notes.txt": "notes", "src/a.js": "a" });
      const { session, events } = fixture.start();
      expect(await session.watching).toBe(true);
      expect(await remoteLacks(remote, "scratch")).toBe(true);

      await fs.writeFile(path.join(fixture.local, ".betaignore"), "# nothing ignored any more\n");
      await waitFor("the no longer ignored directory", () => remoteHas(remote, "scratch/notes.txt", "notes"));
      await waitFor("the full sync's report", () => messages(events, "sync").some((m) => m.startsWith("full sync done (ignore rules changed)")));
      await writeFiles(fixture.local, { "scratch/later.txt": "later" });
      await waitFor("a new file in it", () => remoteHas(remote, "scratch/later.txt", "later"));
      await session.stop();
    },
    E2E_TIMEOUT,
  );

  it(
    "keeps a connection open for the next save, refreshes it while idle, and leaves none behind",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const { session, events } = fixture.start({ preconnectRefreshMs: 200 });
      expect(await session.watching).toBe(true);
      const sessions = async (kind: string): Promise<number> => (await fixture.sessionEvents()).filter(([event]) => event === kind).length;
      // The initial sync's session, then one kept open, refreshed twice while nothing changes.
      await waitFor("refreshed connections", async () => (await sessions("#connected")) >= 4);

      await fs.writeFile(path.join(fixture.local, "a.txt"), "saved");
      await waitFor("the save", () => remoteHas(remote, "a.txt", "saved"));
      const run = await waitFor("the save's run", () => events.find((e): e is Extract<SyncEvent, { type: "sync" }> => e.type === "sync" && !e.full));
      expect(run.preconnected).toBe(true);

      await session.stop();
      await waitFor("every exec session to end", async () => (await sessions("#ended")) === (await sessions("#connected")));
      expect(await sessions("#cut")).toBe(0);
    },
    E2E_TIMEOUT,
  );

  it(
    "changes made while a run is in progress get exactly one follow-up run, with all of them",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { "a.txt": "a0", "b.txt": "b0", "c.txt": "c0", "d.txt": "d0" });
      const rsyncLog = path.join(fixture.base, "rsync-starts.log");
      const starts = async (): Promise<number> => ((await fileContent(rsyncLog)) ?? "").split("\n").filter(Boolean).length;
      // Cold runs only, so that every run pays the slow start.
      const { session, events } = fixture.start(
        { debounceMs: 20, preconnect: false },
        { rsync: SLOW_RSYNC, env: { ...fixture.env, SLOW_RSYNC_LOG: rsyncLog, SLOW_RSYNC_SECONDS: "1" } },
      );
      expect(await session.watching).toBe(true);
      const runs = (): Extract<SyncEvent, { type: "sync" }>[] => events.filter((e): e is Extract<SyncEvent, { type: "sync" }> => e.type === "sync" && !e.full);

      await fs.writeFile(path.join(fixture.local, "a.txt"), "a1");
      await waitFor("the run for a.txt to start", async () => (await starts()) === 2);
      // While that run is under way, three more saves.
      for (const name of ["b", "c", "d"]) {
        await fs.writeFile(path.join(fixture.local, `${name}.txt`), `${name}1`);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      await waitFor("the follow-up run", () => runs().length === 2, 15_000);
      expect(runs().map((run) => run.changes.map((c) => c.path).sort())).toEqual([["a.txt"], ["b.txt", "c.txt", "d.txt"]]);
      // And no third run: the queue is empty.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await starts()).toBe(3);
      expect(Object.fromEntries(await readTree(remote))).toEqual({ "a.txt": "a1", "b.txt": "b1", "c.txt": "c1", "d.txt": "d1" });
      await session.stop();
    },
    E2E_TIMEOUT,
  );
});

describe("pod replacement", () => {
  it(
    "a new pod (CI refresh, reschedule) gets the whole tree on its own, and so does a restarted container",
    async () => {
      const first = await fixture.newRemote("first");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", first)] });
      await writeFiles(fixture.local, { "src/app.js": "edited locally", "src/util/x.js": "x", "README.md": "r" });
      const { session, events } = fixture.start();
      expect(await session.watching).toBe(true);
      expect(await remoteHas(first, "src/app.js", "edited locally")).toBe(true);
      let localBefore = await snapshotTree(fixture.local);

      // The Deployment rolls: a new pod, new UID, a fresh container with an empty workingDir.
      const second = await fixture.newRemote("second");
      await fixture.writeState({ pods: [fixture.pod("web-def", "uid-2", second)] });
      await waitForTree("the full re-sync into the new pod", second, { "src/app.js": "edited locally", "src/util/x.js": "x", "README.md": "r" });
      expect(messages(events, "replaced")).toEqual(["pod web-abc replaced by web-def: full re-sync"]);
      expect(await snapshotTree(fixture.local)).toEqual(localBefore);

      // Edits now go to the new pod.
      await fs.writeFile(path.join(fixture.local, "README.md"), "r2");
      await waitFor("an edit into the new pod", () => remoteHas(second, "README.md", "r2"));
      localBefore = await snapshotTree(fixture.local);

      // The container crashes and restarts in place: same pod, new container, files gone.
      await fs.rm(second, { recursive: true });
      await fs.mkdir(second);
      await fixture.updateState((state) => {
        const pod = state.pods[0];
        if (pod) pod.containerId = "containerd://restarted";
      });
      await waitForTree("the re-sync into the restarted container", second, { "src/app.js": "edited locally", "src/util/x.js": "x", "README.md": "r2" });
      expect(messages(events, "replaced")).toEqual(["pod web-abc replaced by web-def: full re-sync", "container web in pod web-def restarted: full re-sync"]);
      expect(await remoteHas(second, "README.md", "r2")).toBe(true);

      await session.stop();
      expect(await snapshotTree(fixture.local)).toEqual(localBefore);
    },
    E2E_TIMEOUT,
  );

  it(
    "a pod replaced while its old one is gone: the failed run is followed by a full re-sync into the new pod",
    async () => {
      const first = await fixture.newRemote("first");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", first)] });
      await writeFiles(fixture.local, { "a.txt": "1", "b.txt": "b" });
      const { session, events } = fixture.start({ pollIntervalMs: 60_000, recheckAfterMs: 0 });
      expect(await session.watching).toBe(true);
      const second = await fixture.newRemote("second");
      await fixture.writeState({ pods: [fixture.pod("web-def", "uid-2", second)] });
      // No poll will come soon: the edit's own run discovers the replacement.
      await fs.writeFile(path.join(fixture.local, "a.txt"), "2");
      await waitFor("everything in the new pod", async () => (await remoteHas(second, "a.txt", "2")) && (await remoteHas(second, "b.txt", "b")));
      expect(messages(events, "replaced")).toEqual(["pod web-abc replaced by web-def: full re-sync"]);
      // The old pod's exec sessions ended with it: the edit's run went there and failed,
      // and the replacement found alongside it, not a backoff, came next.
      const execs = (await fixture.calls()).filter((c) => c.argv[0] === "exec").map((c) => c.argv[4]);
      const firstNew = execs.indexOf("web-def");
      expect(firstNew).toBeGreaterThan(1);
      expect(execs.slice(0, firstNew).every((pod) => pod === "web-abc")).toBe(true);
      expect(execs.slice(firstNew).every((pod) => pod === "web-def")).toBe(true);
      expect(messages(events, "retry")).toEqual([]);
      await session.stop();
    },
    E2E_TIMEOUT,
  );
});

describe("failures", () => {
  it(
    "retries an API server that answers with an error, with backoff, says so, and syncs once it works",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)], failGet: 2, failGetMessage: UNAVAILABLE });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const { session, events } = fixture.start({ once: true });
      const outcome = await session.done;
      expect(outcome.ok, outcome.error?.message).toBe(true);
      expect(await remoteHas(remote, "a.txt", "a")).toBe(true);
      const retries = events.filter((e): e is Extract<SyncEvent, { type: "retry" }> => e.type === "retry");
      expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
        [2, 50],
        [3, 100],
      ]);
      expect(retries[0]?.message).toBe(
        'could not list pods of app "web" in beta-alice: Error from server (ServiceUnavailable): the server is currently unable to handle the request (get pods); retrying in 50 ms (attempt 2 of 11)',
      );
    },
    E2E_TIMEOUT,
  );

  it.each([
    ["--once", { once: true }],
    ["watching", {}],
  ])(
    "%s with no reachable cluster fails on the first pod lookup with kubectl's reason, without retrying",
    async (_mode, options) => {
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", await fixture.newRemote("a"))], failGet: 100 });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const { session, events } = fixture.start(options);
      const outcome = await session.done;
      expect(await session.watching).toBe(false);
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.message).toBe(
        "no cluster answered kubectl: Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused. Check your cluster access with `beta doctor`; `beta kubeconfig` adds a context for the platform's cluster, then run beta sync again",
      );
      expect(messages(events, "retry")).toEqual([]);
      const calls = await fixture.calls();
      expect(calls.map((c) => c.argv[0])).toEqual(["get"]);
      expect(calls[0].argv).toContain("--request-timeout=8s");
    },
    E2E_TIMEOUT,
  );

  it(
    "a cluster lost after the pod was found is a dropped connection: the pod check keeps trying and recovers",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const { session, events } = fixture.start({ pollIntervalMs: 50 });
      expect(await session.watching).toBe(true);
      await fixture.updateState((state) => {
        state.failGet = 2;
      });
      await waitFor("the pod check to work again", async () => messages(events, "warning").some((m) => m.startsWith("pod check works again")));
      expect(messages(events, "warning")[0]).toBe(
        'cannot check the pod: lost the cluster while listing pods of app "web" in beta-alice: Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused; will keep trying',
      );
      const outcome = await session.stop();
      expect(outcome.error).toBeUndefined();
    },
    E2E_TIMEOUT,
  );

  it(
    "retries a dropped exec connection while watching, and the edit still arrives",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const { session, events } = fixture.start();
      expect(await session.watching).toBe(true);
      // The network drops: the connection kept open for the next run dies, and the next
      // two attempts to reconnect fail too.
      await waitFor("the connection kept open for the next run", async () => (await fixture.sessionEvents()).filter(([event]) => event === "#connected").length === 2);
      await fixture.updateState((state) => {
        state.failExec = 2;
        state.dropSessions = (state.dropSessions ?? 0) + 1;
      });
      await waitFor("the open connection to drop", async () => (await fixture.sessionEvents()).some(([event]) => event === "#cut"));
      await fs.writeFile(path.join(fixture.local, "a.txt"), "after the outage");
      await waitFor("the edit after retries", () => remoteHas(remote, "a.txt", "after the outage"));
      const retries = messages(events, "retry");
      expect(retries.length).toBeGreaterThanOrEqual(2);
      expect(retries.at(-1)).toMatch(/^syncing into web-abc:.* failed: error: unable to upgrade connection: pod does not exist; retrying in \d+ ms \(attempt \d+ of 11\)$/);
      await session.stop();
    },
    E2E_TIMEOUT,
  );

  it(
    "gives up after the bounded number of attempts, saying what is wrong and what to do",
    async () => {
      await fixture.writeState({ pods: [], failGet: 100, failGetMessage: UNAVAILABLE });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const { session } = fixture.start({ once: true, retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 } });
      const outcome = await session.done;
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.message).toMatch(/ServiceUnavailable.*gave up after 3 attempts; check the cluster with: kubectl get pods -n beta-alice/);
      expect((await fixture.calls()).filter((c) => c.argv[0] === "get")).toHaveLength(3);
    },
    E2E_TIMEOUT,
  );

  it(
    "a container without rsync fails at once with how to add it, without retrying",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)], noRsync: true });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const localBefore = await snapshotTree(fixture.local);
      const { session, events } = fixture.start({ once: true });
      const outcome = await session.done;
      expect(outcome.ok).toBe(false);
      expect(outcome.error?.message).toMatch(/^the container web of pod web-abc has no rsync, which beta sync runs inside the container \(.*executable file not found.*\): add rsync to the app's image \(Debian\/Ubuntu: RUN apt-get update && apt-get install -y rsync; Alpine: RUN apk add --no-cache rsync\), redeploy, then run beta sync again$/);
      expect(messages(events, "retry")).toEqual([]);
      expect((await fixture.calls()).filter((c) => c.argv[0] === "exec")).toHaveLength(1);
      expect(await snapshotTree(fixture.local)).toEqual(localBefore);
    },
    E2E_TIMEOUT,
  );

  it(
    "waits for a Ready pod during a rollout",
    async () => {
      const remote = await fixture.newRemote("a");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote, { ready: false })] });
      await writeFiles(fixture.local, { "a.txt": "a" });
      const { session, events } = fixture.start({ once: true, retry: { initialDelayMs: 100, maxDelayMs: 100 } });
      await waitFor("a retry", () => events.some((e) => e.type === "retry"));
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      const outcome = await session.done;
      expect(outcome.ok, outcome.error?.message).toBe(true);
      expect(messages(events, "retry")[0]).toMatch(/^no Ready pod of app "web" in namespace beta-alice yet \(web-abc: not ready\)/);
    },
    E2E_TIMEOUT,
  );
});
