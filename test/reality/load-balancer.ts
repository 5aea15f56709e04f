/**
 * Which AWS controller turns a `type: LoadBalancer` Service into a load balancer, which of its
 * annotations that controller reads, whether the load balancer speaks PROXY protocol to the
 * backends, and whether the backend sees the client's address.
 *
 * Sources:
 * - AWS cloud provider (the "in-tree" provider, now kubernetes/cloud-provider-aws, which EKS
 *   runs in its control plane) @ 63ec440c: pkg/providers/v1/aws.go, aws_loadbalancer.go,
 *   aws_validations.go. `aws-load-balancer-proxy-protocol` is read only on the classic ELB path
 *   (aws.go:2565-2573, after the NLB branch returns at :2562; kubernetes/kubernetes#101608).
 * - AWS Load Balancer Controller (kubernetes-sigs/aws-load-balancer-controller) @ 225f44568:
 *   pkg/annotations/constants.go:87-134, pkg/service/*.go,
 *   https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/
 */

export type Controller = "aws-cloud-provider" | "aws-load-balancer-controller";

export interface LoadBalancerService {
  metadata?: { annotations?: Record<string, string> };
  spec?: {
    type?: string;
    loadBalancerClass?: string;
    externalTrafficPolicy?: string;
    loadBalancerSourceRanges?: string[];
    ports?: { port: number; protocol?: string; name?: string }[];
  };
}

export interface ControllerOptions {
  /**
   * Minor version of the cluster's cloud-provider-aws (EKS runs the one matching the
   * Kubernetes minor). Target-group attributes on NLBs arrived in v1.34.0 (commit 73428cd2,
   * "feat/tg-attr: support target group attrib annotation on NLB"). Unset means older: the
   * safe assumption when the version is not known.
   */
  cloudProviderMinor?: number;
}

const P = "service.beta.kubernetes.io/";

// cloud-provider-aws pkg/providers/v1/aws.go:100-252 (constants) and where each is read.
const CLOUD_BOTH = [
  "aws-load-balancer-type", // aws_loadbalancer.go:84-95
  "aws-load-balancer-internal", // aws.go:2455
  "aws-load-balancer-ssl-cert", // NLB aws.go:2423, CLB aws.go:2109
  "aws-load-balancer-ssl-ports", // aws.go:2400
  "aws-load-balancer-ssl-negotiation-policy", // NLB aws.go:2427, CLB aws.go:2730
  "aws-load-balancer-backend-protocol", // NLB aws.go:2429 ("ssl" only), CLB aws.go:2111-2122
  "aws-load-balancer-additional-resource-tags", // aws_loadbalancer.go:158, :1202
  "aws-load-balancer-healthcheck-protocol", // NLB aws.go:2199, CLB aws_loadbalancer.go:1580
  "aws-load-balancer-healthcheck-port", // NLB aws.go:2211, CLB aws_loadbalancer.go:1583
  "aws-load-balancer-healthcheck-path", // NLB aws.go:2204, CLB aws_loadbalancer.go:1595
  "aws-load-balancer-healthcheck-healthy-threshold", // NLB aws.go:2244, CLB aws_loadbalancer.go:1552
  "aws-load-balancer-healthcheck-unhealthy-threshold", // NLB aws.go:2247, CLB aws_loadbalancer.go:1556
  "aws-load-balancer-healthcheck-timeout", // NLB aws.go:2241
  "aws-load-balancer-healthcheck-interval", // NLB aws.go:2238
  "aws-load-balancer-cross-zone-load-balancing-enabled", // CLB aws.go:2661, NLB aws_loadbalancer.go:448
  "aws-load-balancer-access-log-enabled", // CLB aws.go:2597, NLB aws_loadbalancer.go:464
  "aws-load-balancer-access-log-s3-bucket-name", // CLB aws.go:2610, NLB aws_loadbalancer.go:479
  "aws-load-balancer-access-log-s3-bucket-prefix", // CLB aws.go:2616, NLB aws_loadbalancer.go:480
  "aws-load-balancer-security-groups", // aws.go:2000 (CLB), :2304 (NLB)
  "aws-load-balancer-subnets", // aws.go:1820
  "aws-load-balancer-target-node-labels", // findInstancesForELB, aws.go:2448
  "load-balancer-source-ranges", // servicehelpers.GetLoadBalancerSourceRanges, aws.go:2391
];
const CLOUD_CLASSIC_ONLY = [
  "aws-load-balancer-proxy-protocol", // aws.go:2567 (classic path only)
  "aws-load-balancer-connection-draining-enabled", // aws.go:2622
  "aws-load-balancer-connection-draining-timeout", // aws.go:2635
  "aws-load-balancer-connection-idle-timeout", // aws.go:2648
  "aws-load-balancer-access-log-emit-interval", // aws.go:2584
  "aws-load-balancer-extra-security-groups", // aws.go:2021; refused for NLB, aws_validations.go:78-82
];
const CLOUD_NLB_ONLY = [
  "aws-load-balancer-eip-allocations", // aws_loadbalancer.go:174
  "aws-load-balancer-private-ipv4-addresses", // aws_loadbalancer.go:182
];
const TARGET_GROUP_ATTRIBUTES = "aws-load-balancer-target-group-attributes";

// aws-load-balancer-controller pkg/annotations/constants.go:88-134 (prefix service.beta.kubernetes.io).
const LBC_READS = [
  "load-balancer-source-ranges", "aws-load-balancer-type", "aws-load-balancer-nlb-target-type",
  "aws-load-balancer-name", "aws-load-balancer-scheme", "aws-load-balancer-internal",
  "aws-load-balancer-proxy-protocol", "aws-load-balancer-proxy-protocol-per-target-group",
  "aws-load-balancer-ip-address-type", "aws-load-balancer-access-log-enabled",
  "aws-load-balancer-access-log-s3-bucket-name", "aws-load-balancer-access-log-s3-bucket-prefix",
  "aws-load-balancer-cross-zone-load-balancing-enabled", "aws-load-balancer-ssl-cert",
  "aws-load-balancer-ssl-ports", "aws-load-balancer-ssl-negotiation-policy",
  "aws-load-balancer-backend-protocol", "aws-load-balancer-additional-resource-tags",
  "aws-load-balancer-healthcheck-healthy-threshold", "aws-load-balancer-healthcheck-unhealthy-threshold",
  "aws-load-balancer-healthcheck-timeout", "aws-load-balancer-healthcheck-interval",
  "aws-load-balancer-healthcheck-protocol", "aws-load-balancer-healthcheck-port",
  "aws-load-balancer-healthcheck-path", "aws-load-balancer-healthcheck-success-codes",
  TARGET_GROUP_ATTRIBUTES, "aws-load-balancer-subnets", "aws-load-balancer-eip-allocations",
  "aws-load-balancer-private-ipv4-addresses", "aws-load-balancer-ipv6-addresses",
  "aws-load-balancer-alpn-policy", "aws-load-balancer-target-node-labels", "aws-load-balancer-attributes",
  "aws-load-balancer-security-groups", "aws-load-balancer-manage-backend-security-group-rules",
  "aws-load-balancer-inbound-sg-rules-on-private-link-traffic", "aws-load-balancer-security-group-prefix-lists",
  "aws-load-balancer-listener-attributes", "aws-load-balancer-multi-cluster-target-group",
  "aws-load-balancer-enable-prefix-for-ipv6-source-nat", "aws-load-balancer-source-nat-ipv6-prefixes",
  "aws-load-balancer-minimum-load-balancer-capacity", "aws-load-balancer-enable-icmp-for-path-mtu-discovery",
  "aws-load-balancer-enable-tcp-udp-listener", "aws-load-balancer-disable-nlb-sg",
  "aws-load-balancer-quic-enabled-ports",
];
/** The controller's default load balancer class (pkg/config/service_config.go:7). */
export const LBC_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

function annotationsOf(svc: LoadBalancerService): Record<string, string> {
  return svc.metadata?.annotations ?? {};
}
function ann(svc: LoadBalancerService, suffix: string): string | undefined {
  return annotationsOf(svc)[P + suffix];
}

/**
 * Whether the AWS Load Balancer Controller takes the Service
 * (pkg/service/service_utils.go:47-77): its loadBalancerClass, or `aws-load-balancer-type`
 * `nlb-ip`, or `external` with `aws-load-balancer-nlb-target-type` `ip` or `instance`.
 */
export function lbcManages(svc: LoadBalancerService): boolean {
  if (svc.spec?.type !== "LoadBalancer") return false;
  if (svc.spec.loadBalancerClass !== undefined) return svc.spec.loadBalancerClass === LBC_LOAD_BALANCER_CLASS;
  const type = ann(svc, "aws-load-balancer-type");
  if (type === "nlb-ip") return true;
  const target = ann(svc, "aws-load-balancer-nlb-target-type");
  return type === "external" && (target === "ip" || target === "instance");
}

/**
 * Whether the cloud provider builds the load balancer. It hands `external` and `nlb-ip`
 * Services to another controller (aws.go:2361-2363, aws_loadbalancer.go:91-95). The service
 * controller also skips a Service with any spec.loadBalancerClass
 * (https://kubernetes.io/docs/concepts/services-networking/service/#load-balancer-class).
 */
export function cloudProviderManages(svc: LoadBalancerService): boolean {
  if (svc.spec?.type !== "LoadBalancer" || svc.spec.loadBalancerClass !== undefined) return false;
  const type = ann(svc, "aws-load-balancer-type");
  return type !== "external" && type !== "nlb-ip";
}

/** Which load balancer the cloud provider builds: `nlb` only for type "nlb" (aws_loadbalancer.go:84-89). */
export function cloudProviderKind(svc: LoadBalancerService): "nlb" | "classic" {
  return ann(svc, "aws-load-balancer-type") === "nlb" ? "nlb" : "classic";
}

function readsOf(controller: Controller, svc: LoadBalancerService, opts: ControllerOptions): Set<string> {
  if (controller === "aws-load-balancer-controller") {
    return new Set(lbcManages(svc) ? LBC_READS : []);
  }
  if (!cloudProviderManages(svc)) return new Set();
  const nlb = cloudProviderKind(svc) === "nlb";
  const reads = [...CLOUD_BOTH, ...(nlb ? CLOUD_NLB_ONLY : CLOUD_CLASSIC_ONLY)];
  if (nlb && (opts.cloudProviderMinor ?? 0) >= 34) reads.push(TARGET_GROUP_ATTRIBUTES);
  return new Set(reads);
}

/**
 * The `service.beta.kubernetes.io/aws-*` and source-range annotations set on the Service that
 * `controller` ignores. A Service the controller does not manage at all has every one ignored.
 */
export function unreadAnnotations(
  controller: Controller,
  svc: LoadBalancerService,
  opts: ControllerOptions = {},
): string[] {
  const reads = readsOf(controller, svc, opts);
  return Object.keys(annotationsOf(svc))
    .filter((k) => k.startsWith(P) && (k.slice(P.length).startsWith("aws-") || k === P + "load-balancer-source-ranges"))
    .filter((k) => !reads.has(k.slice(P.length)))
    .sort();
}

function targetGroupAttribute(svc: LoadBalancerService, key: string): string | undefined {
  const raw = ann(svc, TARGET_GROUP_ATTRIBUTES);
  if (!raw) return undefined;
  for (const pair of raw.split(",")) {
    const [k, v] = pair.split("=").map((s) => s.trim());
    if (k === key) return v;
  }
  return undefined;
}

/**
 * Whether the load balancer `controller` builds sends a PROXY protocol header to the backend,
 * so nginx must listen with `proxy_protocol` exactly when this is true.
 */
export function proxyProtocolSent(
  controller: Controller,
  svc: LoadBalancerService,
  opts: ControllerOptions = {},
): boolean {
  if (controller === "aws-load-balancer-controller") {
    if (!lbcManages(svc)) return false;
    // model_build_target_group.go:327-374: default false (model_builder.go:144), then
    // target-group attributes, per-target-group ports, and `proxy-protocol: "*"` last.
    let enabled = targetGroupAttribute(svc, "proxy_protocol_v2.enabled") === "true";
    const perTg = ann(svc, "aws-load-balancer-proxy-protocol-per-target-group");
    if (perTg !== undefined) {
      const ports = perTg.split(",").map((s) => s.trim());
      enabled = (svc.spec?.ports ?? []).some((p) => ports.includes(String(p.port)));
    }
    if (ann(svc, "aws-load-balancer-proxy-protocol") === "*") enabled = true;
    return enabled;
  }
  if (!cloudProviderManages(svc)) return false;
  if (cloudProviderKind(svc) === "classic") {
    // aws.go:2565-2573: "*" enables the v1 policy on every backend port
    // (aws_loadbalancer.go:1221-1228); any other non-empty value fails EnsureLoadBalancer.
    return ann(svc, "aws-load-balancer-proxy-protocol") === "*";
  }
  // NLB: the proxy-protocol annotation is never read (kubernetes/kubernetes#101608); since
  // v1.34 target-group attributes may set proxy_protocol_v2.enabled (aws_validations.go:132-136).
  return (opts.cloudProviderMinor ?? 0) >= 34 && targetGroupAttribute(svc, "proxy_protocol_v2.enabled") === "true";
}

/**
 * Whether the backend pod sees the client's source address on the TCP connection itself
 * (PROXY protocol carries it separately; see proxyProtocolSent).
 *
 * - Classic ELB terminates TCP, so the backend sees the ELB's address
 *   (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-proxy-protocol.html).
 * - NLB instance targets preserve the client address to the node, but with
 *   `externalTrafficPolicy: Cluster` kube-proxy SNATs to the node's address; only `Local` keeps
 *   it (https://kubernetes.io/docs/tutorials/services/source-ip/#source-ip-for-services-with-type-loadbalancer).
 * - Load Balancer Controller: `preserve_client_ip.enabled` defaults to true for instance and
 *   false for ip targets (model_build_target_group.go:396-413); ip targets skip kube-proxy.
 */
export function clientAddressPreserved(controller: Controller, svc: LoadBalancerService): boolean {
  const local = svc.spec?.externalTrafficPolicy === "Local";
  if (controller === "aws-load-balancer-controller") {
    if (!lbcManages(svc)) return false;
    const ipTargets = ann(svc, "aws-load-balancer-type") === "nlb-ip" || ann(svc, "aws-load-balancer-nlb-target-type") === "ip";
    const attr = targetGroupAttribute(svc, "preserve_client_ip.enabled");
    const preserve = attr !== undefined ? attr === "true" : !ipTargets;
    return ipTargets ? preserve : preserve && local;
  }
  if (!cloudProviderManages(svc)) return false;
  return cloudProviderKind(svc) === "nlb" && local;
}

/**
 * Source ranges: every controller that manages the Service restricts inbound traffic to
 * spec.loadBalancerSourceRanges (or the `load-balancer-source-ranges` annotation), defaulting
 * to 0.0.0.0/0: cloud provider aws.go:2391-2398 (CLB security group) and :2544-2552 (NLB
 * instance rules); Load Balancer Controller model_build_managed_sg.go:151-155 and
 * model_build_target_group.go:685-691.
 */
export function sourceRangesEnforced(controller: Controller, svc: LoadBalancerService): boolean {
  return controller === "aws-load-balancer-controller" ? lbcManages(svc) : cloudProviderManages(svc);
}

/**
 * Annotation values the controller refuses outright: the load balancer is not built and the
 * Service stays pending with an error event.
 */
export function refusedAnnotations(controller: Controller, svc: LoadBalancerService, opts: ControllerOptions = {}): string[] {
  const out: string[] = [];
  const proxy = ann(svc, "aws-load-balancer-proxy-protocol");
  if (controller === "aws-load-balancer-controller") {
    if (!lbcManages(svc)) return out;
    // model_build_target_group.go:369-372: only "*" is accepted.
    if (proxy !== undefined && proxy !== "*") out.push(`${P}aws-load-balancer-proxy-protocol: only "*" is supported`);
    return out;
  }
  if (!cloudProviderManages(svc)) return out;
  if (cloudProviderKind(svc) === "classic") {
    // aws.go:2568-2571
    if (proxy !== undefined && proxy !== "" && proxy !== "*") out.push(`${P}aws-load-balancer-proxy-protocol: only "*" is supported`);
    // aws_validations.go:85-88 (v1.34+; older versions do not know the annotation)
    if ((opts.cloudProviderMinor ?? 0) >= 34 && ann(svc, TARGET_GROUP_ATTRIBUTES) !== undefined) {
      out.push(`${P}${TARGET_GROUP_ATTRIBUTES}: only supported for NLB`);
    }
  } else if (ann(svc, "aws-load-balancer-extra-security-groups") !== undefined) {
    // aws_validations.go:78-82
    out.push(`${P}aws-load-balancer-extra-security-groups: not supported by NLB`);
  }
  return out;
}
