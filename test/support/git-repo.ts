/** A throwaway git repository for tests and benchmarks that need a release commit. */
import { execFileSync } from "node:child_process";

const IDENTITY = ["-c", "user.name=Beta Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", "-c", "gc.auto=0"];

/** Runs git in `dir` and returns its trimmed output. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...IDENTITY, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }).trim();
}

/** `git init` + commit everything in `dir`; returns the commit's full sha. */
export function commitAll(dir: string, message = "release"): string {
  git(dir, "init", "--quiet");
  git(dir, "add", "--all");
  git(dir, "commit", "--quiet", "--no-verify", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

/** Extracts `commit`'s tree into `target`, as a release image would hold it (files get the commit's time). */
export function exportCommit(repo: string, commit: string, target: string): void {
  execFileSync("sh", ["-c", 'git -C "$1" archive --format=tar "$2" | tar -x -C "$3"', "sh", repo, commit, target]);
}
