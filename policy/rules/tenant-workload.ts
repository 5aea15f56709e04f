/**
 * Rule: under the tenancy model a developer stack (`beta-<name>`) declares only its workload:
 * Secrets, ConfigMaps, Deployments, Services and Jobs. The namespace and every guard rail in
 * it (ResourceQuota, LimitRange, NetworkPolicies, RoleBindings) belong to the platform stack,
 * and anything else (Ingresses, Pods, EndpointSlices, ServiceAccounts, cluster-scoped
 * objects...) is outside what the tenant's `beta-tenant` role may create anyway.
 */
import { isBetaStack, objectLabel, parseKubernetesType } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const DEVELOPER_WORKLOAD_ONLY = "developer-stack-workload-only";

/** What a developer stack may declare, by `group/Kind` (server-side-apply patches of them too). */
const WORKLOAD_KINDS: ReadonlySet<string> = new Set(["core/Secret", "core/ConfigMap", "apps/Deployment", "core/Service", "batch/Job"]);

const REQUIREMENT =
  "a developer stack declares only its workload (Secret, ConfigMap, Deployment, Service, Job); the platform stack owns the namespace and its guard rails";

export const tenantWorkloadViolations: Rule = (resourceType, props, context) => {
  if (!isBetaStack(context.stack)) return [];
  const type = parseKubernetesType(resourceType);
  if (type === undefined || WORKLOAD_KINDS.has(`${type.group}/${type.kind}`)) return [];
  const kind = type.patch ? `${type.kind}Patch` : type.kind;
  return [violation(DEVELOPER_WORKLOAD_ONLY, objectLabel(type, props, context), "kind", `is ${kind} (${type.group}/${type.version})`, REQUIREMENT)];
};

export const tenantWorkload: RuleDefinition = {
  name: DEVELOPER_WORKLOAD_ONLY,
  description: "A developer stack declares only Secrets, ConfigMaps, Deployments, Services and Jobs; the platform owns namespaces and guard rails.",
  check: tenantWorkloadViolations,
};
