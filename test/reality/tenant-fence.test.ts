/**
 * The tenant fence's policies, run by a real CEL engine against admission requests built the
 * way the API server builds them: what an attacker with the beta-tenant role tries is refused
 * with a message that names the rule; what a real Beta declares goes through; nothing outside
 * tenant namespaces is touched.
 */
import { describe, expect, it } from "vitest";
import { BASELINE_CAPABILITIES, FENCE_POLICY_NAMES, sharedServiceTargets, tenantFenceObjects } from "../../lib/tenant-fence";
import { validateManifest } from "../support/kubernetes-schema";
import { admit, ClusterState, KubeObject } from "./admission";
import { createRequest, deleteRequest, developer, ephemeralContainerRequest, updateRequest } from "./admission-requests";

// The shared services of the test platform (test/support/program.ts): one by DNS name, one by IP.
const sharedServices = [
  { name: "billing", host: "billing.internal.example.com" },
  { name: "postgres", host: "10.0.12.34" },
];
const fence = tenantFenceObjects({ sharedServiceTargets: sharedServiceTargets(sharedServices, "cluster.local") });
const fenceObjects = [...fence.policies, ...fence.bindings] as KubeObject[];

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const cluster: ClusterState = {
  namespaces: [
    namespace("beta-alice", { "app.kubernetes.io/part-of": "beta", "beta/tenant": "alice", "pod-security.kubernetes.io/enforce": "baseline" }),
    namespace("beta-bob", { "app.kubernetes.io/part-of": "beta", "beta/tenant": "bob", "pod-security.kubernetes.io/enforce": "baseline" }),
    namespace("uber"),
    namespace("shared"),
    namespace("kube-system"),
  ],
  objects: [fence.params as KubeObject],
};
const alice = developer("alice");
const NS = "beta-alice";

// --- Objects shaped like what a Beta stack declares (components/App.ts, BetaEnvironment.ts) ---

const appLabels = { "app.kubernetes.io/name": "web", "app.kubernetes.io/part-of": "beta" };
type Container = Record<string, unknown>;
type PodSpec = Record<string, unknown>;

function appContainer(overrides: Container = {}): Container {
  return {
    name: "web",
    image: "registry.example.com/web:master-3f2c1ab",
    ports: [{ name: "http", containerPort: 3000, protocol: "TCP" }],
    securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    ...overrides,
  };
}
function podSpec(overrides: PodSpec = {}): PodSpec {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
    automountServiceAccountToken: false,
    containers: [appContainer()],
    ...overrides,
  };
}
const template = (spec: PodSpec) => ({ metadata: { labels: appLabels }, spec });
const meta = (name: string, ns = NS) => ({ name, namespace: ns, labels: appLabels });

const deployment = (spec: PodSpec = podSpec(), ns = NS): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: meta("web", ns),
  spec: { replicas: 1, selector: { matchLabels: appLabels }, template: template(spec) },
});
const pod = (spec: PodSpec = podSpec(), ns = NS): KubeObject => ({ apiVersion: "v1", kind: "Pod", metadata: meta("web-7d9f8", ns), spec });
const job = (spec: PodSpec = podSpec({ restartPolicy: "Never" })): KubeObject => ({ apiVersion: "batch/v1", kind: "Job", metadata: meta("migrate"), spec: { template: template(spec) } });
const cronJob = (spec: PodSpec): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: meta("nightly"),
  spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: template({ restartPolicy: "Never", ...spec }) } } },
});
const workload = (kind: "ReplicaSet" | "StatefulSet" | "DaemonSet", spec: PodSpec): KubeObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: meta("web"),
  spec: { selector: { matchLabels: appLabels }, template: template(spec), ...(kind === "StatefulSet" ? { serviceName: "web" } : {}) },
});
const service = (name: string, spec: Record<string, unknown>, ns = NS): KubeObject => ({ apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec });
const appService = (overrides: Record<string, unknown> = {}, ns = NS) =>
  service("web", { type: "ClusterIP", selector: appLabels, ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }], ...overrides }, ns);
const externalName = (name: string, target: string) => service(name, { type: "ExternalName", externalName: target, ports: [{ name: "tcp", port: 5432, protocol: "TCP" }] });
const secret = (type: string | undefined, extra: Record<string, unknown> = {}, ns = NS): KubeObject => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "app-secrets", namespace: ns, ...extra },
  ...(type ? { type } : {}),
  stringData: { API_KEY: "x" },
});
const withHostPort = (port = 8080) => appContainer({ ports: [{ name: "http", containerPort: 3000, hostPort: port, protocol: "TCP" }] });
const withCaps = (...add: string[]) => appContainer({ securityContext: { capabilities: { add } } });

/** The denial messages of a verdict, in order. */
function denialsOf(request: Parameters<typeof admit>[2]): string[] {
  return admit(fenceObjects, cluster, request).denials.map((d) => d.message);
}

describe("the tenant fence refuses what a tenant could use to leave its Beta", () => {
  const hostile: { why: string; request: ReturnType<typeof createRequest>; policy: string; message: RegExp }[] = [
    { why: "a LoadBalancer opens the Beta to the internet", request: createRequest(appService({ type: "LoadBalancer" }), alice), policy: "services", message: /service type: LoadBalancer is not allowed/ },
    { why: "a NodePort opens a port on every node", request: createRequest(appService({ type: "NodePort" }), alice), policy: "services", message: /service type: NodePort is not allowed/ },
    { why: "externalIPs make nodes capture traffic for any address (CVE-2020-8554)", request: createRequest(appService({ externalIPs: ["203.0.113.7"] }), alice), policy: "services", message: /service externalIPs: 203\.0\.113\.7 is not allowed/ },
    { why: "an ExternalName to an unlisted internal host lets the router proxy to it", request: createRequest(externalName("billing", "metadata.internal.example.com"), alice), policy: "services", message: /service externalName: metadata\.internal\.example\.com is not the platform's target for shared service billing/ },
    { why: "a listed target under another name makes `web` a public door to a shared backend", request: createRequest(externalName("web", "billing.internal.example.com"), alice), policy: "services", message: /service externalName: billing\.internal\.example\.com is not the platform's target for shared service web/ },
    { why: "the shared service of another name is not this Service's target", request: createRequest(externalName("billing", "postgres.shared.svc.cluster.local"), alice), policy: "services", message: /not the platform's target for shared service billing/ },
    { why: "a trailing-dot spelling is not a listed target", request: createRequest(externalName("billing", "billing.internal.example.com."), alice), policy: "services", message: /service externalName: billing\.internal\.example\.com\. is not/ },
    { why: "changing a ClusterIP Service to LoadBalancer is an update, and refused too", request: updateRequest(appService(), appService({ type: "LoadBalancer" }), alice), policy: "services", message: /service type: LoadBalancer/ },
    { why: "a hostPort in a Pod binds the node's port", request: createRequest(pod(podSpec({ containers: [withHostPort()] })), alice), policy: "pods", message: /hostPort: not allowed in a Beta \(containers: web\)/ },
    { why: "a hostPort in a Deployment's template fails at once instead of hanging `pulumi up`", request: createRequest(deployment(podSpec({ containers: [withHostPort()] })), alice), policy: "pods", message: /hostPort: not allowed/ },
    { why: "a hostPort added to a running Deployment by update", request: updateRequest(deployment(), deployment(podSpec({ containers: [withHostPort(80)] })), alice), policy: "pods", message: /hostPort: not allowed/ },
    { why: "a hostPort in an init container of a Job", request: createRequest(job(podSpec({ restartPolicy: "Never", initContainers: [{ ...withHostPort(), name: "init" }] })), alice), policy: "pods", message: /hostPort: not allowed in a Beta \(containers: init\)/ },
    { why: "a hostPort in a CronJob's job template", request: createRequest(cronJob(podSpec({ containers: [withHostPort()] })), alice), policy: "pods", message: /hostPort: not allowed/ },
    { why: "a hostPort in a ReplicaSet's template", request: createRequest(workload("ReplicaSet", podSpec({ containers: [withHostPort()] })), alice), policy: "pods", message: /hostPort: not allowed/ },
    { why: "a hostPort in a StatefulSet's template", request: createRequest(workload("StatefulSet", podSpec({ containers: [withHostPort()] })), alice), policy: "pods", message: /hostPort: not allowed/ },
    { why: "a hostPort in a DaemonSet's template", request: createRequest(workload("DaemonSet", podSpec({ containers: [withHostPort()] })), alice), policy: "pods", message: /hostPort: not allowed/ },
    { why: "NET_ADMIN lets a container rewrite the node-facing network of its pod", request: createRequest(deployment(podSpec({ containers: [withCaps("NET_ADMIN")] })), alice), policy: "pods", message: /capabilities: only the Pod Security baseline set may be added in a Beta \(containers: web\)/ },
    { why: "SYS_ADMIN is most of root", request: createRequest(pod(podSpec({ containers: [withCaps("CHOWN", "SYS_ADMIN")] })), alice), policy: "pods", message: /capabilities: only the Pod Security baseline set/ },
    { why: "ALL adds every capability", request: createRequest(job(podSpec({ restartPolicy: "Never", containers: [withCaps("ALL")] })), alice), policy: "pods", message: /capabilities:/ },
    { why: "a CAP_-prefixed name is not in the baseline list either", request: createRequest(deployment(podSpec({ containers: [withCaps("CAP_SYS_ADMIN")] })), alice), policy: "pods", message: /capabilities:/ },
    {
      why: "a privileged ephemeral container (kubectl debug) is a root shell on the node",
      request: ephemeralContainerRequest(pod(), { name: "debug", image: "busybox", securityContext: { privileged: true } }, alice),
      policy: "pods",
      message: /host access: privileged containers/,
    },
    { why: "an ephemeral container with an added capability", request: ephemeralContainerRequest(pod(), { name: "debug", image: "busybox", securityContext: { capabilities: { add: ["SYS_PTRACE"] } } }, alice), policy: "pods", message: /capabilities: .*\(containers: debug\)/ },
    { why: "hostNetwork in a template puts the pod on the node's network", request: createRequest(deployment(podSpec({ hostNetwork: true })), alice), policy: "pods", message: /host access:/ },
    { why: "hostPID in a template sees every process of the node", request: createRequest(deployment(podSpec({ hostPID: true })), alice), policy: "pods", message: /host access:/ },
    { why: "a privileged container in a template", request: createRequest(deployment(podSpec({ containers: [appContainer({ securityContext: { privileged: true } })] })), alice), policy: "pods", message: /host access:/ },
    { why: "an nfs volume is mounted by the kubelet, outside the Beta's network policies", request: createRequest(deployment(podSpec({ volumes: [{ name: "loot", nfs: { server: "10.0.3.4", path: "/" } }] })), alice), policy: "pods", message: /volumes: only configMap, secret, downwardAPI, emptyDir, projected, persistentVolumeClaim are allowed in a Beta \(volumes: loot\)/ },
    { why: "a hostPath volume in a template fails at once", request: createRequest(deployment(podSpec({ volumes: [{ name: "root", hostPath: { path: "/" } }] })), alice), policy: "pods", message: /volumes: .*\(volumes: root\)/ },
    { why: "a gitRepo volume runs git on the node (CVE-2024-10220)", request: createRequest(pod(podSpec({ volumes: [{ name: "src", gitRepo: { repository: "https://example.com/x.git" } }] })), alice), policy: "pods", message: /volumes: .*\(volumes: src\)/ },
    { why: "an awsElasticBlockStore volume attaches any EBS volume by id", request: createRequest(pod(podSpec({ volumes: [{ name: "db", awsElasticBlockStore: { volumeID: "vol-0123456789abcdef0" } }] })), alice), policy: "pods", message: /volumes: .*\(volumes: db\)/ },
    {
      why: "an ephemeral volume creates a PersistentVolumeClaim the tenant's role refuses",
      request: createRequest(deployment(podSpec({ volumes: [{ name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Ti" } } } } } }] })), alice),
      policy: "pods",
      message: /volumes: .*\(volumes: scratch\)/,
    },
    { why: "a high priority class preempts other Betas and the router", request: createRequest(deployment(podSpec({ priorityClassName: "system-node-critical" })), alice), policy: "pods", message: /priorityClassName: system-node-critical is not allowed in a Beta/ },
    {
      why: "a service-account-token Secret mints a non-expiring token",
      request: createRequest(secret("kubernetes.io/service-account-token", { annotations: { "kubernetes.io/service-account.name": "default" } }), alice),
      policy: "secrets",
      message: /secret type: kubernetes\.io\/service-account-token is not allowed in a Beta/,
    },
  ];

  it.each(hostile)("$why", ({ request, policy, message }) => {
    const verdict = admit(fenceObjects, cluster, request);
    expect(verdict.allowed).toBe(false);
    expect(verdict.denials.map((d) => d.policy)).toContain(`beta-tenant-${policy}`);
    expect(verdict.denials.map((d) => d.message).join("\n")).toMatch(message);
    // The client sees which policy refused it, as the API server words it.
    expect(verdict.denials[0].message).toMatch(/^ValidatingAdmissionPolicy 'beta-tenant-[a-z]+' with binding 'beta-tenant-[a-z]+' denied request: /);
    expect(verdict.denials.every((d) => d.reason === "Forbidden")).toBe(true);
  });
});

describe("the tenant fence lets a real Beta through", () => {
  const legitimate: { why: string; request: ReturnType<typeof createRequest> }[] = [
    { why: "an app's Deployment as components/App.ts declares it", request: createRequest(deployment(), alice) },
    { why: "a new image rolled out to that Deployment", request: updateRequest(deployment(), deployment(podSpec({ containers: [appContainer({ image: "registry.example.com/web:master-9e8d7c6" })] })), alice) },
    { why: "an app's ClusterIP Service on port 80", request: createRequest(appService(), alice) },
    { why: "a Service with no type, defaulted to ClusterIP by the API server", request: createRequest(service("api", { selector: appLabels, ports: [{ port: 80 }] }), alice) },
    { why: "a shared service by DNS name: ExternalName to its listed target", request: createRequest(externalName("billing", "billing.internal.example.com"), alice) },
    { why: "a shared service by IP: ExternalName to its Service in `shared`", request: createRequest(externalName("postgres", "postgres.shared.svc.cluster.local"), alice) },
    { why: "the Beta's app-secrets Secret", request: createRequest(secret("Opaque"), alice) },
    { why: "a Secret with no type, defaulted to Opaque", request: createRequest(secret(undefined), alice) },
    { why: "a Job with a scratch emptyDir", request: createRequest(job(podSpec({ restartPolicy: "Never", volumes: [{ name: "tmp", emptyDir: {} }] })), alice) },
    { why: "a pod that adds only a baseline capability", request: createRequest(pod(podSpec({ containers: [withCaps("NET_BIND_SERVICE")] })), alice) },
    {
      why: "configMap, secret, projected and persistentVolumeClaim volumes",
      request: createRequest(
        deployment(
          podSpec({
            volumes: [
              { name: "config", configMap: { name: "web-config" } },
              { name: "secrets", secret: { secretName: "app-secrets" } },
              { name: "token", projected: { sources: [{ downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } }] } },
              { name: "data", persistentVolumeClaim: { claimName: "web-data" } },
            ],
          }),
        ),
        alice,
      ),
    },
    { why: "a harmless ephemeral container for `kubectl debug`", request: ephemeralContainerRequest(pod(), { name: "debug", image: "busybox" }, alice) },
    { why: "deleting a Service is never fenced", request: deleteRequest(appService({ type: "LoadBalancer" }), alice) },
    {
      why: "a LoadBalancer made before the fence can still lose its finalizer (spec unchanged)",
      request: updateRequest(
        { ...appService({ type: "LoadBalancer" }), metadata: { name: "web", namespace: NS, finalizers: ["service.kubernetes.io/load-balancer-cleanup"] } },
        { ...appService({ type: "LoadBalancer" }), metadata: { name: "web", namespace: NS } },
        { username: "system:serviceaccount:kube-system:service-controller", groups: ["system:serviceaccounts", "system:authenticated"] },
      ),
    },
  ];

  it.each(legitimate)("$why", ({ request }) => {
    const verdict = admit(fenceObjects, cluster, request);
    expect(verdict.denials).toEqual([]);
    expect(verdict.allowed).toBe(true);
  });

  it("the checks really ran on those requests (each matched its policy)", () => {
    expect(admit(fenceObjects, cluster, createRequest(deployment(), alice)).matched).toEqual([`${FENCE_POLICY_NAMES.pods}/${FENCE_POLICY_NAMES.pods}`]);
    expect(admit(fenceObjects, cluster, createRequest(appService(), alice)).matched).toEqual([`${FENCE_POLICY_NAMES.services}/${FENCE_POLICY_NAMES.services}`]);
    expect(admit(fenceObjects, cluster, createRequest(secret("Opaque"), alice)).matched).toEqual([`${FENCE_POLICY_NAMES.secrets}/${FENCE_POLICY_NAMES.secrets}`]);
  });
});

describe("the tenant fence leaves the platform's namespaces alone", () => {
  const platform = { username: "platform-admin", groups: ["system:masters", "system:authenticated"] };
  it.each([
    { why: "the router's LoadBalancer in uber", request: createRequest(appService({ type: "LoadBalancer" }, "uber"), platform) },
    { why: "a hostPort DaemonSet in kube-system", request: createRequest(deployment(podSpec({ containers: [withHostPort()] }), "kube-system"), platform) },
    { why: "a service-account-token Secret in shared", request: createRequest(secret("kubernetes.io/service-account-token", {}, "shared"), platform) },
    { why: "a Namespace itself (cluster-scoped, not a policy's resource)", request: createRequest(namespace("beta-carol", { "beta/tenant": "carol" }), platform) },
  ])("$why is not matched", ({ request }) => {
    const verdict = admit(fenceObjects, cluster, request);
    expect(verdict.matched).toEqual([]);
    expect(verdict.allowed).toBe(true);
  });
});

describe("the tenant fence fails closed", () => {
  it("without its parameter ConfigMap every tenant Service is refused, naming why", () => {
    const withoutParams: ClusterState = { ...cluster, objects: [] };
    const verdict = admit(fenceObjects, withoutParams, createRequest(appService(), alice));
    expect(verdict.allowed).toBe(false);
    expect(verdict.denials[0].message).toContain("failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction");
  });

  it("with no shared services listed, no ExternalName passes but ClusterIP Services do", () => {
    const bare = tenantFenceObjects({ sharedServiceTargets: {} });
    const bareCluster: ClusterState = { ...cluster, objects: [bare.params as KubeObject] };
    const objects = [...bare.policies, ...bare.bindings] as KubeObject[];
    expect(admit(objects, bareCluster, createRequest(externalName("billing", "billing.internal.example.com"), alice)).denials.map((d) => d.message).join()).toMatch(/service externalName:/);
    expect(admit(objects, bareCluster, createRequest(appService(), alice)).allowed).toBe(true);
  });

  it("a second Beta is fenced the same way, whoever sends the request", () => {
    const ci = { username: "beta-release", groups: ["beta-releasers", "system:authenticated"] };
    expect(denialsOf(createRequest(appService({ type: "LoadBalancer" }, "beta-bob"), ci))).toHaveLength(1);
  });

  it("reports every broken rule of one object, not only the first", () => {
    const messages = denialsOf(createRequest(deployment(podSpec({ hostNetwork: true, containers: [{ ...withHostPort(), securityContext: { capabilities: { add: ["NET_ADMIN"] } } }] })), alice));
    expect(messages.map((m) => m.replace(/^.*denied request: /, "").split(":")[0])).toEqual(["hostPort", "capabilities", "host access"]);
  });
});

describe("the fence's objects", () => {
  it.each([fence.params as KubeObject, ...fenceObjects])("$kind $metadata.name is valid against the Kubernetes schema", (object) => {
    expect(() => validateManifest(object)).not.toThrow();
  });

  it("lists a DNS backend under its host and an IP backend under its Service in shared", () => {
    expect(sharedServiceTargets([...sharedServices, { name: "search", host: "Search.Internal.example.com" }], "cluster.local")).toEqual({
      "billing.internal.example.com": "billing",
      "postgres.shared.svc.cluster.local": "postgres",
      // A Service's externalName must be lower case (RFC 1123); DNS does not mind.
      "search.internal.example.com": "search",
    });
    expect(fence.params.data).toEqual({ "billing.internal.example.com": "billing", "postgres.shared.svc.cluster.local": "postgres" });
  });

  it("the capabilities a tenant may add are exactly Pod Security baseline's", () => {
    expect([...BASELINE_CAPABILITIES].sort()).toEqual(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);
  });

  it.each<{ why: string; targets: Record<string, string>; message: RegExp }>([
    { why: "an upper-case host is not a DNS name", targets: { "Billing.example.com": "billing" }, message: /sharedServiceTargets key "Billing\.example\.com" is not a valid ExternalName target/ },
    { why: "a URL is not a host", targets: { "http://billing": "billing" }, message: /is not a valid ExternalName target/ },
    { why: "the service name must be a shared-service name", targets: { "billing.example.com": "Billing_DB" }, message: /sharedServiceTargets\["billing\.example\.com"\] = "Billing_DB" is not a valid shared-service name/ },
  ])("refuses bad targets before declaring anything: $why", ({ targets, message }) => {
    expect(() => tenantFenceObjects({ sharedServiceTargets: targets })).toThrow(message);
  });
});
