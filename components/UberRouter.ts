import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { PlatformConfig } from "../lib/platform-config";
import { ROUTER_NAMESPACE } from "../lib/platform-names";
import { RESOLV_CONF, renderRouterConfig } from "./router-config";

export interface UberRouterConfigArgs {
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
  /** The nginx config, from {@link uberRouterConfig}: rendered before anything is declared. */
  configText: string;
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
    // Without one, the pod's own nameserver: the kube-dns Service's ClusterIP, an address, so the
    // router starts and routes cached Betas even while cluster DNS is down.
    resolver: router.resolver ?? RESOLV_CONF,
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
    const labels = { "app.kubernetes.io/name": "uber-router", "app.kubernetes.io/part-of": "beta" };
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
              annotations: { "beta/config-checksum": createHash("sha256").update(configText).digest("hex") },
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

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: "router", namespace, labels, annotations: loadBalancerAnnotations(router, args.certificateArn) },
        spec: {
          type: "LoadBalancer",
          selector: labels,
          // Who may reach Betas at all; 0.0.0.0/0 unless the platform narrows it.
          loadBalancerSourceRanges: router.allowedCidrs,
          ports:
            router.tls === "acm"
              ? [
                  { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
                  { name: "http", port: 80, targetPort: "redirect", protocol: "TCP" },
                ]
              : [{ name: "http", port: 80, targetPort: "https", protocol: "TCP" }],
        },
      },
      childOpts,
    );
    this.loadBalancerHostname = this.service.status.loadBalancer.ingress[0].hostname;
    this.registerOutputs({ loadBalancerHostname: this.loadBalancerHostname });
  }
}

/** AWS NLB settings: TLS ends at the NLB with the ACM certificate; nginx sees plain TCP. */
function loadBalancerAnnotations(router: PlatformConfig["router"], certificateArn: pulumi.Input<string> | undefined) {
  const annotations: Record<string, pulumi.Input<string>> = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    "service.beta.kubernetes.io/aws-load-balancer-backend-protocol": "tcp",
  };
  if (router.tls === "acm" && certificateArn) {
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"] = certificateArn;
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"] = "https";
    annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06";
  }
  if (router.proxyProtocol) annotations["service.beta.kubernetes.io/aws-load-balancer-proxy-protocol"] = "*";
  return annotations;
}
