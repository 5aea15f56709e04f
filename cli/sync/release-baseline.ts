/**
 * The first sync into a container running a release sends only what differs from the
 * release's commit. A release image is tagged `master-<short sha>` (see cli/image-tag.ts),
 * so its source is that commit: if the local repository has it, the files that can differ
 * are those of `git diff --name-only <sha>` (edited, added and deleted tracked files) plus
 * the untracked ones. Everything else is verified afterwards by a checksum run in the
 * background (session.ts), which also catches what git cannot see (an image whose copy
 * differs from its commit, files git ignores but the sync does not). The part of git's work
 * that reads the work tree does not need the commit, so it runs while the pod is looked up.
 */
import { runProcess } from "./process";

/** `master-<sha>`: the tag CI gives a release build (see cli/image-tag.ts). */
const RELEASE_TAG = /^master-([0-9a-f]{7,40})$/;

/** The commit a release image was built from, or undefined for any other image. Pure. */
export function releaseCommitOf(image: string | undefined): string | undefined {
  // Without a digest, the tag follows the last ':' unless that ':' is a registry port's (a '/' follows).
  const name = image?.split("@")[0] ?? "";
  const colon = name.lastIndexOf(":");
  if (colon < 0 || name.includes("/", colon)) return undefined;
  return RELEASE_TAG.exec(name.slice(colon + 1))?.[1];
}

export type Baseline =
  | { status: "ok"; commit: string; paths: string[] }
  | { status: "unavailable"; reason: string };

/** Never takes the index lock: a sync running beside the developer's own git commands must not block them. */
async function git(root: string, args: string[], signal?: AbortSignal): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const result = await runProcess("git", ["--no-optional-locks", "-C", root, ...args], { signal });
  return { ok: !result.spawnError && result.code === 0, stdout: result.stdout, stderr: result.stderr };
}

function nulList(text: string): string[] {
  return text.split("\0").filter((p) => p !== "");
}

/** The half of the answer that does not depend on the release's commit (see `localChanges`). */
export type LocalChanges = { ok: true; paths: string[] } | { ok: false; stderr: string };

/**
 * The paths under `root` that differ from HEAD: tracked files edited or deleted in the work
 * tree or the index, and untracked files git does not ignore. This is the part that reads the
 * whole work tree (git stats every tracked file and walks for untracked ones), and it does
 * not need the release's commit, so a sync starts it while kubectl is still finding the pod.
 */
export async function localChanges(root: string, signal?: AbortSignal): Promise<LocalChanges> {
  // --relative: paths relative to root and only those under it (root may be a subdirectory).
  const [edited, untracked] = await Promise.all([
    git(root, ["diff", "--name-only", "--no-renames", "--relative", "-z", "HEAD", "--"], signal),
    git(root, ["ls-files", "--others", "--exclude-standard", "-z"], signal),
  ]);
  if (!edited.ok || !untracked.ok) return { ok: false, stderr: (edited.stderr || untracked.stderr).trim() };
  return { ok: true, paths: [...nulList(edited.stdout), ...nulList(untracked.stdout)] };
}

/**
 * The paths under `root` (relative to it) that may differ from `commit`: tracked files
 * changed since it, deleted ones included (`--no-renames`, so a rename lists both its
 * old and its new path), and untracked files git does not ignore.
 *
 * Computed as what changed from `commit` to HEAD (two trees: no file is read) plus what
 * differs from HEAD locally (`local`, which may have been started earlier). A file whose
 * content differs from `commit` differs from HEAD or changed between the two, so nothing is
 * missed; a file changed and changed back is listed although equal, and the sync's checksum
 * comparison leaves it alone. Without a HEAD (a repository with no commit of its own yet),
 * the work tree is compared with `commit` directly.
 */
export async function changedSince(root: string, commit: string, signal?: AbortSignal, local: Promise<LocalChanges> = localChanges(root, signal)): Promise<Baseline> {
  const [resolved, committed] = await Promise.all([
    git(root, ["rev-parse", "--verify", "--quiet", `${commit}^{commit}`], signal),
    git(root, ["diff", "--name-only", "--no-renames", "--relative", "-z", `${commit}^{commit}`, "HEAD", "--"], signal),
  ]);
  if (!resolved.ok) {
    const inRepo = await git(root, ["rev-parse", "--is-inside-work-tree"], signal);
    return {
      status: "unavailable",
      reason: inRepo.ok ? `commit ${commit} is not in the local repository (git fetch gets it)` : "the local directory is not in a git work tree",
    };
  }
  const full = resolved.stdout.trim();
  const changes = await local;
  let listed: string[];
  if (committed.ok && changes.ok) {
    listed = [...nulList(committed.stdout), ...changes.paths];
  } else {
    const [direct, untracked] = await Promise.all([
      git(root, ["diff", "--name-only", "--no-renames", "--relative", "-z", full, "--"], signal),
      git(root, ["ls-files", "--others", "--exclude-standard", "-z"], signal),
    ]);
    if (!direct.ok || !untracked.ok) return { status: "unavailable", reason: `git could not list the changes since ${commit}: ${(direct.stderr || untracked.stderr).trim()}` };
    listed = [...nulList(direct.stdout), ...nulList(untracked.stdout)];
  }
  return { status: "ok", commit: full, paths: [...new Set(listed)].sort() };
}
