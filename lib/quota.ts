/**
 * Per-Beta ResourceQuota sizes: the platform sets a default and a ceiling, a developer may
 * ask for more than the default but never above the ceiling.
 */
import { z } from "zod";
import { ConfigError } from "./config-error";
import { quantity, strictObject } from "./config-rules";
import { definedOnly } from "./defined-only";

/** A quota of zero admits no pod at all: every Deployment of the Beta would stay at 0 ready. */
const positiveQuantity = quantity.refine((value) => parseQuantity(value) > 0, "must be more than zero (a zero quota admits no pod)");
const quotaResources = strictObject({ cpu: positiveQuantity.optional(), memory: positiveQuantity.optional() });

export const quotaSpec = strictObject({
  /** Sum of all containers' requests in the Beta. */
  requests: quotaResources.optional(),
  /** Sum of all containers' limits in the Beta. */
  limits: quotaResources.optional(),
  /** Pods at most, counting those of a rolling update. */
  pods: z.number().int("must be a whole number").min(1, "must be at least 1 (a zero quota admits no pod)").max(500, "must be at most 500").optional(),
});
export type QuotaSpec = z.output<typeof quotaSpec>;

/** A fully resolved quota: every field set. */
export interface Quota {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  pods: number;
}

export const DEFAULT_QUOTA: Quota = {
  requests: { cpu: "4", memory: "8Gi" },
  limits: { cpu: "8", memory: "16Gi" },
  pods: 40,
};

export const DEFAULT_QUOTA_CEILING: Quota = {
  requests: { cpu: "8", memory: "16Gi" },
  limits: { cpu: "16", memory: "32Gi" },
  pods: 80,
};

/** Default requests/limits the LimitRange gives a container that declares none. */
export interface ContainerDefaults {
  request: { cpu: string; memory: string };
  limit: { cpu: string; memory: string };
}

export const DEFAULT_CONTAINER_RESOURCES: ContainerDefaults = {
  request: { cpu: "100m", memory: "128Mi" },
  limit: { cpu: "1", memory: "1Gi" },
};

export function mergeQuota(base: Quota, override: QuotaSpec | undefined): Quota {
  return {
    requests: { ...base.requests, ...definedOnly(override?.requests) },
    limits: { ...base.limits, ...definedOnly(override?.limits) },
    pods: override?.pods ?? base.pods,
  };
}

const SUFFIX: Record<string, number> = {
  m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The numeric value of a Kubernetes quantity ("500m" → 0.5, "1Gi" → 1073741824). */
export function parseQuantity(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(text);
  if (!match) throw new ConfigError(`${JSON.stringify(text)} is not a Kubernetes quantity such as "500m" or "256Mi"`);
  return Number(match[1]) * SUFFIX[match[2] ?? ""];
}

/**
 * One message per resource whose request is above its limit: Kubernetes refuses such a
 * container ("must be less than or equal to ... limit", kubernetes/kubernetes
 * pkg/apis/core/validation/validation.go, ValidateResourceRequirements), so the Beta could
 * never start; said here, before anything is declared.
 */
export function requestsAboveLimits(requests: { cpu?: string; memory?: string }, limits: { cpu?: string; memory?: string }, where = ""): string[] {
  const problems: string[] = [];
  for (const resource of ["cpu", "memory"] as const) {
    const request = requests[resource];
    const limit = limits[resource];
    if (request === undefined || limit === undefined) continue;
    if (parseQuantity(request) > parseQuantity(limit)) {
      problems.push(`${where}requests.${resource} ${JSON.stringify(request)} is above limits.${resource} ${JSON.stringify(limit)}; a request must not exceed its limit`);
    }
  }
  return problems;
}

/** Throws a ConfigError when a quota's (or container default's) requests exceed its limits. */
export function assertRequestsWithinLimits(requests: { cpu?: string; memory?: string }, limits: { cpu?: string; memory?: string }, key: string): void {
  const problems = requestsAboveLimits(requests, limits, `${key}.`);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
}

/**
 * Throws when any field of `quota` is above `ceiling`, naming the key (`beta:quota.limits.cpu`),
 * the value asked for and the ceiling.
 */
export function assertWithinCeiling(quota: Quota, ceiling: Quota, key = "beta:quota"): void {
  const problems: string[] = [];
  for (const part of ["requests", "limits"] as const) {
    for (const resource of ["cpu", "memory"] as const) {
      if (parseQuantity(quota[part][resource]) > parseQuantity(ceiling[part][resource])) {
        problems.push(
          `${key}.${part}.${resource}: ${JSON.stringify(quota[part][resource])} is above the platform's ceiling of ${JSON.stringify(ceiling[part][resource])}`,
        );
      }
    }
  }
  if (quota.pods > ceiling.pods) {
    problems.push(`${key}.pods: ${quota.pods} is above the platform's ceiling of ${ceiling.pods}`);
  }
  if (problems.length > 0) {
    throw new ConfigError(`Quota above the ceiling (ask a platform engineer to raise beta:quota.ceiling):\n${problems.join("\n")}`);
  }
}
