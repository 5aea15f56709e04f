import { describe, expect, it } from "vitest";
import { FAKE_KUBE_DNS_IP, FAKE_LOAD_BALANCER, FAKE_NLB_ZONE_ID, FAKE_ZONE_ID } from "../../offline/mock-cloud";
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
    // By address, read from the cluster's kube-dns Service: the router starts even while DNS is down.
    expect(config).toContain(`local NAMESERVERS = { { "${FAKE_KUBE_DNS_IP}", 53 } }`);
    const dnsRead = platform.resources.find((r) => r.read && r.type === "kubernetes:core/v1:Service");
    expect(dnsRead?.name).toBe("kube-dns");
    const checksum = objectNamed(platform, "Deployment", "router", "uber").spec.template.metadata.annotations["beta/config-checksum"];
    const other = await runPlatform({ ...devPlatformConfig(), domain: "beta.example.org" });
    const otherChecksum = objectNamed(other, "Deployment", "router", "uber").spec.template.metadata.annotations["beta/config-checksum"];
    expect(checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(otherChecksum).not.toBe(checksum);
  });

  it("exports what developer stacks read, with the kubeconfig and app secrets as secrets", async () => {
    const platform = await runPlatform(devPlatformConfig());
    expect(Object.keys(platform.outputs).sort()).toEqual(
      ["apps", "appSecrets", "clusterDomain", "clusterEndpoint", "clusterName", "developers", "domain", "kubeconfig", "quota", "releaseTag", "routerHostname", "sharedServices"].sort(),
    );
    expect(platform.outputs.developers).toEqual(["alice", "bob"]);
    expect(platform.outputs.releaseTag).toBe("master-3f2c1ab");
    expect(platform.outputs.clusterDomain).toBe("cluster.local");
  });

  it("pre-pulls every app image at the release tag on every node, running nothing of the image but a copied static no-op", async () => {
    const platform = await runPlatform(devPlatformConfig());
    const daemonSet = objectNamed(platform, "DaemonSet", "image-prepuller", "shared");
    const pod = daemonSet.spec.template.spec;
    const [noop, ...pulls] = pod.initContainers as { image: string; command: string[]; volumeMounts: { name: string; mountPath: string }[] }[];
    expect(noop.image).toMatch(/^busybox:[0-9.]+-musl$/);
    expect(noop.command).toEqual(["/bin/cp", "/bin/busybox", "/beta-prepull/true"]);
    expect(pulls.map((c) => c.image)).toEqual([
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/company/web:master-3f2c1ab",
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/company/api:master-3f2c1ab",
    ]);
    // No shell, no node: an image built FROM scratch is pulled the same way.
    for (const pull of pulls) {
      expect(pull.command).toEqual(["/beta-prepull/true"]);
      expect(pull.volumeMounts).toEqual([{ name: "noop", mountPath: "/beta-prepull", readOnly: true }]);
    }
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
  it("eks: creates the cluster in the named VPC with API authentication, OIDC, network policy on, nodes in private subnets, and access entries", async () => {
    const platform = await runPlatform(devPlatformConfig());
    const [cluster] = resourcesOfType(platform, "eks:index:Cluster");
    expect(cluster.inputs).toMatchObject({
      authenticationMode: "API",
      createOidcProvider: true,
      skipDefaultNodeGroup: true,
      version: "1.33",
      vpcId: "vpc-0a1b2c3d4e5f60718",
      privateSubnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
      publicSubnetIds: ["subnet-0a1b2c3d4e5f60101", "subnet-0a1b2c3d4e5f60102", "subnet-0a1b2c3d4e5f60103"],
      nodeAssociatePublicIpAddress: false,
      useDefaultVpcCni: false,
      vpcCniOptions: { enableNetworkPolicy: true },
    });
    const entries = cluster.inputs.accessEntries as Record<string, { principalArn: string; username?: string; kubernetesGroups?: string[]; accessPolicies?: unknown }>;
    expect(entries["developer-alice"]).toEqual({ principalArn: "arn:aws:iam::123456789012:user/alice", username: "alice" });
    expect(entries["developer-bob"]).toEqual({ principalArn: "arn:aws:iam::123456789012:role/bob", username: "bob" });
    // Admins run `pulumi up` of the platform; CI's release identity gets the tenant group only.
    expect(entries["admin-1"]).toEqual({
      principalArn: "arn:aws:iam::123456789012:role/ci-platform",
      accessPolicies: { admin: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } } },
    });
    expect(entries["releaser-0"]).toEqual({ principalArn: "arn:aws:iam::123456789012:role/ci-release", username: "beta-releaser-0", kubernetesGroups: ["beta-releasers"] });
    expect(Object.keys(entries).sort()).toEqual(["admin-0", "admin-1", "developer-alice", "developer-bob", "releaser-0"]);

    const [nodes] = resourcesOfType(platform, "eks:index:ManagedNodeGroup");
    expect(nodes.inputs).toMatchObject({
      instanceTypes: ["t3.large"],
      scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 },
      subnetIds: ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
    });
    // Both remote components run in the eks plugin, through an explicit eks provider.
    for (const component of [cluster, nodes]) expect(component.provider, component.name).toMatch(/[$:]pulumi:providers:eks::cluster-eks-provider::/);

    const provider = resourcesOfType(platform, "pulumi:providers:kubernetes");
    expect(provider).toHaveLength(1);
    for (const object of platform.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.read)) {
      expect(object.provider, object.name).toMatch(/pulumi:providers:kubernetes::cluster-k8s::/);
    }
    for (const object of platform.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
      expect(object.provider, object.name).toMatch(/pulumi:providers:aws::aws::/);
    }
    // Developer stacks sign in as whoever runs them: no shared deployer role, no --role-arn.
    const kubeconfig = JSON.parse(String(platform.outputs.kubeconfig));
    expect(kubeconfig.users[0].user.exec.args).not.toContain("--role-arn");
    expect(resourcesOfType(platform, "aws:iam/role:Role").map((r) => r.name)).toEqual(["cluster-node-role"]);
    expect(objectsOfKind(platform, "ClusterRoleBinding")).toEqual([]);
    expect(platform.outputs.clusterName).toBe("cluster-eks-eksCluster");
    expect(platform.outputs.clusterEndpoint).toMatch(/^https:\/\/.*eks\.amazonaws\.com$/);
  });

  it("the tenant role grants what a Beta stack declares and Pulumi waits on, and nothing that weakens a guard rail", async () => {
    const platform = await runPlatform(devPlatformConfig());
    const rules = objectNamed(platform, "ClusterRole", "beta-tenant").rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const granted = rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => `${g || "core"}/${res}`)));
    for (const forbidden of ["core/namespaces", "core/resourcequotas", "core/limitranges", "networking.k8s.io/networkpolicies", "rbac.authorization.k8s.io/rolebindings", "core/serviceaccounts", "core/serviceaccounts/token", "networking.k8s.io/ingresses"]) {
      expect(granted, forbidden).not.toContain(forbidden);
    }
    // Endpoints and EndpointSlices are read only: a written one could point a Service anywhere.
    for (const rule of rules.filter((r) => r.resources.includes("endpoints") || r.resources.includes("endpointslices"))) {
      expect(rule.verbs).toEqual(["get", "list", "watch"]);
    }
    expect(rules.flatMap((r) => r.verbs)).not.toContain("*");
  });

  it("kubeconfig: adopts the cluster of the given context, and exports that context alone without its credentials", async () => {
    const platform = await runPlatform(kubeconfigPlatformConfig({ cluster: { provider: "kubeconfig", kubeconfig: TEST_KUBECONFIG, context: "other" } }));
    const [provider] = resourcesOfType(platform, "pulumi:providers:kubernetes");
    // The platform signs in with the adopted credentials; developer stacks never get them.
    expect(String(provider.inputs.kubeconfig)).toContain("test-token");
    expect(String(platform.outputs.kubeconfig)).not.toContain("test-token");
    expect(String(platform.outputs.kubeconfig)).toContain("current-context: other");
    expect(platform.outputs.clusterEndpoint).toBe("https://k8s.example.com");
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

describe("the platform stack with a QA suite (beta:qa)", () => {
  it("exports it as output qa, as configured, for beta test to read", async () => {
    const qa = { image: "registry.example.com/qa", command: ["npm", "test"], timeoutSeconds: 900, reportPath: "/reports/junit.xml" };
    const platform = await runPlatform({ ...devPlatformConfig(), qa });
    expect(platform.outputs.qa).toEqual(qa);
  });
});
