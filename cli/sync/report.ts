/**
 * Turns engine events into output: by default status lines on stderr (and, for a dry run,
 * the list of changes on stdout, where scripts can read it); with `--json`, one JSON
 * object per event on stdout.
 */
import type { SyncEvent, SyncLogger } from "./events";
import { formatChangeList } from "./itemize";

export interface OutputStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

export function createReporter(json: boolean, streams: OutputStreams): SyncLogger {
  if (json) return (event: SyncEvent) => streams.stdout.write(`${JSON.stringify(event)}\n`);
  return (event: SyncEvent) => {
    streams.stderr.write(`${event.message}\n`);
    if (event.type === "sync" && event.dryRun) {
      const lines = formatChangeList(event.changes);
      streams.stdout.write(lines.length > 0 ? `${lines.join("\n")}\n` : "  (nothing to change)\n");
    }
  };
}
