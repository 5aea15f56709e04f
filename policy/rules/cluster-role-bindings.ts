/**
 * Rule 5: no developer ClusterRoleBinding. Developers are Kubernetes Users; a Beta gives
 * them rights inside their own namespace only. Groups and ServiceAccounts used by platform
 * tooling may still be bound cluster-wide.
 */
import { asArray, asRecord, objectLabel, parseKubernetesType } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const NO_DEVELOPER_CLUSTER_ROLE_BINDING = "no-developer-cluster-role-binding";
const REQUIREMENT =
  "a ClusterRoleBinding may bind Groups and ServiceAccounts but never a User (developers are Users; grant them a RoleBinding in their beta- namespace)";

export const clusterRoleBindingViolations: Rule = (resourceType, props, context) => {
  const type = parseKubernetesType(resourceType);
  if (type === undefined || type.group !== "rbac.authorization.k8s.io" || type.kind !== "ClusterRoleBinding") return [];
  const object = objectLabel(type, props, context);
  const messages: string[] = [];
  asArray(props.subjects).forEach((entry, index) => {
    const subject = asRecord(entry);
    if (subject?.kind !== "User") return;
    const who = typeof subject.name === "string" ? ` ${JSON.stringify(subject.name)}` : "";
    messages.push(violation(NO_DEVELOPER_CLUSTER_ROLE_BINDING, object, `subjects[${index}]`, `is User${who}`, REQUIREMENT));
  });
  return messages;
};

export const clusterRoleBindings: RuleDefinition = {
  name: NO_DEVELOPER_CLUSTER_ROLE_BINDING,
  description: "No ClusterRoleBinding binds a User: developers get no cluster-wide rights.",
  check: clusterRoleBindingViolations,
};
