/**
 * The first sync into a container running a release sends only what differs from the
 * release's commit, then verifies the rest in the background: real git, real rsync, the
 * kubectl stand-in.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SyncEvent } from "../../cli/sync";
import { contentChanges } from "../../cli/sync/itemize";
import { commitAll, exportCommit, git } from "../support/git-repo";
import { fileContent, readTree, SyncFixture, waitFor, writeFiles } from "../support/sync-fixture";

let fixture: SyncFixture;
beforeEach(async () => {
  fixture = await SyncFixture.create();
});
afterEach(async () => {
  await fixture.cleanup();
});

type RunEvent = Extract<SyncEvent, { type: "sync" }>;
const runs = (events: SyncEvent[]): RunEvent[] => events.filter((e): e is RunEvent => e.type === "sync");
const E2E_TIMEOUT = 60_000;

async function releaseTree(): Promise<string> {
  await writeFiles(fixture.local, {
    ".gitignore": "*.log\n",
    "src/a.js": "a = 1\n",
    "src/b.js": "b = 1\n",
    "lib/c.js": "c = 1\n",
    "old.js": "old\n",
  });
  return commitAll(fixture.local);
}

describe("beta sync into a container running a release", () => {
  it(
    "sends only the files that differ from the release's commit, then verifies the rest in the background",
    async () => {
      const commit = await releaseTree();
      const remote = await fixture.newRemote("release");
      exportCommit(fixture.local, commit, remote);
      // The image's copy differs from its commit in one file git cannot know about.
      await writeFiles(remote, { "src/b.js": "b = 0\n", "node_modules/express/index.js": "installed in the image" });
      await fs.writeFile(path.join(fixture.local, "src/a.js"), "a = 2\n");
      await fs.rm(path.join(fixture.local, "old.js"));
      git(fixture.local, "mv", "lib/c.js", "lib/d.js");
      await writeFiles(fixture.local, { "src/new.js": "new\n", "debug.log": "ignored" });
      await fixture.writeState({
        pods: [fixture.pod("web-abc", "uid-1", remote, { containers: [{ name: "web", workingDir: remote, image: `registry.example.com:5000/web:master-${commit.slice(0, 7)}` }] })],
      });

      const { session, events } = fixture.start();
      expect(await session.watching).toBe(true);

      const baseline = events.find((e) => e.type === "baseline");
      expect(baseline).toMatchObject({ commit, files: 5 });
      const first = runs(events)[0];
      expect(first?.full).toBe(false);
      expect(contentChanges(first?.changes ?? []).map((c) => `${c.kind} ${c.path}`).sort()).toEqual([
        "create lib/d.js",
        "create src/new.js",
        "delete lib/c.js",
        "delete old.js",
        "update src/a.js",
      ]);
      expect(await fileContent(path.join(remote, "src/a.js"))).toBe("a = 2\n");
      // Connected while git listed the changes: one exec, no second start-up after git.
      expect(first?.preconnected).toBe(true);

      const verify = await waitFor("the background verification", () => runs(events).find((r) => /verifying the rest against release/.test(r.reason)));
      expect(contentChanges(verify.changes).map((c) => c.path)).toEqual(["src/b.js"]);
      expect(Object.fromEntries(await readTree(remote))).toEqual({
        ".gitignore": "*.log\n",
        "src/a.js": "a = 2\n",
        "src/b.js": "b = 1\n",
        "src/new.js": "new\n",
        "lib/d.js": "c = 1\n",
        "node_modules/express/index.js": "installed in the image",
      });
      await session.stop();
    },
    E2E_TIMEOUT,
  );

  it(
    "applies the ignore files above each listed path, and sends a tracked file replaced by a directory without what is ignored in it",
    async () => {
      await writeFiles(fixture.local, { ".gitignore": "*.log\n", conf: "x = 1\n", "src/a.js": "a = 1\n", "src/.betaignore": "secret.js\n", "src/secret.js": "s = 1\n" });
      const commit = commitAll(fixture.local);
      const remote = await fixture.newRemote("release");
      exportCommit(fixture.local, commit, remote);
      await fs.rm(path.join(fixture.local, "conf"));
      await writeFiles(fixture.local, { "conf/a.json": "{}\n", "conf/debug.log": "ignored", "src/a.js": "a = 2\n", "src/secret.js": "s = 2\n" });
      await fixture.writeState({
        pods: [fixture.pod("web-abc", "uid-1", remote, { containers: [{ name: "web", workingDir: remote, image: `example/web:master-${commit.slice(0, 7)}` }] })],
      });

      const { session, events } = fixture.start();
      expect(await session.watching).toBe(true);

      // git lists conf, conf/a.json, src/a.js and src/secret.js; src/.betaignore drops the last.
      expect(events.find((e) => e.type === "baseline")).toMatchObject({ commit, files: 3 });
      const first = runs(events)[0];
      expect(first?.full).toBe(false);
      expect(contentChanges(first?.changes ?? []).map((c) => c.path).filter((p) => /secret|debug/.test(p))).toEqual([]);
      await waitFor("the background verification", () => runs(events).find((r) => /verifying the rest against release/.test(r.reason)));
      expect(Object.fromEntries(await readTree(remote))).toEqual({
        ".gitignore": "*.log\n",
        "conf/a.json": "{}\n",
        "src/a.js": "a = 2\n",
        "src/.betaignore": "secret.js\n",
        "src/secret.js": "s = 1\n",
      });
      await session.stop();
    },
    E2E_TIMEOUT,
  );

  it.each([
    ["a release whose commit the local repository lacks", "example/web:master-0123abc", /runs release 0123abc, but commit 0123abc is not in the local repository \(git fetch gets it\): syncing the whole tree/],
    ["a branch build", "example/web:branch-feature-x", /runs example\/web:branch-feature-x, not a release build \(master-<commit>\): syncing the whole tree/],
  ])(
    "%s gets the whole tree, and says why",
    async (_why, image, message) => {
      await releaseTree();
      const remote = await fixture.newRemote("other");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote, { containers: [{ name: "web", workingDir: remote, image }] })] });

      const { session, events } = fixture.start();
      expect(await session.watching).toBe(true);

      expect(events.find((e) => e.type === "baseline")?.message).toMatch(message);
      expect(runs(events)[0]).toMatchObject({ full: true, reason: "initial sync" });
      expect(await fileContent(path.join(remote, "src/a.js"))).toBe("a = 1\n");
      await session.stop();
    },
    E2E_TIMEOUT,
  );
});
