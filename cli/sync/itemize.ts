/**
 * Reads rsync's `--itemize-changes` and `--stats` output (with `--no-human-readable`, so
 * numbers are plain digits) into changes and byte counts, and renders them for people.
 */

export type ChangeKind = "create" | "update" | "delete" | "attributes";

export interface Change {
  kind: ChangeKind;
  /** Relative to the synced root; directories end with "/". */
  path: string;
  /** rsync's 11-character item code, e.g. ">f.st......" or "*deleting". */
  code: string;
}

export interface TransferStats {
  bytesSent: number;
  bytesReceived: number;
  /** Regular files whose content was (or, in a dry run, would be) sent. */
  filesTransferred: number;
  /** Entries rsync considered (files, directories, links). */
  filesConsidered: number;
}

const ITEM = /^([<>ch.][fdLDS][^ ]{9}) (.+)$/;
const DELETING = /^\*deleting +(.+)$/;

function kindOf(code: string): ChangeKind {
  if (code.slice(2).split("").every((c) => c === "+")) return "create";
  if (code[0] === "<" || code[0] === ">") return "update";
  if (code[0] === "c" || code[0] === "h") return "update";
  return "attributes";
}

export function parseItemized(stdout: string): Change[] {
  const changes: Change[] = [];
  for (const line of stdout.split("\n")) {
    const deleting = DELETING.exec(line);
    if (deleting?.[1]) {
      changes.push({ kind: "delete", path: deleting[1], code: "*deleting" });
      continue;
    }
    const item = ITEM.exec(line);
    if (!item?.[1] || !item[2]) continue;
    const [, code, name] = item;
    // The root itself ("./") is not a change anyone cares about.
    if (name === "./") continue;
    changes.push({ kind: kindOf(code), path: name, code });
  }
  return changes;
}

function statNumber(stdout: string, label: string): number {
  const match = new RegExp(`^${label}: ([0-9,.]+)`, "m").exec(stdout);
  return match?.[1] ? Number(match[1].replace(/[,.]/g, "")) : 0;
}

export function parseStats(stdout: string): TransferStats {
  return {
    bytesSent: statNumber(stdout, "Total bytes sent"),
    bytesReceived: statNumber(stdout, "Total bytes received"),
    filesTransferred: statNumber(stdout, "Number of regular files transferred"),
    filesConsidered: statNumber(stdout, "Number of files"),
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Content changes, without attribute-only ones (times, permissions). */
export function contentChanges(changes: readonly Change[]): Change[] {
  return changes.filter((c) => c.kind !== "attributes");
}

/** "2 updated, 1 created, 1 deleted" (zero counts left out). */
export function summariseChanges(changes: readonly Change[]): string {
  const count = (kind: ChangeKind): number => changes.filter((c) => c.kind === kind).length;
  const parts = [
    [count("update"), "updated"],
    [count("create"), "created"],
    [count("delete"), "deleted"],
  ] as const;
  const text = parts.filter(([n]) => n > 0).map(([n, word]) => `${n} ${word}`);
  return text.length > 0 ? text.join(", ") : "no changes";
}

/** One line per change for a dry run: "create  src/new.js". */
export function formatChangeList(changes: readonly Change[]): string[] {
  const content = contentChanges(changes);
  const lines = content.map((c) => `  ${c.kind.padEnd(7)} ${c.path}`);
  const attributeOnly = changes.length - content.length;
  if (attributeOnly > 0) lines.push(`  (and ${attributeOnly} metadata-only change${attributeOnly === 1 ? "" : "s"}: times or permissions)`);
  return lines;
}
