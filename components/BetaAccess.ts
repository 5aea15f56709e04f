import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface BetaAccessArgs {
  /** The Beta's namespace. */
  namespace: pulumi.Input<string>;
  /** The Kubernetes user who owns the Beta (`beta:owner`, default the developer name). */
  owner: string;
}

/** The owner may edit everything in their own Beta, and nothing outside it. */
export class BetaAccess extends pulumi.ComponentResource {
  readonly ownerBinding: k8s.rbac.v1.RoleBinding;

  constructor(name: string, args: BetaAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:BetaAccess", name, {}, opts);
    this.ownerBinding = new k8s.rbac.v1.RoleBinding(
      `${name}-owner-edit`,
      {
        metadata: { name: "owner-edit", namespace: args.namespace },
        // A RoleBinding to the built-in `edit` ClusterRole grants it in this namespace only.
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: args.owner }],
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({});
  }
}
