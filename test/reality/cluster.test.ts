/**
 * What the cluster enforces, run over what both stacks declare: Pod Security admission at each
 * namespace's level, and the Amazon VPC CNI's network-policy enforcement and considerations.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { KubernetesObject, devPlatformConfig, kubernetesObjects, objectsOfKind, resourcesOfType, runBeta } from "../support/program";
import { Level, Workload, workloadViolations } from "./pod-security";
import { NetworkPolicy, ServiceObject, WorkloadObject, eksClusterEnforcesNetworkPolicy, vpcCniPolicyProblems } from "./vpc-cni";

const WORKLOAD_KINDS = ["Deployment", "DaemonSet", "Job", "StatefulSet"];

describe("Pod Security admission accepts every pod either stack declares", () => {
  let rendered: RenderedBeta;
  beforeAll(async () => {
    rendered = await runBeta("alice");
  });

  it("each workload passes the level its namespace enforces, and a Beta's pods pass restricted (the level it warns at)", () => {
    const namespaces = objectsOfKind(rendered.platform, "Namespace");
    const labelOf = (namespace: string, mode: string) =>
      namespaces.find((n) => n.metadata.name === namespace)?.metadata.labels?.[`pod-security.kubernetes.io/${mode}`] as Level | undefined;
    const workloads = [...kubernetesObjects(rendered.platform), ...rendered.kubernetesObjects].filter((o) => WORKLOAD_KINDS.includes(o.kind as string)) as unknown as KubernetesObject[];
    expect(workloads.length).toBeGreaterThanOrEqual(4);
    for (const workload of workloads) {
      const namespace = workload.metadata.namespace!;
      for (const mode of ["enforce", "warn"]) {
        const level = labelOf(namespace, mode);
        if (!level) continue;
        expect(workloadViolations(level, workload as unknown as Workload), `${workload.kind} ${namespace}/${workload.metadata.name} at ${level} (${mode})`).toEqual([]);
      }
    }
    // Every namespace that runs pods sets an enforced level.
    for (const workload of workloads) expect(labelOf(workload.metadata.namespace!, "enforce"), workload.metadata.namespace).toBeDefined();
  });
});

describe("the Amazon VPC CNI enforces the NetworkPolicies the platform declares", () => {
  let rendered: RenderedBeta;
  beforeAll(async () => {
    rendered = await runBeta("alice", {}, devPlatformConfig());
  });

  it("the EKS cluster turns network policy enforcement on", () => {
    const [cluster] = resourcesOfType(rendered.platform, "eks:index:Cluster");
    expect(eksClusterEnforcesNetworkPolicy(cluster.inputs)).toBe(true);
  });

  it("every Service a pod dials under a port-restricted egress rule keeps port = container port", () => {
    const objects = [...kubernetesObjects(rendered.platform), ...rendered.kubernetesObjects] as unknown as KubernetesObject[];
    const policies = objects.filter((o) => o.kind === "NetworkPolicy") as unknown as NetworkPolicy[];
    const services = objects.filter((o) => o.kind === "Service") as unknown as ServiceObject[];
    const workloads = objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)) as unknown as WorkloadObject[];
    expect(policies.length).toBeGreaterThan(5);
    // The documented rule (service port = container port) exists because the policy agent
    // matches egress on the ClusterIP a pod dialled and the controller adds that ClusterIP with
    // the rule's ports (VPC_CNI_NETWORK_POLICY_FACTS.matchedBeforeServiceTranslation). Egress
    // rules without ports allow every port, and traffic arriving from a load balancer is
    // matched on the pod's own port, so only Services dialled under a rule with ports can drop.
    const problems = vpcCniPolicyProblems(policies, services, { workloads });
    const dialledUnderPorts = (objectId: string) => {
      const namespace = objectId.replace(/^Service /, "").split("/")[0];
      return policies.some((policy) =>
        ((policy as unknown as KubernetesObject).spec.egress ?? []).some(
          (rule: { ports?: unknown[]; to?: { namespaceSelector?: { matchLabels?: Record<string, string> } }[] }) =>
            (rule.ports ?? []).length > 0 && (rule.to ?? []).some((peer) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === namespace),
        ),
      );
    };
    expect(problems.filter((p) => p.rule !== "service-port-differs" || dialledUnderPorts(p.object))).toEqual([]);
    // What that leaves out, by name: the apps (reached by the router and each other without
    // port rules) and the router (reached from the load balancer).
    expect([...new Set(problems.map((p) => p.object))].sort()).toEqual(["Service beta-alice/api", "Service beta-alice/web", "Service uber/router"]);
  });
});
