/**
 * What every guard-rail rule is: a pure function from a resource's Pulumi type token and
 * inputs to the violations it finds, with no Pulumi or policy-server machinery in it, so
 * the rules are tested directly and `policy/policies.ts` only wraps them.
 */

/** What a rule may know besides the resource itself. */
export interface RuleContext {
  /** The Pulumi stack being checked: `beta-<name>` for a Beta, anything else is the platform. */
  stack: string;
  /** The resource's Pulumi logical name; only used to name the object when it has no `metadata.name`. */
  name?: string;
  /**
   * The shared services' host names a Beta's ExternalName Services may point at, besides
   * `<service>.shared.svc.<clusterDomain>` (the pack's config, from the platform's
   * `sharedServices`); none when not configured.
   */
  sharedServiceHosts?: readonly string[];
  /** The cluster's DNS domain, for `<service>.shared.svc.<clusterDomain>`; `cluster.local` when not configured. */
  clusterDomain?: string;
}

/** Violation messages for one resource; empty when it complies. */
export type Rule = (resourceType: string, props: Record<string, unknown>, context: RuleContext) => string[];

/** A rule as the policy pack publishes it. */
export interface RuleDefinition {
  /** Policy name, unique in the pack; also the `[name]` prefix of every message. */
  name: string;
  /** One sentence for `pulumi preview` output. */
  description: string;
  check: Rule;
  /**
   * Keys of {@link RuleContext} the rule reads from the pack's config
   * (`pulumi up --policy-pack-config <file>`, `{ "<rule name>": { <key>: <value> } }`).
   */
  config?: readonly ConfigKey[];
}

/** The RuleContext keys a rule may take from the pack's config, with their JSON Schema types. */
export const CONFIG_KEYS = {
  sharedServiceHosts: { type: "array", items: { type: "string" } },
  clusterDomain: { type: "string" },
} as const;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * One violation message: which rule, which object, which field, what is wrong with it and
 * what the rule asks for, e.g.
 * `[pinned-images] Deployment beta-alice/web: spec.template.spec.containers[0].image (container "web") is "nginx:latest" …`.
 */
export function violation(rule: string, object: string, field: string, problem: string, requirement: string): string {
  return `[${rule}] ${object}: ${field} ${problem}; ${requirement}.`;
}
