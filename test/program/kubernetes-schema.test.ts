import { describe, expect, it } from "vitest";
import { devPlatformConfig, kubeconfigPlatformConfig, kubernetesObjects, runBeta } from "../support/program";
import { validateManifest } from "../support/kubernetes-schema";
import { copyablePlatformConfig } from "../support/personal-copies";

describe("every Kubernetes object either stack declares is valid for the Kubernetes API", () => {
  const variants: { why: string; platform: () => Record<string, unknown>; beta: Record<string, unknown> }[] = [
    { why: "the example platform and a Beta with no config", platform: devPlatformConfig, beta: {} },
    { why: "an adopted cluster with a Beta that overrides everything", platform: kubeconfigPlatformConfig, beta: { imageTag: "branch-x", apps: { api: { replicas: 0, env: { A: "1" } } }, autoRefresh: false } },
    { why: "copyable shared services with a Beta running a personal copy of billing", platform: copyablePlatformConfig, beta: { services: { billing: { image: "ghcr.io/alice/billing:wip" } } } },
  ];
  for (const { why, platform, beta } of variants) {
    it(why, async () => {
      const rendered = await runBeta("alice", beta, platform());
      const objects = [...kubernetesObjects(rendered.platform), ...rendered.kubernetesObjects];
      expect(objects.length).toBeGreaterThan(20);
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of ["Deployment", "Service", "Namespace", "NetworkPolicy", "DaemonSet", "PodDisruptionBudget"]) expect(kinds).toContain(kind);
      for (const object of objects) validateManifest(object);
    });
  }

  it("the validator rejects what the API server would", () => {
    expect(() => validateManifest({ apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { ports: [{ port: "eighty" }] } })).toThrow(
      /Service web is not valid: .*port must be integer/,
    );
    expect(() => validateManifest({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { template: {} } })).toThrow(/selector/);
  });
});
