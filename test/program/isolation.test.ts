import { beforeAll, describe, expect, it } from "vitest";
import { fakeClusterIp } from "../../offline/mock-cloud";
import { RenderedBeta } from "../../offline/render-beta";
import { devPlatformConfig, objectNamed, objectsOfKind, runBeta } from "../support/program";

const SECRET_URL = "postgres://beta:s3cret@10.0.12.34:5432/app";

describe("a Beta can break only itself: the platform owns its tenant and guard rails", () => {
  let beta: RenderedBeta;
  beforeAll(async () => {
    beta = await runBeta("alice", {}, { ...devPlatformConfig(), appSecrets: { DATABASE_URL: SECRET_URL } });
  });

  it("gives each listed developer a tenant namespace with Pod Security labels the developer cannot change", () => {
    for (const name of ["alice", "bob"]) {
      const namespace = objectNamed(beta.platform, "Namespace", `beta-${name}`);
      expect(namespace.metadata.labels).toEqual({
        "app.kubernetes.io/part-of": "beta",
        "beta/tenant": name,
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      });
    }
    expect(objectsOfKind(beta.platform, "Namespace").map((n) => n.metadata.name).filter((n) => n.startsWith("beta-")).sort()).toEqual(["beta-alice", "beta-bob"]);
  });

  it("sizes each tenant's quota from the default, or the developer's own entry within the ceiling", () => {
    expect(objectNamed(beta.platform, "ResourceQuota", "beta-quota", "beta-alice").spec.hard).toEqual({
      "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi", pods: "40",
    });
    // Pulumi.dev.yaml gives bob 6 CPUs of requests.
    expect(objectNamed(beta.platform, "ResourceQuota", "beta-quota", "beta-bob").spec.hard["requests.cpu"]).toBe("6");
    expect(objectNamed(beta.platform, "LimitRange", "beta-limits", "beta-alice").spec.limits[0].type).toBe("Container");
  });

  it("binds the developer and CI's release group to beta-tenant in the tenant's namespace only", () => {
    const binding = objectNamed(beta.platform, "RoleBinding", "beta-tenant", "beta-alice");
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "beta-tenant" });
    expect(binding.subjects).toEqual([
      { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" },
      { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "beta-releasers" },
    ]);
    expect(objectsOfKind(beta.platform, "ClusterRoleBinding")).toEqual([]);
  });

  it("fences every tenant namespace with admission policies whose parameter lists exactly the shared services' targets", () => {
    const policies = objectsOfKind(beta.platform, "ValidatingAdmissionPolicy");
    expect(policies.length).toBeGreaterThanOrEqual(3);
    for (const policy of policies) {
      expect(policy.spec.failurePolicy).toBe("Fail");
      expect(policy.spec.matchConstraints.namespaceSelector).toEqual({ matchExpressions: [{ key: "beta/tenant", operator: "Exists" }] });
    }
    expect(objectsOfKind(beta.platform, "ValidatingAdmissionPolicyBinding")).toHaveLength(policies.length);
    expect(objectNamed(beta.platform, "ConfigMap", "beta-shared-services", "shared").data).toEqual({
      "billing.internal.example.com": "billing",
      "postgres.shared.svc.cluster.local": "postgres",
    });
    // The developer stack's ExternalNames are exactly those targets.
    const targets = objectsOfKind(beta.beta, "Service").filter((s) => s.spec.type === "ExternalName").map((s) => s.spec.externalName);
    expect(targets.sort()).toEqual(["billing.internal.example.com", "postgres.shared.svc.cluster.local"]);
  });

  it("declares none of those guard rails in the developer's own stack", () => {
    for (const kind of ["Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "EndpointSlice"]) {
      expect(objectsOfKind(beta.beta, kind), kind).toEqual([]);
    }
  });

  it("denies all traffic by default, then admits only the router's pods and the Beta itself", () => {
    expect(objectNamed(beta.platform, "NetworkPolicy", "default-deny", "beta-alice").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const ingress = objectNamed(beta.platform, "NetworkPolicy", "allow-router-and-own-namespace", "beta-alice").spec;
    expect(ingress.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "uber" } },
            podSelector: { matchLabels: { "app.kubernetes.io/name": "uber-router", "app.kubernetes.io/part-of": "beta" } },
          },
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "beta-alice" } } },
        ],
      },
    ]);
  });

  it("lets the Beta reach only itself, the shared namespace, cluster DNS and the shared backends' own CIDRs", () => {
    const egress = objectNamed(beta.platform, "NetworkPolicy", "allow-own-namespace-dns-and-shared", "beta-alice").spec.egress;
    const postgresClusterIp = fakeClusterIp("shared-postgres-service-id");
    expect(egress).toEqual([
      {
        to: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "beta-alice" } } },
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shared" } } },
        ],
      },
      {
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
      },
      { to: [{ ipBlock: { cidr: "10.0.8.0/24" } }], ports: [{ protocol: "TCP", port: 8080 }] },
      // An IP backend: its address, and the ClusterIP in shared the Beta's ExternalName leads to.
      { to: [{ ipBlock: { cidr: "10.0.12.34/32" } }, { ipBlock: { cidr: `${postgresClusterIp}/32` } }], ports: [{ protocol: "TCP", port: 5432 }] },
    ]);
    const policies = objectsOfKind(beta.platform, "NetworkPolicy").filter((p) => p.metadata.namespace === "beta-alice");
    expect(JSON.stringify(policies)).not.toMatch(/"beta-(?!alice")/);
    // No egress to everywhere, in any namespace, unless the platform config writes it.
    const egressCidrs = objectsOfKind(beta.platform, "NetworkPolicy").flatMap((p) =>
      (p.spec.egress ?? []).flatMap((rule: { to?: { ipBlock?: { cidr: string } }[] }) => (rule.to ?? []).flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : []))),
    );
    expect(egressCidrs.length).toBeGreaterThan(0);
    expect(egressCidrs).not.toContain("0.0.0.0/0");
  });

  it("runs app containers non-root, without privilege escalation or capabilities, under RuntimeDefault seccomp", () => {
    for (const deployment of objectsOfKind(beta.beta, "Deployment")) {
      const pod = deployment.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
      for (const container of pod.containers) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ["ALL"] },
          seccompProfile: { type: "RuntimeDefault" },
        });
      }
    }
  });

  it("keeps database settings in a Secret, never in a ConfigMap, an env literal or an output", () => {
    expect(objectNamed(beta.beta, "Secret", "app-secrets", "beta-alice").stringData).toEqual({ DATABASE_URL: SECRET_URL });
    const elsewhere = beta.kubernetesObjects.filter((o) => o.kind !== "Secret");
    expect(JSON.stringify(elsewhere)).not.toContain(SECRET_URL);
    expect(JSON.stringify(beta.beta.outputs)).not.toContain(SECRET_URL);
    expect(objectsOfKind(beta.beta, "ConfigMap")).toEqual([]);
  });

  it("rolls the apps when the database settings change, since env is read only at start", async () => {
    const checksum = (rendered: RenderedBeta) =>
      objectsOfKind(rendered.beta, "Deployment").map((d) => d.spec.template.metadata.annotations["beta/app-secrets-checksum"]);
    const before = checksum(beta);
    expect(before[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(before).size).toBe(1);
    const rotated = await runBeta("alice", {}, { ...devPlatformConfig(), appSecrets: { DATABASE_URL: `${SECRET_URL}?rotated=1` } });
    expect(checksum(rotated)[0]).not.toBe(before[0]);
  });


  it("lets developers read the shared namespace through the platform, not their own stack", () => {
    const view = objectNamed(beta.platform, "RoleBinding", "developers-view", "shared");
    expect(view.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" });
    expect(view.subjects.map((s: { kind: string; name: string }) => `${s.kind}:${s.name}`)).toEqual(["User:alice", "User:bob"]);
  });
});
