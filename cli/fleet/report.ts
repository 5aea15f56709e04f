/**
 * The release report: JSON for CI artifacts (`--report file`), a table for people, and the
 * exit code (0 only when the platform and every attempted Beta were updated).
 */
import { formatDuration, formatTable } from "../output";
import type { StackOutcome, StackResult } from "./refresh-fleet";

export interface PlatformOutcome {
  stack: string;
  result: "updated" | "failed" | "busy";
  attempts: number;
  durationMs: number;
  detail?: string;
  error?: string;
}

export interface ReleaseReport {
  releaseTag: string;
  platformStack: string;
  /** ISO dates. */
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** True when the platform and every Beta that was not skipped were updated. */
  ok: boolean;
  platform: PlatformOutcome;
  /** Set when the Betas could not even be listed. */
  listError?: string;
  stacks: StackOutcome[];
  totals: Record<StackResult, number>;
}

export function buildReleaseReport(parts: {
  releaseTag: string;
  platform: PlatformOutcome;
  stacks: StackOutcome[];
  listError?: string;
  startedAt: number;
  finishedAt: number;
}): ReleaseReport {
  const totals: Record<StackResult, number> = { updated: 0, failed: 0, busy: 0, skipped: 0 };
  for (const stack of parts.stacks) totals[stack.result]++;
  return {
    releaseTag: parts.releaseTag,
    platformStack: parts.platform.stack,
    startedAt: new Date(parts.startedAt).toISOString(),
    finishedAt: new Date(parts.finishedAt).toISOString(),
    durationMs: parts.finishedAt - parts.startedAt,
    ok: parts.platform.result === "updated" && !parts.listError && totals.failed === 0 && totals.busy === 0,
    platform: parts.platform,
    ...(parts.listError ? { listError: parts.listError } : {}),
    stacks: parts.stacks,
    totals,
  };
}

export function releaseExitCode(report: ReleaseReport): number {
  return report.ok ? 0 : 1;
}

const RESULT_WORDS: Record<StackResult | PlatformOutcome["result"], string> = {
  updated: "updated",
  failed: "FAILED",
  busy: "BUSY",
  skipped: "skipped",
};

function note(outcome: { detail?: string; pinnedImageTag?: string; pinnedApps?: Record<string, string>; pinnedServices?: Record<string, string>; followingServices?: string[] }): string {
  const notes: string[] = [];
  if (outcome.pinnedImageTag) notes.push(`pinned to ${outcome.pinnedImageTag}`);
  if (outcome.pinnedApps) notes.push(`pinned apps: ${Object.entries(outcome.pinnedApps).map(([app, tag]) => `${app}=${tag}`).join(", ")}`);
  if (outcome.pinnedServices) notes.push(`personal copies kept: ${Object.entries(outcome.pinnedServices).map(([service, pin]) => `${service}=${pin}`).join(", ")}`);
  if (outcome.followingServices) notes.push(`personal copies follow the release: ${outcome.followingServices.join(", ")}`);
  if (outcome.detail) notes.push(outcome.detail);
  return notes.join("; ");
}

/** STACK RESULT DURATION URL NOTE, platform first, then a totals line. */
export function formatReleaseTable(report: ReleaseReport): string {
  interface Row { stack: string; result: string; duration: string; url: string; note: string }
  const rows: Row[] = [
    { stack: `${report.platform.stack} (platform)`, result: RESULT_WORDS[report.platform.result], duration: formatDuration(report.platform.durationMs), url: "", note: note(report.platform) },
    ...report.stacks.map((s) => ({
      stack: s.stack,
      result: RESULT_WORDS[s.result],
      duration: s.attempts > 0 ? formatDuration(s.durationMs) : "-",
      url: s.url ?? "",
      note: [note(s), s.attempts > 1 ? `${s.attempts} attempts` : ""].filter(Boolean).join("; "),
    })),
  ];
  const table = formatTable(rows, [
    { header: "stack", value: (r) => r.stack },
    { header: "result", value: (r) => r.result },
    { header: "duration", value: (r) => r.duration },
    { header: "url", value: (r) => r.url || "-" },
    { header: "note", value: (r) => r.note },
  ]);
  const t = report.totals;
  const summary = report.platform.result !== "updated"
    ? `Release ${report.releaseTag} stopped: the platform stack ${report.platform.stack} was not updated, so no Beta was touched.`
    : report.listError
      ? `Release ${report.releaseTag}: platform updated, but ${report.listError}.`
      : `Release ${report.releaseTag}: ${t.updated} updated, ${t.failed} failed, ${t.busy} busy, ${t.skipped} skipped in ${formatDuration(report.durationMs)}.`;
  return `${table}${summary}\n`;
}
