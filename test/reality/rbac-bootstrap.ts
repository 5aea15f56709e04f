/**
 * The built-in ClusterRoles a binding may name, and the one built-in binding that grants them,
 * as every Kubernetes API server creates them at start. Copied from the rendered bootstrap
 * policy kubernetes/kubernetes
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml and
 * cluster-role-bindings.yaml (commit 025f2834a128798cef30018a5e6a6ae82b5ad885), which
 * bootstrappolicy/policy.go generates. `admin`, `edit` and `view` carry no rules of their own:
 * the aggregation controller fills them from the roles their selectors pick
 * (`system:aggregate-to-*`, and `view` into `edit`, `edit` into `admin`).
 */
import type { KubeObject } from "./admission";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const aggregateLabel = (role: "admin" | "edit" | "view") => ({ [`rbac.authorization.k8s.io/aggregate-to-${role}`]: "true" });

function clusterRole(name: string, labels: Record<string, string>, body: Record<string, unknown>): KubeObject {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels: { "kubernetes.io/bootstrapping": "rbac-defaults", ...labels } }, ...body };
}

export const BOOTSTRAP_CLUSTER_ROLES: KubeObject[] = [
  clusterRole("cluster-admin", {}, {
    rules: [
      { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
      { nonResourceURLs: ["*"], verbs: ["*"] },
    ],
  }),
  clusterRole("admin", {}, { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateLabel("admin") }] } }),
  clusterRole("edit", aggregateLabel("admin"), { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateLabel("edit") }] } }),
  clusterRole("view", aggregateLabel("edit"), { aggregationRule: { clusterRoleSelectors: [{ matchLabels: aggregateLabel("view") }] } }),
  clusterRole("system:aggregate-to-admin", aggregateLabel("admin"), {
    rules: [
      { apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"], verbs: ["create"] },
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings", "roles"], verbs: [...WRITE, ...READ] },
    ],
  }),
  clusterRole("system:aggregate-to-edit", aggregateLabel("edit"), {
    rules: [
      { apiGroups: [""], resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], verbs: READ },
      { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
      { apiGroups: [""], resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], verbs: WRITE },
      { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
      {
        apiGroups: [""],
        resources: ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"],
        verbs: WRITE,
      },
      { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
      {
        apiGroups: ["apps"],
        resources: ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"],
        verbs: WRITE,
      },
      { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
      { apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: WRITE },
      {
        apiGroups: ["extensions"],
        resources: ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"],
        verbs: WRITE,
      },
      { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE },
      { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: WRITE },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: [...WRITE, ...READ] },
    ],
  }),
  clusterRole("system:aggregate-to-view", aggregateLabel("view"), {
    rules: [
      {
        apiGroups: [""],
        resources: ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"],
        verbs: READ,
      },
      {
        apiGroups: [""],
        resources: ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"],
        verbs: READ,
      },
      { apiGroups: [""], resources: ["namespaces"], verbs: READ },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
      {
        apiGroups: ["apps"],
        resources: [
          "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
          "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status",
        ],
        verbs: READ,
      },
      { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], verbs: READ },
      { apiGroups: ["batch"], resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], verbs: READ },
      {
        apiGroups: ["extensions"],
        resources: [
          "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status",
          "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
        ],
        verbs: READ,
      },
      { apiGroups: ["policy"], resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"], verbs: READ },
      { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"], verbs: READ },
    ],
  }),
];

/** `system:masters` is cluster-admin (cluster-role-bindings.yaml, binding `cluster-admin`). */
export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: KubeObject[] = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "cluster-admin", labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:masters" }],
  },
];
