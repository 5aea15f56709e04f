import { describe, expect, it } from "vitest";
import { summariseApps } from "../../cli/app-status";
import { RecordingKubectl, runBeta } from "../support/cli-harness";
import { clusterList, type AppState } from "../support/cluster-json";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

function kubectlFor(apps: AppState[]) {
  return new RecordingKubectl((args) => (args.includes("get") ? { stdout: JSON.stringify(clusterList("beta-alice", apps)) } : { code: 1 }));
}
const gateway = () => new ScriptedGateway([{ name: "beta-alice", outputs: betaOutputs("alice") }]);

describe("beta status", () => {
  it("all apps ready: a table per app with ready replicas, image, restarts and URL; exit 0", async () => {
    const kubectl = kubectlFor([{ app: "web", restarts: [0, 2], desired: 2 }, { app: "api" }]);
    const result = await runBeta(["status", "alice"], { kubectl, gateway: gateway() });
    expect(result.code).toBe(0);
    expect(kubectl.calls).toEqual([["--request-timeout=8s", "get", "deploy,pods", "-n", "beta-alice", "-o", "json"]]);
    const rows = result.stdout.trimEnd().split("\n").map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ["APP", "READY", "IMAGE", "RESTARTS", "URL", "PROBLEMS"],
      ["api", "1/1", "registry.example.com/api:master-abc1234", "0", "https://api--alice.beta.example.com"],
      ["web", "2/2", "registry.example.com/web:master-abc1234", "2", "https://alice.beta.example.com"],
    ]);
    expect(result.stderr).toContain("All 2 apps of alice are ready.");
  });

  it("an app not ready exits 1 and points at its logs", async () => {
    const kubectl = kubectlFor([{ app: "web" }, { app: "api", ready: 0, restarts: [7], waiting: "CrashLoopBackOff" }]);
    const result = await runBeta(["status", "alice"], { kubectl, gateway: gateway() });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/api\s+0\/1\s+\S+\s+7\s+\S+\s+CrashLoopBackOff/);
    expect(result.stderr).toContain("1 of 2 apps not ready: api (CrashLoopBackOff).");
    expect(result.stderr).toContain("See why: beta logs alice api");
  });

  it("--json parses, and still exits 1 when something is not ready", async () => {
    const kubectl = kubectlFor([{ app: "web", ready: 0 }]);
    const result = await runBeta(["status", "alice", "--json"], { kubectl, gateway: gateway() });
    expect(result.code).toBe(1);
    const status = JSON.parse(result.stdout) as { ready: boolean; apps: Record<string, unknown>[] };
    expect(status.ready).toBe(false);
    expect(status.apps[0]).toMatchObject({ app: "web", desired: 1, ready: 0, ok: false, url: "https://alice.beta.example.com" });
  });

  it("an empty namespace says to run beta up", async () => {
    const result = await runBeta(["status", "alice"], { kubectl: kubectlFor([]), gateway: gateway() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Beta alice has no apps running");
    expect(result.stderr).toContain("beta up alice");
  });

  it("works without Pulumi: the URLs are left out with a note", async () => {
    const result = await runBeta(["status", "alice"], { kubectl: kubectlFor([{ app: "web" }]) });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("(URLs unavailable:");
    expect(result.stdout).toMatch(/web\s+1\/1\s+\S+\s+0\s+-/);
  });

  it("--context is passed to kubectl; --no-urls skips Pulumi", async () => {
    const kubectl = kubectlFor([{ app: "web" }]);
    const result = await runBeta(["status", "alice", "--context", "beta-eks", "--no-urls"], { kubectl });
    expect(kubectl.calls[0].slice(1, 3)).toEqual(["--context", "beta-eks"]);
    expect(result.stderr).not.toContain("URLs unavailable");
  });

  it("a kubectl failure says how to point kubectl at the cluster", async () => {
    const kubectl = new RecordingKubectl(() => ({ code: 1, stderr: "error: You must be logged in to the server (Unauthorized)\n" }));
    const result = await runBeta(["status", "alice"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("You must be logged in to the server (Unauthorized)");
    expect(result.stderr).toContain("kubectl config current-context");
  });
});

describe("summariseApps reads kubectl's JSON", () => {
  it("counts restarts over the pods its selector picks, not other apps' pods", () => {
    const apps = summariseApps(clusterList("beta-alice", [{ app: "web", restarts: [1, 1] }, { app: "api", restarts: [5] }]));
    expect(apps.map((a) => [a.app, a.restarts])).toEqual([["api", 5], ["web", 2]]);
  });

  it("a rollout in progress (not all replicas updated) is not ready", () => {
    const list = clusterList("beta-alice", [{ app: "web", desired: 2 }]);
    ((list.items as Record<string, Record<string, unknown>>[])[0].status).updatedReplicas = 1;
    expect(summariseApps(list)[0].ok).toBe(false);
  });

  it("ContainerCreating is not a problem; ImagePullBackOff is", () => {
    const apps = summariseApps(clusterList("beta-alice", [{ app: "a", waiting: "ContainerCreating", ready: 0 }, { app: "b", waiting: "ImagePullBackOff", ready: 0 }]));
    expect(apps.map((a) => a.problems)).toEqual([[], ["ImagePullBackOff"]]);
  });

  it("anything that is not a list gives no apps", () => {
    expect(summariseApps(null)).toEqual([]);
    expect(summariseApps({ items: "x" })).toEqual([]);
  });
});
