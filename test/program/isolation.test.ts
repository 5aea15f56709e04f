import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { devPlatformConfig, objectNamed, objectsOfKind, runBeta } from "../support/program";

const SECRET_URL = "postgres://beta:s3cret@10.0.12.34:5432/app";

describe("a Beta can break only itself", () => {
  let beta: RenderedBeta;
  beforeAll(async () => {
    beta = await runBeta("alice", {}, { ...devPlatformConfig(), appSecrets: { DATABASE_URL: SECRET_URL } });
  });

  it("denies all traffic by default, then admits only the router and the Beta itself", () => {
    expect(objectNamed(beta.beta, "NetworkPolicy", "default-deny", "beta-alice").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const ingress = objectNamed(beta.beta, "NetworkPolicy", "allow-router-and-own-namespace", "beta-alice").spec;
    expect(ingress.ingress).toEqual([
      {
        from: [
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "uber" } } },
          { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "beta-alice" } } },
        ],
      },
    ]);
  });

  it("lets the Beta reach only itself, the shared namespace, cluster DNS and the shared backends", () => {
    const egress = objectNamed(beta.beta, "NetworkPolicy", "allow-own-namespace-dns-and-shared", "beta-alice").spec.egress;
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
      { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 8080 }] },
      { to: [{ ipBlock: { cidr: "10.0.12.34/32" } }], ports: [{ protocol: "TCP", port: 5432 }] },
    ]);
    const selectors = JSON.stringify(objectsOfKind(beta.beta, "NetworkPolicy"));
    expect(selectors).not.toMatch(/"beta-(?!alice")/);
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

  it("binds no one cluster-wide: the owner gets edit in beta-alice only", () => {
    expect(objectsOfKind(beta.beta, "ClusterRoleBinding")).toEqual([]);
    expect(objectsOfKind(beta.beta, "ClusterRole")).toEqual([]);
    expect(objectsOfKind(beta.beta, "RoleBinding").map((b) => b.metadata.namespace)).toEqual(["beta-alice"]);
  });

  it("lets developers read the shared namespace through the platform, not their own stack", () => {
    const view = objectNamed(beta.platform, "RoleBinding", "developers-view", "shared");
    expect(view.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" });
    expect(view.subjects.map((s: { kind: string; name: string }) => `${s.kind}:${s.name}`)).toEqual(["User:alice", "User:bob"]);
  });
});
