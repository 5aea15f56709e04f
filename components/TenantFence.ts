import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubeObject, SHARED_SERVICES_PARAMS_NAMESPACE, TenantFenceArgs as TenantFenceRules, tenantFenceObjects } from "../lib/tenant-fence";

export interface TenantFenceArgs extends TenantFenceRules {
  /**
   * The `shared` namespace (pass the Namespace's `metadata.name` so the parameter ConfigMap is
   * created after it). The policies look for their parameter in `shared`; any other value is
   * refused.
   */
  sharedNamespace?: pulumi.Input<string>;
}

/**
 * The admission fence around tenant namespaces (see lib/tenant-fence.ts for each rule and why):
 * the shared-service targets ConfigMap in `shared`, and ValidatingAdmissionPolicies with their
 * bindings that apply to every request in a namespace labelled `beta/tenant`.
 */
export class TenantFence extends pulumi.ComponentResource {
  readonly params: k8s.core.v1.ConfigMap;

  constructor(name: string, args: TenantFenceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:TenantFence", name, {}, opts);
    // Checked here too, so a bad target fails before anything is created.
    const objects = tenantFenceObjects(args);
    const childOpts = { parent: this };

    const paramsNamespace = pulumi.output(args.sharedNamespace ?? SHARED_SERVICES_PARAMS_NAMESPACE).apply((namespace) => {
      if (namespace !== SHARED_SERVICES_PARAMS_NAMESPACE) {
        throw new Error(`TenantFence sharedNamespace ${JSON.stringify(namespace)} is not valid: the policies read their parameter from "${SHARED_SERVICES_PARAMS_NAMESPACE}"`);
      }
      return namespace;
    });
    const paramsArgs = asArgs<k8s.core.v1.ConfigMapArgs>(objects.params);
    this.params = new k8s.core.v1.ConfigMap(`${name}-params`, { ...paramsArgs, metadata: { ...paramsArgs.metadata, namespace: paramsNamespace } }, childOpts);

    // Parameter, then policies, then bindings: a binding only ever enforces a complete policy.
    const policies = objects.policies.map(
      (policy) =>
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
          `${name}-${roleOf(policy)}-policy`,
          asArgs<k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs>(policy),
          { ...childOpts, dependsOn: [this.params] },
        ),
    );
    for (const binding of objects.bindings) {
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        `${name}-${roleOf(binding)}-binding`,
        asArgs<k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs>(binding),
        { ...childOpts, dependsOn: policies },
      );
    }
    this.registerOutputs({ params: this.params });
  }
}

/** `beta-tenant-services` → `services`: the child's role in its Pulumi name. */
function roleOf(object: KubeObject): string {
  return object.metadata.name.replace(/^beta-tenant-/, "");
}

/**
 * The resource's args are the object without apiVersion/kind, which the resource class sets.
 * The lib's objects are plain data; test/reality/tenant-fence.test.ts validates them against the
 * Kubernetes schema, which is what this cast relies on.
 */
function asArgs<T>(object: KubeObject): T {
  const args: Record<string, unknown> = { ...object };
  delete args.apiVersion;
  delete args.kind;
  return args as T;
}
