/**
 * A personal copy of a shared service, as the program renders it, meets the cluster's guard
 * rails unchanged: the tenant fence's CEL policies admit its Deployment and its ClusterIP Service
 * (and the switch between shared and personal both ways), and Pod Security "restricted" finds
 * nothing in its pods.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { FENCE_POLICY_NAMES } from "../../lib/tenant-fence";
import { copyablePlatformConfig } from "../support/personal-copies";
import { KubernetesObject, kubernetesObjects, objectNamed, runBeta } from "../support/program";
import { admit, ClusterState, KubeObject } from "./admission";
import { createRequest, developer, updateRequest } from "./admission-requests";
import { workloadViolations } from "./pod-security";

const alice = developer("alice");

describe("the tenant fence and Pod Security admit alice's personal copy of billing", () => {
  let copy: RenderedBeta;
  let shared: RenderedBeta;
  let fence: KubeObject[];
  let cluster: ClusterState;
  const rendered = (beta: RenderedBeta, kind: string) => objectNamed(beta.beta, kind, "billing", "beta-alice") as unknown as KubeObject;

  beforeAll(async () => {
    copy = await runBeta("alice", { services: { billing: { tag: "branch-fix-invoices" } } }, copyablePlatformConfig());
    shared = await runBeta("alice", {}, copyablePlatformConfig());
    // The platform's own fence objects and tenant namespaces, as it declares them.
    const platform = kubernetesObjects(copy.platform) as unknown as KubernetesObject[];
    fence = platform.filter((o) => o.kind === "ValidatingAdmissionPolicy" || o.kind === "ValidatingAdmissionPolicyBinding") as unknown as KubeObject[];
    cluster = {
      namespaces: platform.filter((o) => o.kind === "Namespace") as unknown as KubeObject[],
      objects: platform.filter((o) => o.kind === "ConfigMap" && o.metadata.namespace === "shared") as unknown as KubeObject[],
    };
  });

  const requests: { why: string; request: () => ReturnType<typeof createRequest>; policy: string }[] = [
    { why: "creating the copy's Deployment", request: () => createRequest(rendered(copy, "Deployment"), alice), policy: FENCE_POLICY_NAMES.pods },
    { why: "creating the copy's ClusterIP Service on the shared port", request: () => createRequest(rendered(copy, "Service"), alice), policy: FENCE_POLICY_NAMES.services },
    { why: "switching billing from shared to personal (ExternalName -> ClusterIP)", request: () => updateRequest(rendered(shared, "Service"), rendered(copy, "Service"), alice), policy: FENCE_POLICY_NAMES.services },
    { why: "switching back to shared (ClusterIP -> ExternalName)", request: () => updateRequest(rendered(copy, "Service"), rendered(shared, "Service"), alice), policy: FENCE_POLICY_NAMES.services },
  ];
  it.each(requests)("admits $why, after running its policy", ({ request, policy }) => {
    expect(fence.length).toBeGreaterThanOrEqual(6);
    const verdict = admit(fence, cluster, request());
    expect(verdict.matched).toEqual([`${policy}/${policy}`]);
    expect(verdict.denials).toEqual([]);
    expect(verdict.allowed).toBe(true);
  });

  it("still refuses the copy's Service pointed anywhere but billing's listed target, so the admissions above are the fence's verdict", () => {
    const service = structuredClone(rendered(shared, "Service")) as KubeObject & { spec: { externalName: string } };
    service.spec.externalName = "billing.attacker.example.com";
    const verdict = admit(fence, cluster, updateRequest(rendered(copy, "Service"), service, alice));
    expect(verdict.allowed).toBe(false);
    expect(verdict.denials.map((d) => d.message).join("\n")).toMatch(/externalName/);
  });

  it("finds nothing Pod Security restricted (beyond the namespace's enforced baseline) would refuse in the copy's pods", () => {
    const deployment = rendered(copy, "Deployment") as Parameters<typeof workloadViolations>[1];
    expect(workloadViolations("restricted", deployment)).toEqual([]);
    expect(workloadViolations("baseline", deployment)).toEqual([]);
  });
});
