/**
 * The edge as AWS builds it: the router Service's annotations are ones its load-balancer
 * controller reads (test/reality/load-balancer.ts cites each controller's source), and nginx
 * expects a PROXY protocol header exactly when that load balancer sends one.
 */
import { describe, expect, it } from "vitest";
import { devPlatformConfig, objectNamed, runPlatform } from "../support/program";
import { Controller, LoadBalancerService, clientAddressPreserved, proxyProtocolSent, refusedAnnotations, unreadAnnotations } from "./load-balancer";

const CONTROLLER_OF: Record<string, Controller> = { "cloud-provider": "aws-cloud-provider", "aws-load-balancer-controller": "aws-load-balancer-controller" };

const VARIANTS: { why: string; router: Record<string, unknown> }[] = [
  { why: "the cluster's AWS cloud provider, TLS at the NLB", router: { tls: "acm", allowedCidrs: ["203.0.113.0/24"] } },
  { why: "the AWS Load Balancer Controller, TLS at the NLB", router: { tls: "acm", loadBalancerController: "aws-load-balancer-controller" } },
  { why: "the AWS Load Balancer Controller with PROXY protocol", router: { tls: "acm", loadBalancerController: "aws-load-balancer-controller", proxyProtocol: true } },
];

describe("the router's load balancer is built from annotations its controller reads", () => {
  for (const { why, router } of VARIANTS) {
    it(why, async () => {
      const platform = await runPlatform({ ...devPlatformConfig(), router });
      const service = objectNamed(platform, "Service", "router", "uber") as unknown as LoadBalancerService;
      const controller = CONTROLLER_OF[(router.loadBalancerController as string | undefined) ?? "cloud-provider"];
      expect(unreadAnnotations(controller, service)).toEqual([]);
      expect(refusedAnnotations(controller, service)).toEqual([]);
      // The router's NetworkPolicy admits allowedCidrs by source address, so the client's must survive.
      expect(clientAddressPreserved(controller, service)).toBe(true);
      const nginx = objectNamed(platform, "ConfigMap", "router-config", "uber").data["beta-router.conf"] as string;
      expect(/listen[^;]*proxy_protocol/.test(nginx), "nginx listens for PROXY protocol").toBe(proxyProtocolSent(controller, service));
      expect(proxyProtocolSent(controller, service)).toBe(router.proxyProtocol === true);
    });
  }
});
