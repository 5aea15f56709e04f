/**
 * Rule: Services cannot open a Beta to the outside or point it anywhere. On every stack no
 * Service sets `externalIPs` (whoever sets one intercepts traffic to that IP from every pod:
 * CVE-2020-8554, https://github.com/kubernetes/kubernetes/issues/97076). In a Beta a Service
 * is `ClusterIP` (reached only through the router) or an `ExternalName` to a shared service:
 * `<service>.shared.svc.<clusterDomain>` or one of the shared services' host names the pack is
 * configured with; never `NodePort` or `LoadBalancer`, which open a port on every node or a
 * load balancer of its own (https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types).
 */
import { SHARED_NAMESPACE, asArray, asRecord, isBetaStack, objectLabel, parseKubernetesType, valueAt } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const SERVICE_EXPOSURE = "service-exposure";
const NO_EXTERNAL_IPS = "no Service may set externalIPs";
const BETA_SERVICE =
  "a Beta's Service is ClusterIP, or ExternalName to a shared service (<service>.shared.svc.<clusterDomain> or a shared service's host); never NodePort or LoadBalancer";

/** The cluster's DNS domain when the pack is not told another. */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function normalHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/**
 * True when an ExternalName Service may point at `host`: a Service in namespace `shared` by
 * its full in-cluster name (`billing.shared.svc.cluster.local`; the domain must be the
 * cluster's own, or `billing.shared.svc.attacker.example` would leave the cluster), or one of
 * the shared services' own host names.
 */
export function isSharedServiceTarget(host: string, sharedServiceHosts: readonly string[] = [], clusterDomain = DEFAULT_CLUSTER_DOMAIN): boolean {
  const wanted = normalHost(host);
  const suffix = `.${SHARED_NAMESPACE}.svc.${normalHost(clusterDomain)}`;
  if (wanted.endsWith(suffix) && DNS_LABEL.test(wanted.slice(0, -suffix.length))) return true;
  return sharedServiceHosts.some((allowed) => normalHost(allowed) === wanted);
}

export const serviceViolations: Rule = (resourceType, props, context) => {
  const type = parseKubernetesType(resourceType);
  if (type === undefined || type.group !== "core" || type.kind !== "Service") return [];
  const object = objectLabel(type, props, context);
  const messages: string[] = [];
  const externalIPs = asArray(valueAt(props, "spec.externalIPs"));
  if (externalIPs.length > 0) {
    messages.push(violation(SERVICE_EXPOSURE, object, "spec.externalIPs", `is ${JSON.stringify(externalIPs)}`, NO_EXTERNAL_IPS));
  }
  if (!isBetaStack(context.stack)) return messages;

  const report = (field: string, problem: string) => violation(SERVICE_EXPOSURE, object, field, problem, BETA_SERVICE);
  const serviceType = valueAt(props, "spec.type");
  if (serviceType !== undefined && serviceType !== "ClusterIP" && serviceType !== "ExternalName") {
    messages.push(report("spec.type", `is ${JSON.stringify(serviceType)}`));
  }
  asArray(valueAt(props, "spec.ports")).forEach((entry, index) => {
    const nodePort = asRecord(entry)?.nodePort;
    if (nodePort !== undefined && nodePort !== 0) messages.push(report(`spec.ports[${index}].nodePort`, `is ${JSON.stringify(nodePort)}`));
  });
  if (serviceType === "ExternalName") {
    const target = valueAt(props, "spec.externalName");
    if (typeof target !== "string" || !isSharedServiceTarget(target, context.sharedServiceHosts, context.clusterDomain)) {
      messages.push(report("spec.externalName", `is ${JSON.stringify(target)}, which is not a shared service`));
    }
  }
  return messages;
};

export const services: RuleDefinition = {
  name: SERVICE_EXPOSURE,
  description: "No externalIPs; a Beta's Services are ClusterIP or ExternalName to a shared service, never NodePort or LoadBalancer.",
  check: serviceViolations,
  config: ["sharedServiceHosts", "clusterDomain"],
};
