import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TENANT_ROLE } from "../lib/platform-names";

export interface PlatformAccessArgs {
  /** The platform's shared namespace, which developers may read. */
  sharedNamespace: pulumi.Input<string>;
  /** Kubernetes user names of the developers. */
  developers: string[];
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete"];

/**
 * What a tenant's identities may do in their own namespace (bound there by each tenant's
 * RoleBinding): what a Beta stack declares, and what Pulumi's Kubernetes provider reads while
 * it creates, updates, deletes and waits for it. Nothing that weakens a guard rail: no
 * namespaces, quotas, limit ranges, network policies, RBAC, service accounts, ingresses or
 * EndpointSlice/Endpoints writes (those could point a Service anywhere).
 */
export const TENANT_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
  { apiGroups: [""], resources: ["services", "secrets", "configmaps"], verbs: [...READ, ...WRITE] },
  // Pulumi's Deployment await lists and watches Pods, Events and PersistentVolumeClaims; its
  // Service await watches Endpoints and Pods (pulumi-kubernetes provider/pkg/await).
  { apiGroups: [""], resources: ["pods", "events", "endpoints", "persistentvolumeclaims"], verbs: READ },
  // `beta logs`, `beta shell`, `beta sync`; deleting a pod restarts it.
  { apiGroups: [""], resources: ["pods"], verbs: ["delete"] },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  // kubectl 1.30+ opens exec over WebSocket, a GET the API server authorizes as `create` too.
  { apiGroups: [""], resources: ["pods/exec"], verbs: ["get", "create"] },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: [...READ, ...WRITE] },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: READ },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: [...READ, ...WRITE] },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
];

/**
 * Cluster-level access: the `beta-tenant` ClusterRole every tenant's RoleBinding names, and
 * read access to the shared namespace for developers. Nothing cluster wide.
 */
export class PlatformAccess extends pulumi.ComponentResource {
  readonly tenantRole: k8s.rbac.v1.ClusterRole;

  constructor(name: string, args: PlatformAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:PlatformAccess", name, {}, opts);
    const childOpts = { parent: this, deleteBeforeReplace: true };

    this.tenantRole = new k8s.rbac.v1.ClusterRole(`${name}-tenant-role`, { metadata: { name: TENANT_ROLE }, rules: TENANT_RULES }, childOpts);

    if (args.developers.length > 0) {
      new k8s.rbac.v1.RoleBinding(
        `${name}-developers-view-shared`,
        {
          metadata: { name: "developers-view", namespace: args.sharedNamespace },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
          subjects: args.developers.map((user) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user })),
        },
        childOpts,
      );
    }
    this.registerOutputs({});
  }
}
