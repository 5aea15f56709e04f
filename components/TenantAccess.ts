import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RELEASERS_GROUP, TENANT_ROLE } from "../lib/platform-names";

export interface TenantAccessArgs {
  /** The tenant's namespace, `beta-<name>`. */
  namespace: pulumi.Input<string>;
  /** The developer's Kubernetes user name (on EKS, what their IAM principal maps to). */
  developer: string;
}

/**
 * Who may deploy into a tenant: the developer and CI's release identity, each holding
 * `beta-tenant` in this namespace only. A RoleBinding to a ClusterRole grants its rules in
 * the binding's namespace and nowhere else.
 */
export class TenantAccess extends pulumi.ComponentResource {
  readonly binding: k8s.rbac.v1.RoleBinding;

  constructor(name: string, args: TenantAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:TenantAccess", name, {}, opts);
    this.binding = new k8s.rbac.v1.RoleBinding(
      `${name}-binding`,
      {
        metadata: { name: TENANT_ROLE, namespace: args.namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: TENANT_ROLE },
        subjects: [
          { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: args.developer },
          { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: RELEASERS_GROUP },
        ],
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({});
  }
}
