/**
 * The guard rails as Pulumi policies: each rule of `rules/` wrapped into a mandatory
 * ResourceValidationPolicy. Kept apart from `index.ts`, whose `new PolicyPack` starts the
 * policy server, so tests can import and call these directly.
 */
import type { PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { rules } from "./rules";
import { ruleContext } from "./pack-config";
import { CONFIG_KEYS, RuleDefinition } from "./rules/rule";

/** Which stack a resource belongs to. */
export type StackOf = (args: ResourceValidationArgs) => string;

/** The stack in a URN `urn:pulumi:<stack>::<project>::<type>::<name>`, or undefined. */
export function stackFromUrn(urn: unknown): string | undefined {
  if (typeof urn !== "string") return undefined;
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/**
 * The resource's own URN names its stack. @pulumi/policy 1.21 gives a validation no stack
 * name of its own (`configureStack` only passes the stack's tags: node_modules/@pulumi/policy
 * server.js, `configureStack`), and the policy server process is not a Pulumi program, so
 * `pulumi.getStack()` is only the fallback.
 */
export const stackOfResource: StackOf = (args) => stackFromUrn(args.urn) ?? pulumi.getStack();

function configSchema(rule: RuleDefinition): PolicyConfigSchema | undefined {
  if (rule.config === undefined) return undefined;
  const properties = Object.fromEntries(rule.config.map((key) => [key, CONFIG_KEYS[key]]));
  return { properties } as PolicyConfigSchema;
}


/** The pack's policies; `stackOf` is injectable so tests can pose as any stack. */
export function makePolicies(stackOf: StackOf = stackOfResource): ResourceValidationPolicy[] {
  return rules.map(
    (rule): ResourceValidationPolicy => ({
      name: rule.name,
      description: rule.description,
      enforcementLevel: "mandatory",
      configSchema: configSchema(rule),
      validateResource: (args, reportViolation) => {
        // The engine has checked the policy's config against its schema.
        const config = rule.config === undefined ? {} : { [rule.name]: args.getConfig<Record<string, unknown>>() };
        const context = ruleContext(rule, stackOf(args), args.name, config);
        for (const message of rule.check(args.type, args.props, context)) reportViolation(message);
      },
    }),
  );
}

export const policies: ResourceValidationPolicy[] = makePolicies();
