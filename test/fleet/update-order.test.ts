import { describe, expect, it } from "vitest";
import type { UpdateRecord } from "../../cli/deps";
import { refreshFleet } from "../../cli/fleet/refresh-fleet";
import { lastUpdateMs, slowestFirst } from "../../cli/fleet/update-order";
import { FastForwardClock } from "../support/fast-forward-clock";
import { ScriptedGateway, betaOutputs, updateRecord } from "../support/scripted-gateway";

const at = new Date("2026-03-01T12:00:00Z");
/** A finished update that took `seconds`, ending `ago` minutes before `at`. */
const took = (seconds: number, ago = 0, overrides: Partial<UpdateRecord> = {}): UpdateRecord => ({
  ...updateRecord("beta release master-1", new Date(at.getTime() - ago * 60_000)),
  startTime: new Date(at.getTime() - ago * 60_000 - seconds * 1000),
  ...overrides,
});

describe("how long a stack's last update took, from its history (newest first)", () => {
  it.each<[string, UpdateRecord[], number | undefined]>([
    ["the newest update", [took(90, 0), took(30, 60)], 90_000],
    ["a refresh is not an update", [took(5, 0, { kind: "refresh" }), took(40, 60)], 40_000],
    ["a failed update says little about a full one", [took(3, 0, { result: "failed" }), took(70, 60)], 70_000],
    ["one still running has no end yet", [took(0, 0, { result: "in-progress", endTime: undefined }), took(50, 60)], 50_000],
    ["a stack never updated", [], undefined],
  ])("%s", (_why, records, expected) => {
    expect(lastUpdateMs(records)).toBe(expected);
  });
});

describe("the order updates start in", () => {
  it.each<[string, [string, number | undefined][], string[]]>([
    ["longest first", [["a", 10], ["b", 300], ["c", 60]], ["b", "c", "a"]],
    ["unknown durations before all known ones, in the order listed", [["a", 10], ["new1", undefined], ["b", 900], ["new2", undefined]], ["new1", "new2", "b", "a"]],
    ["ties keep the order listed", [["x", 5], ["y", 5], ["z", 5]], ["x", "y", "z"]],
  ])("%s", (_why, durations, expected) => {
    expect(slowestFirst(durations.map(([s]) => s), new Map(durations))).toEqual(expected);
  });
});

describe("beta release's fleet update", () => {
  it("starts the Betas whose last update took longest first, new ones before them, and reports in name order", async () => {
    const gateway = new ScriptedGateway([
      { name: "beta-ann", outputs: betaOutputs("ann"), history: [took(20)] },
      { name: "beta-bob", outputs: betaOutputs("bob"), history: [took(240)] },
      { name: "beta-cid", outputs: betaOutputs("cid"), history: [] },
      { name: "beta-dee", outputs: betaOutputs("dee"), history: [took(95)] },
      { name: "beta-eve", outputs: betaOutputs("eve"), historyError: "error: could not read the history" },
    ]);
    const names = ["beta-ann", "beta-bob", "beta-cid", "beta-dee", "beta-eve"];
    const outcomes = await refreshFleet(gateway, names, { platformStack: "dev", parallel: 1, retries: 0, retryDelayMs: 0, maxRetryDelayMs: 0, clock: new FastForwardClock() });

    expect(gateway.callsOf("up").map((c) => c.stack)).toEqual(["beta-cid", "beta-eve", "beta-bob", "beta-dee", "beta-ann"]);
    expect(outcomes.map((o) => [o.stack, o.result])).toEqual(names.map((n) => [n, "updated"]));
  });
});
