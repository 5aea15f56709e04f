/**
 * What the platform stack exports and every developer stack reads through a StackReference.
 * Developer stacks validate it as plain values before declaring anything, so a platform
 * that is missing or out of date fails with a message, not a half-made Beta.
 */
import { z } from "zod";
import { CatalogApp, SharedService, appCatalog, sharedServiceList } from "./catalog";
import { ConfigError, formatIssues } from "./config-error";
import { domainName, envMap, imageTag } from "./config-rules";
import { ContainerDefaults, Quota } from "./quota";

const resolvedQuota = z.object({
  requests: z.object({ cpu: z.string(), memory: z.string() }),
  limits: z.object({ cpu: z.string(), memory: z.string() }),
  pods: z.number().int().positive(),
});

export const PLATFORM_OUTPUT_SCHEMAS = {
  domain: domainName,
  kubeconfig: z.string().min(1, "a kubeconfig"),
  releaseTag: imageTag,
  apps: appCatalog,
  sharedServices: sharedServiceList,
  clusterDomain: domainName,
  appSecrets: envMap,
  /** The developers the platform made a tenant for. */
  developers: z.array(z.string()),
  quota: z.object({
    default: resolvedQuota,
    ceiling: resolvedQuota,
    container: z.object({
      request: z.object({ cpu: z.string(), memory: z.string() }),
      limit: z.object({ cpu: z.string(), memory: z.string() }),
    }),
  }),
} as const;

export type PlatformOutputName = keyof typeof PLATFORM_OUTPUT_SCHEMAS;
export const PLATFORM_OUTPUT_NAMES = Object.keys(PLATFORM_OUTPUT_SCHEMAS) as PlatformOutputName[];
/** Outputs the platform must keep secret (and developer stacks keep secret too). */
export const SECRET_PLATFORM_OUTPUTS: readonly PlatformOutputName[] = ["kubeconfig", "appSecrets"];

export interface PlatformOutputs {
  domain: string;
  kubeconfig: string;
  releaseTag: string;
  apps: CatalogApp[];
  sharedServices: SharedService[];
  clusterDomain: string;
  appSecrets: Record<string, string>;
  developers: string[];
  quota: { default: Quota; ceiling: Quota; container: ContainerDefaults };
}

/**
 * Validates the platform stack's outputs. `raw` maps each output name to its value, or
 * undefined when the platform does not export it.
 */
export function parsePlatformOutputs(platformStack: string, raw: Readonly<Record<string, unknown>>): PlatformOutputs {
  const missing = PLATFORM_OUTPUT_NAMES.filter((name) => raw[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `The platform stack ${JSON.stringify(platformStack)} has no output ${missing.join(", ")}. ` +
        `Run \`pulumi up --stack ${platformStack}\` with this version of Beta first, or point beta:platformStack at the right stack.`,
    );
  }
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const name of PLATFORM_OUTPUT_NAMES) {
    const result = PLATFORM_OUTPUT_SCHEMAS[name].safeParse(raw[name], { reportInput: true });
    if (result.success) parsed[name] = result.data;
    else problems.push(formatIssues(`${platformStack} output ${name}`, result.error.issues));
  }
  if (problems.length > 0) {
    throw new ConfigError(`The platform stack ${JSON.stringify(platformStack)} exports invalid data:\n${problems.join("\n")}`);
  }
  return parsed as unknown as PlatformOutputs;
}
