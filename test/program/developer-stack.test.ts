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

  it("deploys into the tenant namespace beta-alice that the platform made, and declares no guard rail itself", () => {
    expect(beta.beta.outputs.namespace).toBe("beta-alice");
    const kinds = [...new Set(beta.kubernetesObjects.map((o) => o.kind as string))].sort();
    expect(kinds).toEqual(["Deployment", "Secret", "Service"]);
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

  it("reaches each shared backend by its own name through an ExternalName: the host itself, or the platform's Service in shared for an IP", () => {
    const billing = objectNamed(beta.beta, "Service", "billing", "beta-alice");
    expect(billing.spec).toMatchObject({ type: "ExternalName", externalName: "billing.internal.example.com" });
    const postgres = objectNamed(beta.beta, "Service", "postgres", "beta-alice");
    expect(postgres.spec).toMatchObject({ type: "ExternalName", externalName: "postgres.shared.svc.cluster.local" });
    expect(postgres.spec.ports).toEqual([{ name: "tcp", port: 5432, protocol: "TCP" }]);
    // The IP itself lives once, in the platform's namespace: tenants never write endpoints.
    const slice = objectNamed(beta.platform, "EndpointSlice", "postgres-external", "shared");
    expect(slice.metadata.labels?.["kubernetes.io/service-name"]).toBe("postgres");
    expect(slice.endpoints).toEqual([{ addresses: ["10.0.12.34"], conditions: { ready: true } }]);
    expect(objectNamed(beta.platform, "Service", "postgres", "shared").spec.selector).toBeUndefined();
    expect(objectsOfKind(beta.beta, "EndpointSlice")).toEqual([]);
  });

  it("exports the URL of the default app and of every app, the images it runs, and no personal copy", () => {
    expect(beta.beta.outputs).toEqual({
      url: "https://alice.beta.example.com",
      urls: { web: "https://alice.beta.example.com", api: "https://api--alice.beta.example.com" },
      namespace: "beta-alice",
      images: { web: `${REGISTRY}/web:${RELEASE}`, api: `${REGISTRY}/api:${RELEASE}` },
      // No personal copy of a shared service (beta:services).
      services: {},
      database: "shared",
    });
  });

  it("declares no AWS resource at all, and only objects inside its own namespace", () => {
    const types = beta.beta.resources.map((r) => r.type);
    expect(types.filter((t) => t.startsWith("aws:") || t.startsWith("eks:"))).toEqual([]);
    for (const object of beta.kubernetesObjects as { kind: string; metadata: { name: string; namespace?: string } }[]) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe("beta-alice");
    }
  });

  it("sends every Kubernetes object through the explicit provider built from the platform's kubeconfig, signed in as whoever runs it", () => {
    const provider = beta.beta.resources.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(provider?.name).toBe("cluster");
    const kubeconfig = JSON.parse(String(provider?.inputs.kubeconfig));
    // EKS: `aws eks get-token` with the caller's own AWS identity, no role of anyone else's.
    expect(kubeconfig.users[0].user.exec.args).toEqual(["--region", "us-east-1", "eks", "get-token", "--cluster-name", "offline", "--output", "json"]);
    const kubernetes = beta.beta.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    expect(kubernetes.length).toBe(beta.kubernetesObjects.length);
    for (const resource of kubernetes) expect(resource.provider, resource.name).toMatch(/::pulumi:providers:kubernetes::cluster::/);
  });

  it("tells each app which Beta it runs in", () => {
    for (const deployment of objectsOfKind(beta.beta, "Deployment")) {
      const env = deployment.spec.template.spec.containers[0].env as { name: string; value: string }[];
      expect(env).toEqual(expect.arrayContaining([{ name: "BETA_NAME", value: "alice" }, { name: "BETA_NAMESPACE", value: "beta-alice" }]));
    }
  });
});
