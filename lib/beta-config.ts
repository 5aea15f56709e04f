/**
 * A developer stack's own configuration (`Pulumi.beta-<name>.yaml`). Every key is optional:
 * `pulumi stack init beta-alice && pulumi up` needs none.
 */
import { z } from "zod";
import { ConfigError, parseConfigValue } from "./config-error";
import { appName, envMap, imageReference, imageTag, port, replicas, splitImageReference, strictObject } from "./config-rules";
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

/**
 * A personal copy of a shared service (`beta:services.<name>`): `{}` runs the platform's image at
 * the release tag, `tag` pins another build of it, `image` runs any image.
 */
const personalCopy = strictObject({
  /** A build of the platform's image for this service, e.g. a branch build; it stays when the release moves. */
  tag: imageTag.optional(),
  /** Any image: a repository, with an optional `:tag` or `@sha256:` digest; without one, `tag` or the release tag is added. */
  image: imageReference.optional(),
  /** Only to state it: a copy serves the shared service's port, which every app already calls. */
  port: port.optional(),
}).superRefine((copy, ctx) => {
  if (copy.image === undefined || copy.tag === undefined) return;
  const { tag, digest } = splitImageReference(copy.image);
  if (tag !== undefined || digest !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["tag"],
      message: `image ${JSON.stringify(copy.image)} already names its build; give the tag in one place (image without tag, or no tag key)`,
      input: copy.tag,
    });
  }
});
export type PersonalCopyRequest = z.output<typeof personalCopy>;

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
  services: z.record(appName, personalCopy),
} as const;

export type BetaConfigKey = keyof typeof BETA_CONFIG_SCHEMAS;

export interface BetaConfig {
  platformStack: string;
  imageTag?: string;
  autoRefresh: boolean;
  apps: Record<string, AppOverride>;
  /** `shared` (default): the platform's database; `isolated`: a clone of its template; `ephemeral`: a pod of its own. */
  database: DatabaseMode;
  /** Shared-service name → the personal copy this Beta runs instead of the shared one. */
  services: Record<string, PersonalCopyRequest>;
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
    services: get("services") ?? {},
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
