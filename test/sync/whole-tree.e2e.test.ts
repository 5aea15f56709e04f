/**
 * Whole-tree runs (`--once`, the initial sync, the re-sync into a replaced pod) find changed
 * files the way plain `rsync -a` does, by size and mtime, but with the nanoseconds: real
 * rsync through the kubectl stand-in.
 */
import { execFileSync } from "node:child_process";
import { promises as fs } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contentChanges } from "../../cli/sync/itemize";
import { fileContent, SyncFixture, writeFiles } from "../support/sync-fixture";

let fixture: SyncFixture;
beforeEach(async () => {
  fixture = await SyncFixture.create();
});
afterEach(async () => {
  await fixture.cleanup();
});

/** Sets a file's mtime to the nanosecond (Node's utimes rounds to microseconds at best). */
function setMtime(file: string, secondsDotNanos: string): void {
  execFileSync("touch", ["-m", "-d", `@${secondsDotNanos}`, file]);
}

describe("beta sync --once, run twice", () => {
  it(
    "sends a same-size edit saved within the same second as the synced version, and nothing else",
    async () => {
      const remote = await fixture.newRemote("a");
      const control = await fixture.newRemote("control");
      await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
      await writeFiles(fixture.local, { "config.json": '{"port":8080}\n', "src/index.js": "console.log(1)\n" });
      const config = path.join(fixture.local, "config.json");
      setMtime(config, "1700000000.100000000");

      const first = await fixture.start({ once: true }).session.done;
      expect(first.ok, first.error?.message).toBe(true);
      // The control copy is made the way rsync does by default: mtimes to the second.
      execFileSync("rsync", ["-rlt", "./", `${control}/`], { cwd: fixture.local });

      // Same size, same second, 0.5 s later.
      await fs.writeFile(config, '{"port":9090}\n');
      setMtime(config, "1700000000.600000000");
      const { session, events } = fixture.start({ once: true });
      const second = await session.done;
      execFileSync("rsync", ["-rlt", "./", `${control}/`], { cwd: fixture.local });

      expect(second.ok, second.error?.message).toBe(true);
      expect(await fileContent(path.join(remote, "config.json"))).toBe('{"port":9090}\n');
      const run = events.find((e) => e.type === "sync");
      expect(run?.type === "sync" && contentChanges(run.changes).map((c) => c.path)).toEqual(["config.json"]);
      // What this guards against: rsync's default quick check misses the edit.
      expect(await fileContent(path.join(control, "config.json"))).toBe('{"port":8080}\n');
    },
    60_000,
  );
});
