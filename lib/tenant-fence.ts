/**
 * The admission fence around tenant namespaces, as plain Kubernetes objects: what RBAC cannot
 * express (a Service's type, an ExternalName's target, fields of a pod template) is refused by
 * ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1, CEL). The component
 * `TenantFence` only declares these objects; tests run them through a CEL engine.
 *
 * Expressions use only what the API server's CEL environment offers (standard macros and
 * functions, the strings extension's `join`): kubernetes/kubernetes
 * staging/src/k8s.io/apiserver/pkg/cel/environment/base.go (ext.Strings v2 from 1.29, and
 * ValidatingAdmissionPolicy v1 needs 1.30), https://kubernetes.io/docs/reference/using-api/cel/.
 * `object`, `oldObject` and `params` are untyped there (DynType), so an absent field is an
 * error unless guarded by `has()`: every optional field below is.
 */
import { isIPv4 } from "./config-rules";
import { appNameProblem } from "./names";
import { SHARED_NAMESPACE, SHARED_SERVICES_PARAMS, TENANT_LABEL } from "./platform-names";

/** Where the fence's parameter lives; never a tenant namespace, so no tenant can widen it. */
export const SHARED_SERVICES_PARAMS_NAMESPACE = SHARED_NAMESPACE;

/**
 * Capabilities Pod Security "baseline" lets a container add; anything else is refused.
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline ("Capabilities").
 */
export const BASELINE_CAPABILITIES: readonly string[] = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

/**
 * Volume sources a tenant pod may use: Pod Security "restricted"'s list
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted, "Volume
 * Types") without `csi` and `ephemeral`. Baseline, which tenant namespaces enforce, refuses only
 * `hostPath`; the rest reach outside the Beta:
 * - `nfs`, `iscsi`, `rbd`, `cephfs`, `glusterfs`, `fc`, `awsElasticBlockStore`, ... are mounted
 *   by the kubelet from the node, with the node's network (no NetworkPolicy applies) and the
 *   cluster's storage credentials (an EBS volume of another Beta, by its id);
 * - `gitRepo` clones on the node (CVE-2024-10220, kubernetes/kubernetes#128885);
 * - `ephemeral` makes the ephemeral-volume controller create a PersistentVolumeClaim the
 *   tenant's RBAC refuses ("Security" in
 *   https://kubernetes.io/docs/concepts/storage/ephemeral-volumes/);
 * - inline `csi` lets the pod pick any driver that allows ephemeral use, with that driver's
 *   powers (same page, "CSI ephemeral volumes").
 */
export const TENANT_VOLUME_TYPES: readonly string[] = ["configMap", "secret", "downwardAPI", "emptyDir", "projected", "persistentVolumeClaim"];

/** What the platform passes in: the ExternalName targets a tenant Service may use. */
export interface TenantFenceArgs {
  /**
   * Allowed ExternalName target → name of the shared service it serves. A tenant's Service
   * `<service>` may be an ExternalName only to a target listed for `<service>`.
   */
  sharedServiceTargets: Record<string, string>;
}

/**
 * The ExternalName target of a Beta's Service for a shared service: the backend's DNS name
 * (lower case, as a Service's externalName must be), or for an IP backend the selector-less
 * Service the platform keeps in `shared`. The developer stack's Service and the fence's
 * parameter both come from here, so they cannot disagree.
 */
export function sharedServiceTarget(service: { name: string; host: string }, clusterDomain: string): string {
  return isIPv4(service.host) ? `${service.name}.${SHARED_SERVICES_PARAMS_NAMESPACE}.svc.${clusterDomain}` : service.host.toLowerCase();
}

/** The fence's `sharedServiceTargets` for the platform's shared services. */
export function sharedServiceTargets(services: readonly { name: string; host: string }[], clusterDomain: string): Record<string, string> {
  return Object.fromEntries(services.map((service) => [sharedServiceTarget(service, clusterDomain), service.name]));
}

/** The objects of the fence, as the API server takes them. */
export interface TenantFenceObjects {
  params: KubeObject;
  policies: KubeObject[];
  bindings: KubeObject[];
}

/** A Kubernetes object as plain data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** Names of the policies, also their bindings' names. */
export const FENCE_POLICY_NAMES = {
  services: "beta-tenant-services",
  pods: "beta-tenant-pods",
  secrets: "beta-tenant-secrets",
} as const;

// A DNS-1123 subdomain: what both a ConfigMap key and a Service's externalName must be
// (kubernetes/kubernetes pkg/apis/core/validation/validation.go, ValidateService: externalName
// "must be a valid DNS name"; ConfigMap keys: IsConfigMapKey).
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws one error naming every bad target or service name, before anything is declared. */
export function assertTenantFenceArgs(args: TenantFenceArgs): void {
  const problems: string[] = [];
  for (const [target, service] of Object.entries(args.sharedServiceTargets)) {
    if (target.length > 253 || !DNS_SUBDOMAIN.test(target)) {
      problems.push(`sharedServiceTargets key ${JSON.stringify(target)} is not a valid ExternalName target: use a lower-case DNS name (RFC 1123 subdomain, at most 253 characters)`);
    }
    const nameProblem = appNameProblem(service);
    if (nameProblem) problems.push(`sharedServiceTargets[${JSON.stringify(target)}] = ${JSON.stringify(service)} is not a valid shared-service name: ${nameProblem}`);
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
}

const tenantNamespaces = { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] };

// An UPDATE that leaves the spec as it was introduces nothing new: garbage collection, finalizer
// removal and relabelling of an object made before the fence still go through.
const specChanged = { name: "spec-changed", expression: "request.operation != 'UPDATE' || object.spec != oldObject.spec" };

function celList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(", ")}]`;
}

function policy(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name, labels: { "app.kubernetes.io/part-of": "beta" } },
    // An outage of the check, or a missing parameter, must not open the fence.
    spec: { failurePolicy: "Fail", ...spec },
  };
}

function binding(policyName: string, paramRef?: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: policyName, labels: { "app.kubernetes.io/part-of": "beta" } },
    spec: { policyName, validationActions: ["Deny"], ...(paramRef ? { paramRef } : {}) },
  };
}

/** Services: ClusterIP, or ExternalName to the shared service of the same name; no externalIPs. */
function servicesPolicy(): KubeObject {
  return policy(FENCE_POLICY_NAMES.services, {
    paramKind: { apiVersion: "v1", kind: "ConfigMap" },
    matchConstraints: {
      matchPolicy: "Equivalent",
      namespaceSelector: tenantNamespaces,
      resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"] }],
    },
    matchConditions: [specChanged],
    validations: [
      {
        // LoadBalancer and NodePort open the Beta to the network outside the cluster.
        expression: "!has(object.spec.type) || object.spec.type in ['ClusterIP', 'ExternalName']",
        messageExpression:
          "'service type: ' + object.spec.type + ' is not allowed in a Beta; use ClusterIP (or an ExternalName to a shared service)'",
        message: "service type: only ClusterIP, or ExternalName to a shared service, is allowed in a Beta",
        reason: "Forbidden",
      },
      {
        // Nodes capture traffic to these addresses for every pod (CVE-2020-8554,
        // kubernetes/kubernetes#97076).
        expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
        messageExpression: "'service externalIPs: ' + object.spec.externalIPs.join(', ') + ' is not allowed in a Beta; nodes would capture that traffic'",
        message: "service externalIPs: not allowed in a Beta; nodes would capture that traffic",
        reason: "Forbidden",
      },
      {
        // The router proxies public requests to a Beta's Services; an ExternalName elsewhere
        // would send them to any host the cluster reaches (CVE-2021-25740). A Service may point
        // only at the target the platform lists for the shared service of its own name, so
        // `web` cannot become a door to a shared backend either.
        expression:
          "!has(object.spec.type) || object.spec.type != 'ExternalName' || " +
          "(has(object.spec.externalName) && has(params.data) && object.spec.externalName in params.data && " +
          "params.data[object.spec.externalName] == object.metadata.name)",
        messageExpression:
          "'service externalName: ' + object.spec.externalName + ' is not the platform\\'s target for shared service ' + object.metadata.name + '; a Beta may point a Service only at a listed shared service of the same name'",
        message: "service externalName: a Beta may point a Service only at the platform's target for the shared service of the same name",
        reason: "Forbidden",
      },
    ],
  });
}

/**
 * Pods and every pod template (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
 * CronJobs, ReplicationControllers). Pod Security admission refuses a bad pod, but only warns
 * on a template (https://kubernetes.io/docs/concepts/security/pod-security-admission/,
 * "Workload resources and Pod templates"): the Deployment is created, its pods never are, and
 * `pulumi up` waits out its timeout. Checking templates here fails the update at once.
 */
function podsPolicy(): KubeObject {
  const containerRule = (check: string) => `variables.containers.all(c, ${check})`;
  const offenders = (bad: string) => `variables.containers.filter(c, ${bad}).map(c, c.name).join(', ')`;
  const hostPortBad = "has(c.ports) && c.ports.exists(p, has(p.hostPort) && p.hostPort != 0)";
  const capsBad = `has(c.securityContext) && has(c.securityContext.capabilities) && has(c.securityContext.capabilities.add) && c.securityContext.capabilities.add.exists(x, !(x in ${celList(BASELINE_CAPABILITIES)}))`;
  const privilegedBad = "has(c.securityContext) && has(c.securityContext.privileged) && c.securityContext.privileged";
  const volumeBad = `v.exists(k, k != 'name' && !(k in ${celList(TENANT_VOLUME_TYPES)}))`;
  return policy(FENCE_POLICY_NAMES.pods, {
    matchConstraints: {
      matchPolicy: "Equivalent",
      namespaceSelector: tenantNamespaces,
      resourceRules: [
        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] },
        // `kubectl debug` adds ephemeral containers through this subresource only.
        { apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods/ephemeralcontainers"] },
        { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["replicationcontrollers"] },
        { apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["deployments", "replicasets", "statefulsets", "daemonsets"] },
        { apiGroups: ["batch"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["jobs", "cronjobs"] },
      ],
    },
    matchConditions: [specChanged],
    variables: [
      {
        name: "podSpec",
        expression:
          "request.kind.kind == 'Pod' ? object.spec : request.kind.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec",
      },
      {
        name: "containers",
        expression:
          "(has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + variables.podSpec.containers + " +
          "(has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])",
      },
      { name: "volumes", expression: "has(variables.podSpec.volumes) ? variables.podSpec.volumes : []" },
    ],
    validations: [
      {
        // A host port is served on the node's address, outside every NetworkPolicy of the Beta.
        expression: containerRule(`!(${hostPortBad})`),
        messageExpression: `'hostPort: not allowed in a Beta (containers: ' + ${offenders(hostPortBad)} + '); a host port is open on the node, outside the Beta\\'s network policies'`,
        message: "hostPort: not allowed in a Beta; a host port is open on the node, outside the Beta's network policies",
        reason: "Forbidden",
      },
      {
        expression: containerRule(`!(${capsBad})`),
        messageExpression: `'capabilities: only the Pod Security baseline set may be added in a Beta (containers: ' + ${offenders(capsBad)} + ')'`,
        message: "capabilities: only the Pod Security baseline set may be added in a Beta",
        reason: "Forbidden",
      },
      {
        // Repeats baseline, whose enforcement skips templates, so a bad Deployment fails at once.
        expression:
          `!(has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork) && !(has(variables.podSpec.hostPID) && variables.podSpec.hostPID) && ` +
          `!(has(variables.podSpec.hostIPC) && variables.podSpec.hostIPC) && ${containerRule(`!(${privilegedBad})`)}`,
        message: "host access: privileged containers and the node's network, PID or IPC namespace are not allowed in a Beta",
        reason: "Forbidden",
      },
      {
        expression: `variables.volumes.all(v, !(${volumeBad}))`,
        messageExpression: `'volumes: only ' + ${celList(TENANT_VOLUME_TYPES)}.join(', ') + ' are allowed in a Beta (volumes: ' + variables.volumes.filter(v, ${volumeBad}).map(v, v.name).join(', ') + ')'`,
        message: `volumes: only ${TENANT_VOLUME_TYPES.join(", ")} are allowed in a Beta`,
        reason: "Forbidden",
      },
      {
        // A high priority preempts other Betas' pods and the router's
        // (https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/, "Warning").
        expression: "!has(variables.podSpec.priorityClassName) || variables.podSpec.priorityClassName == ''",
        messageExpression: "'priorityClassName: ' + variables.podSpec.priorityClassName + ' is not allowed in a Beta; it would preempt other Betas\\' pods'",
        message: "priorityClassName: not allowed in a Beta; it would preempt other Betas' pods",
        reason: "Forbidden",
      },
    ],
  });
}

/**
 * Secrets: no `kubernetes.io/service-account-token`, which makes the token controller mint a
 * non-expiring token for a service account the tenant names
 * (https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets)
 * while `serviceaccounts/token` is withheld by RBAC. A Secret's type cannot change after
 * creation (pkg/apis/core/validation/validation.go, ValidateSecretUpdate), so CREATE suffices.
 */
function secretsPolicy(): KubeObject {
  return policy(FENCE_POLICY_NAMES.secrets, {
    matchConstraints: {
      matchPolicy: "Equivalent",
      namespaceSelector: tenantNamespaces,
      resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["secrets"] }],
    },
    validations: [
      {
        expression: "!has(object.type) || object.type != 'kubernetes.io/service-account-token'",
        message: "secret type: kubernetes.io/service-account-token is not allowed in a Beta; it would mint a long-lived service account token",
        reason: "Forbidden",
      },
    ],
  });
}

/** The fence: its parameter ConfigMap, policies and bindings. */
export function tenantFenceObjects(args: TenantFenceArgs): TenantFenceObjects {
  assertTenantFenceArgs(args);
  const data = Object.fromEntries(Object.entries(args.sharedServiceTargets).sort(([a], [b]) => a.localeCompare(b)));
  const params: KubeObject = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SHARED_SERVICES_PARAMS, namespace: SHARED_SERVICES_PARAMS_NAMESPACE, labels: { "app.kubernetes.io/part-of": "beta" } },
    data,
  };
  const paramRef = {
    name: SHARED_SERVICES_PARAMS,
    namespace: SHARED_SERVICES_PARAMS_NAMESPACE,
    // No parameter, no Service: a missing ConfigMap must not open the fence.
    parameterNotFoundAction: "Deny",
  };
  return {
    params,
    policies: [servicesPolicy(), podsPolicy(), secretsPolicy()],
    bindings: [binding(FENCE_POLICY_NAMES.services, paramRef), binding(FENCE_POLICY_NAMES.pods), binding(FENCE_POLICY_NAMES.secrets)],
  };
}
