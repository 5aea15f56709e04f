/**
 * Rule: RBAC that cannot hand the cluster away. On every stack: no binding to the groups and
 * users Kubernetes gives to everyone (or to everyone with a token, or to the superuser
 * group), no binding of cluster-admin, and no Role or ClusterRole with a `*` or with the
 * verbs that lift their holder above its own rights (escalate, bind, impersonate). On the
 * platform stack a RoleBinding in a tenant namespace `beta-<name>` gives ClusterRole
 * beta-tenant to User `<name>` and the releasers' Group only, or (isolated databases) ClusterRole
 * beta-database-claim-reader to the scheduled reap's ServiceAccount only.
 * Sources: https://kubernetes.io/docs/reference/access-authn-authz/rbac/ ("Default roles and
 * role bindings": system:masters, system:authenticated, system:unauthenticated;
 * "Privilege escalation prevention and bootstrapping": escalate, bind) and
 * https://kubernetes.io/docs/concepts/security/rbac-good-practices/ (wildcards, impersonate).
 */
import { BETA_PREFIX, CLAIM_READER_ROLE, REAPER_SERVICE_ACCOUNT, RELEASERS_GROUP, TENANT_ROLE, asArray, asRecord, isBetaStack, objectLabel, parseKubernetesType, valueAt } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const SAFE_RBAC = "safe-rbac";
const RBAC_GROUP = "rbac.authorization.k8s.io";

/** Subjects no binding may name, and why. */
const FORBIDDEN_SUBJECTS: ReadonlyMap<string, string> = new Map([
  ["Group/system:authenticated", "every user with any valid credential"],
  ["Group/system:unauthenticated", "every anonymous request"],
  ["User/system:anonymous", "every anonymous request"],
  ["Group/system:masters", "the superuser group, which no RBAC rule can limit"],
  ["Group/system:serviceaccounts", "every service account of every namespace"],
]);

/** Verbs that let a role's holder grant or assume more than it has. */
const ESCALATING_VERBS: ReadonlySet<string> = new Set(["escalate", "bind", "impersonate"]);

const BINDING_REQUIREMENT =
  "a binding may not name system:authenticated, system:unauthenticated, system:anonymous, system:masters or system:serviceaccounts, nor bind cluster-admin";
const ROLE_REQUIREMENT = "a Role or ClusterRole may not use \"*\" in apiGroups, resources, verbs or nonResourceURLs, nor grant escalate, bind or impersonate";
const TENANT_REQUIREMENT = `a RoleBinding in a tenant namespace beta-<name> binds ClusterRole ${TENANT_ROLE} to User <name> and Group ${RELEASERS_GROUP} only`;
const CLAIM_READER_REQUIREMENT = `a RoleBinding of ClusterRole ${CLAIM_READER_ROLE} in a tenant namespace binds it to ServiceAccount ${REAPER_SERVICE_ACCOUNT.namespace}/${REAPER_SERVICE_ACCOUNT.name} only`;

function bindingViolations(object: string, props: Record<string, unknown>): string[] {
  const messages: string[] = [];
  asArray(props.subjects).forEach((entry, index) => {
    const subject = asRecord(entry) ?? {};
    const why = FORBIDDEN_SUBJECTS.get(`${String(subject.kind)}/${String(subject.name)}`);
    if (why === undefined) return;
    messages.push(violation(SAFE_RBAC, object, `subjects[${index}]`, `is ${String(subject.kind)} ${JSON.stringify(subject.name)}, ${why}`, BINDING_REQUIREMENT));
  });
  if (valueAt(props, "roleRef.kind") === "ClusterRole" && valueAt(props, "roleRef.name") === "cluster-admin") {
    messages.push(violation(SAFE_RBAC, object, "roleRef.name", 'is "cluster-admin", which can do anything', BINDING_REQUIREMENT));
  }
  return messages;
}

/** On the platform: a tenant namespace's RoleBinding is the tenant's own, nothing more. */
function tenantBindingViolations(object: string, props: Record<string, unknown>): string[] {
  const namespace = valueAt(props, "metadata.namespace");
  if (typeof namespace !== "string" || !namespace.startsWith(BETA_PREFIX)) return [];
  const developer = namespace.slice(BETA_PREFIX.length);
  const report = (field: string, problem: string) => violation(SAFE_RBAC, object, field, problem, TENANT_REQUIREMENT);
  const messages: string[] = [];
  const roleRef = asRecord(props.roleRef) ?? {};
  if (roleRef.kind === "ClusterRole" && roleRef.name === CLAIM_READER_ROLE) {
    asArray(props.subjects).forEach((entry, index) => {
      const subject = asRecord(entry) ?? {};
      const allowed = subject.kind === REAPER_SERVICE_ACCOUNT.kind && subject.name === REAPER_SERVICE_ACCOUNT.name && subject.namespace === REAPER_SERVICE_ACCOUNT.namespace;
      if (!allowed) messages.push(violation(SAFE_RBAC, object, `subjects[${index}]`, `is ${String(subject.kind)} ${JSON.stringify(subject.name)}`, CLAIM_READER_REQUIREMENT));
    });
    return messages;
  }
  if (roleRef.kind !== "ClusterRole" || roleRef.name !== TENANT_ROLE) {
    messages.push(report("roleRef", `is ${String(roleRef.kind)} ${JSON.stringify(roleRef.name)}`));
  }
  asArray(props.subjects).forEach((entry, index) => {
    const subject = asRecord(entry) ?? {};
    const allowed = (subject.kind === "User" && subject.name === developer) || (subject.kind === "Group" && subject.name === RELEASERS_GROUP);
    if (!allowed) messages.push(report(`subjects[${index}]`, `is ${String(subject.kind)} ${JSON.stringify(subject.name)}`));
  });
  return messages;
}

function roleViolations(object: string, props: Record<string, unknown>): string[] {
  const messages: string[] = [];
  asArray(props.rules).forEach((entry, index) => {
    const rule = asRecord(entry) ?? {};
    for (const field of ["apiGroups", "resources", "verbs", "nonResourceURLs"] as const) {
      if (asArray(rule[field]).includes("*")) {
        messages.push(violation(SAFE_RBAC, object, `rules[${index}].${field}`, 'has "*"', ROLE_REQUIREMENT));
      }
    }
    for (const verb of asArray(rule.verbs)) {
      if (typeof verb === "string" && ESCALATING_VERBS.has(verb)) {
        messages.push(violation(SAFE_RBAC, object, `rules[${index}].verbs`, `has "${verb}"`, ROLE_REQUIREMENT));
      }
    }
  });
  return messages;
}

export const rbacViolations: Rule = (resourceType, props, context) => {
  const type = parseKubernetesType(resourceType);
  if (type === undefined || type.group !== RBAC_GROUP) return [];
  const object = objectLabel(type, props, context);
  switch (type.kind) {
    case "RoleBinding":
      return [...bindingViolations(object, props), ...(isBetaStack(context.stack) ? [] : tenantBindingViolations(object, props))];
    case "ClusterRoleBinding":
      return bindingViolations(object, props);
    case "Role":
    case "ClusterRole":
      return roleViolations(object, props);
    default:
      return [];
  }
};

export const rbac: RuleDefinition = {
  name: SAFE_RBAC,
  description: "No bindings to everyone, to system:masters or of cluster-admin; no roles with * or escalate/bind/impersonate; tenant RoleBindings give beta-tenant only.",
  check: rbacViolations,
};
