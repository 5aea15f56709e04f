/**
 * Admission requests as the API server builds them for a client's create, update or delete:
 * the kind and resource of the object, its namespace and name, the user, and the object after
 * the defaults admission sees (decoding applies them before any admission plugin runs).
 */
import type { AdmissionAttributes, KubeObject, UserInfo } from "./admission";

/** Resource of each kind the battery sends (the API's REST mapping). */
const RESOURCES: Record<string, { group: string; version: string; resource: string; namespaced: boolean }> = {
  "v1/Pod": { group: "", version: "v1", resource: "pods", namespaced: true },
  "v1/Service": { group: "", version: "v1", resource: "services", namespaced: true },
  "v1/Secret": { group: "", version: "v1", resource: "secrets", namespaced: true },
  "v1/ConfigMap": { group: "", version: "v1", resource: "configmaps", namespaced: true },
  "v1/ReplicationController": { group: "", version: "v1", resource: "replicationcontrollers", namespaced: true },
  "v1/Namespace": { group: "", version: "v1", resource: "namespaces", namespaced: false },
  "apps/v1/Deployment": { group: "apps", version: "v1", resource: "deployments", namespaced: true },
  "apps/v1/ReplicaSet": { group: "apps", version: "v1", resource: "replicasets", namespaced: true },
  "apps/v1/StatefulSet": { group: "apps", version: "v1", resource: "statefulsets", namespaced: true },
  "apps/v1/DaemonSet": { group: "apps", version: "v1", resource: "daemonsets", namespaced: true },
  "batch/v1/Job": { group: "batch", version: "v1", resource: "jobs", namespaced: true },
  "batch/v1/CronJob": { group: "batch", version: "v1", resource: "cronjobs", namespaced: true },
};

/** A developer, as EKS maps a listed principal: their name, and the implicit authenticated group. */
export function developer(name: string): UserInfo {
  return { username: name, groups: ["system:authenticated"] };
}

function resourceOf(object: KubeObject) {
  const key = `${object.apiVersion}/${object.kind}`;
  const mapping = RESOURCES[key];
  if (!mapping) throw new Error(`No REST mapping for ${key} in the request builders; add it`);
  return mapping;
}

/**
 * The defaults that matter to the fence, as pkg/apis/core/v1/defaults.go sets them:
 * SetDefaults_Service (type ClusterIP), SetDefaults_Secret (type Opaque).
 */
function withDefaults(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  if (copy.apiVersion === "v1" && copy.kind === "Service") {
    const spec = (copy.spec ??= {}) as Record<string, unknown>;
    spec.type ??= "ClusterIP";
  }
  if (copy.apiVersion === "v1" && copy.kind === "Secret") copy.type ??= "Opaque";
  return copy;
}

function attributes(operation: AdmissionAttributes["operation"], subject: KubeObject, object: KubeObject | null, oldObject: KubeObject | null, user: UserInfo, subResource?: string): AdmissionAttributes {
  const mapping = resourceOf(subject);
  const name = subject.metadata?.name;
  const namespace = mapping.namespaced ? subject.metadata?.namespace : subject.kind === "Namespace" ? name : undefined;
  if (mapping.namespaced && !namespace) throw new Error(`${subject.kind} ${name} has no metadata.namespace`);
  const optionsKind = { CREATE: "CreateOptions", UPDATE: "UpdateOptions", DELETE: "DeleteOptions", CONNECT: undefined }[operation];
  return {
    operation,
    kind: { group: mapping.group, version: mapping.version, kind: String(subject.kind) },
    resource: { group: mapping.group, version: mapping.version, resource: mapping.resource },
    subResource,
    namespace,
    name,
    object,
    oldObject,
    userInfo: user,
    options: optionsKind ? { apiVersion: "meta.k8s.io/v1", kind: optionsKind } : undefined,
  };
}

/** `kubectl create` / Pulumi's create of `object`. */
export function createRequest(object: KubeObject, user: UserInfo): AdmissionAttributes {
  const defaulted = withDefaults(object);
  return attributes("CREATE", defaulted, defaulted, null, user);
}

/** An update from `oldObject` (as stored) to `object`. */
export function updateRequest(oldObject: KubeObject, object: KubeObject, user: UserInfo): AdmissionAttributes {
  const defaulted = withDefaults(object);
  return attributes("UPDATE", defaulted, defaulted, withDefaults(oldObject), user);
}

/** A delete: the API server passes no object, the stored one as oldObject. */
export function deleteRequest(oldObject: KubeObject, user: UserInfo): AdmissionAttributes {
  const stored = withDefaults(oldObject);
  return attributes("DELETE", stored, null, stored, user);
}

/**
 * `kubectl debug`: an UPDATE of the `pods/ephemeralcontainers` subresource whose object is the
 * whole Pod with the new ephemeral container.
 */
export function ephemeralContainerRequest(pod: KubeObject, container: Record<string, unknown>, user: UserInfo): AdmissionAttributes {
  const old = withDefaults(pod);
  const updated = structuredClone(old);
  const spec = updated.spec as Record<string, unknown>;
  spec.ephemeralContainers = [...((spec.ephemeralContainers as unknown[] | undefined) ?? []), container];
  return attributes("UPDATE", updated, updated, old, user, "ephemeralcontainers");
}
