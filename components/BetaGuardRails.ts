import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerDefaults, Quota } from "../lib/quota";

export interface BetaGuardRailsArgs {
  /** The Beta's namespace. */
  namespace: pulumi.Input<string>;
  /** The Beta's total requests, limits and pod count. */
  quota: Quota;
  /** What a container that declares no resources gets. */
  containerDefaults: ContainerDefaults;
}

/** A ResourceQuota and a LimitRange, so a runaway Beta cannot starve the others. */
export class BetaGuardRails extends pulumi.ComponentResource {
  readonly quota: k8s.core.v1.ResourceQuota;
  readonly limits: k8s.core.v1.LimitRange;

  constructor(name: string, args: BetaGuardRailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:BetaGuardRails", name, {}, opts);
    const { namespace, quota, containerDefaults } = args;
    const childOpts = { parent: this, deleteBeforeReplace: true };

    this.quota = new k8s.core.v1.ResourceQuota(
      `${name}-quota`,
      {
        metadata: { name: "beta-quota", namespace },
        spec: {
          hard: {
            "requests.cpu": quota.requests.cpu,
            "requests.memory": quota.requests.memory,
            "limits.cpu": quota.limits.cpu,
            "limits.memory": quota.limits.memory,
            pods: String(quota.pods),
          },
        },
      },
      childOpts,
    );

    this.limits = new k8s.core.v1.LimitRange(
      `${name}-limits`,
      {
        metadata: { name: "beta-limits", namespace },
        spec: {
          limits: [
            {
              type: "Container",
              // A quota on limits rejects pods without them; these defaults fill them in.
              default: containerDefaults.limit,
              defaultRequest: containerDefaults.request,
            },
          ],
        },
      },
      childOpts,
    );
    this.registerOutputs({});
  }
}
