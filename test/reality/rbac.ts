/**
 * Kubernetes RBAC authorization over rendered manifests, for tests: may this user do this verb
 * on this resource in this namespace? Semantics of kubernetes/kubernetes:
 * - plugin/pkg/auth/authorizer/rbac/rbac.go: Authorize visits every rule that applies to the
 *   user in the request's namespace and allows on the first match (RBAC only ever allows);
 *   RuleAllows combines `resource/subresource` and checks verb, API group, resource and name;
 * - pkg/registry/rbac/validation/rule.go (DefaultRuleResolver.VisitRulesFor): ClusterRoleBindings
 *   apply everywhere; RoleBindings of the request's namespace apply only there, whether they
 *   name a Role of that namespace or a ClusterRole; a cluster-scoped request (no namespace)
 *   sees ClusterRoleBindings only. appliesToUser: User by name, Group by membership,
 *   ServiceAccount as `system:serviceaccount:<ns>:<name>` (ns defaults to the binding's);
 * - pkg/apis/rbac/v1/evaluation_helpers.go: VerbMatches, APIGroupMatches, ResourceMatches
 *   (`*`, exact `resource/subresource`, or a wildcard resource with the same subresource), ResourceNameMatches (an empty list
 *   matches any name; a non-empty list never matches a request without a name, e.g. create or
 *   list);
 * - staging/src/k8s.io/apiserver/pkg/authentication/group/authenticated_group_adder.go: every
 *   authenticated user is also in `system:authenticated`;
 * - pkg/controller/clusterroleaggregation: a ClusterRole with an aggregationRule has exactly the
 *   rules of the ClusterRoles its selectors pick.
 * The built-in roles a binding may name come from ./rbac-bootstrap.ts; a binding to any other
 * role that is not in the manifests is refused when the model is built.
 */
import { KubeObject, LabelSelector, selectorMatches } from "./admission";
import { BOOTSTRAP_CLUSTER_ROLE_BINDINGS, BOOTSTRAP_CLUSTER_ROLES } from "./rbac-bootstrap";

export interface Subject {
  user: string;
  groups?: string[];
}

interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface RoleRef {
  apiGroup: string;
  kind: "Role" | "ClusterRole";
  name: string;
}
interface BindingSubject {
  kind: "User" | "Group" | "ServiceAccount";
  name: string;
  namespace?: string;
}
interface Binding {
  /** `RoleBinding ns/name` or `ClusterRoleBinding name`, for explanations. */
  source: string;
  /** Undefined for a ClusterRoleBinding. */
  namespace?: string;
  subjects: BindingSubject[];
  rules: PolicyRule[];
}

const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);

/** An RBAC model of a cluster: the built-in roles plus the given manifests (others are ignored). */
export class RbacModel {
  private readonly bindings: Binding[];

  constructor(manifests: KubeObject[]) {
    const rbacObjects = manifests.filter((m) => RBAC_KINDS.has(String(m.kind)));
    for (const object of rbacObjects) {
      if (object.apiVersion !== "rbac.authorization.k8s.io/v1") throw new Error(`${object.kind} ${object.metadata?.name}: apiVersion ${object.apiVersion} is not rbac.authorization.k8s.io/v1`);
    }
    const builtInNames = new Set(BOOTSTRAP_CLUSTER_ROLES.map((r) => r.metadata?.name));
    for (const role of rbacObjects.filter((o) => o.kind === "ClusterRole")) {
      if (builtInNames.has(role.metadata?.name)) throw new Error(`ClusterRole ${role.metadata?.name} is built in; the manifests must not redefine it`);
    }
    const clusterRoles = [...BOOTSTRAP_CLUSTER_ROLES, ...rbacObjects.filter((o) => o.kind === "ClusterRole")];
    const roles = rbacObjects.filter((o) => o.kind === "Role");
    const clusterRoleRules = resolveAggregation(clusterRoles);

    const rulesOf = (ref: RoleRef, bindingNamespace: string | undefined, source: string): PolicyRule[] => {
      if (ref.kind === "ClusterRole") {
        const rules = clusterRoleRules.get(ref.name);
        if (!rules) throw new Error(`${source} names ClusterRole ${ref.name}, which is neither built in (${[...builtInNames].join(", ")}) nor in the manifests`);
        return rules;
      }
      if (ref.kind === "Role" && bindingNamespace) {
        const role = roles.find((r) => r.metadata?.name === ref.name && r.metadata?.namespace === bindingNamespace);
        if (!role) throw new Error(`${source} names Role ${bindingNamespace}/${ref.name}, which is not in the manifests`);
        return (role.rules as PolicyRule[] | undefined) ?? [];
      }
      throw new Error(`${source}: roleRef kind ${ref.kind} is not valid here`);
    };

    this.bindings = [...BOOTSTRAP_CLUSTER_ROLE_BINDINGS, ...rbacObjects].flatMap((object): Binding[] => {
      if (object.kind !== "RoleBinding" && object.kind !== "ClusterRoleBinding") return [];
      const namespace = object.kind === "RoleBinding" ? object.metadata?.namespace : undefined;
      if (object.kind === "RoleBinding" && !namespace) throw new Error(`RoleBinding ${object.metadata?.name} has no namespace`);
      const source = namespace ? `RoleBinding ${namespace}/${object.metadata?.name}` : `ClusterRoleBinding ${object.metadata?.name}`;
      return [{ source, namespace, subjects: (object.subjects as BindingSubject[] | undefined) ?? [], rules: rulesOf(object.roleRef as RoleRef, namespace, source) }];
    });
  }

  /**
   * Whether `subject` may `verb` the resource `"group/resource[/subresource]"` (core group:
   * `"core/pods"` or `"/pods"`) in `namespace` (undefined: cluster-scoped, or across all
   * namespaces), optionally the object named `resourceName`.
   */
  can(subject: Subject, verb: string, resource: string, namespace?: string, resourceName?: string): boolean {
    return this.allowedBy(subject, verb, resource, namespace, resourceName) !== undefined;
  }

  /** The binding that allows the request, or undefined when RBAC refuses it. */
  allowedBy(subject: Subject, verb: string, resource: string, namespace?: string, resourceName?: string): string | undefined {
    const { group, resource: res, subresource } = parseResource(resource);
    const combined = subresource ? `${res}/${subresource}` : res;
    const user = withImplicitGroups(subject);
    for (const binding of this.bindings) {
      if (binding.namespace !== undefined && binding.namespace !== namespace) continue;
      if (!binding.subjects.some((s) => appliesToUser(user, s, binding.namespace))) continue;
      const allowed = binding.rules.some(
        (rule) =>
          (rule.verbs ?? []).some((v) => v === "*" || v === verb) &&
          (rule.apiGroups ?? []).some((g) => g === "*" || g === group) &&
          resourceMatches(rule.resources ?? [], combined, subresource) &&
          (!rule.resourceNames?.length || rule.resourceNames.includes(resourceName ?? "")),
      );
      if (allowed) return binding.source;
    }
    return undefined;
  }
}

function parseResource(resource: string): { group: string; resource: string; subresource?: string } {
  const parts = resource.split("/");
  if (parts.length < 2 || parts.length > 3 || !parts[1]) throw new Error(`resource ${JSON.stringify(resource)} is not "group/resource[/subresource]" (core group: "core/pods")`);
  const group = parts[0] === "core" ? "" : parts[0];
  return { group, resource: parts[1], subresource: parts[2] };
}

function resourceMatches(ruleResources: string[], combined: string, subresource: string | undefined): boolean {
  return ruleResources.some((r) => r === "*" || r === combined || (!!subresource && r === `*/${subresource}`));
}

function withImplicitGroups(subject: Subject): Required<Subject> {
  const groups = [...(subject.groups ?? [])];
  const implicit = subject.user === "system:anonymous" ? "system:unauthenticated" : "system:authenticated";
  if (!groups.includes(implicit)) groups.push(implicit);
  return { user: subject.user, groups };
}

function appliesToUser(user: Required<Subject>, subject: BindingSubject, bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case "User":
      return user.user === subject.name;
    case "Group":
      return user.groups.includes(subject.name);
    case "ServiceAccount": {
      const namespace = subject.namespace || bindingNamespace;
      return !!namespace && user.user === `system:serviceaccount:${namespace}:${subject.name}`;
    }
    default:
      return false;
  }
}

/** Each ClusterRole's effective rules, aggregated ones resolved to the rules they pick (transitively). */
function resolveAggregation(clusterRoles: KubeObject[]): Map<string, PolicyRule[]> {
  const byName = new Map(clusterRoles.map((r) => [String(r.metadata?.name), r]));
  const resolved = new Map<string, PolicyRule[]>();
  const resolving = new Set<string>();
  const resolve = (name: string): PolicyRule[] => {
    const done = resolved.get(name);
    if (done) return done;
    const role = byName.get(name)!;
    const aggregation = role.aggregationRule as { clusterRoleSelectors?: LabelSelector[] } | undefined;
    let rules: PolicyRule[];
    if (!aggregation) {
      rules = (role.rules as PolicyRule[] | undefined) ?? [];
    } else {
      if (resolving.has(name)) throw new Error(`ClusterRole ${name} aggregates itself through a cycle`);
      resolving.add(name);
      const picked = clusterRoles.filter(
        (other) => other !== role && (aggregation.clusterRoleSelectors ?? []).some((selector) => selectorMatches(selector, other.metadata?.labels ?? {})),
      );
      rules = picked.flatMap((other) => resolve(String(other.metadata?.name)));
      resolving.delete(name);
    }
    resolved.set(name, rules);
    return rules;
  };
  for (const name of byName.keys()) resolve(name);
  return resolved;
}
