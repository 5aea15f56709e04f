import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { betaNamespace } from "../lib/names";
import { TENANT_LABEL } from "../lib/platform-names";
import { ContainerDefaults, Quota } from "../lib/quota";
import { BetaGuardRails } from "./BetaGuardRails";
import { BetaNetworkPolicies, EgressTarget } from "./BetaNetworkPolicies";
import { TenantAccess } from "./TenantAccess";

export interface TenantArgs {
  /** The developer's name; the namespace is `beta-<name>`. */
  developer: string;
  /** The tenant's ResourceQuota, already checked against the ceiling. */
  quota: Quota;
  /** What a container that declares no resources gets. */
  containerDefaults: ContainerDefaults;
  /** Where the tenant's pods may connect outside their namespace, besides cluster DNS. */
  egress: EgressTarget[];
}

/**
 * One developer's tenant, owned by the platform: namespace `beta-<name>` with its Pod
 * Security level, quota, limits, network policies and RoleBinding. The developer's own stack
 * deploys the Beta's workload into it and can change none of these.
 */
export class Tenant extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;

  constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:Tenant", name, {}, opts);
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: betaNamespace(args.developer),
          labels: {
            "app.kubernetes.io/part-of": "beta",
            [TENANT_LABEL]: args.developer,
            // Pod Security admission: refuse what "baseline" forbids, warn on "restricted".
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
          },
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    // Every namespaced child depends on the namespace through this output.
    const namespace = this.namespace.metadata.name;
    const childOpts = { parent: this };
    new BetaGuardRails(`${name}-guard-rails`, { namespace, quota: args.quota, containerDefaults: args.containerDefaults }, childOpts);
    new BetaNetworkPolicies(`${name}-network`, { namespace, egress: args.egress }, childOpts);
    new TenantAccess(`${name}-access`, { namespace, developer: args.developer }, childOpts);
    this.registerOutputs({ namespace });
  }
}
