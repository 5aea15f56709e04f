/**
 * The first sync into a container running a release sends only what differs from the
 * release's commit. A release image is tagged `master-<short sha>` (see cli/image-tag.ts),
 * so its source is that commit: if the local repository has it, the files that can differ
 * are exactly `git diff --name-only <sha>` (edited, added and deleted tracked files) plus
 * the untracked ones. Everything else is verified afterwards by a checksum run in the
 * background (session.ts), which also catches what git cannot see (an image whose copy
 * differs from its commit, files git ignores but the sync does not).
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

async function git(root: string, args: string[], signal?: AbortSignal): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const result = await runProcess("git", ["-C", root, ...args], { signal });
  return { ok: !result.spawnError && result.code === 0, stdout: result.stdout, stderr: result.stderr };
}

function nulList(text: string): string[] {
  return text.split("\0").filter((p) => p !== "");
}

/**
 * The paths under `root` (relative to it) that may differ from `commit`: tracked files
 * changed since it, deleted ones included (`--no-renames`, so a rename lists both its
 * old and its new path), and untracked files git does not ignore.
 */
export async function changedSince(root: string, commit: string, signal?: AbortSignal): Promise<Baseline> {
  const resolved = await git(root, ["rev-parse", "--verify", "--quiet", `${commit}^{commit}`], signal);
  if (!resolved.ok) {
    const inRepo = await git(root, ["rev-parse", "--is-inside-work-tree"], signal);
    return {
      status: "unavailable",
      reason: inRepo.ok ? `commit ${commit} is not in the local repository (git fetch gets it)` : "the local directory is not in a git work tree",
    };
  }
  const full = resolved.stdout.trim();
  // --relative: paths relative to root and only those under it (root may be a subdirectory).
  const diff = await git(root, ["diff", "--name-only", "--no-renames", "--relative", "-z", full, "--"], signal);
  const untracked = await git(root, ["ls-files", "--others", "--exclude-standard", "-z"], signal);
  if (!diff.ok || !untracked.ok) return { status: "unavailable", reason: `git could not list the changes since ${commit}: ${(diff.stderr || untracked.stderr).trim()}` };
  return { status: "ok", commit: full, paths: [...new Set([...nulList(diff.stdout), ...nulList(untracked.stdout)])].sort() };
}
