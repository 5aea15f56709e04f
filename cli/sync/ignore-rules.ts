/**
 * What `beta sync` never sends: whatever `.gitignore` and `.betaignore` files (same syntax,
 * in any directory, with git's precedence: deeper files and later lines win; `.betaignore`
 * is read after `.gitignore` of the same directory, so it can also re-include with `!`)
 * ignore, and always `.git` and `node_modules`, which no rule can re-include.
 *
 * The `ignore` package decides for every local path (watcher and rsync sender agree
 * exactly). For remote-only paths, which no local rule evaluation can see, the same
 * patterns are translated into rsync receiver-side rules (see `receiverRules`), so that
 * `--delete` never removes an ignored file in the container (its node_modules, a build
 * output, a .env).
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import ignore from "ignore";

/** Never synced, never deleted remotely, whatever the ignore files say. */
export const ALWAYS_IGNORED: readonly string[] = [".git", "node_modules"];
/** Ignore files honoured in every directory, in the order they are read. */
export const IGNORE_FILE_NAMES: readonly string[] = [".gitignore", ".betaignore"];

interface DirRules {
  /** Directory holding the ignore files, relative to the root ("" for the root). */
  dir: string;
  matcher: ignore.Ignore;
  /** Pattern lines in file order (.gitignore first, then .betaignore). */
  lines: string[];
}

/** True when `rel` (a path relative to the synced root) names one of the ignore files. */
export function isIgnoreFile(rel: string): boolean {
  return IGNORE_FILE_NAMES.includes(path.posix.basename(rel));
}

function ancestorDirs(rel: string): string[] {
  const parts = rel.split("/");
  const dirs = [""];
  for (let i = 1; i < parts.length; i++) dirs.push(parts.slice(0, i).join("/"));
  return dirs;
}

export class IgnoreRules {
  private readonly byDir = new Map<string, DirRules>();

  /** Reads the ignore files of directory `dir` (relative) under `root`; missing files are fine. */
  async loadDir(root: string, dir: string): Promise<void> {
    const lines: string[] = [];
    for (const file of IGNORE_FILE_NAMES) {
      try {
        const text = await fs.readFile(path.join(root, dir, file), "utf8");
        lines.push(...text.split(/\r?\n/));
      } catch {
        // No such file (or unreadable): no rules from it.
      }
    }
    if (lines.some((line) => line.trim() !== "" && !line.startsWith("#"))) {
      this.byDir.set(dir, { dir, matcher: ignore().add(lines), lines });
    }
  }

  /** Whether `rel` (posix, relative to the root, no trailing slash) is excluded from sync. */
  isIgnored(rel: string, isDir: boolean): boolean {
    const parts = rel.split("/");
    if (parts.some((part) => ALWAYS_IGNORED.includes(part))) return true;
    // git does not look inside an ignored directory, so check every ancestor first.
    for (let i = 1; i <= parts.length; i++) {
      if (this.matches(parts.slice(0, i).join("/"), i < parts.length || isDir)) return true;
    }
    return false;
  }

  private matches(rel: string, isDir: boolean): boolean {
    let ignored = false;
    for (const dir of ancestorDirs(rel)) {
      const rules = this.byDir.get(dir);
      if (!rules) continue;
      const sub = dir === "" ? rel : rel.slice(dir.length + 1);
      const result = rules.matcher.test(isDir ? `${sub}/` : sub);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }

  /**
   * rsync receiver-side filter rules equivalent to the ignore files: `P` (protect from
   * deletion) for a pattern, `R` (risk: deletable again) for a `!` negation. rsync uses the
   * first matching rule and git the last, so rules are emitted deepest file first and each
   * file's lines in reverse order.
   */
  receiverRules(): string[] {
    const rules = ALWAYS_IGNORED.map((name) => `P ${name}`);
    const dirs = [...this.byDir.values()].sort((a, b) => depth(b.dir) - depth(a.dir) || a.dir.localeCompare(b.dir));
    for (const { dir, lines } of dirs) {
      for (const line of [...lines].reverse()) rules.push(...translateIgnoreLine(dir, line));
    }
    return rules;
  }
}

function depth(dir: string): number {
  return dir === "" ? 0 : dir.split("/").length;
}

/**
 * One gitignore line of the file in directory `dir` as rsync receiver rules. Differences
 * between the two pattern languages are bridged as follows: a pattern with an inner slash is
 * anchored to `dir` (rsync: a leading `/`); a pattern without one matches at any depth under
 * `dir` (rsync: unanchored at the root, `/dir/x` plus `/dir/**\/x` below it, since rsync's
 * `**\/` needs at least one directory; `a/**\/b` likewise also gets `a/b`).
 */
export function translateIgnoreLine(dir: string, rawLine: string): string[] {
  let line = rawLine.replace(/\r$/, "");
  // Trailing spaces are ignored by git unless escaped with a backslash.
  line = line.endsWith("\\ ") ? line.replace(/\s+\\ $/, "\\ ") : line.replace(/\s+$/, "");
  if (line === "" || line.startsWith("#")) return [];
  let kind = "P";
  if (line.startsWith("!")) {
    kind = "R";
    line = line.slice(1);
  } else if (line.startsWith("\\#") || line.startsWith("\\!")) {
    line = line.slice(1);
  }
  const dirOnly = line.endsWith("/");
  line = line.replace(/\/+$/, "");
  if (line === "") return [];
  let anyDepth = !line.includes("/");
  if (line.startsWith("**/")) {
    line = line.slice(3);
    anyDepth = true;
  }
  line = line.replace(/^\/+/, "");
  if (line === "") return [];
  const suffix = dirOnly ? "/" : "";
  const base = dir === "" ? "/" : `/${dir}/`;
  const patterns: string[] = [];
  if (anyDepth) {
    if (dir === "") patterns.push(line);
    else patterns.push(`${base}${line}`, `${base}**/${line}`);
  } else {
    patterns.push(`${base}${line}`);
  }
  const withZeroDirs = patterns.filter((p) => p.includes("/**/")).map((p) => p.replace(/\/\*\*\//g, "/"));
  return [...new Set([...patterns, ...withZeroDirs])].map((p) => `${kind} ${p}${suffix}`);
}

export interface TreeScan {
  rules: IgnoreRules;
  /** Ignored local paths, top-most only, relative; directories end with "/". */
  hidden: string[];
  /** Number of files (not directories) that will be considered for sending. */
  files: number;
}

/**
 * Walks the local tree: reads every ignore file (a directory's own rules apply to its
 * children) and lists what is ignored, without descending into ignored directories.
 * Read-only: it never writes, moves or deletes a local file.
 */
export async function scanTree(root: string): Promise<TreeScan> {
  const rules = new IgnoreRules();
  const hidden: string[] = [];
  let files = 0;
  const walk = async (dir: string): Promise<void> => {
    await rules.loadDir(root, dir);
    let entries;
    try {
      entries = await fs.readdir(path.join(root, dir), { withFileTypes: true });
    } catch {
      return; // vanished or unreadable: rsync will report it if it matters
    }
    for (const entry of entries) {
      const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
      const isDir = entry.isDirectory();
      if (rules.isIgnored(rel, isDir)) hidden.push(isDir ? `${rel}/` : rel);
      else if (isDir) await walk(rel);
      else files++;
    }
  };
  await walk("");
  return { rules, hidden, files };
}

/**
 * The rules that decide `paths` (relative), read from the ignore files of the root and of
 * their ancestor directories only: `isIgnored(p)` consults no other directory's rules, so
 * for these paths it answers as after a whole-tree scan, without walking the tree. (Other
 * paths may be decided wrongly, and `receiverRules` lacks the other directories' rules.)
 */
export async function rulesForPaths(root: string, paths: readonly string[]): Promise<IgnoreRules> {
  const dirs = new Set([""]);
  for (const p of paths) for (const dir of ancestorDirs(p)) dirs.add(dir);
  const rules = new IgnoreRules();
  // Read at once: nothing depends on the order directories are added in (receiverRules sorts).
  await Promise.all([...dirs].map((dir) => rules.loadDir(root, dir)));
  return rules;
}

/** Ignored paths inside the directories `dirs` (relative), using already loaded rules. */
export async function hiddenUnder(root: string, rules: IgnoreRules, dirs: readonly string[]): Promise<string[]> {
  const hidden: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(path.join(root, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const rel = `${dir}/${entry.name}`;
      const isDir = entry.isDirectory();
      if (rules.isIgnored(rel, isDir)) hidden.push(isDir ? `${rel}/` : rel);
      else if (isDir) await walk(rel);
    }
  };
  for (const dir of dirs) await walk(dir);
  return hidden;
}

/** An exact path as an rsync pattern: wildcard characters are escaped, anchored at the root. */
export function exactRsyncPattern(rel: string): string {
  const escaped = /[*?[]/.test(rel) ? rel.replace(/[*?[\]\\]/g, "\\$&") : rel;
  return `/${escaped}`;
}
