/**
 * Reading Kubernetes objects as the policy engine sees them: a Pulumi type token such as
 * `kubernetes:apps/v1:Deployment` and the object's inputs (apiVersion, kind, metadata,
 * spec...). Plain functions, no Pulumi.
 */
import type { RuleContext } from "./rule";

/**
 * Prefix of every developer stack and namespace. Kept here (equal to `BETA_PREFIX` in
 * lib/names.ts, which a test asserts) so the pack stays self-contained when published.
 */
export const BETA_PREFIX = "beta-";

export function isBetaStack(stack: string): boolean {
  return stack.startsWith(BETA_PREFIX);
}

/*
 * The tenancy model's fixed names, equal to those of lib/platform-names.ts (kept here, like
 * BETA_PREFIX, so the pack stays self-contained when published).
 */
/** Label on every tenant namespace `beta-<name>`; its value is `<name>`. */
export const TENANT_LABEL = "beta/tenant";
/** The ClusterRole a tenant's identities hold in their own namespace only. */
export const TENANT_ROLE = "beta-tenant";
/** The Kubernetes group of CI's identity that runs `beta release`. */
export const RELEASERS_GROUP = "beta-releasers";
/** Where the platform keeps shared services a Beta's ExternalName Services may point at. */
export const SHARED_NAMESPACE = "shared";
/** Isolated databases: the Secret the platform keeps in each tenant namespace (the tenant role's connection). */
export const TENANT_DATABASE_SECRET = "database";
/** Isolated databases: the ClusterRole that reads a tenant's ConfigMap `database-claim`, and the only subject it is bound to. */
export const CLAIM_READER_ROLE = "beta-database-claim-reader";
export const REAPER_SERVICE_ACCOUNT = { kind: "ServiceAccount", name: "database-reaper", namespace: "databases" } as const;

/** A Kubernetes object type, parsed from its Pulumi type token. */
export interface KubernetesType {
  /** API group; `core` for the legacy group (`kubernetes:core/v1:Pod`). */
  group: string;
  version: string;
  /** Kind without the `Patch` suffix. */
  kind: string;
  /** A server-side-apply patch (`...:DeploymentPatch`): only the fields it sets are checked. */
  patch: boolean;
}

const TYPE_TOKEN = /^kubernetes:([a-z0-9.-]+)\/([a-z0-9]+):([A-Z][A-Za-z0-9]*)$/;

/** Tokens that look like objects but are components or helpers; their children are checked instead. */
const NOT_OBJECTS: ReadonlySet<string> = new Set([
  "kubernetes:helm.sh/v3:Chart",
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:kustomize/v2:Directory",
]);

/** The Kubernetes object type of `resourceType`, or undefined for anything else (AWS, components, lists). */
export function parseKubernetesType(resourceType: string): KubernetesType | undefined {
  if (NOT_OBJECTS.has(resourceType)) return undefined;
  const match = TYPE_TOKEN.exec(resourceType);
  if (!match) return undefined;
  const [, group, version, rawKind] = match;
  // `ConfigMapList` and friends only wrap objects; nothing declares them in this project.
  if (rawKind.endsWith("List")) return undefined;
  const patch = rawKind.endsWith("Patch");
  return { group, version, kind: patch ? rawKind.slice(0, -"Patch".length) : rawKind, patch };
}

/** Built-in kinds that are not namespaced, by `group/Kind`. Everything else (custom resources included) is treated as namespaced. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  "core/Namespace",
  "core/Node",
  "core/PersistentVolume",
  "core/ComponentStatus",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "scheduling.k8s.io/PriorityClass",
  "node.k8s.io/RuntimeClass",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/ServiceCIDR",
  "policy/PodSecurityPolicy",
  "certificates.k8s.io/CertificateSigningRequest",
  "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/ResourceSlice",
  "storagemigration.k8s.io/StorageVersionMigration",
  "internal.apiserver.k8s.io/StorageVersion",
]);

export function isClusterScoped(type: KubernetesType): boolean {
  return CLUSTER_SCOPED.has(`${type.group}/${type.kind}`);
}

export function isCoreNamespace(type: KubernetesType): boolean {
  return type.group === "core" && type.kind === "Namespace";
}

/** `value` when it is a JSON object, else undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `value` when it is an array, else an empty one. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value at a dotted path of plain keys, or undefined when any step is missing. */
export function valueAt(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split(".")) {
    const record = asRecord(current);
    if (record === undefined) return undefined;
    current = record[key];
  }
  return current;
}

/**
 * Reads a value that only names the object in a message. During `pulumi preview` the policy
 * engine throws on inputs that are not known yet; a name must not turn a real finding into
 * "cannot run during preview", so it falls back to a placeholder instead.
 */
function readForLabel(read: () => unknown): string | undefined {
  try {
    const value = read();
    return typeof value === "string" && value !== "" ? value : undefined;
  } catch {
    return "(unknown until apply)";
  }
}

export function metadataName(props: Record<string, unknown>): string | undefined {
  return readForLabel(() => valueAt(props, "metadata.name"));
}

/** How messages name an object: `Deployment beta-alice/web`, `ClusterRole reader`, `ConfigMap web (no namespace)`. */
export function objectLabel(type: KubernetesType, props: Record<string, unknown>, context: RuleContext): string {
  const kind = type.patch ? `${type.kind}Patch` : type.kind;
  const name = metadataName(props) ?? context.name ?? "(unnamed)";
  if (isClusterScoped(type)) return `${kind} ${name}`;
  const namespace = readForLabel(() => valueAt(props, "metadata.namespace"));
  return namespace === undefined ? `${kind} ${name} (no namespace)` : `${kind} ${namespace}/${name}`;
}

/** Where a workload keeps its pod spec, by `group/Kind`. */
const POD_SPEC_PATHS: ReadonlyMap<string, string> = new Map([
  ["core/Pod", "spec"],
  ["core/PodTemplate", "template.spec"],
  ["core/ReplicationController", "spec.template.spec"],
  ["apps/Deployment", "spec.template.spec"],
  ["apps/StatefulSet", "spec.template.spec"],
  ["apps/DaemonSet", "spec.template.spec"],
  ["apps/ReplicaSet", "spec.template.spec"],
  ["extensions/Deployment", "spec.template.spec"],
  ["extensions/DaemonSet", "spec.template.spec"],
  ["extensions/ReplicaSet", "spec.template.spec"],
  ["batch/Job", "spec.template.spec"],
  ["batch/CronJob", "spec.jobTemplate.spec.template.spec"],
]);

/** A pod spec and its path inside the object, for messages. */
export interface PodSpecAt {
  spec: Record<string, unknown>;
  path: string;
}

/** The pod spec of a workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod, ...), or undefined. */
export function podSpecOf(type: KubernetesType, props: Record<string, unknown>): PodSpecAt | undefined {
  const path = POD_SPEC_PATHS.get(`${type.group}/${type.kind}`);
  if (path === undefined) return undefined;
  const spec = asRecord(valueAt(props, path));
  return spec === undefined ? undefined : { spec, path };
}

/** A workload as the pod rules read it: its type, pod spec and label for messages. */
export interface WorkloadAt {
  type: KubernetesType;
  pod: PodSpecAt;
  object: string;
}

/** The workload behind a resource, or undefined when it is no workload or spells out no pod. */
export function workloadOf(resourceType: string, props: Record<string, unknown>, context: RuleContext): WorkloadAt | undefined {
  const type = parseKubernetesType(resourceType);
  if (type === undefined) return undefined;
  const pod = podSpecOf(type, props);
  if (pod === undefined) return undefined;
  return { type, pod, object: objectLabel(type, props, context) };
}

/** One container and where it is: `spec.template.spec.initContainers[0]`, named `"migrate"`. */
export interface ContainerAt {
  container: Record<string, unknown>;
  path: string;
  /** `container "web"`, `initContainer "migrate"` or `ephemeralContainer "debug"`, for messages. */
  label: string;
}

const CONTAINER_LISTS = ["containers", "initContainers", "ephemeralContainers"] as const;

/**
 * The containers, initContainers and ephemeralContainers of a pod spec, in that order.
 * Ephemeral containers (`kubectl debug`) run in the pod with their own securityContext, so a
 * privileged one is as dangerous as any other; `withEphemeral: false` leaves them out for
 * rules that do not apply to them (the API refuses `resources` on an ephemeral container:
 * https://kubernetes.io/docs/concepts/workloads/pods/ephemeral-containers/).
 */
export function containersOf(pod: PodSpecAt, withEphemeral = true): ContainerAt[] {
  const found: ContainerAt[] = [];
  for (const list of CONTAINER_LISTS) {
    if (list === "ephemeralContainers" && !withEphemeral) continue;
    asArray(pod.spec[list]).forEach((entry, index) => {
      const container = asRecord(entry);
      if (container === undefined) return;
      const name = readForLabel(() => container.name) ?? "(unnamed)";
      found.push({ container, path: `${pod.path}.${list}[${index}]`, label: `${list.slice(0, -1)} "${name}"` });
    });
  }
  return found;
}
