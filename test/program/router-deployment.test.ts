import { beforeAll, describe, expect, it } from "vitest";
import { OfflineRun } from "../../offline/types";
import { devPlatformConfig, objectNamed, runPlatform } from "../support/program";

describe("the uber router's Deployment", () => {
  let platform: OfflineRun;
  beforeAll(async () => {
    platform = await runPlatform({ ...devPlatformConfig(), router: { replicas: 3, tls: "acm", allowedCidrs: ["203.0.113.0/24"], proxyProtocol: true } });
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

  it("narrows the load balancer to the allowed CIDRs and turns on the PROXY protocol at both ends", () => {
    const service = objectNamed(platform, "Service", "router", "uber");
    expect(service.spec.loadBalancerSourceRanges).toEqual(["203.0.113.0/24"]);
    expect(service.metadata.annotations?.["service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"]).toBe("*");
    const config = objectNamed(platform, "ConfigMap", "router-config", "uber").data["beta-router.conf"] as string;
    expect(config).toMatch(/listen[^;]*8080[^;]*proxy_protocol/);
  });
});
