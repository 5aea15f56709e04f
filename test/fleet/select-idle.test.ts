import { describe, expect, it } from "vitest";
import type { StackSummary } from "../../cli/deps";
import { selectIdle } from "../../cli/fleet/select-idle";

const now = new Date("2025-06-15T12:00:00Z");
const ago = (days: number, hours = 0) => new Date(now.getTime() - days * 86_400_000 - hours * 3_600_000);
const stack = (name: string, lastUpdate?: Date, updateInProgress = false): StackSummary => ({ name, lastUpdate, updateInProgress });

describe("selectIdle: which Betas beta reap --idle-days 14 removes", () => {
  const cases: [why: string, summary: StackSummary, reap: boolean, reason: RegExp][] = [
    ["updated 30 days ago: idle", stack("beta-old", ago(30)), true, /idle for more than 14 days \(last update 2025-05-16\)/],
    ["14 days and 1 hour ago: past the line", stack("beta-edge", ago(14, 1)), true, /idle for more than 14 days/],
    ["exactly 14 days ago: not more than 14", stack("beta-exact", ago(14)), false, /kept: updated 14 days ago/],
    ["13 days ago: kept", stack("beta-recent", ago(13)), false, /kept: updated 13 days ago/],
    ["updated today: kept", stack("beta-today", ago(0, 2)), false, /kept: updated 0 days ago/],
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
