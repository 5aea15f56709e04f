import { describe, expect, it } from "vitest";
import {
  addonEnablesNetworkPolicy,
  eksClusterEnforcesNetworkPolicy,
  vpcCniPolicyProblems,
  VPC_CNI_NETWORK_POLICY_FACTS,
  type EksClusterCniArgs,
  type NetworkPolicy,
  type ServiceObject,
} from "./vpc-cni";

describe("is NetworkPolicy enforced on the EKS cluster the platform creates?", () => {
  const rows: { why: string; args: EksClusterCniArgs; enforced: boolean }[] = [
    { why: "the default add-on ships with enforcement off (issue 10, defect 3)", args: {}, enforced: false },
    { why: "vpcCniOptions.enableNetworkPolicy turns it on", args: { vpcCniOptions: { enableNetworkPolicy: true } }, enforced: true },
    { why: "useDefaultVpcCni skips the add-on, so the option does nothing", args: { useDefaultVpcCni: true, vpcCniOptions: { enableNetworkPolicy: true } }, enforced: false },
    { why: "Auto Mode without useDefaultVpcCni creates no add-on", args: { autoMode: { enabled: true }, vpcCniOptions: { enableNetworkPolicy: true } }, enforced: false },
    { why: "an explicit configurationValues key wins over the option", args: { vpcCniOptions: { enableNetworkPolicy: true, configurationValues: { enableNetworkPolicy: "false" } } }, enforced: false },
  ];
  it.each(rows)("$why", ({ args, enforced }) => {
    expect(eksClusterEnforcesNetworkPolicy(args)).toBe(enforced);
  });

  it.each([
    { why: "the add-on's string \"true\" enables it", config: '{"enableNetworkPolicy":"true","env":{}}', on: true },
    { why: "an add-on without the key does not", config: '{"env":{}}', on: false },
    { why: "no configuration at all does not", config: undefined, on: false },
  ])("$why", ({ config, on }) => {
    expect(addonEnablesNetworkPolicy(config)).toBe(on);
  });

  it("every fact names its source", () => {
    for (const f of Object.values(VPC_CNI_NETWORK_POLICY_FACTS)) expect(f.source).toMatch(/https:\/\/|@ [0-9a-f]{7}/);
  });
});

const svc = (ports: ServiceObject["spec"]["ports"], extra: Partial<ServiceObject["spec"]> = {}): ServiceObject => ({
  metadata: { name: "web", namespace: "beta-alice" },
  spec: { selector: { "app.kubernetes.io/name": "web" }, ports, ...extra },
});
const policy = (spec: NetworkPolicy["spec"]): NetworkPolicy => ({ metadata: { name: "p", namespace: "beta-alice" }, spec });

describe("vpcCniPolicyProblems: the documented considerations", () => {
  const rows: { why: string; policies?: NetworkPolicy[]; services?: ServiceObject[]; rules: string[] }[] = [
    {
      why: "an app Service on port 80 forwarding to container port 3000 breaks the service-port rule",
      services: [svc([{ port: 80, targetPort: 3000 }])], rules: ["service-port-differs spec.ports[0]"],
    },
    { why: "port and container port equal is fine", services: [svc([{ port: 3000, targetPort: 3000 }])], rules: [] },
    { why: "no targetPort means the same port", services: [svc([{ port: 8080 }])], rules: [] },
    { why: "a named targetPort needs the same service port name", services: [svc([{ name: "web", port: 80, targetPort: "http" }])], rules: ["service-port-differs spec.ports[0]"] },
    { why: "a named targetPort with matching name is fine", services: [svc([{ name: "http", port: 80, targetPort: "http" }])], rules: [] },
    { why: "ExternalName Services have no container port", services: [svc([{ port: 80, targetPort: 5432 }], { type: "ExternalName", selector: undefined })], rules: [] },
    { why: "selector-less Services (shared IP backends) have no container port", services: [svc([{ port: 5432, targetPort: 6432 }], { selector: undefined })], rules: [] },
    {
      why: "25 TCP ports in one rule exceed the limit",
      policies: [policy({ egress: [{ ports: Array.from({ length: 25 }, (_, i) => ({ port: 1000 + i })) }] })],
      rules: ["too-many-ports spec.egress[0].ports"],
    },
    {
      why: "24 TCP ports plus UDP ones stay within the per-protocol limit",
      policies: [policy({ ingress: [{ ports: [...Array.from({ length: 24 }, (_, i) => ({ port: 1000 + i })), { protocol: "UDP", port: 53 }] }] })],
      rules: [],
    },
    {
      why: "an IPv6 ipBlock in an IPv4 cluster is ignored",
      policies: [policy({ egress: [{ to: [{ ipBlock: { cidr: "::/0" } }] }] })],
      rules: ["ip-family-ignored spec.egress[0].to[0].ipBlock.cidr"],
    },
    { why: "an IPv4 ipBlock in an IPv4 cluster is fine", policies: [policy({ egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }] }] })], rules: [] },
  ];
  it.each(rows)("$why", ({ policies = [], services = [], rules }) => {
    expect(vpcCniPolicyProblems(policies, services).map((p) => `${p.rule} ${p.path}`)).toEqual(rules);
  });

  it("a named port that resolves to another container port is reported once the workloads are given", () => {
    // The shape of a Beta app today: Service port 80 named "http" → container port "http" 3000.
    const deployment = {
      kind: "Deployment",
      metadata: { name: "web", namespace: "beta-alice" },
      spec: {
        template: {
          metadata: { labels: { "app.kubernetes.io/name": "web" } },
          spec: { containers: [{ name: "web", ports: [{ name: "http", containerPort: 3000 }] }] },
        },
      },
    };
    const service = svc([{ name: "http", port: 80, targetPort: "http" }]);
    expect(vpcCniPolicyProblems([], [service], { workloads: [deployment] }).map((p) => p.detail)).toEqual([
      'port 80 ("http") resolves to container port 3000; the VPC CNI needs them equal',
    ]);
    const fixed = { ...deployment, spec: { template: { ...deployment.spec.template, spec: { containers: [{ name: "web", ports: [{ name: "http", containerPort: 80 }] }] } } } };
    expect(vpcCniPolicyProblems([], [service], { workloads: [fixed] })).toEqual([]);
    const otherNamespace = { ...deployment, metadata: { name: "web", namespace: "beta-bob" } };
    expect(vpcCniPolicyProblems([], [service], { workloads: [otherNamespace] })).toEqual([]);
  });

  it("an IPv6 cluster flags IPv4 blocks instead", () => {
    const got = vpcCniPolicyProblems([policy({ ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }] })], [], { ipFamily: "IPv6" });
    expect(got.map((p) => p.rule)).toEqual(["ip-family-ignored"]);
  });
});
