/**
 * The guard rails as plain functions: each row is one object a stack might declare, run
 * through every rule, with the exact messages it must get (none for a compliant object).
 */
import { describe, expect, it } from "vitest";
import { BETA_PREFIX as NAMES_BETA_PREFIX } from "../../lib/names";
import { imagePinProblem } from "../../policy/rules/pinned-images";
import { BETA_PREFIX, parseKubernetesType } from "../../policy/rules/kubernetes";
import {
  ALICE,
  PLATFORM,
  Declared,
  allViolations,
  clusterRoleBinding,
  compliantContainer,
  configMap,
  firstContainer,
  namespace,
  tenantNamespace,
  workload,
} from "./manifests";

const RESOURCES = "every container and initContainer must request and limit both cpu and memory";
const NON_ROOT =
  "containers must run as non-root (runAsNonRoot: true, never runAsUser: 0), unprivileged and without privilege escalation";
const HOST = "pods may not use hostPath volumes, hostPort, hostNetwork, hostPID or hostIPC";
const PINNED = "images must name an explicit tag other than latest, or a @sha256: digest";
const CRB =
  "a ClusterRoleBinding may bind Groups and ServiceAccounts but never a User (developers are Users; grant them a RoleBinding in their beta- namespace)";
const IN_ALICE = `on stack beta-alice every namespaced object must be in namespace "beta-alice"`;
const WORKLOAD_ONLY =
  "a developer stack declares only its workload (Secret, ConfigMap, Deployment, Service, Job); the platform stack owns the namespace and its guard rails";
const ONLY_GUARD_RAILS = `the platform stack "dev" puts only guard rails (ResourceQuota, LimitRange, NetworkPolicy, RoleBinding) and the Secret database in a beta- namespace; its workload belongs to the developer stack`;
const BUNDLES = "declare each Kubernetes object as its own resource, so every guard rail sees it";
/** Where the platform runs its own workloads; kinds a developer stack may not declare are shown there. */
const SHARED = "shared";

const C0 = "spec.template.spec.containers[0]";

interface Row {
  why: string;
  stack?: string;
  declared: Declared;
  messages: string[];
}

const rejected: Row[] = [
  {
    why: "a privileged container could take over the node",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).securityContext = { privileged: true };
    }),
    messages: [`[non-root-containers] Deployment beta-alice/web: ${C0}.securityContext.privileged (container "web") is true; ${NON_ROOT}.`],
  },
  {
    why: "allowPrivilegeEscalation lets a process gain more rights than its parent",
    stack: PLATFORM,
    declared: workload("StatefulSet", (pod) => {
      firstContainer(pod).securityContext = { allowPrivilegeEscalation: true };
    }, SHARED),
    messages: [
      `[non-root-containers] StatefulSet shared/web: ${C0}.securityContext.allowPrivilegeEscalation (container "web") is true; ${NON_ROOT}.`,
    ],
  },
  {
    why: "a missing memory limit lets one Beta starve a node",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).resources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m" } };
    }),
    messages: [`[container-resources] Deployment beta-alice/web: ${C0}.resources.limits.memory (container "web") is missing; ${RESOURCES}.`],
  },
  {
    why: "a missing cpu request leaves the scheduler guessing",
    stack: PLATFORM,
    declared: workload("DaemonSet", (pod) => {
      firstContainer(pod).resources = { requests: { memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
    }, SHARED),
    messages: [`[container-resources] DaemonSet shared/web: ${C0}.resources.requests.cpu (container "web") is missing; ${RESOURCES}.`],
  },
  {
    why: "an initContainer with no resources at all gets all four named, at the CronJob's pod spec path",
    stack: PLATFORM,
    declared: workload("CronJob", (pod) => {
      pod.initContainers = [{ ...compliantContainer("migrate"), resources: undefined }];
    }, SHARED),
    messages: ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].map(
      (field) =>
        `[container-resources] CronJob shared/web: spec.jobTemplate.spec.template.spec.initContainers[0].resources.${field} (initContainer "migrate") is missing; ${RESOURCES}.`,
    ),
  },
  {
    why: "runAsUser 0 on the container is root even when the pod says non-root",
    declared: workload("Job", (pod) => {
      firstContainer(pod).securityContext = { runAsUser: 0 };
    }),
    messages: [`[non-root-containers] Job beta-alice/web: ${C0}.securityContext.runAsUser (container "web") is 0 (root); ${NON_ROOT}.`],
  },
  {
    why: "runAsUser 0 on the pod makes root the default for every container",
    stack: PLATFORM,
    declared: workload("Pod", (pod) => {
      pod.securityContext = { runAsNonRoot: true, runAsUser: 0 };
    }, SHARED),
    messages: [`[non-root-containers] Pod shared/web: spec.securityContext.runAsUser is 0 (root); ${NON_ROOT}.`],
  },
  {
    why: "without runAsNonRoot nothing stops an image whose USER is root",
    declared: workload("Deployment", (pod) => {
      pod.securityContext = {};
    }),
    messages: [
      `[non-root-containers] Deployment beta-alice/web: ${C0}.securityContext.runAsNonRoot (container "web") is not set and neither is spec.template.spec.securityContext.runAsNonRoot; ${NON_ROOT}.`,
    ],
  },
  {
    why: "a container's runAsNonRoot: false overrides the pod's true",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).securityContext = { runAsNonRoot: false };
    }),
    messages: [`[non-root-containers] Deployment beta-alice/web: ${C0}.securityContext.runAsNonRoot (container "web") is false; ${NON_ROOT}.`],
  },
  {
    why: "a hostPath volume reads and writes the node's disk",
    declared: workload("Deployment", (pod) => {
      pod.volumes = [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }];
    }),
    messages: [`[no-host-access] Deployment beta-alice/web: spec.template.spec.volumes[0].hostPath is set (volume "docker"); ${HOST}.`],
  },
  {
    why: "hostNetwork puts the pod on the node's network, outside every NetworkPolicy",
    declared: workload("Deployment", (pod) => {
      pod.hostNetwork = true;
    }),
    messages: [`[no-host-access] Deployment beta-alice/web: spec.template.spec.hostNetwork is true; ${HOST}.`],
  },
  {
    why: "hostPID and hostIPC show the node's processes and shared memory",
    stack: PLATFORM,
    declared: workload("Pod", (pod) => {
      pod.hostPID = true;
      pod.hostIPC = true;
    }, SHARED),
    messages: [
      `[no-host-access] Pod shared/web: spec.hostPID is true; ${HOST}.`,
      `[no-host-access] Pod shared/web: spec.hostIPC is true; ${HOST}.`,
    ],
  },
  {
    why: "a PersistentVolume with hostPath hands a node directory to whoever claims it",
    stack: PLATFORM,
    declared: {
      type: "kubernetes:core/v1:PersistentVolume",
      props: { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "scratch" }, spec: { hostPath: { path: "/data" } } },
    },
    messages: [`[no-host-access] PersistentVolume scratch: spec.hostPath is set; ${HOST}.`],
  },
  {
    why: "nginx:latest changes under a running Beta",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).image = "nginx:latest";
    }),
    messages: [
      `[pinned-images] Deployment beta-alice/web: ${C0}.image (container "web") is "nginx:latest", which uses the mutable tag "latest"; ${PINNED}.`,
    ],
  },
  {
    why: "an untagged image is latest in disguise",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).image = "nginx";
    }),
    messages: [`[pinned-images] Deployment beta-alice/web: ${C0}.image (container "web") is "nginx", which has no tag, which means latest; ${PINNED}.`],
  },
  {
    why: "a registry port is not a tag",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).image = "registry.example.com:5000/team/web";
    }),
    messages: [
      `[pinned-images] Deployment beta-alice/web: ${C0}.image (container "web") is "registry.example.com:5000/team/web", which has no tag, which means latest; ${PINNED}.`,
    ],
  },
  {
    why: "a container without an image cannot be pinned",
    declared: workload("Deployment", (pod) => {
      delete firstContainer(pod).image;
    }),
    messages: [`[pinned-images] Deployment beta-alice/web: ${C0}.image (container "web") is missing; ${PINNED}.`],
  },
  {
    why: "a ClusterRoleBinding for User alice gives a developer cluster-wide rights",
    stack: PLATFORM,
    declared: clusterRoleBinding([
      { kind: "Group", name: "platform-ops", apiGroup: "rbac.authorization.k8s.io" },
      { kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" },
    ]),
    messages: [`[no-developer-cluster-role-binding] ClusterRoleBinding beta-view: subjects[1] is User "alice"; ${CRB}.`],
  },
  {
    why: "a Beta object in another namespace escapes its quota and network policies",
    declared: configMap("default"),
    messages: [`[beta-namespace-isolation] ConfigMap default/web-env: metadata.namespace is "default"; ${IN_ALICE}.`],
  },
  {
    why: "another developer's namespace is just another namespace",
    declared: workload("Deployment", () => {}, "beta-bob"),
    messages: [`[beta-namespace-isolation] Deployment beta-bob/web: metadata.namespace is "beta-bob"; ${IN_ALICE}.`],
  },
  {
    why: "a Beta object with no namespace lands wherever the provider points",
    declared: configMap(null),
    messages: [`[beta-namespace-isolation] ConfigMap web-env (no namespace): metadata.namespace is missing; ${IN_ALICE}.`],
  },
  {
    why: "a cluster-scoped object on a developer stack reaches beyond the Beta",
    declared: {
      type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
      props: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "alice-reader" }, rules: [] },
    },
    messages: [`[developer-stack-workload-only] ClusterRole alice-reader: kind is ClusterRole (rbac.authorization.k8s.io/v1); ${WORKLOAD_ONLY}.`],
  },
  {
    why: "a developer stack may not create another developer's namespace",
    declared: namespace("beta-bob"),
    messages: [`[developer-stack-workload-only] Namespace beta-bob: kind is Namespace (core/v1); ${WORKLOAD_ONLY}.`],
  },
  {
    why: "under the tenancy model a developer stack does not create even its own namespace: the platform does",
    declared: namespace(ALICE),
    messages: [`[developer-stack-workload-only] Namespace beta-alice: kind is Namespace (core/v1); ${WORKLOAD_ONLY}.`],
  },
  {
    why: "a developer ClusterRoleBinding breaks two rules at once, and both say so",
    declared: clusterRoleBinding([{ kind: "User", name: "alice" }]),
    messages: [
      `[no-developer-cluster-role-binding] ClusterRoleBinding beta-view: subjects[0] is User "alice"; ${CRB}.`,
      `[developer-stack-workload-only] ClusterRoleBinding beta-view: kind is ClusterRoleBinding (rbac.authorization.k8s.io/v1); ${WORKLOAD_ONLY}.`,
    ],
  },
  {
    why: "a platform workload in a beta- namespace would clash with that Beta's own",
    stack: PLATFORM,
    declared: configMap("beta-alice"),
    messages: [`[beta-namespace-isolation] ConfigMap beta-alice/web-env: metadata.namespace is "beta-alice"; ${ONLY_GUARD_RAILS}.`],
  },
  {
    why: "a tenant namespace without its tenant label and Pod Security level is no guard rail",
    stack: PLATFORM,
    declared: namespace("beta-alice"),
    messages: [
      `[beta-namespace-isolation] Namespace beta-alice: metadata.labels["beta/tenant"] is missing; a tenant namespace beta-alice carries beta/tenant: alice.`,
      `[beta-namespace-isolation] Namespace beta-alice: metadata.labels["pod-security.kubernetes.io/enforce"] is missing; a tenant namespace enforces Pod Security baseline or restricted.`,
    ],
  },
  {
    why: "a Helm release installs objects no rule sees",
    declared: { type: "kubernetes:helm.sh/v3:Release", props: { name: "redis", chart: "redis", namespace: ALICE } },
    messages: [
      `[no-opaque-bundles] Release redis: type is kubernetes:helm.sh/v3:Release, a Helm release, whose objects Helm installs out of the policies' sight; ${BUNDLES}.`,
    ],
  },
  {
    why: "a patch that turns on privileged is caught even though patches may omit everything else",
    declared: {
      type: "kubernetes:apps/v1:DeploymentPatch",
      props: {
        metadata: { name: "web", namespace: ALICE },
        spec: { template: { spec: { containers: [{ name: "web", securityContext: { privileged: true } }] } } },
      },
    },
    messages: [`[non-root-containers] DeploymentPatch beta-alice/web: ${C0}.securityContext.privileged (container "web") is true; ${NON_ROOT}.`],
  },
  {
    why: "an object with neither metadata.name nor a Pulumi name is still reported, as (unnamed)",
    declared: { type: "kubernetes:core/v1:ConfigMap", props: { metadata: { namespace: "default" } } },
    messages: [`[beta-namespace-isolation] ConfigMap default/(unnamed): metadata.namespace is "default"; ${IN_ALICE}.`],
  },
];

const accepted: { why: string; stack?: string; declared: Declared }[] = [
  ...(["Deployment", "Job"] as const).map((kind) => ({
    why: `a compliant ${kind} in the Beta's namespace`,
    declared: workload(kind),
  })),
  ...(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"] as const).map((kind) => ({
    why: `a compliant ${kind} of the platform`,
    stack: PLATFORM,
    declared: workload(kind, () => {}, SHARED),
  })),
  {
    why: "runAsNonRoot on each container is as good as on the pod",
    declared: workload("Deployment", (pod) => {
      pod.securityContext = {};
      firstContainer(pod).securityContext = { runAsNonRoot: true, allowPrivilegeEscalation: false };
    }),
  },
  {
    why: "numeric quantities are quantities too",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).resources = { requests: { cpu: 0.1, memory: "128Mi" }, limits: { cpu: 1, memory: "1Gi" } };
    }),
  },
  {
    why: "a digest pins an image without a tag",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).image = `nginx@sha256:${"a".repeat(64)}`;
    }),
  },
  {
    why: "a digest pins even a latest tag",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).image = `nginx:latest@sha256:${"0123456789abcdef".repeat(4)}`;
    }),
  },
  {
    why: "a registry with a port and an explicit tag is pinned",
    declared: workload("Deployment", (pod) => {
      firstContainer(pod).image = "registry.example.com:5000/team/web:1.4.2";
    }),
  },
  {
    why: "non-host volumes are fine",
    declared: workload("Deployment", (pod) => {
      pod.volumes = [
        { name: "tmp", emptyDir: {} },
        { name: "env", configMap: { name: "web-env" } },
      ];
      pod.hostNetwork = false;
    }),
  },
  {
    why: "the platform owns a tenant namespace, labelled for its tenant and Pod Security",
    stack: PLATFORM,
    declared: tenantNamespace("alice"),
  },
  {
    why: "the platform puts a tenant's ResourceQuota in its namespace",
    stack: PLATFORM,
    declared: {
      type: "kubernetes:core/v1:ResourceQuota",
      props: { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "beta-quota", namespace: ALICE }, spec: { hard: { "limits.cpu": "4" } } },
    },
  },
  { why: "a ConfigMap in the Beta's namespace", declared: configMap(ALICE) },
  {
    why: "the platform binds a Group and a ServiceAccount cluster-wide for its tooling",
    stack: PLATFORM,
    declared: clusterRoleBinding([
      { kind: "Group", name: "platform-ops", apiGroup: "rbac.authorization.k8s.io" },
      { kind: "ServiceAccount", name: "beta-release", namespace: "shared" },
    ]),
  },
  { why: "the router in namespace uber", stack: PLATFORM, declared: workload("Deployment", () => {}, "uber") },
  { why: "the platform creates namespace shared", stack: PLATFORM, declared: namespace("shared") },
  {
    why: "a platform ClusterRole is not a developer's business",
    stack: PLATFORM,
    declared: {
      type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
      props: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "beta-developer" }, rules: [] },
    },
  },
  {
    why: "a patch need not repeat resources, runAsNonRoot or the image",
    declared: {
      type: "kubernetes:apps/v1:DeploymentPatch",
      props: { metadata: { name: "web", namespace: ALICE }, spec: { replicas: 2, template: { spec: { containers: [{ name: "web" }] } } } },
    },
  },
  {
    why: "AWS resources are outside these rules",
    stack: PLATFORM,
    declared: { type: "aws:acm/certificate:Certificate", props: { domainName: "*.beta.example.com" } },
  },
  { why: "component resources carry no manifest", declared: { type: "beta:index:App", props: {} } },
  {
    why: "the Kubernetes provider is not an object in a namespace",
    declared: { type: "pulumi:providers:kubernetes", props: { namespace: "default" } },
  },
];

describe("guard-rail rules", () => {
  it.each(rejected)("reject: $why", ({ stack, declared, messages }) => {
    expect(allViolations(declared, stack ?? ALICE)).toEqual(messages);
  });

  it.each(accepted)("accept: $why", ({ stack, declared }) => {
    expect(allViolations(declared, stack ?? ALICE)).toEqual([]);
  });

  it("names an object without metadata.name by its Pulumi name", () => {
    const declared = { type: "kubernetes:core/v1:ConfigMap", props: { metadata: { namespace: "default" } } };
    expect(allViolations(declared, ALICE, "web-env")).toEqual([
      `[beta-namespace-isolation] ConfigMap default/web-env: metadata.namespace is "default"; ${IN_ALICE}.`,
    ]);
  });

  it("shares the beta- prefix with the naming rules", () => {
    expect(BETA_PREFIX).toBe(NAMES_BETA_PREFIX);
  });
});

describe("Kubernetes type tokens", () => {
  it.each([
    ["kubernetes:apps/v1:Deployment", { group: "apps", version: "v1", kind: "Deployment", patch: false }],
    ["kubernetes:core/v1:Pod", { group: "core", version: "v1", kind: "Pod", patch: false }],
    ["kubernetes:batch/v1:CronJob", { group: "batch", version: "v1", kind: "CronJob", patch: false }],
    [
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
      { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding", patch: false },
    ],
    ["kubernetes:apps/v1:DeploymentPatch", { group: "apps", version: "v1", kind: "Deployment", patch: true }],
  ])("%s is a Kubernetes object", (token, parsed) => {
    expect(parseKubernetesType(token)).toEqual(parsed);
  });

  it.each([
    "kubernetes:core/v1:ConfigMapList",
    "kubernetes:yaml:ConfigFile",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:helm.sh/v3:Chart",
    "pulumi:providers:kubernetes",
    "aws:eks/cluster:Cluster",
  ])("%s is not one", (token) => {
    expect(parseKubernetesType(token)).toBeUndefined();
  });
});

describe("image pinning", () => {
  it.each([
    ["nginx", "has no tag, which means latest"],
    ["nginx:", "has no tag, which means latest"],
    ["nginx:latest", 'uses the mutable tag "latest"'],
    ["docker.io/library/nginx:latest", 'uses the mutable tag "latest"'],
    ["nginx@sha256:abc", "has a digest that is not @sha256: followed by 64 hex digits"],
    ["nginx:1.27", undefined],
    ["nginxinc/nginx-unprivileged:1.27-alpine", undefined],
    [`localhost:5000/web@sha256:${"f".repeat(64)}`, undefined],
  ])("%s: %s", (image, problem) => {
    expect(imagePinProblem(image)).toBe(problem);
  });
});
