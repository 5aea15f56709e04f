/**
 * What the sync engine reports. Every event carries a human `message` (what the CLI prints
 * to stderr) and structured fields (what `--json` prints, one object per line).
 */
import type { Change, TransferStats } from "./itemize";

export type SyncEvent =
  | { type: "target"; message: string; namespace: string; pod: string; container: string; remotePath: string; localPath: string }
  | { type: "sync-start"; message: string; full: boolean; reason: string; files: number }
  | {
      type: "sync";
      message: string;
      full: boolean;
      dryRun: boolean;
      reason: string;
      changes: Change[];
      stats: TransferStats;
      durationMs: number;
      /** The run used a connection opened ahead of time. */
      preconnected: boolean;
    }
  /** How a first sync into a fresh container starts: from a release's commit, or the whole tree. */
  | { type: "baseline"; message: string; commit?: string; files?: number }
  | { type: "replaced"; message: string; from: string; to: string }
  | { type: "retry"; message: string; problem: string; attempt: number; attempts: number; delayMs: number }
  | { type: "watching"; message: string; localPath: string }
  | { type: "warning"; message: string }
  | { type: "stopped"; message: string };

export type SyncLogger = (event: SyncEvent) => void;
