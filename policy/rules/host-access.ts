/**
 * Rule 3: no hostPath volumes, no hostPort and no sharing of the node's network, PID or IPC
 * namespaces. A hostPort opens a port on the node itself, outside every NetworkPolicy and
 * Service (Pod Security Standards, Baseline, "Host Ports":
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 */
import { asArray, asRecord, containersOf, objectLabel, parseKubernetesType, podSpecOf, valueAt } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const NO_HOST_ACCESS = "no-host-access";
const REQUIREMENT = "pods may not use hostPath volumes, hostPort, hostNetwork, hostPID or hostIPC";
const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"] as const;

export const hostAccessViolations: Rule = (resourceType, props, context) => {
  const type = parseKubernetesType(resourceType);
  if (type === undefined) return [];
  const object = objectLabel(type, props, context);
  const report = (field: string, problem: string) => violation(NO_HOST_ACCESS, object, field, problem, REQUIREMENT);

  // A PersistentVolume can hand a node directory to any pod that claims it.
  if (type.group === "core" && type.kind === "PersistentVolume") {
    return valueAt(props, "spec.hostPath") === undefined ? [] : [report("spec.hostPath", "is set")];
  }
  const pod = podSpecOf(type, props);
  if (pod === undefined) return [];
  const messages: string[] = [];
  for (const field of HOST_NAMESPACES) {
    if (pod.spec[field] === true) messages.push(report(`${pod.path}.${field}`, "is true"));
  }
  asArray(pod.spec.volumes).forEach((entry, index) => {
    const volume = asRecord(entry);
    if (volume?.hostPath === undefined) return;
    const name = typeof volume.name === "string" ? ` (volume "${volume.name}")` : "";
    messages.push(report(`${pod.path}.volumes[${index}].hostPath`, `is set${name}`));
  });
  for (const { container, path, label } of containersOf(pod)) {
    asArray(container.ports).forEach((entry, index) => {
      const hostPort = asRecord(entry)?.hostPort;
      if (hostPort === undefined || hostPort === 0) return;
      messages.push(report(`${path}.ports[${index}].hostPort`, `(${label}) is ${JSON.stringify(hostPort)}`));
    });
  }
  return messages;
};

export const hostAccess: RuleDefinition = {
  name: NO_HOST_ACCESS,
  description: "No hostPath volumes, hostPort, hostNetwork, hostPID or hostIPC.",
  check: hostAccessViolations,
};
