/**
 * A developer stack's own configuration (`Pulumi.beta-<name>.yaml`). Every key is optional:
 * `pulumi stack init beta-alice && pulumi up` needs none.
 */
import { z } from "zod";
import { ConfigError, parseConfigValue } from "./config-error";
import { appName, envMap, imageTag, replicas, strictObject } from "./config-rules";
import { rejectUnknownKeys } from "./platform-config";
import { DatabaseMode, databaseMode } from "./database-config";

import { DEFAULT_PLATFORM_STACK } from "./stack-names";

export { DEFAULT_PLATFORM_STACK };

const appOverride = strictObject({
  /** Pin this app to another build, e.g. a branch build. */
  imageTag: imageTag.optional(),
  /** Extra or changed environment variables for this app in this Beta. */
  env: envMap.optional(),
  replicas: replicas.optional(),
});
export type AppOverride = z.output<typeof appOverride>;

export const BETA_CONFIG_SCHEMAS = {
  platformStack: z
    .string()
    .regex(/^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, "a stack name such as \"dev\" or \"org/beta/dev\"")
    // "." and ".." are path segments, not names: "../../etc" would name no stack of this project.
    .refine((value) => value.split("/").every((part) => part !== "." && part !== ".."), "a stack name such as \"dev\" or \"org/beta/dev\", without \".\" or \"..\" segments"),
  imageTag,
  autoRefresh: z.boolean({ error: "true or false" }),
  apps: z.record(appName, appOverride),
  database: databaseMode,
} as const;

export type BetaConfigKey = keyof typeof BETA_CONFIG_SCHEMAS;

export interface BetaConfig {
  platformStack: string;
  imageTag?: string;
  autoRefresh: boolean;
  apps: Record<string, AppOverride>;
  /** `shared` (default): the platform's database; `isolated`: a clone of its template; `ephemeral`: a pod of its own. */
  database: DatabaseMode;
}

export function parseBetaConfig(raw: Readonly<Record<string, unknown>>): BetaConfig {
  rejectUnknownKeys(raw, Object.keys(BETA_CONFIG_SCHEMAS), "developer");
  const get = <K extends BetaConfigKey>(key: K): z.output<(typeof BETA_CONFIG_SCHEMAS)[K]> | undefined =>
    raw[key] === undefined
      ? undefined
      : (parseConfigValue(`beta:${key}`, BETA_CONFIG_SCHEMAS[key], raw[key]) as z.output<(typeof BETA_CONFIG_SCHEMAS)[K]>);
  return {
    platformStack: get("platformStack") ?? DEFAULT_PLATFORM_STACK,
    imageTag: get("imageTag"),
    autoRefresh: get("autoRefresh") ?? true,
    apps: get("apps") ?? {},
    database: get("database") ?? "shared",
  };
}

/** Overrides must name apps of the catalog; a typo would otherwise do nothing. */
export function assertOverridesMatchCatalog(overrides: Record<string, AppOverride>, catalog: readonly { name: string }[]): void {
  const known = catalog.map((app) => app.name);
  const unknown = Object.keys(overrides).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(
      `beta:apps: ${unknown.map((n) => JSON.stringify(n)).join(", ")} is not an app of the platform's catalog (apps: ${known.join(", ")})`,
    );
  }
}
