/**
 * The pack's config for one platform, from the platform stack's outputs: which host names a
 * Beta's ExternalName Services may point at (the shared services given by DNS name; one given
 * by IP is reached through `<service>.shared.svc.<clusterDomain>`) and the cluster's DNS domain.
 * Written to a file, it is what `pulumi up --policy-pack-config <file>` takes:
 * `{ "<policy name>": { <key>: <value> } }` (https://www.pulumi.com/docs/iac/using-pulumi/crossguard/configuration/).
 */
import type { RuleContext, RuleDefinition } from "./rules/rule";
import { SERVICE_EXPOSURE } from "./rules/services";

export type PackConfig = Record<string, Record<string, unknown>>;

const IP_ADDRESS = /^(\d{1,3}\.){3}\d{1,3}$|:/;

/** The platform outputs the config is made of (`sharedServices`, `clusterDomain`), as plain values. */
export function packConfigFor(platformOutputs: Record<string, unknown>): PackConfig {
  const services = Array.isArray(platformOutputs.sharedServices) ? platformOutputs.sharedServices : [];
  const hosts = services
    .map((service) => (typeof service === "object" && service !== null ? (service as Record<string, unknown>).host : undefined))
    .filter((host): host is string => typeof host === "string" && !IP_ADDRESS.test(host));
  const clusterDomain = typeof platformOutputs.clusterDomain === "string" ? { clusterDomain: platformOutputs.clusterDomain } : {};
  return { [SERVICE_EXPOSURE]: { sharedServiceHosts: [...new Set(hosts)].sort(), ...clusterDomain } };
}

/** What `rule` is told about a resource named `name` on `stack`: the stack, and its keys of the pack's config. */
export function ruleContext(rule: RuleDefinition, stack: string, name: string | undefined, config: PackConfig = {}): RuleContext {
  const given = config[rule.name] ?? {};
  const keys = (rule.config ?? []).filter((key) => given[key] !== undefined);
  return { stack, name, ...Object.fromEntries(keys.map((key) => [key, given[key]])) };
}
