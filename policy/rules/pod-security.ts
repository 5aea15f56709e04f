/**
 * Rule: the Pod Security Standards' controls that the other rules do not cover, checked
 * before the cluster's Pod Security admission sees the pod: no added capabilities beyond
 * NET_BIND_SERVICE (the Restricted profile's only one), no Unconfined seccomp or AppArmor
 * profile, only the safe sysctls, no Unmasked /proc, no Windows HostProcess.
 * Source: https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Baseline:
 * "Capabilities", "Seccomp", "AppArmor", "Sysctls", "/proc Mount Type", "HostProcess";
 * Restricted: "Capabilities").
 */
import { asArray, asRecord, containersOf, valueAt, workloadOf } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const POD_SECURITY = "pod-security";
const REQUIREMENT =
  "pods may add no capability but NET_BIND_SERVICE, use no Unconfined seccomp or AppArmor profile, only safe sysctls, no Unmasked procMount and no hostProcess";

/** The only capability the Restricted profile lets a container add. */
const ADDABLE_CAPABILITIES: ReadonlySet<string> = new Set(["NET_BIND_SERVICE"]);

/** The Baseline profile's "safe" sysctls: namespaced and isolated from other pods on the node. */
const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

/** The pre-1.30 AppArmor annotation on the pod, per container; `unconfined` turns AppArmor off. */
const APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/";

function typeOf(profile: unknown): unknown {
  return asRecord(profile)?.type;
}

export const podSecurityViolations: Rule = (resourceType, props, context) => {
  const workload = workloadOf(resourceType, props, context);
  if (workload === undefined) return [];
  const { pod, object } = workload;
  const report = (field: string, problem: string) => violation(POD_SECURITY, object, field, problem, REQUIREMENT);
  const messages: string[] = [];

  const podSecurity = asRecord(pod.spec.securityContext) ?? {};
  const podField = `${pod.path}.securityContext`;
  if (typeOf(podSecurity.seccompProfile) === "Unconfined") messages.push(report(`${podField}.seccompProfile.type`, 'is "Unconfined"'));
  if (typeOf(podSecurity.appArmorProfile) === "Unconfined") messages.push(report(`${podField}.appArmorProfile.type`, 'is "Unconfined"'));
  if (asRecord(podSecurity.windowsOptions)?.hostProcess === true) messages.push(report(`${podField}.windowsOptions.hostProcess`, "is true"));
  asArray(podSecurity.sysctls).forEach((entry, index) => {
    const name = asRecord(entry)?.name;
    if (typeof name === "string" && SAFE_SYSCTLS.has(name)) return;
    messages.push(report(`${podField}.sysctls[${index}].name`, `is ${JSON.stringify(name)}, which is not a safe sysctl`));
  });

  // The pod's own metadata sits next to its spec: `spec.template.metadata`, or `metadata` for a Pod.
  const metadataPath = pod.path === "spec" ? "metadata" : `${pod.path.slice(0, -".spec".length)}.metadata`;
  const annotations = asRecord(valueAt(props, `${metadataPath}.annotations`)) ?? {};
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value === "unconfined") {
      messages.push(report(`${metadataPath}.annotations["${key}"]`, 'is "unconfined"'));
    }
  }

  for (const { container, path, label } of containersOf(pod)) {
    const security = asRecord(container.securityContext) ?? {};
    const field = `${path}.securityContext`;
    asArray(asRecord(security.capabilities)?.add).forEach((capability, index) => {
      if (typeof capability === "string" && ADDABLE_CAPABILITIES.has(capability.replace(/^CAP_/, ""))) return;
      messages.push(report(`${field}.capabilities.add[${index}]`, `(${label}) is ${JSON.stringify(capability)}`));
    });
    if (typeOf(security.seccompProfile) === "Unconfined") messages.push(report(`${field}.seccompProfile.type`, `(${label}) is "Unconfined"`));
    if (typeOf(security.appArmorProfile) === "Unconfined") messages.push(report(`${field}.appArmorProfile.type`, `(${label}) is "Unconfined"`));
    if (security.procMount === "Unmasked") messages.push(report(`${field}.procMount`, `(${label}) is "Unmasked"`));
    if (asRecord(security.windowsOptions)?.hostProcess === true) messages.push(report(`${field}.windowsOptions.hostProcess`, `(${label}) is true`));
  }
  return messages;
};

export const podSecurity: RuleDefinition = {
  name: POD_SECURITY,
  description: "No added capabilities but NET_BIND_SERVICE, no Unconfined seccomp or AppArmor, only safe sysctls, no Unmasked procMount, no hostProcess.",
  check: podSecurityViolations,
};
