import { beforeAll, describe, expect, it } from "vitest";
import { OfflineRun } from "../../offline/types";
import { devPlatformConfig, kubeconfigPlatformConfig, objectNamed, runPlatform } from "../support/program";

describe("the uber router's Deployment", () => {
  let platform: OfflineRun;
  beforeAll(async () => {
    platform = await runPlatform({ ...devPlatformConfig(), router: { replicas: 3, tls: "acm", allowedCidrs: ["203.0.113.0/24"], proxyProtocol: true, loadBalancerController: "aws-load-balancer-controller" } });
  });

  it("runs a pinned non-root OpenResty, spread over nodes and zones, guarded by a disruption budget", () => {
    const deployment = objectNamed(platform, "Deployment", "router", "uber");
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.replicas).toBe(3);
    expect(pod.containers[0].image).toMatch(/^openresty\/openresty:[0-9][^:]*-alpine$/);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect(pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
    expect(objectNamed(platform, "PodDisruptionBudget", "router", "uber").spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: deployment.spec.selector.matchLabels },
    });
  });

  it("probes /healthz, limits its resources and writes only to its temp directory", () => {
    const [container] = objectNamed(platform, "Deployment", "router", "uber").spec.template.spec.containers;
    expect(container.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "health" });
    expect(container.resources).toEqual({ requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(container.volumeMounts).toEqual([
      { name: "config", mountPath: "/etc/nginx/conf.d", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
      { name: "openresty-temp", mountPath: "/var/run/openresty" },
    ]);
    // The pid file where the read-only root filesystem allows it.
    expect(container.command).toEqual(["/usr/local/openresty/bin/openresty", "-g", "daemon off; pid /tmp/nginx.pid;"]);
  });

  it("narrows the load balancer to the allowed CIDRs and turns on the PROXY protocol at both ends, through the AWS Load Balancer Controller", () => {
    const service = objectNamed(platform, "Service", "router", "uber");
    expect(service.spec.loadBalancerSourceRanges).toEqual(["203.0.113.0/24"]);
    expect(service.spec.externalTrafficPolicy).toBe("Local");
    expect(service.metadata.annotations).toMatchObject({
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true,proxy_protocol_v2.enabled=true",
    });
    expect(service.metadata.annotations?.["service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"]).toBeUndefined();
    const config = objectNamed(platform, "ConfigMap", "router-config", "uber").data["beta-router.conf"] as string;
    expect(config).toMatch(/listen[^;]*8080[^;]*proxy_protocol/);
  });

  it("admits clients only from the allowed CIDRs, and lets the router reach only tenant pods and cluster DNS", () => {
    expect(objectNamed(platform, "NetworkPolicy", "default-deny", "uber").spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const ingress = objectNamed(platform, "NetworkPolicy", "allow-clients", "uber").spec.ingress;
    expect(ingress).toEqual([
      { from: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 8080 }, { protocol: "TCP", port: 8081 }] },
      { ports: [{ protocol: "TCP", port: 8082 }] },
    ]);
    const egress = objectNamed(platform, "NetworkPolicy", "allow-tenants-and-dns", "uber").spec.egress;
    expect(egress[0]).toEqual({ to: [{ namespaceSelector: { matchExpressions: [{ key: "beta/tenant", operator: "Exists" }] } }] });
    expect(egress[1].to[0].podSelector).toEqual({ matchLabels: { "k8s-app": "kube-dns" } });
    expect(egress).toHaveLength(2);
  });
});

describe("the router on a laptop cluster (beta:router.nodePort)", () => {
  it("is a NodePort Service with no load balancer, no AWS and no wildcard record", async () => {
    const platform = await runPlatform(kubeconfigPlatformConfig({ domain: "beta.localhost", router: { nodePort: 30080 } }));
    const service = objectNamed(platform, "Service", "router", "uber");
    expect(service.spec).toMatchObject({ type: "NodePort", ports: [{ name: "http", port: 80, targetPort: "https", protocol: "TCP", nodePort: 30080 }] });
    expect(service.metadata.annotations).toBeUndefined();
    expect(platform.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws")).toEqual([]);
    expect(platform.outputs.routerHostname).toBe("");
  });
});
