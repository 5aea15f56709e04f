/**
 * The platform stack's configuration (`beta:` keys in `Pulumi.dev.yaml`), validated as plain
 * values before anything is declared.
 */
import { z } from "zod";
import { appCatalog, sharedServiceList, sharedServiceNameClashes } from "./catalog";
import { ConfigError, parseConfigValue } from "./config-error";
import { cidr, cpuAndMemory, developerName, domainName, envMap, imageTag, isIPv4, strictObject } from "./config-rules";
import { DEFAULT_CONTAINER_RESOURCES, DEFAULT_QUOTA, DEFAULT_QUOTA_CEILING, Quota, assertRequestsWithinLimits, assertWithinCeiling, mergeQuota, quotaSpec } from "./quota";
import { definedOnly } from "./defined-only";
import { DatabasesConfig, databasesConfig } from "./database-config";
import { QaConfig, qaConfig } from "./qa-config";

const count = (min: number, max: number) =>
  z.number().int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const principalArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)\/[\w+=,.@/-]+$/, "an IAM user or role ARN such as arn:aws:iam::123456789012:user/alice");

const subnetIds = z
  .array(z.string().regex(/^subnet-[0-9a-f]+$/, "a subnet id such as subnet-0abc123"))
  .min(2, "EKS needs subnets in at least two availability zones");

const eksCluster = strictObject({
  provider: z.literal("eks"),
  /** Kubernetes version, e.g. "1.33"; EKS's default when absent. */
  version: z
    .string()
    .regex(/^1\.[0-9]{2}$/, "a Kubernetes minor version such as \"1.33\"")
    // The tenant fence (ValidatingAdmissionPolicy v1) needs 1.30 or newer.
    .refine((v) => Number(v.split(".")[1]) >= 30, "Kubernetes 1.30 or newer")
    .optional(),
  instanceType: z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, "an EC2 instance type such as \"t3.large\"").optional(),
  minSize: count(1, 100).optional(),
  maxSize: count(1, 100).optional(),
  desiredSize: count(1, 100).optional(),
  /**
   * The VPC to run in. Required: the account's default VPC may span zones EKS does not
   * support (UnsupportedAvailabilityZoneException, pulumi/pulumi-eks#1401).
   */
  vpcId: z.string({ error: "required: the id of the VPC the cluster runs in, e.g. vpc-0abc123" }).regex(/^vpc-[0-9a-f]+$/, "a VPC id such as vpc-0abc123"),
  /** Private subnets (with a NAT route) in two or more zones: the nodes and the control plane's network interfaces. */
  subnetIds: subnetIds,
  /** Public subnets for the router's internet-facing load balancer (tagged kubernetes.io/role/elb=1). */
  publicSubnetIds: subnetIds.optional(),
  /**
   * IAM principals that may run `pulumi up` of the platform (platform engineers, CI): each gets
   * AmazonEKSClusterAdminPolicy. Whoever creates the cluster is not an admin by that alone.
   */
  admins: z.array(principalArn).optional(),
  /** IAM principals of CI's release identity: group beta-releasers, beta-tenant in every tenant namespace. */
  releasers: z.array(principalArn).optional(),
});

const kubeconfigCluster = strictObject({
  provider: z.literal("kubeconfig"),
  /** The kubeconfig's text (YAML or JSON); keep it secret: `pulumi config set --secret --path beta:cluster.kubeconfig`. */
  kubeconfig: z.string().min(1).optional(),
  /** A context in the kubeconfig (the given one, or the local file's). */
  context: z.string().min(1).optional(),
});

const clusterSpec = z
  .discriminatedUnion("provider", [eksCluster, kubeconfigCluster], {
    error: "set provider to \"eks\" (create a cluster) or \"kubeconfig\" (adopt an existing one)",
  })
  .superRefine((cluster, ctx) => {
    if (cluster.provider === "kubeconfig" && !cluster.kubeconfig && !cluster.context) {
      ctx.addIssue({
        code: "custom",
        message: "an adopted cluster needs kubeconfig (secret) or context, so nothing lands in whatever cluster a shell points at",
        input: cluster,
      });
    }
    if (cluster.provider === "eks") {
      const min = cluster.minSize ?? 1;
      const max = cluster.maxSize ?? Math.max(4, min);
      const desired = cluster.desiredSize ?? Math.min(Math.max(2, min), max);
      if (!(min <= desired && desired <= max)) {
        ctx.addIssue({ code: "custom", message: `need minSize <= desiredSize <= maxSize (got ${min}, ${desired}, ${max})`, input: cluster });
      }
    }
  });

/** The router image must be pinned: a moving tag would change every Beta's edge unseen. */
const pinnedImage = z
  .string()
  .regex(/^[a-z0-9][a-z0-9./_-]*(:[0-9]+)?(\/[a-z0-9._-]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "an image with an explicit tag, e.g. nginxinc/nginx-unprivileged:1.27.5-alpine")
  .refine((value) => !value.endsWith(":latest"), "pin a version; \":latest\" changes under you");

/** Which controller turns the router's Service into an AWS load balancer. */
export const LOAD_BALANCER_CONTROLLERS = ["cloud-provider", "aws-load-balancer-controller"] as const;

const routerSpec = strictObject({
  replicas: count(1, 20).optional(),
  image: pinnedImage.optional(),
  tls: z.enum(["acm", "none"], { error: "either \"acm\" (TLS at the load balancer) or \"none\"" }).optional(),
  allowedCidrs: z.array(cidr).min(1, "list at least one CIDR, or leave the key out to allow everyone").optional(),
  /** The DNS server nginx resolves Betas with, an IPv4 address; the kube-dns Service's ClusterIP when absent. */
  resolver: z.string().refine(isIPv4, "an IPv4 address such as 10.100.0.10 (the kube-dns Service's ClusterIP)").optional(),
  /** PROXY protocol between the load balancer and nginx, so apps see the real client address. */
  proxyProtocol: z.boolean().optional(),
  /**
   * "cloud-provider" (default): the NLB the cluster's built-in AWS cloud provider makes.
   * "aws-load-balancer-controller": an NLB made by that controller, which the cluster must run.
   */
  loadBalancerController: z.enum(LOAD_BALANCER_CONTROLLERS, { error: `one of ${LOAD_BALANCER_CONTROLLERS.join(", ")}` }).optional(),
  /** Expose the router on this port of every node instead of a load balancer (a laptop cluster such as kind). */
  nodePort: count(30000, 32767).optional(),
});

const developerSpec = strictObject({
  name: developerName,
  /** On EKS: the IAM user or role that becomes Kubernetes user `name`. */
  principalArn: principalArn.optional(),
  /** This developer's ResourceQuota, within the ceiling; the default when absent. */
  quota: quotaSpec.optional(),
});

const quotaConfig = strictObject({
  /** What each Beta gets unless it asks for more. */
  default: quotaSpec.optional(),
  /** The most a Beta may ask for with its own beta:quota. */
  ceiling: quotaSpec.optional(),
  /** Requests and limits the LimitRange gives containers that declare none. */
  container: strictObject({ request: cpuAndMemory.optional(), limit: cpuAndMemory.optional() }).optional(),
});

export const PLATFORM_CONFIG_SCHEMAS = {
  domain: domainName,
  hostedZone: z.string().min(1, "a Route53 zone name or id"),
  cluster: clusterSpec,
  releaseTag: imageTag,
  apps: appCatalog,
  sharedServices: sharedServiceList,
  appSecrets: envMap,
  router: routerSpec,
  developers: z.array(developerSpec),
  quota: quotaConfig,
  clusterDomain: domainName,
  databases: databasesConfig,
  qa: qaConfig,
} as const;

export type PlatformConfigKey = keyof typeof PLATFORM_CONFIG_SCHEMAS;
export const REQUIRED_PLATFORM_KEYS: readonly PlatformConfigKey[] = ["domain", "releaseTag", "apps"];

/** OpenResty: nginx with the Lua module the router config needs (components/router-lua.ts). */
export const DEFAULT_ROUTER_IMAGE = "openresty/openresty:1.31.1.1-0-alpine";

export interface PlatformConfig {
  domain: string;
  hostedZone?: string;
  cluster: z.output<typeof clusterSpec>;
  releaseTag: string;
  apps: z.output<typeof appCatalog>;
  sharedServices: z.output<typeof sharedServiceList>;
  /** Env every app gets from a Secret (database URLs, credentials). */
  appSecrets: Record<string, string>;
  router: {
    replicas: number;
    image: string;
    tls: "acm" | "none";
    allowedCidrs: string[];
    resolver?: string;
    proxyProtocol: boolean;
    loadBalancerController: (typeof LOAD_BALANCER_CONTROLLERS)[number];
    nodePort?: number;
  };
  /** One tenant each: namespace `beta-<name>` with its guard rails. */
  developers: { name: string; principalArn?: string; quota: Quota }[];
  quota: { default: Quota; ceiling: Quota; container: typeof DEFAULT_CONTAINER_RESOURCES };
  clusterDomain: string;
  /** Isolated databases (`beta:database: isolated`); absent when the platform offers none. */
  databases?: DatabasesConfig;
  /** The QA suite `beta test` runs in a Beta; absent when the platform has none. */
  qa?: QaConfig;
}

/**
 * Validates the platform's `beta:` config (key → parsed value) and fills in defaults. Every
 * problem names the key, the value and the rule.
 */
export function parsePlatformConfig(raw: Readonly<Record<string, unknown>>): PlatformConfig {
  rejectUnknownKeys(raw, Object.keys(PLATFORM_CONFIG_SCHEMAS), "platform");
  for (const key of REQUIRED_PLATFORM_KEYS) {
    if (raw[key] === undefined) {
      throw new ConfigError(`Missing configuration beta:${key}; it is required on the platform stack (see the config reference in README.md).`);
    }
  }
  const get = <K extends PlatformConfigKey>(key: K): z.output<(typeof PLATFORM_CONFIG_SCHEMAS)[K]> | undefined =>
    raw[key] === undefined
      ? undefined
      : (parseConfigValue(`beta:${key}`, PLATFORM_CONFIG_SCHEMAS[key], raw[key]) as z.output<(typeof PLATFORM_CONFIG_SCHEMAS)[K]>);

  const apps = get("apps")!;
  const sharedServices = get("sharedServices") ?? [];
  const clashes = sharedServiceNameClashes(apps, sharedServices);
  if (clashes.length > 0) {
    throw new ConfigError(`beta:sharedServices: ${clashes.map((c) => JSON.stringify(c)).join(", ")} is also an app name; each becomes a Service in every Beta, so names must differ`);
  }
  const hostedZone = get("hostedZone");
  const router = get("router") ?? {};
  const tls = router.tls ?? (hostedZone ? "acm" : "none");
  if (tls === "acm" && !hostedZone) {
    throw new ConfigError("beta:router.tls is \"acm\" but beta:hostedZone is not set: the ACM certificate is validated in that zone. Set beta:hostedZone or router.tls \"none\".");
  }
  if (router.nodePort !== undefined && tls === "acm") {
    throw new ConfigError(`beta:router.nodePort ${router.nodePort} exposes the router without a load balancer, so TLS cannot end at one: set beta:router.tls "none"`);
  }
  const loadBalancerController = router.loadBalancerController ?? "cloud-provider";
  if (router.proxyProtocol && (router.nodePort !== undefined || loadBalancerController !== "aws-load-balancer-controller")) {
    throw new ConfigError(
      "beta:router.proxyProtocol is true, but only an NLB made by the AWS Load Balancer Controller sends PROXY protocol " +
        "(the cluster's built-in cloud provider reads the proxy-protocol annotation for classic ELBs only, kubernetes/kubernetes#101608): " +
        "set beta:router.loadBalancerController \"aws-load-balancer-controller\" and run that controller, or leave proxyProtocol out",
    );
  }
  // Without beta:cluster the platform creates an EKS cluster, which needs its VPC named.
  const cluster = parseConfigValue("beta:cluster", clusterSpec, raw.cluster ?? { provider: "eks" });
  const developers = get("developers") ?? [];
  const duplicate = developers.find((d, i) => developers.findIndex((o) => o.name === d.name) !== i);
  if (duplicate) throw new ConfigError(`beta:developers: ${JSON.stringify(duplicate.name)} is listed twice`);
  if (cluster.provider === "eks") {
    const withoutPrincipal = developers.filter((d) => !d.principalArn).map((d) => d.name);
    if (withoutPrincipal.length > 0) {
      throw new ConfigError(
        `beta:developers: ${withoutPrincipal.map((n) => JSON.stringify(n)).join(", ")} has no principalArn; on EKS each developer signs in as an IAM user or role`,
      );
    }
  }
  assertOnePrincipalPerDeveloper(developers);

  const quota = get("quota") ?? {};
  const ceiling = mergeQuota(DEFAULT_QUOTA_CEILING, quota.ceiling);
  const defaultQuota = mergeQuota(DEFAULT_QUOTA, quota.default);
  assertWithinCeiling(defaultQuota, ceiling, "beta:quota.default");
  assertRequestsWithinLimits(defaultQuota.requests, defaultQuota.limits, "beta:quota.default");
  assertRequestsWithinLimits(ceiling.requests, ceiling.limits, "beta:quota.ceiling");
  assertRequestsWithinLimits({ ...DEFAULT_CONTAINER_RESOURCES.request, ...definedOnly(quota.container?.request) }, { ...DEFAULT_CONTAINER_RESOURCES.limit, ...definedOnly(quota.container?.limit) }, "beta:quota.container");
  const tenants = developers.map((developer, index) => {
    const resolved = mergeQuota(defaultQuota, developer.quota);
    assertWithinCeiling(resolved, ceiling, `beta:developers[${index}].quota`);
    return { name: developer.name, principalArn: developer.principalArn, quota: resolved };
  });

  return {
    domain: get("domain")!,
    hostedZone,
    cluster,
    releaseTag: get("releaseTag")!,
    apps,
    sharedServices,
    appSecrets: get("appSecrets") ?? {},
    router: {
      replicas: router.replicas ?? 2,
      image: router.image ?? DEFAULT_ROUTER_IMAGE,
      tls,
      allowedCidrs: router.allowedCidrs ?? ["0.0.0.0/0"],
      resolver: router.resolver,
      proxyProtocol: router.proxyProtocol ?? false,
      loadBalancerController,
      nodePort: router.nodePort,
    },
    developers: tenants,
    quota: {
      default: defaultQuota,
      ceiling,
      container: {
        request: { ...DEFAULT_CONTAINER_RESOURCES.request, ...definedOnly(quota.container?.request) },
        limit: { ...DEFAULT_CONTAINER_RESOURCES.limit, ...definedOnly(quota.container?.limit) },
      },
    },
    clusterDomain: get("clusterDomain") ?? "cluster.local",
    databases: get("databases"),
    qa: get("qa"),
  };
}

/** One IAM principal is one Kubernetes user: mapped to two names, it would hold both tenants. */
function assertOnePrincipalPerDeveloper(developers: readonly { name: string; principalArn?: string }[]): void {
  for (const [index, developer] of developers.entries()) {
    const first = developers.findIndex((other) => other.principalArn !== undefined && other.principalArn === developer.principalArn);
    if (developer.principalArn !== undefined && first !== index) {
      throw new ConfigError(
        `beta:developers[${index}].principalArn: ${JSON.stringify(developer.principalArn)} is already the principal of ${JSON.stringify(developers[first].name)}; each developer needs their own identity`,
      );
    }
  }
}

/** A misspelt key would otherwise be ignored silently. */
export function rejectUnknownKeys(raw: Readonly<Record<string, unknown>>, allowed: readonly string[], stackKind: string): void {
  const unknown = Object.keys(raw).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(
      `Unknown configuration ${unknown.map((k) => `beta:${k}`).join(", ")} on a ${stackKind} stack (allowed: ${allowed.map((k) => `beta:${k}`).join(", ")})`,
    );
  }
}
