/**
 * `beta:services`: a Beta runs its own copy of a shared service under the same name and port,
 * so every app of that Beta calls the copy, and nothing changes anywhere else.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { runOffline } from "../../offline/run-offline";
import { SECRET_PLATFORM_OUTPUTS, parsePlatformOutputs } from "../../lib/platform-outputs";
import { parsePlatformConfig } from "../../lib/platform-config";
import { OfflineRun } from "../../offline/types";
import { OFFLINE_CLUSTER_SERVER } from "../../offline/mock-cloud";
import { standInKubeconfig } from "../../offline/stand-in-kubeconfig";
import { kubeconfigServer } from "../../lib/kubeconfig";
import { BILLING_IMAGE, RELEASE, copyablePlatformConfig } from "../support/personal-copies";
import { expectRejected, kubernetesObjects, objectNamed, objectsOfKind, runBeta, runPlatform } from "../support/program";
import { validateManifest } from "../support/kubernetes-schema";

const COPY_LABELS = { "app.kubernetes.io/name": "billing", "app.kubernetes.io/part-of": "beta", "beta/personal-copy": "true" };
const SERVICE_TYPE = "kubernetes:core/v1:Service";

const serviceUrn = (run: OfflineRun, name: string) =>
  run.resources.filter((r) => r.type === SERVICE_TYPE && (r.inputs.metadata as { name: string }).name === name).map((r) => r.urn);

describe("a Beta with a personal copy of billing (beta:services.billing: {tag: branch-fix-invoices})", () => {
  let copy: RenderedBeta;
  let shared: RenderedBeta;
  beforeAll(async () => {
    copy = await runBeta("alice", { services: { billing: { tag: "branch-fix-invoices" } } }, copyablePlatformConfig());
    shared = await runBeta("alice", {}, copyablePlatformConfig());
  });

  it("runs billing's image at that tag as a Deployment shaped like an app's, on the shared port", () => {
    const deployment = objectNamed(copy.beta, "Deployment", "billing", "beta-alice");
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers;
    expect(deployment.metadata.labels).toEqual(COPY_LABELS);
    expect(pod.metadata.labels).toEqual(COPY_LABELS);
    expect(deployment.spec.selector.matchLabels).toEqual(COPY_LABELS);
    expect(deployment.spec.replicas).toBe(1);
    expect(container.image).toBe(`${BILLING_IMAGE}:branch-fix-invoices`);
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/health", port: "http" });
    // beta sync copies into the workingDir, as into an app.
    expect(container.workingDir).toBe("/srv/billing");
    expect(container.resources).toEqual({ requests: { cpu: "50m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } });
  });

  it("gives the copy the apps' guard rails, secrets and env, and says which Beta it runs in", () => {
    const deployment = objectNamed(copy.beta, "Deployment", "billing", "beta-alice");
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    const app = objectNamed(copy.beta, "Deployment", "web", "beta-alice").spec.template.spec;
    expect(pod.securityContext).toEqual(app.securityContext);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual(app.containers[0].securityContext);
    expect(container.envFrom).toEqual([{ secretRef: { name: "app-secrets" } }]);
    // The service's env, then the Beta's name over anything the platform wrote under it.
    expect(container.env).toEqual([
      { name: "BETA_NAME", value: "alice" },
      { name: "BETA_NAMESPACE", value: "beta-alice" },
      { name: "LOG_LEVEL", value: "debug" },
    ]);
    expect(deployment.spec.template.metadata.annotations["beta/app-secrets-checksum"]).toBe(
      objectNamed(copy.beta, "Deployment", "web", "beta-alice").spec.template.metadata.annotations["beta/app-secrets-checksum"],
    );
  });

  it("turns the Beta's billing Service into a ClusterIP Service selecting the copy on the same port", () => {
    const service = objectNamed(copy.beta, "Service", "billing", "beta-alice");
    expect(service.metadata.labels).toEqual(COPY_LABELS);
    expect(service.spec).toEqual({ type: "ClusterIP", selector: COPY_LABELS, ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }] });
  });

  it("keeps every other shared service shared, and every app as it was", () => {
    expect(objectNamed(copy.beta, "Service", "postgres", "beta-alice").spec).toMatchObject({ type: "ExternalName", externalName: "postgres.shared.svc.cluster.local" });
    expect(objectNamed(copy.beta, "Service", "search", "beta-alice").spec).toMatchObject({ type: "ExternalName", externalName: "search.internal.example.com" });
    const withoutCopy = (run: RenderedBeta) => run.kubernetesObjects.filter((o) => (o.metadata as { name: string }).name !== "billing");
    expect(withoutCopy(copy)).toEqual(withoutCopy(shared));
  });

  it("without beta:services: billing is the ExternalName to the shared backend, as before, and no Deployment runs it", () => {
    const service = objectNamed(shared.beta, "Service", "billing", "beta-alice");
    expect(service.spec).toEqual({ type: "ExternalName", externalName: "billing.internal.example.com", ports: [{ name: "tcp", port: 8080, protocol: "TCP" }] });
    expect(service.metadata.labels).toEqual({ "app.kubernetes.io/name": "billing", "app.kubernetes.io/part-of": "beta" });
    expect(objectsOfKind(shared.beta, "Deployment").map((d) => d.metadata.name).sort()).toEqual(["api", "web"]);
    expect(shared.beta.outputs.services).toEqual({});
  });

  it("declares billing's Service under one URN in both modes, so switching updates one object instead of creating a second", () => {
    const [withCopy] = serviceUrn(copy.beta, "billing");
    expect(serviceUrn(copy.beta, "billing")).toHaveLength(1);
    expect(serviceUrn(shared.beta, "billing")).toEqual([withCopy]);
    expect(withCopy).toMatch(/SharedServiceAlias\$kubernetes:core\/v1:Service::beta-alice-shared-billing-service$/);
  });

  it("exports the copy's image as services, and keeps images to the apps", () => {
    expect(copy.beta.outputs.services).toEqual({ billing: `${BILLING_IMAGE}:branch-fix-invoices` });
    expect(copy.beta.outputs.images).toEqual(shared.beta.outputs.images);
    expect(Object.keys(copy.beta.outputs.images as object).sort()).toEqual(["api", "web"]);
  });

  it("changes nothing on the platform: router, shared namespace, network policies and fence are the same objects", () => {
    expect(kubernetesObjects(copy.platform)).toEqual(kubernetesObjects(shared.platform));
    // Not routed: the router knows catalog apps only.
    expect(copy.routerConfig).toBe(shared.routerConfig);
    expect(copy.routerConfig).not.toContain("billing");
    for (const object of copy.kubernetesObjects as { metadata: { namespace?: string } }[]) expect(object.metadata.namespace).toBe("beta-alice");
  });

  it("leaves the copy under the Beta's network policies as they are: they select every pod of the namespace", () => {
    const policies = objectsOfKind(copy.platform, "NetworkPolicy").filter((p) => p.metadata.namespace === "beta-alice");
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(policy.spec.podSelector, policy.metadata.name).toEqual({});
  });

  it("every object of the Beta with the copy is valid for the Kubernetes API", () => {
    for (const object of copy.kubernetesObjects) validateManifest(object);
    expect(copy.kubernetesObjects.filter((o) => o.kind === "Deployment")).toHaveLength(3);
  });
});

describe("which image a personal copy runs", () => {
  const digest = `sha256:${"a1".repeat(32)}`;
  const cases: { why: string; request: Record<string, unknown>; image: string }[] = [
    { why: "{} follows the platform's release tag", request: {}, image: `${BILLING_IMAGE}:${RELEASE}` },
    { why: "tag pins another build of the platform's image", request: { tag: "branch-fix-invoices" }, image: `${BILLING_IMAGE}:branch-fix-invoices` },
    { why: "port may be stated when it is the shared port", request: { port: 8080 }, image: `${BILLING_IMAGE}:${RELEASE}` },
    { why: "image without tag gets the release tag", request: { image: "ghcr.io/alice/billing" }, image: `ghcr.io/alice/billing:${RELEASE}` },
    { why: "image without tag takes tag", request: { image: "ghcr.io/alice/billing", tag: "wip-1" }, image: "ghcr.io/alice/billing:wip-1" },
    { why: "image with its own tag runs as written", request: { image: "ghcr.io/alice/billing:wip-2" }, image: "ghcr.io/alice/billing:wip-2" },
    { why: "a registry's port is not a tag", request: { image: "localhost:5000/billing" }, image: `localhost:5000/billing:${RELEASE}` },
    { why: "a digest runs as written", request: { image: `ghcr.io/alice/billing@${digest}` }, image: `ghcr.io/alice/billing@${digest}` },
  ];
  it.each(cases)("$why", async ({ request, image }) => {
    const rendered = await runBeta("alice", { services: { billing: request } }, copyablePlatformConfig());
    expect(objectNamed(rendered.beta, "Deployment", "billing", "beta-alice").spec.template.spec.containers[0].image).toBe(image);
    expect(rendered.beta.outputs.services).toEqual({ billing: image });
  });

  it("a copy with {} moves with the release; a pinned one stays", async () => {
    const moved = copyablePlatformConfig();
    moved.releaseTag = "master-9e8d7c6";
    const following = await runBeta("alice", { services: { billing: {} } }, moved);
    const pinned = await runBeta("alice", { services: { billing: { tag: "branch-x" } } }, moved);
    expect(following.beta.outputs.services).toEqual({ billing: `${BILLING_IMAGE}:master-9e8d7c6` });
    expect(pinned.beta.outputs.services).toEqual({ billing: `${BILLING_IMAGE}:branch-x` });
  });

  it("beta:imageTag pins the apps, not the copy", async () => {
    const rendered = await runBeta("alice", { imageTag: "branch-x", services: { billing: {} } }, copyablePlatformConfig());
    expect(rendered.beta.outputs.services).toEqual({ billing: `${BILLING_IMAGE}:${RELEASE}` });
    expect(objectNamed(rendered.beta, "Deployment", "web", "beta-alice").spec.template.spec.containers[0].image).toBe("registry.example.com/web:branch-x");
  });
});

describe("other Betas do not see alice's copy", () => {
  it("bob's objects are identical whether or not alice runs her own billing", async () => {
    const bobAlone = await runBeta("bob", {}, copyablePlatformConfig());
    const aliceWithCopy = await runBeta("alice", { services: { billing: {} } }, copyablePlatformConfig());
    const bobAfter = await runBeta("bob", {}, copyablePlatformConfig());
    expect(objectNamed(aliceWithCopy.beta, "Service", "billing", "beta-alice").spec.type).toBe("ClusterIP");
    expect(bobAfter.kubernetesObjects).toEqual(bobAlone.kubernetesObjects);
    expect(objectNamed(bobAfter.beta, "Service", "billing", "beta-bob").spec).toMatchObject({ type: "ExternalName", externalName: "billing.internal.example.com" });
    // Everything bob's Beta relies on lives on the platform, which alice's stack does not change.
    expect(kubernetesObjects(aliceWithCopy.platform)).toEqual(kubernetesObjects(bobAfter.platform));
    expect(bobAfter.beta.outputs.services).toEqual({});
  });
});

describe("the platform's copyable shared services", () => {
  let platform: OfflineRun;
  beforeAll(async () => {
    platform = await runPlatform(copyablePlatformConfig());
  });

  it("pre-pulls the image of each copyable shared service at the release tag, and of no other", () => {
    const daemonSet = objectNamed(platform, "DaemonSet", "image-prepuller", "shared");
    const pulls = (daemonSet.spec.template.spec.initContainers as { name: string; image: string }[]).filter((c) => c.name.startsWith("pull-"));
    expect(pulls.map((c) => [c.name, c.image])).toEqual([
      ["pull-web", `registry.example.com/web:${RELEASE}`],
      ["pull-api", `registry.example.com/api:${RELEASE}`],
      ["pull-billing", `${BILLING_IMAGE}:${RELEASE}`],
    ]);
  });

  it("exports sharedServices with the copy settings resolved, and a developer stack reads them back as the platform parsed them", () => {
    const exported = platform.outputs.sharedServices as Record<string, unknown>[];
    expect(exported.map((s) => [s.name, s.copyable])).toEqual([["billing", true], ["postgres", false], ["search", false]]);
    expect(exported[0]).toMatchObject({ image: BILLING_IMAGE, healthPath: "/health", syncPath: "/srv/billing", env: { LOG_LEVEL: "debug", BETA_NAME: "not-this" } });
    expect(exported[1]).toMatchObject({ env: {}, syncPath: "/app", resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } } });
    const reread = parsePlatformOutputs("dev", platform.outputs).sharedServices;
    expect(reread).toEqual(parsePlatformConfig(copyablePlatformConfig()).sharedServices);
  });
});

describe("bad beta:services stops the Beta with one message naming the key and value, before anything is declared", () => {
  let platform: OfflineRun;
  beforeAll(async () => {
    platform = await runPlatform(copyablePlatformConfig());
  });
  // The Beta program itself, fed the platform's outputs: it must fail on its own, first thing.
  const runAlice = (services: unknown) =>
    runOffline({
      stack: "beta-alice",
      config: { services },
      stackOutputs: { "organization/beta/dev": { outputs: platform.outputs, secretOutputNames: [...SECRET_PLATFORM_OUTPUTS] } },
      localKubeconfig: standInKubeconfig(kubeconfigServer(String(platform.outputs.kubeconfig)) ?? OFFLINE_CLUSTER_SERVER),
    });

  const cases: { why: string; services: unknown; message: RegExp }[] = [
    { why: "a name that is not a shared service, with a suggestion", services: { biling: {} }, message: /beta:services\.biling: "biling" is not a shared service of the platform; did you mean "billing"\? \(shared services: billing, postgres, search\)/ },
    { why: "an app is not a shared service", services: { web: {} }, message: /beta:services\.web: "web" is not a shared service of the platform \(shared services: billing, postgres, search\)/ },
    { why: "a shared service the platform names no image for", services: { postgres: {} }, message: /beta:services\.postgres: the platform names no image for it .*cannot run its own copy of "postgres" \(copyable shared services: billing\)/ },
    { why: "a shared service marked copyable: false", services: { search: { tag: "x1" } }, message: /beta:services\.search: the platform marks it copyable: false, so a Beta cannot run its own copy of "search"/ },
    { why: "a port other than the shared one", services: { billing: { port: 9090 } }, message: /beta:services\.billing\.port: 9090 is not billing's shared port 8080/ },
    { why: "a tag that is not a tag", services: { billing: { tag: "-fix" } }, message: /beta:services\.billing\.tag: an image tag is 1-128 .*\(got "-fix"\)/ },
    { why: "latest moves under a running Beta", services: { billing: { tag: "latest" } }, message: /beta:services\.billing\.tag: pin a build .*\(got "latest"\)/ },
    { why: "an image at latest", services: { billing: { image: "ghcr.io/alice/billing:latest" } }, message: /beta:services\.billing\.image: pin a build .*\(got "ghcr.io\/alice\/billing:latest"\)/ },
    { why: "an image that is not an image", services: { billing: { image: "GHCR.io/Alice Billing" } }, message: /beta:services\.billing\.image: an image such as .* \(got "GHCR.io\/Alice Billing"\)/ },
    { why: "a digest that is not sha256", services: { billing: { image: "ghcr.io/alice/billing@sha256:abc" } }, message: /beta:services\.billing\.image: a digest is @sha256: and 64 lower-case hex digits \(got "ghcr.io\/alice\/billing@sha256:abc"\)/ },
    { why: "a tag in two places", services: { billing: { image: "ghcr.io/alice/billing:wip", tag: "wip-2" } }, message: /beta:services\.billing\.tag: image "ghcr.io\/alice\/billing:wip" already names its build.* \(got "wip-2"\)/ },
    { why: "a misspelt key", services: { billing: { tags: "wip" } }, message: /beta:services\.billing: unknown key "tags" \(allowed keys: tag, image, port\)/ },
    { why: "a port that is not a port", services: { billing: { port: "8080" } }, message: /beta:services\.billing\.port: must be a whole number from 1 to 65535 \(got "8080"\)/ },
    { why: "a bare tag instead of an object", services: { billing: "branch-x" }, message: /beta:services\.billing: .*object.* \(got "branch-x"\)/ },
  ];
  it.each(cases)("$why", async ({ services, message }) => {
    const error = await expectRejected(() => runAlice(services));
    expect(error).toMatch(message);
    expect(error.match(/beta:services/g), "one problem").toHaveLength(1);
  });

  it("a good beta:services passes the same way, so the failures above are the config's", async () => {
    const run = await runAlice({ billing: {} });
    expect(run.outputs.services).toEqual({ billing: `${BILLING_IMAGE}:${RELEASE}` });
  });
});

describe("bad copy settings on the platform stop the platform stack", () => {
  const billing = { name: "billing", host: "billing.internal.example.com", port: 8080, cidrs: ["10.0.8.0/24"] };
  const cases: { why: string; service: Record<string, unknown>; message: RegExp }[] = [
    { why: "copyable without an image", service: { ...billing, copyable: true }, message: /beta:sharedServices\[0\]\.image: copyable: true needs the image a Beta's copy of "billing" runs/ },
    { why: "an image with a tag", service: { ...billing, image: "registry.example.com/billing:1.2" }, message: /beta:sharedServices\[0\]\.image: give the repository without a tag.*\(got "registry.example.com\/billing:1.2"\)/ },
    { why: "a health path that is not a path", service: { ...billing, image: BILLING_IMAGE, healthPath: "health" }, message: /beta:sharedServices\[0\]\.healthPath: a path starting with '\/'/ },
    { why: "the container's root as sync path", service: { ...billing, image: BILLING_IMAGE, syncPath: "/" }, message: /beta:sharedServices\[0\]\.syncPath: the app's source directory, not the container's root/ },
    { why: "requests above limits", service: { ...billing, image: BILLING_IMAGE, resources: { requests: { cpu: "2" } } }, message: /beta:sharedServices\[0\]\.resources: .*cpu/ },
    { why: "copyable that is not a boolean", service: { ...billing, image: BILLING_IMAGE, copyable: "yes" }, message: /beta:sharedServices\[0\]\.copyable: true or false \(got "yes"\)/ },
  ];
  it.each(cases)("$why", async ({ service, message }) => {
    const error = await expectRejected(() => runPlatform(platformWithOnly(service)));
    expect(error).toMatch(message);
  });
});

/** The copyable platform with `service` as its only shared service. */
function platformWithOnly(service: Record<string, unknown>): Record<string, unknown> {
  return { ...copyablePlatformConfig(), sharedServices: [service] };
}
