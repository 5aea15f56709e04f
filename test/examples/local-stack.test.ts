/**
 * Pulumi.local.yaml rendered offline, as `beta render --platform Pulumi.local.yaml alice` does
 * (no kubeconfig, no cluster, no cloud): the platform adopts the kind cluster without any AWS
 * resource and exposes the router on the NodePort kind publishes; alice's Beta runs the sample
 * images with the env they read, every object valid against the Kubernetes API schema.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { renderBeta, type RenderedBeta } from "../../offline/render-beta";
import { validateManifest } from "../support/kubernetes-schema";

const repo = path.resolve(__dirname, "../..");
type Manifest = { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> };
type Container = { image: string; env?: { name: string; value?: string }[]; ports: { containerPort: number }[]; workingDir?: string };

describe("the local platform stack (Pulumi.local.yaml), rendered offline", () => {
  let rendered: RenderedBeta;
  const objects = () => rendered.kubernetesObjects as Manifest[];
  const container = (app: string): Container => {
    const deployment = objects().find((o) => o.kind === "Deployment" && o.metadata.name === app)!;
    return (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
  };
  const env = (app: string) => Object.fromEntries((container(app).env ?? []).map((e) => [e.name, e.value]));

  beforeAll(async () => {
    rendered = await renderBeta({ name: "alice", platformConfigFile: path.join(repo, "Pulumi.local.yaml") });
  }, 60_000);

  it("declares no AWS provider and no AWS resource", () => {
    const aws = rendered.platform.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws" || r.type.startsWith("eks:"));
    expect(aws.map((r) => r.type)).toEqual([]);
  });

  it("serves the router on the NodePort examples/kind.yaml publishes as 127.0.0.1:8080", () => {
    const kind = parse(readFileSync(path.join(repo, "examples/kind.yaml"), "utf8")) as { nodes: { extraPortMappings: { containerPort: number }[] }[] };
    const services = rendered.platform.resources.filter((r) => r.type === "kubernetes:core/v1:Service").map((r) => r.inputs as unknown as Manifest);
    const router = services.find((s) => s.metadata?.namespace === "uber" && (s.spec as { type?: string } | undefined)?.type === "NodePort");
    expect(router, "a NodePort Service in namespace uber").toBeDefined();
    const ports = (router!.spec as { ports: { nodePort?: number }[] }).ports.map((p) => p.nodePort);
    expect(ports).toContain(kind.nodes[0].extraPortMappings[0].containerPort);
  });

  it("runs the sample images at the release tag, on the ports and in the directory their Dockerfiles use", () => {
    for (const [app, port] of [["web", 3000], ["api", 4000]] as const) {
      expect(container(app).image).toBe(`beta-examples/${app}:local-1`);
      expect(container(app).ports.map((p) => p.containerPort)).toEqual([port]);
      expect(container(app).workingDir).toBe("/app");
      expect(readFileSync(path.join(repo, `examples/${app}/Dockerfile`), "utf8")).toContain(`EXPOSE ${port}`);
    }
  });

  it("gives each app the env the sample apps read: their namespace, the api's and the echo service's URLs", () => {
    const source = (app: string) => readFileSync(path.join(repo, `examples/${app}/server.js`), "utf8");
    expect(env("web")).toMatchObject({ BETA_NAMESPACE: "beta-alice", API_URL: "http://api" });
    expect(env("api")).toMatchObject({ BETA_NAMESPACE: "beta-alice", ECHO_URL: "http://echo:8080" });
    for (const app of ["web", "api"]) expect(source(app)).toContain("env.BETA_NAMESPACE");
    expect(source("web")).toContain("env.API_URL");
    expect(source("api")).toContain("env.ECHO_URL");
  });

  it("reaches the shared echo backend of examples/shared/echo.yaml through a Service named echo", () => {
    const echo = objects().find((o) => o.kind === "Service" && o.metadata.name === "echo")!;
    expect(echo.spec).toMatchObject({ type: "ExternalName", externalName: "echo.shared.svc.cluster.local" });
    const manifests = readFileSync(path.join(repo, "examples/shared/echo.yaml"), "utf8");
    expect(manifests).toMatch(/kind: Service\nmetadata:\n {2}name: echo\n {2}namespace: shared\n/);
    expect(manifests).toMatch(/- name: http\n {6}port: 8080\n/);
    expect(manifests).toContain("image: beta-examples/echo:local-1");
  });

  it("lets a Beta run its own echo (beta:services.echo): the sample image at the release tag, on the shared port, syncable", async () => {
    const copy = await renderBeta({ name: "alice", platformConfigFile: path.join(repo, "Pulumi.local.yaml"), betaConfig: { services: { echo: { port: 8080 } } } });
    const copyObjects = copy.kubernetesObjects as Manifest[];
    const deployment = copyObjects.find((o) => o.kind === "Deployment" && o.metadata.name === "echo")!;
    const echoContainer = (deployment.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0];
    expect(echoContainer.image).toBe("beta-examples/echo:local-1");
    expect(echoContainer.ports.map((p) => p.containerPort)).toEqual([8080]);
    expect(echoContainer.workingDir).toBe("/app");
    expect(Object.fromEntries((echoContainer.env ?? []).map((e) => [e.name, e.value]))).toMatchObject({ BETA_NAMESPACE: "beta-alice" });
    expect(readFileSync(path.join(repo, "examples/echo/Dockerfile"), "utf8")).toContain("EXPOSE 8080");
    expect(readFileSync(path.join(repo, "examples/echo/server.js"), "utf8")).toContain("env.BETA_NAMESPACE");
    const service = copyObjects.find((o) => o.kind === "Service" && o.metadata.name === "echo")!;
    expect(service.spec).toMatchObject({ type: "ClusterIP", ports: [expect.objectContaining({ port: 8080 })] });
    for (const object of copyObjects) validateManifest(object as unknown as Record<string, unknown>);
  }, 60_000);

  it("renders only objects the Kubernetes API accepts", () => {
    expect(objects().length).toBeGreaterThan(3);
    for (const object of objects()) validateManifest(object as unknown as Record<string, unknown>);
  });

  it("routes *.beta.localhost", () => {
    expect(rendered.routerConfig).toContain("beta\\.localhost");
  });
});
