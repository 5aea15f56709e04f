/**
 * `beta render --out DIR`: writes into an empty directory, or one an earlier render wrote
 * (listed in its `.beta-render` file), removing that render's files first so no stale object
 * is left behind. Anything else in the directory is the user's: it is refused, not touched.
 * Filesystem errors are reported as messages naming the path.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { CliError } from "./errors";

/** The list of files a render wrote, kept in the directory it wrote them to. */
export const RENDER_MARKER = ".beta-render";

function fsFailure(action: string, path: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "read-only file system" : code === "ENOSPC" ? "no space left" : code === "ENOTDIR" ? "a parent is not a directory" : code === "ENOENT" ? "no such file or directory" : (error as Error).message;
  return new CliError(`Cannot ${action} ${path}: ${why}.`, "Choose another directory with --out.");
}

/** Makes `dir` ready for a render and returns the files the last render wrote there (to remove). */
function prepare(dir: string): string[] {
  let stat;
  try {
    stat = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw fsFailure("read", dir, error);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (mkdirError) {
      throw fsFailure("create the directory", dir, mkdirError);
    }
    return [];
  }
  if (!stat.isDirectory()) throw new CliError(`--out ${dir} exists and is not a directory.`, "Pass a new or empty directory, or one beta render wrote before.");
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw fsFailure("read", dir, error);
  }
  if (entries.length === 0) return [];
  let previous: string[] = [];
  try {
    previous = readFileSync(join(dir, RENDER_MARKER), "utf8").split("\n").filter((name) => name !== "" && name === basename(name));
  } catch {
    throw new CliError(`--out ${dir} is not empty and was not written by beta render (no ${RENDER_MARKER} file).`, "Pass a new or empty directory, or one beta render wrote before.");
  }
  const foreign = entries.filter((name) => name !== RENDER_MARKER && !previous.includes(name));
  if (foreign.length > 0) {
    throw new CliError(
      `--out ${dir} holds files beta render did not write: ${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", ..." : ""}.`,
      "Move them away or pass another directory; beta render replaces only its own files.",
    );
  }
  return previous;
}

/** Writes `files` (name → text) into `dir` after removing the previous render's; returns the paths written. */
export function writeRenderDir(dir: string, files: ReadonlyMap<string, string>): string[] {
  const previous = prepare(dir);
  for (const name of previous) {
    try {
      rmSync(join(dir, name), { force: true });
    } catch (error) {
      throw fsFailure("remove", join(dir, name), error);
    }
  }
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = join(dir, name);
    try {
      writeFileSync(file, text);
    } catch (error) {
      throw fsFailure("write", file, error);
    }
    written.push(file);
  }
  try {
    writeFileSync(join(dir, RENDER_MARKER), `${[...files.keys()].join("\n")}\n`);
  } catch (error) {
    throw fsFailure("write", join(dir, RENDER_MARKER), error);
  }
  return written;
}
