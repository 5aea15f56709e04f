/**
 * Rule 6: a Beta stays in its namespace. On stack `beta-<name>` every namespaced object is in
 * namespace `beta-<name>`, and the only cluster-scoped object is that Namespace itself; no
 * object of the platform stack lives in (or is) a `beta-` namespace.
 */
import { BETA_PREFIX, isBetaStack, isClusterScoped, isCoreNamespace, objectLabel, parseKubernetesType, valueAt } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const BETA_NAMESPACE_ISOLATION = "beta-namespace-isolation";
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

function describe(value: unknown): string {
  return value === undefined ? "is missing" : `is ${JSON.stringify(value)}`;
}

export const namespaceViolations: Rule = (resourceType, props, context) => {
  const { stack } = context;
  const own = stack; // a Beta's namespace is named like its stack
  const beta = isBetaStack(stack);
  const report = (object: string, field: string, problem: string, requirement: string) =>
    violation(BETA_NAMESPACE_ISOLATION, object, field, problem, requirement);
  const inOwn = `on stack ${stack} every namespaced object must be in namespace "${own}"`;
  const platform = `the platform stack ${JSON.stringify(stack)}`;
  const notInBeta = `objects of ${platform} may not live in a ${BETA_PREFIX} namespace; those belong to developer stacks`;
  const noBetaNamespace = `${platform} may not own a ${BETA_PREFIX} namespace; each belongs to its developer stack`;

  // A Helm release is namespaced through its own top-level `namespace` input.
  if (resourceType === HELM_RELEASE) {
    const object = `Release ${typeof props.name === "string" ? props.name : (context.name ?? "(unnamed)")}`;
    const namespace = props.namespace;
    if (beta && namespace !== own) return [report(object, "namespace", describe(namespace), inOwn)];
    if (!beta && typeof namespace === "string" && namespace.startsWith(BETA_PREFIX)) {
      return [report(object, "namespace", describe(namespace), notInBeta)];
    }
    return [];
  }

  const type = parseKubernetesType(resourceType);
  if (type === undefined) return [];
  const object = objectLabel(type, props, context);

  if (isClusterScoped(type)) {
    const name = valueAt(props, "metadata.name");
    if (beta) {
      if (isCoreNamespace(type) && name === own) return [];
      const onlyOwn = `a developer stack may declare no cluster-scoped object except its own Namespace "${own}"`;
      return isCoreNamespace(type)
        ? [report(object, "metadata.name", describe(name), onlyOwn)]
        : [report(object, "kind", `is ${type.kind}, which is cluster-scoped`, onlyOwn)];
    }
    if (isCoreNamespace(type) && typeof name === "string" && name.startsWith(BETA_PREFIX)) {
      return [report(object, "metadata.name", describe(name), noBetaNamespace)];
    }
    return [];
  }

  const namespace = valueAt(props, "metadata.namespace");
  if (beta) return namespace === own ? [] : [report(object, "metadata.namespace", describe(namespace), inOwn)];
  if (typeof namespace === "string" && namespace.startsWith(BETA_PREFIX)) {
    return [report(object, "metadata.namespace", describe(namespace), notInBeta)];
  }
  return [];
};

export const namespaces: RuleDefinition = {
  name: BETA_NAMESPACE_ISOLATION,
  description: "A Beta's objects live only in its namespace beta-<name>; the platform's never in a beta- namespace.",
  check: namespaceViolations,
};
