import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { PlatformConfig } from "../lib/platform-config";
import { ROUTER_LABELS, ROUTER_NAMESPACE } from "../lib/platform-names";
import { renderRouterConfig } from "./router-config";

export interface UberRouterConfigArgs {
  /** The kube-dns Service's ClusterIP (or the configured resolver): nginx needs an address to start without DNS. */
  resolver: string;
  /** Domain every Beta lives under. */
  domain: string;
  /** Kubernetes cluster DNS domain. */
  clusterDomain: string;
  /** The app served at `https://<name>.<domain>`. */
  defaultApp: string;
  /** Every routable app name (the catalog). */
  apps: string[];
  /** Replicas, image, TLS mode, allowed CIDRs, resolver, PROXY protocol. */
  router: PlatformConfig["router"];
}

export interface UberRouterArgs {
  /** Replicas, image, TLS mode, allowed CIDRs, resolver, PROXY protocol. */
  router: PlatformConfig["router"];
  /** The nginx config, from {@link uberRouterConfig} (checked before anything is declared). */
  configText: pulumi.Input<string>;
  /** ACM certificate for `*.<domain>`; required when `router.tls` is "acm". */
  certificateArn?: pulumi.Input<string>;
}

/** Ports inside the pod: the image runs as a non-root user, so all are above 1024. */
export const ROUTER_PORTS = { https: 8080, redirect: 8081, health: 8082 } as const;

/** The router's nginx config for the platform; throws on options nginx would not take. */
export function uberRouterConfig(args: UberRouterConfigArgs): string {
  const { router } = args;
  return renderRouterConfig({
    domain: args.domain,
    resolver: args.resolver,
    listenPort: ROUTER_PORTS.https,
    redirectPort: router.tls === "acm" ? ROUTER_PORTS.redirect : undefined,
    // Without TLS at the load balancer, apps must not be told the request was https.
    forwardedProto: router.tls === "acm" ? "https" : "http",
    healthPort: ROUTER_PORTS.health,
    clusterDomain: args.clusterDomain,
    defaultApp: args.defaultApp,
    apps: args.apps,
    proxyProtocol: router.proxyProtocol,
  });
}

/**
 * The OpenResty image (openresty/docker-openresty alpine/Dockerfile and nginx.conf): nginx
 * includes `/etc/nginx/conf.d/*.conf` inside `http {}`, keeps temp files in /var/run/openresty and
 * its pid file under its own prefix unless told otherwise, and runs as any uid; `nobody` here.
 */
const OPENRESTY = {
  binary: "/usr/local/openresty/bin/openresty",
  confDir: "/etc/nginx/conf.d",
  tempDir: "/var/run/openresty",
  userId: 65534,
} as const;

/**
 * The shared "uber" router: OpenResty (nginx with Lua) that routes every `*.<domain>` request by
 * Host to the right Beta, looking Services up per request, so Betas come and go without touching it.
 */
export class UberRouter extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly service: k8s.core.v1.Service;
  /** The load balancer's DNS name, for the wildcard record. */
  readonly loadBalancerHostname: pulumi.Output<string>;

  constructor(name: string, args: UberRouterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:UberRouter", name, {}, opts);
    const { router, configText } = args;
    if (router.tls === "acm" && !args.certificateArn) throw new Error("UberRouter: tls \"acm\" needs certificateArn");
    const labels = { ...ROUTER_LABELS };
    const childOpts = { parent: this, deleteBeforeReplace: true };

    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: ROUTER_NAMESPACE,
          labels: { "app.kubernetes.io/part-of": "beta", "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
      childOpts,
    );
    const namespace = this.namespace.metadata.name;

    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: { name: "router-config", namespace, labels }, data: { "beta-router.conf": configText } },
      childOpts,
    );

    const probe = { httpGet: { path: "/healthz", port: "health" } };
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: "router", namespace, labels },
        spec: {
          replicas: router.replicas,
          selector: { matchLabels: labels },
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: {
              labels,
              // A new config rolls the pods; the ConfigMap keeps its name.
              annotations: { "beta/config-checksum": pulumi.output(configText).apply((text) => createHash("sha256").update(text).digest("hex")) },
            },
            spec: {
              automountServiceAccountToken: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: OPENRESTY.userId,
                runAsGroup: OPENRESTY.userId,
                seccompProfile: { type: "RuntimeDefault" },
              },
              // Spread replicas so one node going away never takes every Beta offline.
              topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
                { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: labels } },
              ],
              containers: [
                {
                  name: "openresty",
                  image: router.image,
                  // The root filesystem is read-only: the pid file goes to /tmp.
                  command: [OPENRESTY.binary, "-g", "daemon off; pid /tmp/nginx.pid;"],
                  ports: [
                    { name: "https", containerPort: ROUTER_PORTS.https },
                    { name: "redirect", containerPort: ROUTER_PORTS.redirect },
                    { name: "health", containerPort: ROUTER_PORTS.health },
                  ],
                  readinessProbe: { ...probe, periodSeconds: 5 },
                  livenessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3 },
                  resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } },
                  securityContext: {
                    readOnlyRootFilesystem: true,
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    capabilities: { drop: ["ALL"] },
                  },
                  volumeMounts: [
                    // Replaces the image's default.conf (a server on port 80, which a non-root user cannot bind).
                    { name: "config", mountPath: OPENRESTY.confDir, readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                    // Request bodies and responses too large for memory.
                    { name: "openresty-temp", mountPath: OPENRESTY.tempDir },
                  ],
                },
              ],
              volumes: [
                { name: "config", configMap: { name: config.metadata.name } },
                { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
                { name: "openresty-temp", emptyDir: { sizeLimit: "256Mi" } },
              ],
            },
          },
        },
      },
      childOpts,
    );

    new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: { name: "router", namespace, labels }, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
      childOpts,
    );

    const ports =
      router.tls === "acm"
        ? [
            { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
            { name: "http", port: 80, targetPort: "redirect", protocol: "TCP" },
          ]
        : [{ name: "http", port: 80, targetPort: "https", protocol: "TCP", ...(router.nodePort ? { nodePort: router.nodePort } : {}) }];
    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: {
          name: "router",
          namespace,
          labels,
          annotations: router.nodePort ? undefined : loadBalancerAnnotations(router, args.certificateArn),
        },
        spec: router.nodePort
          ? // A laptop cluster: kind maps a host port to this node port (examples/kind.yaml).
            { type: "NodePort", selector: labels, ports, externalTrafficPolicy: "Local" }
          : {
              type: "LoadBalancer",
              selector: labels,
              // Who may reach Betas at all; 0.0.0.0/0 unless the platform narrows it.
              loadBalancerSourceRanges: router.allowedCidrs,
              // Keep the client's address (no SNAT to a node), so the router's NetworkPolicy can
              // admit allowedCidrs; the load balancer then sends traffic only to nodes with a router pod.
              externalTrafficPolicy: "Local",
              ports,
            },
      },
      childOpts,
    );
    this.loadBalancerHostname = router.nodePort
      ? pulumi.output("")
      : this.service.status.loadBalancer.ingress[0].hostname;
    this.registerOutputs({ loadBalancerHostname: this.loadBalancerHostname });
  }
}

/**
 * The annotations the chosen controller reads to make an NLB (test/reality/load-balancer.ts
 * checks each against the controller's source): TLS ends at the NLB with the ACM certificate;
 * nginx sees plain TCP, with a PROXY protocol header only where the controller can send one.
 */
export function loadBalancerAnnotations(router: PlatformConfig["router"], certificateArn: pulumi.Input<string> | undefined) {
  const tlsAnnotations: Record<string, pulumi.Input<string>> =
    router.tls === "acm" && certificateArn
      ? {
          "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificateArn,
          "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
          "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        }
      : {};
  if (router.loadBalancerController === "aws-load-balancer-controller") {
    const targetGroup = ["preserve_client_ip.enabled=true", ...(router.proxyProtocol ? ["proxy_protocol_v2.enabled=true"] : [])];
    return {
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
      "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
      "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
      "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": targetGroup.join(","),
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": String(ROUTER_PORTS.health),
      "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/healthz",
      ...tlsAnnotations,
    };
  }
  return {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    ...tlsAnnotations,
  };
}

/**
 * The kube-dns Service's ClusterIP, read from the cluster: the router resolves Betas through
 * it by address, so it starts even while cluster DNS does not answer.
 */
export function kubeDnsAddress(provider: k8s.Provider): pulumi.Output<string> {
  return k8s.core.v1.Service.get("kube-dns", "kube-system/kube-dns", { provider }).spec.clusterIP;
}
