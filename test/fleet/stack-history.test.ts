import { describe, expect, it } from "vitest";
import { readHistorySince } from "../../cli/fleet/stack-history";
import { releaseUpdateMessage } from "../../cli/fleet/update-messages";
import { ScriptedGateway, updateRecord } from "../support/scripted-gateway";

const now = new Date("2025-06-15T12:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
const since = ago(14);
const releases = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => updateRecord(releaseUpdateMessage(`master-${from + i}`), ago((from + i) / 4)));
const limits = { pageSize: 10, maxPages: 20 };

describe("readHistorySince: only as much of a Beta's history as reap needs", () => {
  it("stops at the page holding the newest developer update", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", history: [...releases(1, 12), updateRecord("beta up alice", ago(3.5)), ...releases(15, 200)] }]);
    const read = await readHistorySince(gateway, "beta-alice", since, limits);
    expect(gateway.callsOf("history").map((c) => c.args)).toEqual([[{ size: 10, number: 1 }], [{ size: 10, number: 2 }]]);
    expect(read).toMatchObject({ complete: false });
    expect(read.records).toHaveLength(20);
  });

  it("stops at the page that reaches past the idle line when only beta release updated it", async () => {
    // Four releases a day: 14 days is 56 entries, the 6th page crosses the line.
    const gateway = new ScriptedGateway([{ name: "beta-alice", history: releases(1, 400) }]);
    const read = await readHistorySince(gateway, "beta-alice", since, limits);
    expect(gateway.callsOf("history")).toHaveLength(6);
    expect(read.complete).toBe(false);
    expect(read.records.at(-1)!.startTime.getTime()).toBeLessThan(since.getTime());
  });

  it("a short page is the end: the whole history", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", history: releases(1, 13) }]);
    expect(await readHistorySince(gateway, "beta-alice", since, limits)).toMatchObject({ complete: true });
    expect(gateway.callsOf("history")).toHaveLength(2);
  });

  it("gives up after maxPages, reporting the history as incomplete", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", history: releases(1, 400) }]);
    const read = await readHistorySince(gateway, "beta-alice", since, { pageSize: 10, maxPages: 2 });
    expect(read).toMatchObject({ complete: false });
    expect(read.records).toHaveLength(20);
  });
});
