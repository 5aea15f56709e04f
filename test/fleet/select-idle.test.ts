import { describe, expect, it } from "vitest";
import type { StackSummary, UpdateRecord } from "../../cli/deps";
import { HistoryRead, historyNeeded, selectIdle } from "../../cli/fleet/select-idle";
import { isDeveloperUpdate, releaseUpdateMessage } from "../../cli/fleet/update-messages";

const now = new Date("2025-06-15T12:00:00Z");
const ago = (days: number, hours = 0) => new Date(now.getTime() - days * 86_400_000 - hours * 3_600_000);
const stack = (name: string, lastUpdate?: Date, updateInProgress = false): StackSummary => ({ name, lastUpdate, updateInProgress });

describe("selectIdle: which Betas beta reap --idle-days 14 removes", () => {
  const cases: [why: string, summary: StackSummary, reap: boolean, reason: RegExp][] = [
    ["updated 30 days ago: idle", stack("beta-old", ago(30)), true, /idle for more than 14 days \(last update 2025-05-16\)/],
    ["14 days and 1 hour ago: past the line", stack("beta-edge", ago(14, 1)), true, /idle for more than 14 days/],
    ["exactly 14 days ago, history not read: kept", stack("beta-exact", ago(14)), false, /kept: updated 14 days ago \(history not read\)/],
    ["13 days ago, history not read: kept", stack("beta-recent", ago(13)), false, /kept: updated 13 days ago/],
    ["updated today, history not read: kept", stack("beta-today", ago(0, 2)), false, /kept: updated 0 days ago/],
    ["idle but updating right now: kept", stack("beta-busy", ago(40), true), false, /kept: an update is in progress/],
    ["never deployed: kept, age unknown", stack("beta-fresh"), false, /kept: never deployed/],
    ["fully qualified names work", stack("acme/beta/beta-qualified", ago(20)), true, /idle/],
    ["an invalid developer name is kept", stack("beta-Bad", ago(99)), false, /kept: not a valid developer name/],
  ];
  it.each(cases)("%s", (_why, summary, reap, reason) => {
    const [decision] = selectIdle([summary], { idleDays: 14, now });
    expect(decision.reap).toBe(reap);
    expect(decision.reason).toMatch(reason);
  });

  it("never lists the platform stack or any stack that is not beta-*, however old", () => {
    const decisions = selectIdle([stack("dev", ago(400)), stack("staging", ago(400)), stack("org/beta/dev", ago(400)), stack("betaalice", ago(400))], { idleDays: 1, now });
    expect(decisions).toEqual([]);
  });

  it("--include-never-updated reaps never-deployed Betas too", () => {
    const [decision] = selectIdle([stack("beta-fresh")], { idleDays: 14, now, includeNeverUpdated: true });
    expect(decision).toMatchObject({ reap: true, reason: "never deployed" });
  });

  it("lists oldest first", () => {
    const decisions = selectIdle([stack("beta-b", ago(2)), stack("beta-a", ago(50)), stack("beta-c")], { idleDays: 14, now });
    expect(decisions.map((d) => d.stack)).toEqual(["beta-c", "beta-a", "beta-b"]);
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses idleDays %s", (idleDays) => {
    expect(() => selectIdle([], { idleDays, now })).toThrow(/at least 1/);
  });
});

const release = (tag: string, at: Date, extra: Partial<UpdateRecord> = {}): UpdateRecord => ({ kind: "update", result: "succeeded", message: releaseUpdateMessage(tag), startTime: at, endTime: at, ...extra });
const developer = (message: string, at: Date, extra: Partial<UpdateRecord> = {}): UpdateRecord => ({ kind: "update", result: "succeeded", message, startTime: at, endTime: at, ...extra });
/** What `beta release` does to every Beta: one update a day, for `days` days up to yesterday. */
const dailyReleases = (days: number) => Array.from({ length: days }, (_, i) => release(`master-${String(i).padStart(7, "0")}`, ago(i + 1)));

describe("selectIdle by history: beta release's own updates do not count as use", () => {
  // Every stack was last updated yesterday, by beta release: the stack list alone says "active".
  const cases: [why: string, history: HistoryRead, reap: boolean, reason: RegExp][] = [
    [
      "only beta release for 30 days, a developer's beta up 40 days ago: idle",
      { records: [...dailyReleases(30), developer("beta up alice", ago(40))], complete: true },
      true,
      /idle for more than 14 days: last developer update 2025-05-06, only beta release since/,
    ],
    [
      "only beta release for 20 days (history read back only that far): idle",
      { records: dailyReleases(20), complete: false },
      true,
      /only beta release has updated it since 2025-05-26/,
    ],
    [
      "only ever updated by beta release, first 20 days ago: idle",
      { records: dailyReleases(20), complete: true },
      true,
      /only beta release has updated it since/,
    ],
    [
      "a developer's beta up 3 days ago among the releases: kept",
      { records: [...dailyReleases(2), developer("beta up alice", ago(3)), ...dailyReleases(20).slice(3)], complete: false },
      false,
      /kept: a developer updated it 3 days ago/,
    ],
    [
      "a plain pulumi up 10 days ago (message: the commit's subject): kept",
      { records: [...dailyReleases(9), developer("Fix the login page", ago(10))], complete: false },
      false,
      /kept: a developer updated it 10 days ago/,
    ],
    [
      "a plain pulumi up at CI's release commit records 'beta release <tag> [skip ci]': still a developer's",
      { records: [release("master-1", ago(1)), developer("beta release master-abc1234 [skip ci]", ago(5)), ...dailyReleases(30).slice(5)], complete: false },
      false,
      /kept: a developer updated it 5 days ago/,
    ],
    [
      "a developer's refresh counts as use",
      { records: [release("master-1", ago(1)), developer("", ago(6), { kind: "refresh" }), ...dailyReleases(30).slice(6)], complete: false },
      false,
      /kept: a developer updated it 6 days ago/,
    ],
    [
      "a developer's failed update counts as use",
      { records: [release("master-1", ago(1)), developer("beta up alice", ago(2), { result: "failed" }), ...dailyReleases(30).slice(2)], complete: false },
      false,
      /kept: a developer updated it 2 days ago/,
    ],
    [
      "a failed beta reap destroy 20 days ago is not use",
      { records: [...dailyReleases(19), developer("beta reap: no developer update since 2025-05-01T00:00:00.000Z", ago(20), { kind: "destroy", result: "failed" }), developer("", ago(40))], complete: true },
      true,
      /last developer update 2025-05-06/,
    ],
    [
      "a developer update exactly 14 days ago: not more than 14",
      { records: [...dailyReleases(13), developer("beta up alice", ago(14))], complete: false },
      false,
      /kept: a developer updated it 14 days ago/,
    ],
    [
      "a developer update 14 days and 1 hour ago: past the line",
      { records: [...dailyReleases(14), developer("beta up alice", ago(14, 1))], complete: false },
      true,
      /idle for more than 14 days/,
    ],
    [
      "created 5 days ago and only beta release since: too new to be idle",
      { records: dailyReleases(5), complete: true },
      false,
      /kept: first deployed 5 days ago \(only beta release since\)/,
    ],
    [
      "history cut short before the line, no developer update in it: kept",
      { records: dailyReleases(5), complete: false },
      false,
      /kept: its history could be read back only to/,
    ],
    ["history could not be read: kept", { error: "error: [403] Forbidden" }, false, /kept: could not read its history \(error: \[403\] Forbidden\)/],
    [
      "a developer update with no readable date: kept",
      { records: [release("master-1", ago(1)), developer("beta up alice", new Date(Number.NaN), { endTime: undefined })], complete: true },
      false,
      /kept: a developer update in its history has no readable date/,
    ],
  ];
  it.each(cases)("%s", (_why, history, reap, reason) => {
    const summary = stack("beta-alice", ago(1));
    expect(historyNeeded([summary], { idleDays: 14, now })).toEqual(["beta-alice"]);
    const [decision] = selectIdle([summary], { idleDays: 14, now }, new Map([["beta-alice", history]]));
    expect(decision.reason).toMatch(reason);
    expect(decision.reap).toBe(reap);
  });

  it("reads no history for stacks the list decides: not beta-*, invalid, busy, never deployed, or not updated at all since the line", () => {
    const stacks = [stack("dev", ago(1)), stack("beta-Bad", ago(1)), stack("beta-busy", ago(1), true), stack("beta-fresh"), stack("beta-old", ago(30)), stack("beta-alice", ago(1))];
    expect(historyNeeded(stacks, { idleDays: 14, now })).toEqual(["beta-alice"]);
  });

  it("reports since when the Beta is idle, and lists the longest idle first", () => {
    const decisions = selectIdle(
      [stack("beta-a", ago(1)), stack("beta-b", ago(1)), stack("beta-c", ago(20))],
      { idleDays: 14, now },
      new Map<string, HistoryRead>([
        ["beta-a", { records: [...dailyReleases(20), developer("", ago(21))], complete: false }],
        ["beta-b", { records: [release("m-1", ago(1)), developer("", ago(2))], complete: false }],
      ]),
    );
    expect(decisions.map((d) => [d.stack, d.reap, d.idleDays])).toEqual([
      ["beta-a", true, 21],
      ["beta-c", true, 20],
      ["beta-b", false, 2],
    ]);
    expect(decisions[0].idleSince?.toISOString()).toBe(ago(21).toISOString());
  });
});

describe("which updates are a developer's", () => {
  const cases: [message: string, result: UpdateRecord["result"], developers: boolean][] = [
    ["beta release master-3f2c1ab", "succeeded", false],
    ["beta release branch-feature-login_page.2", "failed", false],
    ["beta reap: no developer update since 2025-05-01T00:00:00.000Z", "failed", false],
    ["beta up alice", "succeeded", true],
    ["", "succeeded", true],
    ["beta release master-3f2c1ab [skip ci]", "succeeded", true],
    ["beta release", "succeeded", true],
    ["Revert \"beta release master-1\"", "succeeded", true],
    ["beta up alice", "not-started", false],
  ];
  it.each(cases)("%j (%s): developer's = %s", (message, result, expected) => {
    expect(isDeveloperUpdate(developer(message, now, { result }))).toBe(expected);
  });
});
