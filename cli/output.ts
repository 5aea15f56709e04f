/**
 * Printing: tables for people, JSON for scripts, and durations and dates in words. Results go
 * to stdout; progress and notes go to stderr, so `beta list --json | jq` sees only JSON.
 */

/** Where text goes; `process.stdout` fits, and so does a string buffer in tests. */
export interface Writer {
  write(text: string): unknown;
}

/** Pretty JSON with a trailing newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
}

/** Left-aligned columns separated by two spaces, kubectl-style headers in capitals. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = [columns.map((c) => c.header.toUpperCase()), ...rows.map((row) => columns.map((c) => c.value(row)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells
    .map((line) => line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd())
    .join("\n")
    .concat("\n");
}

/** "850ms", "12s", "3m 05s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${String(seconds % 60).padStart(2, "0")}s`;
}

/** "just now", "5 minutes ago", "3 days ago"; "never" when there is no date. */
export function formatAge(date: Date | undefined, now: Date): string {
  if (!date) return "never";
  const seconds = Math.max(0, Math.round((now.getTime() - date.getTime()) / 1000));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"} ago`;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return unit(Math.floor(seconds / 60), "minute");
  if (seconds < 86_400) return unit(Math.floor(seconds / 3600), "hour");
  return unit(Math.floor(seconds / 86_400), "day");
}

/** Collects written text, for tests and for building output before printing it. */
export class StringWriter implements Writer {
  text = "";
  write(text: string): void {
    this.text += text;
  }
}
