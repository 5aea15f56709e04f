import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { objectNamed, objectsOfKind, runBeta } from "../support/program";

const RELEASE = "master-3f2c1ab";
const REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/company";

describe("a new developer stack with no config (beta-alice against Pulumi.dev.yaml)", () => {
  let beta: RenderedBeta;
  beforeAll(async () => {
    beta = await runBeta("alice");
  });

  it("gets its own namespace beta-alice, labelled for Pod Security admission", () => {
    const namespace = objectNamed(beta.beta, "Namespace", "beta-alice");
    expect(namespace.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    expect(beta.beta.outputs.namespace).toBe("beta-alice");
  });

  it("runs every catalog app at the release tag, with its port, probes, labels and sync directory", () => {
    const expected = [
      // web declares no resources: the catalog's defaults.
      { app: "web", port: 3000, health: "/healthz", resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } } },
      { app: "api", port: 4000, health: "/health", resources: { requests: { cpu: "200m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } } },
    ];
    for (const { app, port, health, resources } of expected) {
      const deployment = objectNamed(beta.beta, "Deployment", app, "beta-alice");
      const pod = deployment.spec.template;
      const [container] = pod.spec.containers;
      expect(pod.metadata.labels).toEqual({ "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "beta" });
      expect(deployment.spec.selector.matchLabels).toEqual(pod.metadata.labels);
      expect(container.image).toBe(`${REGISTRY}/${app}:${RELEASE}`);
      expect(container.ports).toEqual([{ name: "http", containerPort: port, protocol: "TCP" }]);
      expect(container.readinessProbe.httpGet).toEqual({ path: health, port: "http" });
      expect(container.livenessProbe.httpGet).toEqual({ path: health, port: "http" });
      expect(container.workingDir).toBe("/app");
      expect(container.resources).toEqual(resources);
      expect(container.envFrom).toEqual([{ secretRef: { name: "app-secrets" } }]);
    }
    expect(objectsOfKind(beta.beta, "Deployment")).toHaveLength(expected.length);
  });

  it("gives every app a Service on port 80 that targets the app's port", () => {
    for (const app of ["web", "api"]) {
      const service = objectNamed(beta.beta, "Service", app, "beta-alice");
      expect(service.spec.selector).toEqual({ "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "beta" });
      expect(service.spec.ports).toEqual([{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }]);
    }
  });

  it("reaches each shared backend by its own name: ExternalName for a host, an EndpointSlice for an IP", () => {
    const billing = objectNamed(beta.beta, "Service", "billing", "beta-alice");
    expect(billing.spec).toMatchObject({ type: "ExternalName", externalName: "billing.internal.example.com" });
    const postgres = objectNamed(beta.beta, "Service", "postgres", "beta-alice");
    expect(postgres.spec.selector).toBeUndefined();
    expect(postgres.spec.ports[0]).toMatchObject({ port: 5432, targetPort: 5432 });
    const slice = objectNamed(beta.beta, "EndpointSlice", "postgres-external", "beta-alice");
    expect(slice.metadata.labels?.["kubernetes.io/service-name"]).toBe("postgres");
    expect(slice.endpoints).toEqual([{ addresses: ["10.0.12.34"], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: "tcp", port: 5432, protocol: "TCP" }]);
  });

  it("exports the URL of the default app and of every app, and the images it runs", () => {
    expect(beta.beta.outputs).toEqual({
      url: "https://alice.beta.example.com",
      urls: { web: "https://alice.beta.example.com", api: "https://api--alice.beta.example.com" },
      namespace: "beta-alice",
      images: { web: `${REGISTRY}/web:${RELEASE}`, api: `${REGISTRY}/api:${RELEASE}` },
      database: "shared",
    });
  });

  it("declares no AWS resource at all, and only objects inside its own namespace", () => {
    const types = beta.beta.resources.map((r) => r.type);
    expect(types.filter((t) => t.startsWith("aws:") || t.startsWith("eks:"))).toEqual([]);
    for (const object of beta.kubernetesObjects as { kind: string; metadata: { name: string; namespace?: string } }[]) {
      if (object.kind === "Namespace") expect(object.metadata.name).toBe("beta-alice");
      else expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe("beta-alice");
    }
  });

  it("sends every Kubernetes object through the explicit provider built from the platform's kubeconfig", () => {
    const provider = beta.beta.resources.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(provider?.name).toBe("cluster");
    expect(String(provider?.inputs.kubeconfig)).toContain("get-token");
    const kubernetes = beta.beta.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    expect(kubernetes.length).toBeGreaterThan(10);
    for (const resource of kubernetes) expect(resource.provider, resource.name).toMatch(/::pulumi:providers:kubernetes::cluster::/);
  });

  it("gets guard rails: a quota and container defaults from the platform, its owner bound to edit", () => {
    expect(objectNamed(beta.beta, "ResourceQuota", "beta-quota", "beta-alice").spec.hard).toEqual({
      "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi", pods: "40",
    });
    expect(objectNamed(beta.beta, "LimitRange", "beta-limits", "beta-alice").spec.limits[0].type).toBe("Container");
    const binding = objectNamed(beta.beta, "RoleBinding", "owner-edit", "beta-alice");
    expect(binding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" });
    expect(binding.subjects).toEqual([{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice" }]);
    expect(objectsOfKind(beta.beta, "ClusterRoleBinding")).toEqual([]);
  });
});
