/**
 * Rule 2: containers run as non-root (`runAsNonRoot: true` on the pod or the container, no
 * `runAsUser: 0`), are not privileged and cannot escalate privileges.
 */
import { asRecord, containersOf, workloadOf } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const NON_ROOT = "non-root-containers";
const REQUIREMENT =
  "containers must run as non-root (runAsNonRoot: true, never runAsUser: 0), unprivileged and without privilege escalation";

export const nonRootViolations: Rule = (resourceType, props, context) => {
  const workload = workloadOf(resourceType, props, context);
  if (workload === undefined) return [];
  const { type, pod, object } = workload;
  const report = (field: string, problem: string) => violation(NON_ROOT, object, field, problem, REQUIREMENT);
  const messages: string[] = [];

  const podSecurity = asRecord(pod.spec.securityContext) ?? {};
  if (podSecurity.runAsUser === 0) messages.push(report(`${pod.path}.securityContext.runAsUser`, "is 0 (root)"));

  for (const { container, path, label } of containersOf(pod)) {
    const security = asRecord(container.securityContext) ?? {};
    // The container's setting wins over the pod's, as in Kubernetes.
    const runAsNonRoot = security.runAsNonRoot ?? podSecurity.runAsNonRoot;
    // A patch that says nothing about it leaves the patched object's setting alone.
    if (runAsNonRoot !== true && !(type.patch && runAsNonRoot === undefined)) {
      const problem =
        security.runAsNonRoot === undefined
          ? `(${label}) is not set and neither is ${pod.path}.securityContext.runAsNonRoot`
          : `(${label}) is ${JSON.stringify(security.runAsNonRoot)}`;
      messages.push(report(`${path}.securityContext.runAsNonRoot`, problem));
    }
    if (security.runAsUser === 0) messages.push(report(`${path}.securityContext.runAsUser`, `(${label}) is 0 (root)`));
    if (security.privileged === true) messages.push(report(`${path}.securityContext.privileged`, `(${label}) is true`));
    if (security.allowPrivilegeEscalation === true) {
      messages.push(report(`${path}.securityContext.allowPrivilegeEscalation`, `(${label}) is true`));
    }
  }
  return messages;
};

export const nonRoot: RuleDefinition = {
  name: NON_ROOT,
  description: "Containers run as non-root, unprivileged and without privilege escalation.",
  check: nonRootViolations,
};
