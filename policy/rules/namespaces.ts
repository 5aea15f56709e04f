/**
 * Rule 6: a Beta stays in its namespace, and the platform owns it. On stack `beta-<name>`
 * every namespaced object is in namespace `beta-<name>` (cluster-scoped objects are refused by
 * `developer-stack-workload-only`). On the platform stack a `beta-` namespace holds only the
 * tenant's guard rails (ResourceQuota, LimitRange, NetworkPolicies, RoleBindings) and the
 * Secret `database` that holds the tenant's own database role (isolated databases), never a
 * workload, and a tenant Namespace `beta-<name>` carries its tenant label and a Pod Security
 * `enforce` level of baseline or restricted. No stack declares a namespace that enforces
 * `privileged` (https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces).
 */
import { BETA_PREFIX, TENANT_DATABASE_SECRET, TENANT_LABEL, isBetaStack, isClusterScoped, isCoreNamespace, objectLabel, parseKubernetesType, valueAt } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const BETA_NAMESPACE_ISOLATION = "beta-namespace-isolation";
const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
const TENANT_LEVELS: ReadonlySet<unknown> = new Set(["baseline", "restricted"]);

/** What the platform may put in a tenant namespace, by `group/Kind`. */
const GUARD_RAIL_KINDS: ReadonlySet<string> = new Set([
  "core/ResourceQuota",
  "core/LimitRange",
  "networking.k8s.io/NetworkPolicy",
  "rbac.authorization.k8s.io/RoleBinding",
]);

function describe(value: unknown): string {
  return value === undefined ? "is missing" : `is ${JSON.stringify(value)}`;
}

function labelPath(key: string): string {
  return `metadata.labels["${key}"]`;
}

function namespaceViolations(object: string, props: Record<string, unknown>, platform: boolean): string[] {
  const report = (field: string, problem: string, requirement: string) => violation(BETA_NAMESPACE_ISOLATION, object, field, problem, requirement);
  const name = valueAt(props, "metadata.name");
  const labels = (valueAt(props, "metadata.labels") ?? {}) as Record<string, unknown>;
  const enforce = labels[ENFORCE_LABEL];
  if (platform && typeof name === "string" && name.startsWith(BETA_PREFIX)) {
    const developer = name.slice(BETA_PREFIX.length);
    const messages: string[] = [];
    if (labels[TENANT_LABEL] !== developer) {
      messages.push(report(labelPath(TENANT_LABEL), describe(labels[TENANT_LABEL]), `a tenant namespace ${name} carries ${TENANT_LABEL}: ${developer}`));
    }
    if (!TENANT_LEVELS.has(enforce)) {
      messages.push(report(labelPath(ENFORCE_LABEL), describe(enforce), `a tenant namespace enforces Pod Security baseline or restricted`));
    }
    return messages;
  }
  if (enforce === "privileged") {
    return [report(labelPath(ENFORCE_LABEL), describe(enforce), "no namespace may enforce the privileged Pod Security level")];
  }
  return [];
}

export const namespaceIsolationViolations: Rule = (resourceType, props, context) => {
  const { stack } = context;
  const type = parseKubernetesType(resourceType);
  if (type === undefined) return [];
  const object = objectLabel(type, props, context);
  const beta = isBetaStack(stack);

  if (isCoreNamespace(type)) return namespaceViolations(object, props, !beta);
  if (isClusterScoped(type)) return [];

  const namespace = valueAt(props, "metadata.namespace");
  if (beta) {
    if (namespace === stack) return [];
    const requirement = `on stack ${stack} every namespaced object must be in namespace "${stack}"`;
    return [violation(BETA_NAMESPACE_ISOLATION, object, "metadata.namespace", describe(namespace), requirement)];
  }
  const tenantDatabaseSecret = `${type.group}/${type.kind}` === "core/Secret" && valueAt(props, "metadata.name") === TENANT_DATABASE_SECRET;
  if (typeof namespace === "string" && namespace.startsWith(BETA_PREFIX) && !GUARD_RAIL_KINDS.has(`${type.group}/${type.kind}`) && !tenantDatabaseSecret) {
    const requirement = `the platform stack ${JSON.stringify(stack)} puts only guard rails (ResourceQuota, LimitRange, NetworkPolicy, RoleBinding) and the Secret ${TENANT_DATABASE_SECRET} in a ${BETA_PREFIX} namespace; its workload belongs to the developer stack`;
    return [violation(BETA_NAMESPACE_ISOLATION, object, "metadata.namespace", describe(namespace), requirement)];
  }
  return [];
};

export const namespaces: RuleDefinition = {
  name: BETA_NAMESPACE_ISOLATION,
  description: "A Beta's objects live only in beta-<name>; the platform owns tenant namespaces (Pod Security baseline or stricter) and puts only guard rails in them.",
  check: namespaceIsolationViolations,
};
