/**
 * Per-Beta ResourceQuota sizes: the platform sets a default and a ceiling, a developer may
 * ask for more than the default but never above the ceiling.
 */
import { z } from "zod";
import { ConfigError } from "./config-error";
import { cpuAndMemory, strictObject } from "./config-rules";
import { definedOnly } from "./defined-only";

export const quotaSpec = strictObject({
  /** Sum of all containers' requests in the Beta. */
  requests: cpuAndMemory.optional(),
  /** Sum of all containers' limits in the Beta. */
  limits: cpuAndMemory.optional(),
  /** Pods at most, counting those of a rolling update. */
  pods: z.number().int().min(1).max(500).optional(),
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
