/**
 * Kubernetes objects as the policy engine sees them (Pulumi type token + inputs), compliant
 * with every guard rail unless a test changes them. Each call returns a fresh copy.
 */
import { rules } from "../../policy/rules";

export const ALICE = "beta-alice";
export const PLATFORM = "dev";

export interface Declared {
  type: string;
  props: Record<string, unknown>;
}

export function compliantContainer(name = "web"): Record<string, unknown> {
  return {
    name,
    image: `registry.example.com/${name}:master-3f2c1ab`,
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } },
  };
}

export function compliantPodSpec(): Record<string, unknown> {
  return {
    securityContext: { runAsNonRoot: true, runAsUser: 1000 },
    containers: [compliantContainer("web")],
  };
}

function metadata(name: string, namespace: string): Record<string, unknown> {
  return { name, namespace, labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "beta" } };
}

/** A workload of `kind` whose pod spec is `podSpec` (after `edit`), in `namespace`. */
export function workload(
  kind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" | "Pod",
  edit: (pod: Record<string, unknown>) => void = () => {},
  namespace = ALICE,
): Declared {
  const pod = compliantPodSpec();
  edit(pod);
  const template = { metadata: { labels: { "app.kubernetes.io/name": "web" } }, spec: pod };
  switch (kind) {
    case "Pod":
      return { type: "kubernetes:core/v1:Pod", props: { apiVersion: "v1", kind, metadata: metadata("web", namespace), spec: pod } };
    case "Job":
      return { type: "kubernetes:batch/v1:Job", props: { apiVersion: "batch/v1", kind, metadata: metadata("web", namespace), spec: { template } } };
    case "CronJob":
      return {
        type: "kubernetes:batch/v1:CronJob",
        props: {
          apiVersion: "batch/v1",
          kind,
          metadata: metadata("web", namespace),
          spec: { schedule: "0 * * * *", jobTemplate: { spec: { template } } },
        },
      };
    default:
      return {
        type: `kubernetes:apps/v1:${kind}`,
        props: {
          apiVersion: "apps/v1",
          kind,
          metadata: metadata("web", namespace),
          spec: { selector: { matchLabels: { "app.kubernetes.io/name": "web" } }, template },
        },
      };
  }
}

/** The first container of a pod spec, to edit in place. */
export function firstContainer(pod: Record<string, unknown>): Record<string, unknown> {
  return (pod.containers as Record<string, unknown>[])[0];
}

/** A ConfigMap in `namespace`, or with no `metadata.namespace` at all for null. */
export function configMap(namespace: string | null): Declared {
  return {
    type: "kubernetes:core/v1:ConfigMap",
    props: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web-env", ...(namespace === null ? {} : { namespace }) }, data: {} },
  };
}

export function namespace(name: string): Declared {
  return { type: "kubernetes:core/v1:Namespace", props: { apiVersion: "v1", kind: "Namespace", metadata: { name } } };
}

/** Tenant namespace `beta-<developer>` as the platform declares it under the tenancy model. */
export function tenantNamespace(developer: string): Declared {
  const labels = {
    "app.kubernetes.io/part-of": "beta",
    "beta/tenant": developer,
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
  };
  return { type: "kubernetes:core/v1:Namespace", props: { apiVersion: "v1", kind: "Namespace", metadata: { name: `beta-${developer}`, labels } } };
}

export function clusterRoleBinding(subjects: Record<string, unknown>[]): Declared {
  return {
    type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    props: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "beta-view" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects,
    },
  };
}

/** Every rule's violations for one resource on `stack`. */
export function allViolations(declared: Declared, stack: string, name?: string): string[] {
  return rules.flatMap((rule) => rule.check(declared.type, declared.props, { stack, name }));
}

/** Any Kubernetes object of `apiVersion`/`kind` named `name`, with the rest of its manifest in `body`. */
export function object(apiVersion: string, kind: string, name: string, namespace: string | undefined, body: Record<string, unknown> = {}): Declared {
  const group = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return {
    type: `kubernetes:${group}:${kind}`,
    props: { apiVersion, kind, metadata: { name, ...(namespace === undefined ? {} : { namespace }) }, ...body },
  };
}

/** A Service named `name` in `namespace` with `spec`. */
export function service(spec: Record<string, unknown>, namespace = ALICE, name = "web"): Declared {
  return object("v1", "Service", name, namespace, { spec: { ports: [{ name: "http", port: 80, targetPort: "http" }], ...spec } });
}

const RBAC = "rbac.authorization.k8s.io/v1";

/** A RoleBinding in `namespace` of `roleRef` (a ClusterRole by name) to `subjects`. */
export function roleBinding(namespace: string, clusterRole: string, subjects: Record<string, unknown>[], name = "tenant"): Declared {
  return object(RBAC, "RoleBinding", name, namespace, {
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole },
    subjects,
  });
}

/** A ClusterRole with `rules`. */
export function clusterRole(name: string, rules: Record<string, unknown>[]): Declared {
  return object(RBAC, "ClusterRole", name, undefined, { rules });
}

export const user = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name });
export const group = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name });
