import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BETA_PREFIX } from "../lib/names";

export interface DeployerFenceArgs {
  /** The Kubernetes group developer stacks deploy as. */
  deployerGroup: string;
}

/**
 * RBAC cannot limit a role to namespaces by prefix; this admission policy does. Whatever the
 * deployer's ClusterRole allows, it may create, change or delete only `beta-*` namespaces and
 * what lives in them, so no Beta's stack can touch the router, shared services or the cluster.
 */
export class DeployerFence extends pulumi.ComponentResource {
  constructor(name: string, args: DeployerFenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:DeployerFence", name, {}, opts);
    const childOpts = { parent: this, deleteBeforeReplace: true };
    const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
      `${name}-policy`,
      {
        metadata: { name: "beta-deployer-fence" },
        spec: {
          // An outage of the check must not open the fence.
          failurePolicy: "Fail",
          matchConstraints: {
            resourceRules: [{ apiGroups: ["*"], apiVersions: ["*"], operations: ["CREATE", "UPDATE", "DELETE"], resources: ["*"], scope: "*" }],
          },
          matchConditions: [{ name: "deployer-only", expression: `'${args.deployerGroup}' in request.userInfo.groups` }],
          validations: [
            {
              expression: `request.namespace.startsWith('${BETA_PREFIX}') || (request.kind.kind == 'Namespace' && request.name.startsWith('${BETA_PREFIX}'))`,
              message: `the Beta deployer may change only ${BETA_PREFIX}* namespaces and what is in them`,
            },
          ],
        },
      },
      childOpts,
    );
    new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
      `${name}-binding`,
      { metadata: { name: "beta-deployer-fence" }, spec: { policyName: policy.metadata.name, validationActions: ["Deny"] } },
      childOpts,
    );
    this.registerOutputs({});
  }
}
