/**
 * The messages `beta release` and `beta reap` record with their updates, and how a stack's
 * history tells them from a developer's own updates. `beta reap` judges a Beta idle by the
 * last update a developer made, so the fleet's own updates must be recognisable.
 */
import type { UpdateRecord } from "../deps";

const RELEASE = "beta release ";
const REAP = "beta reap: ";

/** Recorded with every update `beta release <tag>` makes (the platform and each Beta). */
export function releaseUpdateMessage(releaseTag: string): string {
  return `${RELEASE}${releaseTag}`;
}

/** Recorded with the destroy `beta reap` makes. */
export function reapUpdateMessage(idleSince: Date | undefined): string {
  return `${REAP}no developer update since ${idleSince?.toISOString() ?? "it was created"}`;
}

/**
 * True for an update `beta release` or `beta reap` made. A release message is exactly
 * `beta release <tag>`: a plain `pulumi up` at the commit CI makes for a release records
 * that commit's subject, `beta release <tag> [skip ci]`, and stays a developer's update.
 */
export function isFleetUpdate(record: Pick<UpdateRecord, "message">): boolean {
  const message = record.message;
  if (message.startsWith(REAP)) return true;
  return message.startsWith(RELEASE) && /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(message.slice(RELEASE.length));
}

/** An update a person made (anything but `beta release`/`beta reap`), and that ran at all. */
export function isDeveloperUpdate(record: UpdateRecord): boolean {
  return record.result !== "not-started" && !isFleetUpdate(record);
}
