/**
 * The platform stack's configuration (`beta:` keys in `Pulumi.dev.yaml`), validated as plain
 * values before anything is declared.
 */
import { z } from "zod";
import { appCatalog, sharedServiceList, sharedServiceNameClashes } from "./catalog";
import { ConfigError, parseConfigValue } from "./config-error";
import { backendHost, cpuAndMemory, developerName, domainName, envMap, imageTag, isIPv4, strictObject } from "./config-rules";
import { DEFAULT_CONTAINER_RESOURCES, DEFAULT_QUOTA, DEFAULT_QUOTA_CEILING, Quota, assertRequestsWithinLimits, assertWithinCeiling, mergeQuota, quotaSpec } from "./quota";
import { definedOnly } from "./defined-only";

const count = (min: number, max: number) =>
  z.number().int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const eksCluster = strictObject({
  provider: z.literal("eks"),
  /** Kubernetes version, e.g. "1.33"; EKS's default when absent. */
  version: z
    .string()
    .regex(/^1\.[0-9]{2}$/, "a Kubernetes minor version such as \"1.33\"")
    // The deployer's admission policy (ValidatingAdmissionPolicy v1) needs 1.30 or newer.
    .refine((v) => Number(v.split(".")[1]) >= 30, "Kubernetes 1.30 or newer")
    .optional(),
  instanceType: z.string().regex(/^[a-z0-9-]+\.[a-z0-9]+$/, "an EC2 instance type such as \"t3.large\"").optional(),
  minSize: count(1, 100).optional(),
  maxSize: count(1, 100).optional(),
  desiredSize: count(1, 100).optional(),
  vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, "a VPC id such as vpc-0abc123").optional(),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "a subnet id such as subnet-0abc123")).min(2, "EKS needs subnets in at least two availability zones").optional(),
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

const cidr = z.string().refine((value) => {
  const [address, bits, ...rest] = value.split("/");
  return rest.length === 0 && isIPv4(address) && bits !== undefined && /^([0-9]|[12][0-9]|3[0-2])$/.test(bits);
}, "an IPv4 CIDR such as 203.0.113.0/24");

/** The router image must be pinned: a moving tag would change every Beta's edge unseen. */
const pinnedImage = z
  .string()
  .regex(/^[a-z0-9][a-z0-9./_-]*(:[0-9]+)?(\/[a-z0-9._-]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "an image with an explicit tag, e.g. nginxinc/nginx-unprivileged:1.27.5-alpine")
  .refine((value) => !value.endsWith(":latest"), "pin a version; \":latest\" changes under you");

const routerSpec = strictObject({
  replicas: count(1, 20).optional(),
  image: pinnedImage.optional(),
  tls: z.enum(["acm", "none"], { error: "either \"acm\" (TLS at the load balancer) or \"none\"" }).optional(),
  allowedCidrs: z.array(cidr).min(1, "list at least one CIDR, or leave the key out to allow everyone").optional(),
  /** The DNS server nginx resolves Betas with; the cluster's kube-dns Service when absent. */
  resolver: backendHost.optional(),
  /** PROXY protocol between the NLB and nginx, so apps see the real client address. */
  proxyProtocol: z.boolean().optional(),
});

const developerSpec = strictObject({
  name: developerName,
  principalArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)\/[\w+=,.@/-]+$/, "an IAM user or role ARN such as arn:aws:iam::123456789012:user/alice"),
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
} as const;

export type PlatformConfigKey = keyof typeof PLATFORM_CONFIG_SCHEMAS;
export const REQUIRED_PLATFORM_KEYS: readonly PlatformConfigKey[] = ["domain", "releaseTag", "apps"];

export const DEFAULT_ROUTER_IMAGE = "nginxinc/nginx-unprivileged:1.27.5-alpine";

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
  };
  developers: z.output<typeof developerSpec>[];
  quota: { default: Quota; ceiling: Quota; container: typeof DEFAULT_CONTAINER_RESOURCES };
  clusterDomain: string;
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
  const developers = get("developers") ?? [];
  const duplicate = developers.find((d, i) => developers.findIndex((o) => o.name === d.name) !== i);
  if (duplicate) throw new ConfigError(`beta:developers: ${JSON.stringify(duplicate.name)} is listed twice`);
  assertOnePrincipalPerDeveloper(developers);

  const quota = get("quota") ?? {};
  const ceiling = mergeQuota(DEFAULT_QUOTA_CEILING, quota.ceiling);
  const defaultQuota = mergeQuota(DEFAULT_QUOTA, quota.default);
  assertWithinCeiling(defaultQuota, ceiling, "beta:quota.default");
  assertRequestsWithinLimits(defaultQuota.requests, defaultQuota.limits, "beta:quota.default");
  assertRequestsWithinLimits(ceiling.requests, ceiling.limits, "beta:quota.ceiling");
  assertRequestsWithinLimits({ ...DEFAULT_CONTAINER_RESOURCES.request, ...definedOnly(quota.container?.request) }, { ...DEFAULT_CONTAINER_RESOURCES.limit, ...definedOnly(quota.container?.limit) }, "beta:quota.container");

  return {
    domain: get("domain")!,
    hostedZone,
    cluster: get("cluster") ?? { provider: "eks" },
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
    },
    developers,
    quota: {
      default: defaultQuota,
      ceiling,
      container: {
        request: { ...DEFAULT_CONTAINER_RESOURCES.request, ...definedOnly(quota.container?.request) },
        limit: { ...DEFAULT_CONTAINER_RESOURCES.limit, ...definedOnly(quota.container?.limit) },
      },
    },
    clusterDomain: get("clusterDomain") ?? "cluster.local",
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
