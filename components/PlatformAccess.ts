import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEPLOYER_GROUP } from "../lib/platform-names";
import { DeployerFence } from "./DeployerFence";

export interface PlatformAccessArgs {
  /** The platform's shared namespace, which developers may read. */
  sharedNamespace: pulumi.Input<string>;
  /** Kubernetes user names of the developers. */
  developers: string[];
  /** Bind the deployer rules to the deployer group (EKS; an adopted cluster brings its own identity). */
  deployerGroup: boolean;
}

/**
 * Cluster-level access: developers may read the shared namespace and nothing else cluster
 * wide (their Betas bind them to `edit` in their own namespace); the deployer identity that
 * developer stacks run as may manage what a Beta is made of, fenced into `beta-*` namespaces.
 */
export class PlatformAccess extends pulumi.ComponentResource {
  constructor(name: string, args: PlatformAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:PlatformAccess", name, {}, opts);
    const childOpts = { parent: this, deleteBeforeReplace: true };

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

    if (args.deployerGroup) {
      const role = new k8s.rbac.v1.ClusterRole(
        `${name}-deployer-role`,
        {
          metadata: { name: "beta-deployer" },
          rules: [
            { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            {
              apiGroups: [""],
              // Pulumi waits for a Service by watching its endpoints.
              resources: ["services", "endpoints", "secrets", "configmaps", "resourcequotas", "limitranges", "pods", "pods/log", "events"],
              verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
            },
            { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
            // Lets the deployer grant `edit` to a Beta's owner without holding every right in it.
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["edit"] },
          ],
        },
        childOpts,
      );
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-deployer-binding`,
        {
          metadata: { name: "beta-deployer" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
          // A group of the deploy identity, never a developer's user.
          subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: DEPLOYER_GROUP }],
        },
        childOpts,
      );
      new DeployerFence(`${name}-deployer-fence`, { deployerGroup: DEPLOYER_GROUP }, { parent: this });
    }
    this.registerOutputs({});
  }
}
