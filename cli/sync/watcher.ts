/**
 * Watches the local tree with chokidar and reports changed paths (relative, posix),
 * skipping ignored ones; ignored directories (node_modules!) are not even watched.
 * Read-only: watching never touches a file.
 */
import path from "node:path";
import { watch, type FSWatcher } from "chokidar";

export interface TreeWatcher {
  /** Resolves once the initial scan is done and changes are being reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchOptions {
  root: string;
  isIgnored(rel: string, isDir: boolean): boolean;
  onChange(rel: string): void;
  onError(error: Error): void;
}

export function toRelative(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join("/");
}

export function watchTree(options: WatchOptions): TreeWatcher {
  const watcher: FSWatcher = watch(options.root, {
    ignoreInitial: true,
    followSymlinks: false,
    // chokidar asks once without stats (a file check: a dir-only rule like `build/` does
    // not match yet) and again with stats when it has them.
    ignored: (absolute, stats) => {
      const rel = toRelative(options.root, absolute);
      if (rel === "" || rel.startsWith("..")) return false;
      return options.isIgnored(rel, stats?.isDirectory() ?? false);
    },
  });
  const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  watcher.on("all", (_event, absolute) => {
    const rel = toRelative(options.root, absolute);
    if (rel !== "" && !rel.startsWith("..")) options.onChange(rel);
  });
  watcher.on("error", (error) => options.onError(error instanceof Error ? error : new Error(String(error))));
  return { ready, close: () => watcher.close() };
}
