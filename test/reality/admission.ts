/**
 * ValidatingAdmissionPolicy as the Kubernetes API server applies it, for tests: which policies
 * and bindings match a request, which parameters they get, what their CEL says, and the
 * resulting verdict. Each step follows kubernetes/kubernetes staging/src/k8s.io/apiserver:
 * - matching: pkg/admission/plugin/policy/matching/matching.go (namespaceSelector, then
 *   objectSelector, then excludeResourceRules, then resourceRules with resourceNames), with
 *   pkg/admission/plugin/webhook/predicates/{rules/rules.go, namespace/matcher.go,
 *   object/matcher.go};
 * - dispatch: pkg/admission/plugin/policy/generic/policy_dispatcher.go (bindings of the policy,
 *   CollectParams: paramRef by name or selector, parameterNotFoundAction) and
 *   pkg/admission/plugin/policy/validating/dispatcher.go (Deny/Warn/Audit, the message);
 * - evaluation: pkg/admission/plugin/policy/validating/validator.go (matchConditions, then
 *   validations; messageExpression falls back to message, then to the expression) and
 *   pkg/admission/plugin/cel/filter.go (CreateAdmissionRequest, CreateNamespaceObject);
 * - the variables: https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/
 *   ("object", "oldObject", "request", "params", "namespaceObject", "variables").
 *
 * A configuration error (a missing parameter) is reported with the API server's own words
 * ("failed to configure binding: ..."), without the status wrapper around them.
 *
 * Not modelled (a policy using them fails to compile in test/reality/cel.ts): `authorizer`,
 * audit annotations, matchPolicy Equivalent's conversion between versions (every request here
 * is in the version the policies name), the CEL cost budget.
 */
import { compile, celReadyMap, evaluate } from "./cel";

/** A Kubernetes object as plain JSON. */
export type KubeObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
};

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}
export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** What the API server knows about a request when it runs admission (admission.Attributes). */
export interface AdmissionAttributes {
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  /** Empty for cluster-scoped objects; a Namespace's own name for a Namespace. */
  namespace?: string;
  name?: string;
  /** The object after defaulting and mutation; null for DELETE. */
  object: KubeObject | null;
  /** The stored object; null for CREATE. */
  oldObject: KubeObject | null;
  userInfo: UserInfo;
  dryRun?: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions as sent. */
  options?: KubeObject;
}

/** What the cluster holds that admission reads: namespaces (for selectors) and parameters. */
export interface ClusterState {
  namespaces: KubeObject[];
  objects: KubeObject[];
}

export interface Denial {
  policy: string;
  binding?: string;
  /** The text a client sees, as the API server words it. */
  message: string;
  reason?: string;
}

export interface Verdict {
  allowed: boolean;
  denials: Denial[];
  warnings: string[];
  /** Policy/binding pairs that matched the request (whether or not they denied it). */
  matched: string[];
}

interface PolicySpec {
  failurePolicy?: "Fail" | "Ignore";
  paramKind?: { apiVersion: string; kind: string };
  matchConstraints?: MatchResources;
  matchConditions?: { name: string; expression: string }[];
  variables?: { name: string; expression: string }[];
  validations?: { expression: string; message?: string; messageExpression?: string; reason?: string }[];
  auditAnnotations?: unknown[];
}
interface MatchResources {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: NamedRule[];
  excludeResourceRules?: NamedRule[];
  matchPolicy?: "Exact" | "Equivalent";
}
interface NamedRule {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  resourceNames?: string[];
  scope?: "Cluster" | "Namespaced" | "*";
}
interface BindingSpec {
  policyName: string;
  paramRef?: { name?: string; namespace?: string; selector?: LabelSelector; parameterNotFoundAction?: "Allow" | "Deny" };
  matchResources?: MatchResources;
  validationActions?: ("Deny" | "Warn" | "Audit")[];
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

const nameOf = (o: KubeObject) => o.metadata?.name ?? "";
const specOf = <T>(o: KubeObject) => (o.spec ?? {}) as T;

/**
 * Runs every policy of `objects` (ValidatingAdmissionPolicies and their bindings, among any
 * other objects) against `request`, in a cluster holding `cluster`.
 */
export function admit(admissionObjects: KubeObject[], cluster: ClusterState, request: AdmissionAttributes): Verdict {
  const policies = admissionObjects.filter((o) => o.kind === "ValidatingAdmissionPolicy");
  const bindings = admissionObjects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding");
  for (const policy of policies) compilePolicy(policy);
  const verdict: Verdict = { allowed: true, denials: [], warnings: [], matched: [] };

  for (const policy of policies) {
    const spec = specOf<PolicySpec>(policy);
    const policyName = nameOf(policy);
    // A policy must say what it matches (ValidatingAdmissionPolicySpec.matchConstraints is required).
    if (!spec.matchConstraints?.resourceRules?.length) throw new Error(`ValidatingAdmissionPolicy ${policyName} has no matchConstraints.resourceRules`);
    if (!matches(spec.matchConstraints, request, cluster)) continue;
    const failClosed = (spec.failurePolicy ?? "Fail") === "Fail";
    const configError = (message: string, bindingName?: string) => {
      if (!failClosed) return;
      verdict.denials.push({ policy: policyName, binding: bindingName, message: `failed to configure ${bindingName ? "binding" : "policy"}: ${message}` });
    };

    for (const binding of bindings.filter((b) => specOf<BindingSpec>(b).policyName === policyName)) {
      const bindingSpec = specOf<BindingSpec>(binding);
      const bindingName = nameOf(binding);
      if (bindingSpec.matchResources && !matches(bindingSpec.matchResources, request, cluster)) continue;
      verdict.matched.push(`${policyName}/${bindingName}`);

      const params = collectParams(spec, bindingSpec, request, cluster);
      if ("error" in params) {
        configError(params.error, bindingName);
        continue;
      }
      const namespaceObject = namespaceObjectFor(request, cluster);
      for (const param of params.values) {
        for (const decision of validate(spec, request, param, namespaceObject)) {
          if (decision.kind === "error") {
            if (failClosed) record(verdict, bindingSpec, { policy: policyName, binding: bindingName, message: decision.message });
          } else {
            record(verdict, bindingSpec, { policy: policyName, binding: bindingName, message: decision.message, reason: decision.reason ?? "Invalid" });
          }
        }
      }
    }
  }
  verdict.allowed = verdict.denials.length === 0;
  return verdict;
}

function record(verdict: Verdict, binding: BindingSpec, denial: Denial): void {
  const actions = binding.validationActions ?? [];
  if (actions.includes("Deny")) {
    verdict.denials.push({
      ...denial,
      // validating/dispatcher.go: "ValidatingAdmissionPolicy '%s' with binding '%s' denied request: %s"
      message: `ValidatingAdmissionPolicy '${denial.policy}' with binding '${denial.binding}' denied request: ${denial.message}`,
    });
  }
  if (actions.includes("Warn")) {
    verdict.warnings.push(`Validation failed for ValidatingAdmissionPolicy '${denial.policy}' with binding '${denial.binding}': ${denial.message}`);
  }
}

/** Compiles every expression of a policy up front, so a typo fails even when no request reaches it. */
function compilePolicy(policy: KubeObject): void {
  const spec = specOf<PolicySpec>(policy);
  if (spec.auditAnnotations?.length) throw new Error(`ValidatingAdmissionPolicy ${nameOf(policy)}: auditAnnotations are not modelled`);
  for (const c of spec.matchConditions ?? []) compile(c.expression);
  for (const v of spec.variables ?? []) compile(v.expression);
  for (const v of spec.validations ?? []) {
    compile(v.expression);
    if (v.messageExpression) compile(v.messageExpression);
  }
}

// --- matching -------------------------------------------------------------------------------

function matches(criteria: MatchResources, request: AdmissionAttributes, cluster: ClusterState): boolean {
  if (!matchesNamespaceSelector(criteria.namespaceSelector, request, cluster)) return false;
  if (!matchesObjectSelector(criteria.objectSelector, request)) return false;
  if ((criteria.excludeResourceRules ?? []).some((rule) => matchesRule(rule, request))) return false;
  // An empty rule list matches everything (only a binding's matchResources may be empty).
  const rules = criteria.resourceRules ?? [];
  return rules.length === 0 || rules.some((rule) => matchesRule(rule, request));
}

/** namespace/matcher.go MatchNamespaceSelector and GetNamespaceLabels. */
function matchesNamespaceSelector(selector: LabelSelector | undefined, request: AdmissionAttributes, cluster: ClusterState): boolean {
  const isNamespace = request.resource.resource === "namespaces";
  // A cluster-scoped request that is not a namespace is never exempted by a namespace selector.
  if (!request.namespace && !isNamespace) return true;
  if (isSelectorEmpty(selector)) return true;
  let labels: Record<string, string> | undefined;
  if (isNamespace && !request.subResource && (request.operation === "CREATE" || request.operation === "UPDATE")) {
    labels = request.object?.metadata?.labels;
  } else {
    const namespace = cluster.namespaces.find((n) => nameOf(n) === request.namespace);
    // The API server answers a request in a namespace it cannot find with 404.
    if (!namespace) throw new Error(`namespace ${request.namespace} not found in the cluster state`);
    labels = namespace.metadata?.labels;
  }
  return selectorMatches(selector!, labels ?? {});
}

/** object/matcher.go MatchObjectSelector: the new object's labels, or the old one's. */
function matchesObjectSelector(selector: LabelSelector | undefined, request: AdmissionAttributes): boolean {
  if (isSelectorEmpty(selector)) return true;
  return [request.object, request.oldObject].some((o) => o !== null && selectorMatches(selector!, o.metadata?.labels ?? {}));
}

/** rules/rules.go Matcher.Matches, plus matching.go's resourceNames. */
function matchesRule(rule: NamedRule, request: AdmissionAttributes): boolean {
  const exactOrWildcard = (items: string[] | undefined, requested: string) => (items ?? []).some((i) => i === "*" || i === requested);
  const isNamespaceResource = request.resource.group === "" && request.resource.version === "v1" && request.resource.resource === "namespaces";
  const scope = rule.scope ?? "*";
  const scopeOk =
    scope === "*" ||
    (scope === "Namespaced" && !isNamespaceResource && !!request.namespace) ||
    (scope === "Cluster" && (isNamespaceResource || !request.namespace));
  const operationOk = (rule.operations ?? []).some((op) => op === "*" || op === request.operation);
  const resourceOk = (rule.resources ?? []).some((entry) => {
    const [res, sub = ""] = entry.split(/\/(.*)/s);
    return (res === "*" || res === request.resource.resource) && (sub === "*" || sub === (request.subResource ?? ""));
  });
  const nameOk = !rule.resourceNames?.length || rule.resourceNames.includes(request.name ?? "");
  return scopeOk && operationOk && exactOrWildcard(rule.apiGroups, request.resource.group) && exactOrWildcard(rule.apiVersions, request.resource.version) && resourceOk && nameOk;
}

function isSelectorEmpty(selector: LabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** metav1.LabelSelectorAsSelector semantics: every term must hold; NotIn holds for a missing key. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const labelsOk = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressionsOk = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (operator) {
      case "In":
        return has && values.includes(labels[key]);
      case "NotIn":
        return !has || !values.includes(labels[key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      default:
        throw new Error(`label selector operator ${String(operator)} is not valid`);
    }
  });
  return labelsOk && expressionsOk;
}

// --- parameters and variables ----------------------------------------------------------------

/** generic/policy_dispatcher.go CollectParams. */
function collectParams(spec: PolicySpec, binding: BindingSpec, request: AdmissionAttributes, cluster: ClusterState): { values: (KubeObject | null)[] } | { error: string } {
  const { paramKind } = spec;
  const ref = binding.paramRef;
  // No paramKind: paramRef is ignored; paramKind without paramRef: evaluated with null params.
  if (!paramKind || !ref) return { values: [null] };
  // Every paramKind this project uses is namespaced (ConfigMap); a cluster-scoped kind would
  // take no namespace.
  const namespace = ref.namespace || request.namespace;
  if (!namespace) return { error: "cannot use namespaced paramRef in policy binding that matches cluster-scoped resources" };
  const candidates = cluster.objects.filter((o) => o.apiVersion === paramKind.apiVersion && o.kind === paramKind.kind && o.metadata?.namespace === namespace);
  let values: KubeObject[];
  if (ref.name) {
    if (ref.selector) return { error: "paramRef.name and paramRef.selector are mutually exclusive" };
    values = candidates.filter((o) => nameOf(o) === ref.name);
  } else if (ref.selector) {
    values = candidates.filter((o) => selectorMatches(ref.selector!, o.metadata?.labels ?? {}));
  } else {
    return { error: "one of name or selector must be provided" };
  }
  if (values.length === 0 && ref.parameterNotFoundAction === "Deny") {
    return { error: "no params found for policy binding with `Deny` parameterNotFoundAction" };
  }
  return { values };
}

/** cel/filter.go CreateNamespaceObject: only these fields of the namespace are visible. */
function namespaceObjectFor(request: AdmissionAttributes, cluster: ClusterState): KubeObject | null {
  // validating/dispatcher.go: a Namespace request has no namespaceObject.
  if (request.kind.group === "" && request.kind.version === "v1" && request.kind.kind === "Namespace") return null;
  if (!request.namespace) return null;
  const namespace = cluster.namespaces.find((n) => nameOf(n) === request.namespace);
  if (!namespace) throw new Error(`namespace ${request.namespace} not found in the cluster state`);
  const meta = namespace.metadata ?? {};
  const keep = ["name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "finalizers"];
  return {
    metadata: Object.fromEntries(keep.filter((k) => meta[k] !== undefined).map((k) => [k, meta[k]])),
    ...(namespace.spec ? { spec: namespace.spec } : {}),
    ...(namespace.status ? { status: namespace.status } : {}),
  };
}

/**
 * cel/filter.go CreateAdmissionRequest, as JSON (k8s.io/api admission/v1 AdmissionRequest's
 * json tags: `uid` always, `subResource`, `requestSubResource`, `name`, `namespace` only when
 * set; object and oldObject are left out, they are variables of their own).
 */
export function admissionRequestVariable(request: AdmissionAttributes): Record<string, unknown> {
  const userInfo: Record<string, unknown> = { username: request.userInfo.username };
  if (request.userInfo.uid) userInfo.uid = request.userInfo.uid;
  if (request.userInfo.groups?.length) userInfo.groups = request.userInfo.groups;
  if (request.userInfo.extra && Object.keys(request.userInfo.extra).length) userInfo.extra = request.userInfo.extra;
  return {
    uid: "",
    kind: { ...request.kind },
    resource: { ...request.resource },
    ...(request.subResource ? { subResource: request.subResource } : {}),
    requestKind: { ...request.kind },
    requestResource: { ...request.resource },
    ...(request.subResource ? { requestSubResource: request.subResource } : {}),
    ...(request.name ? { name: request.name } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    operation: request.operation,
    userInfo,
    dryRun: request.dryRun ?? false,
    ...(request.options ? { options: request.options } : {}),
  };
}

type Decision = { kind: "deny"; message: string; reason?: string } | { kind: "error"; message: string };

/** validating/validator.go Validate, for one binding and one parameter. */
function validate(spec: PolicySpec, request: AdmissionAttributes, params: KubeObject | null, namespaceObject: KubeObject | null): Decision[] {
  const bindings: Record<string, unknown> = {
    object: request.object,
    oldObject: request.oldObject,
    // Params keep their apiVersion/kind (dispatcher.go wrappedParam).
    params,
    request: admissionRequestVariable(request),
    namespaceObject,
  };
  // Variables are evaluated in order and may use earlier ones. The API server evaluates them
  // lazily; an error here is reported only by an expression that uses the variable.
  const variables = celReadyMap(new Map<string, unknown>());
  const variableErrors = new Map<string, string>();
  for (const variable of spec.variables ?? []) {
    const outcome = evaluate(variable.expression, { ...bindings, variables });
    if ("error" in outcome) variableErrors.set(variable.name, outcome.error);
    else variables.set(variable.name, outcome.value);
  }
  const run = (expression: string) => {
    const failed = [...variableErrors].find(([name]) => new RegExp(`\\bvariables\\.${name}\\b`).test(expression));
    if (failed) return { error: `variable '${failed[0]}' failed: ${failed[1]}` };
    return evaluate(expression, { ...bindings, variables });
  };

  // matchconditions/matcher.go: any false skips the policy, even when another errs; else an
  // error applies the failure policy.
  const conditionErrors: string[] = [];
  for (const condition of spec.matchConditions ?? []) {
    const outcome = run(condition.expression);
    if ("error" in outcome) conditionErrors.push(`expression '${condition.expression}' resulted in error: ${outcome.error}`);
    else if (outcome.value !== true) return [];
  }
  if (conditionErrors.length > 0) return [{ kind: "error", message: conditionErrors.join("; ") }];

  const decisions: Decision[] = [];
  for (const validation of spec.validations ?? []) {
    const outcome = run(validation.expression);
    if ("error" in outcome) {
      decisions.push({ kind: "error", message: `expression '${validation.expression}' resulted in error: ${outcome.error}` });
      continue;
    }
    // Anything but `true` denies (validator.go: EvalResult != celtypes.True).
    if (outcome.value === true) continue;
    let message = "";
    if (validation.messageExpression) {
      const text = run(validation.messageExpression);
      // A message that is not a string, is blank, has a newline or exceeds 5 KiB falls back.
      if ("value" in text && typeof text.value === "string" && !text.value.includes("\n") && text.value.length <= 5 * 1024) message = text.value.trim();
    }
    if (!message && validation.message) message = validation.message.trim();
    if (!message) message = `failed expression: ${validation.expression.trim()}`;
    decisions.push({ kind: "deny", message, reason: validation.reason });
  }
  return decisions;
}
