import { describe, expect, it } from "vitest";
import { summariseApps } from "../../cli/app-status";
import { RecordingKubectl, runBeta } from "../support/cli-harness";
import { clusterList, type AppState } from "../support/cluster-json";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const kubectlFor = (apps: AppState[]) => new RecordingKubectl(() => ({ stdout: JSON.stringify(clusterList("beta-alice", apps)) }));
const gateway = () => new ScriptedGateway([{ name: "beta-alice", outputs: { ...betaOutputs("alice"), services: { billing: "registry.example.com/billing:branch-x" } } }]);

describe("beta status with a personal copy of a shared service", () => {
  it("marks the copy's row (KIND personal copy, no URL: it is not routed) and counts it", async () => {
    const apps: AppState[] = [{ app: "web" }, { app: "api" }, { app: "billing", personal: true, image: "registry.example.com/billing:branch-x" }];
    const result = await runBeta(["status", "alice"], { kubectl: kubectlFor(apps), gateway: gateway() });
    expect(result.code).toBe(0);
    const rows = result.stdout.trimEnd().split("\n").map((l) => l.split(/\s{2,}/));
    expect(rows).toEqual([
      ["APP", "KIND", "READY", "IMAGE", "RESTARTS", "URL", "PROBLEMS"],
      ["api", "app", "1/1", "registry.example.com/api:master-abc1234", "0", "https://api--alice.beta.example.com"],
      ["billing", "personal copy", "1/1", "registry.example.com/billing:branch-x", "0", "-"],
      ["web", "app", "1/1", "registry.example.com/web:master-abc1234", "0", "https://alice.beta.example.com"],
    ]);
    expect(result.stderr).toContain("All 2 apps and 1 personal copy of alice are ready.");
  });

  it("a copy that is not ready makes the Beta not ready (exit 1), like an app", async () => {
    const apps: AppState[] = [{ app: "web" }, { app: "billing", personal: true, ready: 0, waiting: "ImagePullBackOff" }];
    const result = await runBeta(["status", "alice"], { kubectl: kubectlFor(apps), gateway: gateway() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("1 of 1 apps and 1 personal copy not ready: billing (ImagePullBackOff).");
    expect(result.stderr).toContain("See why: beta logs alice billing");
  });

  it("--json: personal is true for the copy, false for apps", async () => {
    const apps: AppState[] = [{ app: "web" }, { app: "billing", personal: true }];
    const result = await runBeta(["status", "alice", "--json"], { kubectl: kubectlFor(apps), gateway: gateway() });
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as { ready: boolean; apps: { app: string; personal: boolean; url: string | null }[] };
    expect(status.ready).toBe(true);
    expect(status.apps.map(({ app, personal, url }) => ({ app, personal, url }))).toEqual([
      { app: "billing", personal: true, url: null },
      { app: "web", personal: false, url: "https://alice.beta.example.com" },
    ]);
  });

  it("without a copy the table is as it always was (no KIND column)", async () => {
    const result = await runBeta(["status", "alice"], { kubectl: kubectlFor([{ app: "web" }]), gateway: gateway() });
    expect(result.stdout.split("\n")[0].split(/\s{2,}/)).toEqual(["APP", "READY", "IMAGE", "RESTARTS", "URL", "PROBLEMS"]);
  });

  it("only the label makes a copy: a Deployment labelled otherwise is an app", () => {
    const list = clusterList("beta-alice", [{ app: "billing", personal: true }, { app: "api" }]);
    const api = (list.items as { kind: string; metadata: { labels: Record<string, string> } }[]).find((i) => i.kind === "Deployment" && i.metadata.labels["app.kubernetes.io/name"] === "api");
    api!.metadata.labels["beta/personal-copy"] = "false";
    expect(summariseApps(list).map((a) => [a.app, a.personal])).toEqual([["api", false], ["billing", true]]);
  });
});
