import { describe, expect, it } from "vitest";
import {
  clientAddressPreserved,
  lbcManages,
  proxyProtocolSent,
  refusedAnnotations,
  sourceRangesEnforced,
  unreadAnnotations,
  type Controller,
  type ControllerOptions,
  type LoadBalancerService,
} from "./load-balancer";

const P = "service.beta.kubernetes.io/";

function svc(annotations: Record<string, string>, spec: LoadBalancerService["spec"] = {}): LoadBalancerService {
  return { metadata: { annotations }, spec: { type: "LoadBalancer", ports: [{ port: 443 }], ...spec } };
}

const CP: Controller = "aws-cloud-provider";
const LBC: Controller = "aws-load-balancer-controller";

describe("proxyProtocolSent: nginx must expect PROXY exactly when the load balancer sends it", () => {
  const rows: { why: string; controller: Controller; service: LoadBalancerService; opts?: ControllerOptions; sent: boolean }[] = [
    {
      why: "the cloud provider never reads proxy-protocol for an NLB (kubernetes/kubernetes#101608; issue 10, defect 4)",
      controller: CP, service: svc({ [P + "aws-load-balancer-type"]: "nlb", [P + "aws-load-balancer-proxy-protocol"]: "*" }),
      sent: false,
    },
    {
      why: "the cloud provider enables PROXY v1 on a classic ELB with proxy-protocol '*'",
      controller: CP, service: svc({ [P + "aws-load-balancer-proxy-protocol"]: "*" }), sent: true,
    },
    {
      why: "a classic ELB without the annotation sends no PROXY header",
      controller: CP, service: svc({}), sent: false,
    },
    {
      why: "target-group attributes on an NLB are ignored by cloud providers before v1.34",
      controller: CP,
      service: svc({ [P + "aws-load-balancer-type"]: "nlb", [P + "aws-load-balancer-target-group-attributes"]: "proxy_protocol_v2.enabled=true" }),
      opts: { cloudProviderMinor: 33 }, sent: false,
    },
    {
      why: "cloud provider v1.34+ sets proxy_protocol_v2 from target-group attributes on an NLB",
      controller: CP,
      service: svc({ [P + "aws-load-balancer-type"]: "nlb", [P + "aws-load-balancer-target-group-attributes"]: "proxy_protocol_v2.enabled=true" }),
      opts: { cloudProviderMinor: 34 }, sent: true,
    },
    {
      why: "the Load Balancer Controller turns proxy_protocol_v2 on from target-group attributes",
      controller: LBC,
      service: svc({
        [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "ip",
        [P + "aws-load-balancer-target-group-attributes"]: "preserve_client_ip.enabled=true,proxy_protocol_v2.enabled=true",
      }),
      sent: true,
    },
    {
      why: "the Load Balancer Controller reads proxy-protocol '*' for its NLBs",
      controller: LBC,
      service: svc({ [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "instance", [P + "aws-load-balancer-proxy-protocol"]: "*" }),
      sent: true,
    },
    {
      why: "the Load Balancer Controller's default is no PROXY header",
      controller: LBC, service: svc({ [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "ip" }), sent: false,
    },
    {
      why: "per-target-group proxy protocol applies only to the listed ports",
      controller: LBC,
      service: svc({ [P + "aws-load-balancer-type"]: "nlb-ip", [P + "aws-load-balancer-proxy-protocol-per-target-group"]: "80" }),
      sent: false,
    },
    {
      why: "the Load Balancer Controller ignores an 'nlb' Service (that one is the cloud provider's)",
      controller: LBC, service: svc({ [P + "aws-load-balancer-type"]: "nlb", [P + "aws-load-balancer-proxy-protocol"]: "*" }), sent: false,
    },
    {
      why: "the cloud provider ignores an 'external' Service (the controller's)",
      controller: CP, service: svc({ [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "ip", [P + "aws-load-balancer-proxy-protocol"]: "*" }), sent: false,
    },
  ];
  it.each(rows)("$why", ({ controller, service, opts, sent }) => {
    expect(proxyProtocolSent(controller, service, opts)).toBe(sent);
  });
});

describe("unreadAnnotations: annotations that do nothing under the chosen controller", () => {
  const rows: { why: string; controller: Controller; service: LoadBalancerService; opts?: ControllerOptions; unread: string[] }[] = [
    {
      why: "an NLB from the cloud provider ignores proxy-protocol and the classic-only idle timeout",
      controller: CP,
      service: svc({
        [P + "aws-load-balancer-type"]: "nlb", [P + "aws-load-balancer-proxy-protocol"]: "*",
        [P + "aws-load-balancer-connection-idle-timeout"]: "3600", [P + "aws-load-balancer-ssl-cert"]: "arn:cert",
      }),
      unread: [P + "aws-load-balancer-connection-idle-timeout", P + "aws-load-balancer-proxy-protocol"],
    },
    {
      why: "the cloud provider has no scheme or target-type annotation",
      controller: CP,
      service: svc({ [P + "aws-load-balancer-type"]: "nlb", [P + "aws-load-balancer-scheme"]: "internet-facing", [P + "aws-load-balancer-nlb-target-type"]: "ip" }),
      unread: [P + "aws-load-balancer-nlb-target-type", P + "aws-load-balancer-scheme"],
    },
    {
      why: "a classic ELB ignores NLB-only EIP allocations",
      controller: CP, service: svc({ [P + "aws-load-balancer-eip-allocations"]: "eipalloc-1" }),
      unread: [P + "aws-load-balancer-eip-allocations"],
    },
    {
      why: "the Load Balancer Controller reads scheme, target type, certificates and source ranges",
      controller: LBC,
      service: svc({
        [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "ip",
        [P + "aws-load-balancer-scheme"]: "internet-facing", [P + "aws-load-balancer-ssl-cert"]: "arn:cert",
        [P + "aws-load-balancer-ssl-ports"]: "443", [P + "aws-load-balancer-ssl-negotiation-policy"]: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        [P + "aws-load-balancer-backend-protocol"]: "tcp", [P + "load-balancer-source-ranges"]: "10.0.0.0/8",
      }),
      unread: [],
    },
    {
      why: "the Load Balancer Controller ignores classic-only connection draining",
      controller: LBC,
      service: svc({ [P + "aws-load-balancer-type"]: "nlb-ip", [P + "aws-load-balancer-connection-draining-enabled"]: "true" }),
      unread: [P + "aws-load-balancer-connection-draining-enabled"],
    },
    {
      why: "annotations of other tools are not the load balancer's business",
      controller: CP, service: svc({ "external-dns.alpha.kubernetes.io/hostname": "x.example.com" }), unread: [],
    },
    {
      why: "a Service of another load balancer class is read by neither AWS controller",
      controller: CP, service: svc({ [P + "aws-load-balancer-internal"]: "true" }, { loadBalancerClass: "example.com/lb" }),
      unread: [P + "aws-load-balancer-internal"],
    },
  ];
  it.each(rows)("$why", ({ controller, service, opts, unread }) => {
    expect(unreadAnnotations(controller, service, opts)).toEqual(unread);
  });
});

describe("who manages the Service, source ranges and client addresses", () => {
  it.each([
    { why: "its own load balancer class", service: svc({}, { loadBalancerClass: "service.k8s.aws/nlb" }), managed: true },
    { why: "type external without a target type is not enough", service: svc({ [P + "aws-load-balancer-type"]: "external" }), managed: false },
    { why: "a ClusterIP Service is never a load balancer", service: { spec: { type: "ClusterIP" } }, managed: false },
  ])("Load Balancer Controller: $why", ({ service, managed }) => {
    expect(lbcManages(service)).toBe(managed);
    expect(sourceRangesEnforced(LBC, service)).toBe(managed);
  });

  const rows: { why: string; controller: Controller; service: LoadBalancerService; preserved: boolean }[] = [
    { why: "a classic ELB hides the client address", controller: CP, service: svc({}, { externalTrafficPolicy: "Local" }), preserved: false },
    { why: "an NLB with externalTrafficPolicy Local keeps it", controller: CP, service: svc({ [P + "aws-load-balancer-type"]: "nlb" }, { externalTrafficPolicy: "Local" }), preserved: true },
    { why: "an NLB with Cluster policy loses it to kube-proxy SNAT", controller: CP, service: svc({ [P + "aws-load-balancer-type"]: "nlb" }, { externalTrafficPolicy: "Cluster" }), preserved: false },
    { why: "controller ip targets do not preserve by default", controller: LBC, service: svc({ [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "ip" }), preserved: false },
    {
      why: "controller ip targets preserve with preserve_client_ip.enabled=true",
      controller: LBC,
      service: svc({ [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "ip", [P + "aws-load-balancer-target-group-attributes"]: "preserve_client_ip.enabled=true" }),
      preserved: true,
    },
    { why: "controller instance targets preserve only with Local", controller: LBC, service: svc({ [P + "aws-load-balancer-type"]: "external", [P + "aws-load-balancer-nlb-target-type"]: "instance" }, { externalTrafficPolicy: "Local" }), preserved: true },
  ];
  it.each(rows)("$why", ({ controller, service, preserved }) => {
    expect(clientAddressPreserved(controller, service)).toBe(preserved);
  });
});

describe("refusedAnnotations: values that stop the load balancer from being built", () => {
  const rows: { why: string; controller: Controller; service: LoadBalancerService; opts?: ControllerOptions; refused: number }[] = [
    { why: "a classic ELB accepts only proxy-protocol '*'", controller: CP, service: svc({ [P + "aws-load-balancer-proxy-protocol"]: "true" }), refused: 1 },
    { why: "'*' is accepted", controller: CP, service: svc({ [P + "aws-load-balancer-proxy-protocol"]: "*" }), refused: 0 },
    { why: "an NLB refuses extra security groups", controller: CP, service: svc({ [P + "aws-load-balancer-type"]: "nlb", [P + "aws-load-balancer-extra-security-groups"]: "sg-1" }), refused: 1 },
    {
      why: "cloud provider v1.34+ refuses target-group attributes on a classic ELB",
      controller: CP, service: svc({ [P + "aws-load-balancer-target-group-attributes"]: "proxy_protocol_v2.enabled=true" }), opts: { cloudProviderMinor: 34 }, refused: 1,
    },
    { why: "the controller accepts only proxy-protocol '*'", controller: LBC, service: svc({ [P + "aws-load-balancer-type"]: "nlb-ip", [P + "aws-load-balancer-proxy-protocol"]: "v2" }), refused: 1 },
  ];
  it.each(rows)("$why", ({ controller, service, opts, refused }) => {
    expect(refusedAnnotations(controller, service, opts)).toHaveLength(refused);
  });
});
