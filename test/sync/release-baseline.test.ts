import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { changedSince, releaseCommitOf } from "../../cli/sync/release-baseline";
import { writeFiles } from "../support/sync-fixture";
import { commitAll, git } from "../support/git-repo";

describe("which commit a container's image was built from", () => {
  it.each([
    ["a release tag", "example/web:master-3f2c1ab", "3f2c1ab"],
    ["a registry with a port", "registry.example.com:5000/web:master-3f2c1abde", "3f2c1abde"],
    ["a tag pinned by digest too", "example/web:master-3f2c1ab@sha256:abc", "3f2c1ab"],
    ["a branch build is not a release", "example/web:branch-feature-x", undefined],
    ["no tag at all", "example/web", undefined],
    ["only the registry port looks like a tag", "registry:5000/web", undefined],
    ["a tag that only starts like one", "example/web:master-3f2c1ab-dirty", undefined],
    ["no image reported", undefined, undefined],
  ])("%s: %s", (_why, image, commit) => {
    expect(releaseCommitOf(image)).toBe(commit);
  });
});

describe("the files that may differ from a release commit", () => {
  let repo: string;
  beforeEach(async () => {
    repo = await fs.mkdtemp(path.join(os.tmpdir(), "beta-baseline-"));
  });
  afterEach(async () => {
    await fs.rm(repo, { recursive: true, force: true });
  });

  it("are the edited, deleted, both ends of renamed and untracked files under the synced directory", async () => {
    await writeFiles(repo, {
      ".gitignore": "*.log\n",
      "web/a.js": "a",
      "web/b.js": "b",
      "web/lib/c.js": "c",
      "web/old.js": "old",
      "api/main.go": "package main",
    });
    const commit = commitAll(repo);
    await fs.writeFile(path.join(repo, "web/a.js"), "a2");
    await fs.rm(path.join(repo, "web/old.js"));
    git(repo, "mv", "web/lib/c.js", "web/lib/d.js");
    await writeFiles(repo, { "web/new.js": "new", "web/debug.log": "ignored by git", "api/new.go": "outside the synced directory" });

    const baseline = await changedSince(path.join(repo, "web"), commit.slice(0, 7));
    expect(baseline).toEqual({ status: "ok", commit, paths: ["a.js", "lib/c.js", "lib/d.js", "new.js", "old.js"] });
  });

  it("include what changed in commits made since the release, as well as local edits", async () => {
    await writeFiles(repo, { "web/a.js": "a", "web/b.js": "b", "web/c.js": "c", "web/d.js": "d", "web/e.js": "e", "api/main.go": "package main" });
    const release = commitAll(repo);
    // Committed after the release: an edit, a deletion, an addition, an edit undone locally, and one outside web/.
    await writeFiles(repo, { "web/a.js": "a2", "web/f.js": "f", "web/e.js": "e2", "api/main.go": "package api" });
    await fs.rm(path.join(repo, "web/b.js"));
    git(repo, "add", "--all");
    git(repo, "commit", "--quiet", "--no-verify", "-m", "after the release");
    await writeFiles(repo, { "web/c.js": "c2", "web/e.js": "e", "web/g.js": "untracked" });

    const baseline = await changedSince(path.join(repo, "web"), release.slice(0, 7));
    // e.js is back to the release's content: listed anyway, and the checksum run leaves it alone.
    expect(baseline).toEqual({ status: "ok", commit: release, paths: ["a.js", "b.js", "c.js", "e.js", "f.js", "g.js"] });
  });

  it("compare the work tree with the release directly in a repository without a HEAD of its own", async () => {
    const other = path.join(repo, "other");
    await writeFiles(other, { "a.js": "a", "b.js": "b" });
    const release = commitAll(other);
    const fresh = path.join(repo, "fresh");
    git(repo, "init", "--quiet", fresh);
    git(fresh, "fetch", "--quiet", other, release);
    git(fresh, "read-tree", release);
    git(fresh, "checkout-index", "--all");
    await writeFiles(fresh, { "a.js": "a2" });

    expect(await changedSince(fresh, release)).toEqual({ status: "ok", commit: release, paths: ["a.js"] });
  });

  it("are unavailable, with the reason, when the commit is not in the local repository", async () => {
    await writeFiles(repo, { "a.js": "a" });
    commitAll(repo);
    expect(await changedSince(repo, "deadbee")).toEqual({ status: "unavailable", reason: "commit deadbee is not in the local repository (git fetch gets it)" });
  });

  it("are unavailable outside a git work tree", async () => {
    expect(await changedSince(repo, "deadbee")).toEqual({ status: "unavailable", reason: "the local directory is not in a git work tree" });
  });
});
