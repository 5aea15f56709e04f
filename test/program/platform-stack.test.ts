import { describe, expect, it } from "vitest";
import { FAKE_LOAD_BALANCER, FAKE_NLB_ZONE_ID, FAKE_ZONE_ID } from "../../offline/mock-cloud";
import {
  TEST_KUBECONFIG,
  devPlatformConfig,
  kubeconfigPlatformConfig,
  objectNamed,
  objectsOfKind,
  resourcesOfType,
  runPlatform,
} from "../support/program";

describe("the platform stack with a hosted zone (Pulumi.dev.yaml)", () => {
  it("declares exactly one wildcard certificate, its validation, one wildcard record to the router's NLB, and the router", async () => {
    const platform = await runPlatform(devPlatformConfig());
    const certificates = resourcesOfType(platform, "aws:acm/certificate:Certificate");
    expect(certificates.map((c) => c.inputs)).toEqual([
      expect.objectContaining({ domainName: "*.beta.example.com", validationMethod: "DNS" }),
    ]);
    const validations = resourcesOfType(platform, "aws:acm/certificateValidation:CertificateValidation");
    expect(validations).toHaveLength(1);

    const records = resourcesOfType(platform, "aws:route53/record:Record");
    expect(records).toHaveLength(2);
    const validationRecord = records.find((r) => r.inputs.type === "CNAME");
    expect(validationRecord?.inputs).toMatchObject({ zoneId: FAKE_ZONE_ID, name: "_0123456789abcdef.beta.example.com.", allowOverwrite: true });
    expect(validations[0].inputs.validationRecordFqdns).toEqual([validationRecord?.inputs.name]);
    const wildcard = records.find((r) => r.inputs.type === "A");
    expect(wildcard?.inputs).toMatchObject({
      zoneId: FAKE_ZONE_ID,
      name: "*.beta.example.com",
      aliases: [{ name: FAKE_LOAD_BALANCER, zoneId: FAKE_NLB_ZONE_ID, evaluateTargetHealth: true }],
    });

    const service = objectNamed(platform, "Service", "router", "uber");
    expect(service.spec.type).toBe("LoadBalancer");
    expect(service.metadata.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificates.length === 1 ? expect.stringContaining(":certificate/") : "",
      "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
    });
    expect(service.spec.ports).toEqual([
      { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
      { name: "http", port: 80, targetPort: "redirect", protocol: "TCP" },
    ]);
    expect(objectNamed(platform, "Deployment", "router", "uber").spec.replicas).toBe(2);
    expect(platform.outputs.routerHostname).toBe(FAKE_LOAD_BALANCER);
  });

  it("renders the router config from the catalog and rolls the router when it changes", async () => {
    const platform = await runPlatform(devPlatformConfig());
    const config = objectNamed(platform, "ConfigMap", "router-config", "uber").data["beta-router.conf"] as string;
    expect(config).toContain("beta.example.com");
    // No resolver configured: the pod's own nameserver (kube-dns's ClusterIP), never a name.
    expect(config).toContain("local NAMESERVERS = resolv_conf_nameservers()");
    const checksum = objectNamed(platform, "Deployment", "router", "uber").spec.template.metadata.annotations["beta/config-checksum"];
    const other = await runPlatform({ ...devPlatformConfig(), domain: "beta.example.org" });
    const otherChecksum = objectNamed(other, "Deployment", "router", "uber").spec.template.metadata.annotations["beta/config-checksum"];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(otherChecksum).not.toBe(checksum);
  });

  it("exports what developer stacks read, with the kubeconfig and app secrets as secrets", async () => {
    const platform = await runPlatform(devPlatformConfig());
    expect(Object.keys(platform.outputs).sort()).toEqual(
      ["apps", "appSecrets", "clusterDomain", "deployerRoleArn", "domain", "kubeconfig", "quota", "releaseTag", "routerHostname", "sharedServices"].sort(),
    );
    expect(platform.outputs.releaseTag).toBe("master-3f2c1ab");
    expect(platform.outputs.clusterDomain).toBe("cluster.local");
  });

  it("pre-pulls every app image at the release tag on every node", async () => {
    const platform = await runPlatform(devPlatformConfig());
    const daemonSet = objectNamed(platform, "DaemonSet", "image-prepuller", "shared");
    const pod = daemonSet.spec.template.spec;
    expect(pod.initContainers.map((c: { image: string }) => c.image)).toEqual([
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/company/web:master-3f2c1ab",
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/company/api:master-3f2c1ab",
    ]);
    expect(pod.initContainers.every((c: { command: string[] }) => c.command.join(" ") === "node -e 0")).toBe(true);
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].image).toMatch(/pause:[0-9.]+$/);
    expect(pod.tolerations).toEqual([{ operator: "Exists" }]);
  });
});

describe("the platform stack without a hosted zone", () => {
  it("declares no AWS DNS or certificate, and a plain-HTTP load balancer", async () => {
    const platform = await runPlatform(kubeconfigPlatformConfig());
    expect(platform.resources.filter((r) => r.type.startsWith("aws:") || r.type.startsWith("eks:") || r.type === "pulumi:providers:aws")).toEqual([]);
    const service = objectNamed(platform, "Service", "router", "uber");
    expect(service.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "https", protocol: "TCP" }]);
    expect(service.metadata.annotations?.["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]).toBeUndefined();
    const config = objectNamed(platform, "ConfigMap", "router-config", "uber").data["beta-router.conf"] as string;
    expect(config).toMatch(/X-Forwarded-Proto http;/);
  });
});

describe("cluster wiring", () => {
  it("eks: creates the cluster with API authentication, OIDC, a sized managed node group, and access entries without cluster rights", async () => {
    const platform = await runPlatform(devPlatformConfig());
    const [cluster] = resourcesOfType(platform, "eks:index:Cluster");
    expect(cluster.inputs).toMatchObject({ authenticationMode: "API", createOidcProvider: true, skipDefaultNodeGroup: true, version: "1.33" });
    const entries = cluster.inputs.accessEntries as Record<string, { principalArn: string; username: string; kubernetesGroups?: string[]; accessPolicies?: unknown }>;
    expect(entries["developer-alice"]).toEqual({ principalArn: "arn:aws:iam::123456789012:user/alice", username: "alice" });
    expect(entries["developer-bob"]).toEqual({ principalArn: "arn:aws:iam::123456789012:role/bob", username: "bob" });
    expect(entries.deployer).toMatchObject({ username: "beta-deployer", kubernetesGroups: ["beta-deployers"] });

    const [nodes] = resourcesOfType(platform, "eks:index:ManagedNodeGroup");
    expect(nodes.inputs).toMatchObject({ instanceTypes: ["t3.large"], scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 } });

    const provider = resourcesOfType(platform, "pulumi:providers:kubernetes");
    expect(provider).toHaveLength(1);
    for (const object of platform.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.read)) {
      expect(object.provider, object.name).toMatch(/pulumi:providers:kubernetes::cluster-k8s::/);
    }
    for (const object of platform.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
      expect(object.provider, object.name).toMatch(/pulumi:providers:aws::aws::/);
    }
    // Developer stacks deploy as the deployer role, not as whoever runs them.
    const kubeconfig = JSON.parse(String(platform.outputs.kubeconfig));
    expect(kubeconfig.users[0].user.exec.args.slice(-2)).toEqual(["--role-arn", "arn:aws:iam::123456789012:role/cluster-deployer"]);
    expect(objectsOfKind(platform, "ClusterRoleBinding").flatMap((b) => b.subjects)).toEqual([
      { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "beta-deployers" },
    ]);
    // RBAC cannot say "beta-* only"; the admission policy fences the deployer in.
    const fence = objectNamed(platform, "ValidatingAdmissionPolicy", "beta-deployer-fence");
    expect(fence.spec.failurePolicy).toBe("Fail");
    expect(fence.spec.matchConditions).toEqual([{ name: "deployer-only", expression: "'beta-deployers' in request.userInfo.groups" }]);
    expect(fence.spec.validations[0].expression).toBe(
      "request.namespace.startsWith('beta-') || (request.kind.kind == 'Namespace' && request.name.startsWith('beta-'))",
    );
    expect(objectNamed(platform, "ValidatingAdmissionPolicyBinding", "beta-deployer-fence").spec).toEqual({
      policyName: "beta-deployer-fence",
      validationActions: ["Deny"],
    });
    const deployerRules = objectNamed(platform, "ClusterRole", "beta-deployer").rules as { resources: string[]; verbs: string[] }[];
    expect(deployerRules.find((r) => r.resources.includes("endpoints"))?.verbs).toEqual(expect.arrayContaining(["get", "list", "watch"]));
  });

  it("kubeconfig: adopts the cluster of the given context, and exports that context alone", async () => {
    const platform = await runPlatform(kubeconfigPlatformConfig({ cluster: { provider: "kubeconfig", kubeconfig: TEST_KUBECONFIG, context: "other" } }));
    const [provider] = resourcesOfType(platform, "pulumi:providers:kubernetes");
    expect(provider.inputs.kubeconfig).toBe(platform.outputs.kubeconfig);
    expect(String(platform.outputs.kubeconfig)).toContain("current-context: other");
    expect(String(platform.outputs.kubeconfig)).not.toMatch(/name: shared\n\s+context/);
    expect(resourcesOfType(platform, "eks:index:Cluster")).toEqual([]);
    expect(objectsOfKind(platform, "ClusterRoleBinding")).toEqual([]);
  });

  it("kubeconfig: a context alone is looked up in the local kubeconfig file", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "beta-kubeconfig-"));
    const file = path.join(dir, "config");
    fs.writeFileSync(file, TEST_KUBECONFIG);
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
      const platform = await runPlatform(kubeconfigPlatformConfig({ cluster: { provider: "kubeconfig", context: "shared" } }));
      expect(String(platform.outputs.kubeconfig)).toContain("current-context: shared");
    } finally {
      if (previous === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = previous;
    }
  });
});
