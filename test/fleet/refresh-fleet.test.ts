import { describe, expect, it } from "vitest";
import { planRefresh, refreshFleet, retryDelay, type FleetEvent, type RefreshFleetOptions } from "../../cli/fleet/refresh-fleet";
import { FastForwardClock } from "../support/fast-forward-clock";
import { ScriptedGateway, betaOutputs, type ScriptedStack } from "../support/scripted-gateway";

function options(overrides: Partial<RefreshFleetOptions> = {}): RefreshFleetOptions {
  return { platformStack: "dev", parallel: 4, retries: 3, retryDelayMs: 1000, maxRetryDelayMs: 4000, clock: new FastForwardClock(), ...overrides };
}

const beta = (name: string, extra: Partial<ScriptedStack> = {}): ScriptedStack => ({ name: `beta-${name}`, outputs: betaOutputs(name), ...extra });

describe("refreshFleet: every Beta brought up to date", () => {
  it("updates every stack, never more than --parallel at once, and uses the parallelism it is given", async () => {
    const stacks = Array.from({ length: 20 }, (_, i) => beta(`dev${i}`, { up: [{ kind: "ok", delayMs: 5 + (i % 3) * 5 }] }));
    const gateway = new ScriptedGateway(stacks);
    const outcomes = await refreshFleet(gateway, stacks.map((s) => s.name), options({ parallel: 3 }));
    expect(gateway.maxRunning).toBe(3);
    expect(outcomes.map((o) => o.result)).toEqual(Array(20).fill("updated"));
    expect(new Set(gateway.callsOf("up").map((c) => c.stack))).toEqual(new Set(stacks.map((s) => s.name)));
    expect(outcomes[0]).toMatchObject({ stack: "beta-dev0", name: "dev0", attempts: 1, url: "https://dev0.beta.example.com" });
  });

  it("one stack's failure never stops the others, and is reported with its error", async () => {
    const gateway = new ScriptedGateway([
      beta("a", { up: [{ kind: "ok", delayMs: 10 }] }),
      beta("broken", { up: [{ kind: "fail", message: "Deployment web: ImagePullBackOff" }] }),
      beta("c", { up: [{ kind: "ok", delayMs: 10 }] }),
    ]);
    const outcomes = await refreshFleet(gateway, ["beta-a", "beta-broken", "beta-c"], options({ parallel: 1 }));
    expect(outcomes.map((o) => [o.name, o.result])).toEqual([["a", "updated"], ["broken", "failed"], ["c", "updated"]]);
    expect(outcomes[1].detail).toBe("error: Deployment web: ImagePullBackOff");
    expect(outcomes[1].error).toContain("ImagePullBackOff");
  });

  describe("a stack busy with another update is retried later", () => {
    it.each(["ConcurrentUpdateError", "409-text", "locked-text"] as const)("and succeeds once free (%s)", async (as) => {
      const clock = new FastForwardClock();
      const events: FleetEvent[] = [];
      const gateway = new ScriptedGateway([beta("busy", { up: [{ kind: "conflict", as }, { kind: "conflict", as }, { kind: "ok" }] }), beta("free")]);
      const outcomes = await refreshFleet(gateway, ["beta-busy", "beta-free"], options({ clock, onEvent: (e) => events.push(e) }));
      expect(outcomes[0]).toMatchObject({ result: "updated", attempts: 3 });
      expect(outcomes[1]).toMatchObject({ result: "updated", attempts: 1 });
      const retries = events.filter((e) => e.type === "stack-retry");
      expect(retries.map((e) => e.type === "stack-retry" && e.delayMs)).toEqual([1000, 2000]);
    });

    it("and is reported BUSY after the last retry, with backoff doubling up to the cap", async () => {
      const events: FleetEvent[] = [];
      const gateway = new ScriptedGateway([beta("stuck", { up: [{ kind: "conflict" }] }), beta("ok")]);
      const outcomes = await refreshFleet(gateway, ["beta-stuck", "beta-ok"], options({ retries: 4, onEvent: (e) => events.push(e) }));
      expect(outcomes[0]).toMatchObject({ result: "busy", attempts: 5, detail: "another update was still in progress after 5 attempts" });
      expect(outcomes[1].result).toBe("updated");
      expect(gateway.attempts.get("beta-stuck")).toBe(5);
      expect(events.flatMap((e) => (e.type === "stack-retry" ? [e.delayMs] : []))).toEqual([1000, 2000, 4000, 4000]);
    });

    it("a plain failure is not retried", async () => {
      const gateway = new ScriptedGateway([beta("x", { up: [{ kind: "fail" }, { kind: "ok" }] })]);
      const [outcome] = await refreshFleet(gateway, ["beta-x"], options());
      expect(outcome).toMatchObject({ result: "failed", attempts: 1 });
    });
  });

  it("a Beta pinned with beta:imageTag is still updated, and its pin is left alone", async () => {
    const gateway = new ScriptedGateway([
      beta("pinned", { config: { "beta:imageTag": "branch-login", "beta:apps": JSON.stringify({ api: { imageTag: "branch-api-fix" } }) } }),
    ]);
    const [outcome] = await refreshFleet(gateway, ["beta-pinned"], options());
    expect(outcome).toMatchObject({ result: "updated", pinnedImageTag: "branch-login", pinnedApps: { api: "branch-api-fix" } });
    expect(gateway.callsOf("setConfig")).toEqual([]);
    expect(gateway.callsOf("removeConfig")).toEqual([]);
    expect(gateway.stacks.get("beta-pinned")?.config?.["beta:imageTag"]).toBe("branch-login");
  });

  it("a Beta with beta:autoRefresh false is skipped and reported as skipped", async () => {
    const gateway = new ScriptedGateway([beta("frozen", { config: { "beta:autoRefresh": "false" } }), beta("live")]);
    const outcomes = await refreshFleet(gateway, ["beta-frozen", "beta-live"], options());
    expect(outcomes[0]).toMatchObject({ result: "skipped", attempts: 0, detail: "opted out (beta:autoRefresh is false)" });
    expect(gateway.callsOf("up").map((c) => c.stack)).toEqual(["beta-live"]);
  });

  it("a Beta following another platform stack is skipped", async () => {
    const gateway = new ScriptedGateway([beta("stg", { config: { "beta:platformStack": "staging" } })]);
    const [outcome] = await refreshFleet(gateway, ["beta-stg"], options());
    expect(outcome).toMatchObject({ result: "skipped", detail: "follows platform stack staging, not dev" });
  });

  it("a Beta whose config is broken fails with the config error; the others go on", async () => {
    const gateway = new ScriptedGateway([beta("typo", { config: { "beta:imagetag": "x" } }), beta("noconfig", { configError: "error: could not read config" }), beta("fine")]);
    const outcomes = await refreshFleet(gateway, ["beta-typo", "beta-noconfig", "beta-fine"], options());
    expect(outcomes.map((o) => o.result)).toEqual(["failed", "failed", "updated"]);
    expect(outcomes[0].detail).toContain("Unknown configuration beta:imagetag");
  });

  it("stacks that are not valid developer stacks are skipped, never updated", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-Bad" }, { name: "dev" }]);
    const outcomes = await refreshFleet(gateway, ["beta-Bad", "dev"], options());
    expect(outcomes.map((o) => o.result)).toEqual(["skipped", "skipped"]);
    expect(gateway.callsOf("up")).toEqual([]);
  });
});

describe("planRefresh decides from the config alone", () => {
  const cases: [why: string, config: Record<string, string>, plan: unknown][] = [
    ["no config: update", {}, { action: "update" }],
    ["pinned: update, keep the pin", { "beta:imageTag": "branch-x" }, { action: "update", pinnedImageTag: "branch-x" }],
    ["autoRefresh true: update", { "beta:autoRefresh": "true" }, { action: "update" }],
    ["autoRefresh false: skip", { "beta:autoRefresh": "false" }, { action: "skip", reason: "opted out (beta:autoRefresh is false)" }],
    ["fully qualified platform stack matches dev", { "beta:platformStack": "acme/beta/dev" }, { action: "update" }],
    ["other platform: skip", { "beta:platformStack": "prod-like" }, { action: "skip", reason: "follows platform stack prod-like, not dev" }],
    ["other namespaces' keys are not ours", { "aws:region": "us-east-1" }, { action: "update" }],
  ];
  it.each(cases)("%s", (_why, config, plan) => {
    expect(planRefresh(config, "dev")).toEqual(plan);
  });

  it("retry delays double from the first and stop at the cap", () => {
    const policy = { retries: 6, retryDelayMs: 30_000, maxRetryDelayMs: 120_000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n))).toEqual([30_000, 60_000, 120_000, 120_000, 120_000]);
  });
});
