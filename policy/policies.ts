/**
 * The guard rails as Pulumi policies: each rule of `rules/` wrapped into a mandatory
 * ResourceValidationPolicy. Kept apart from `index.ts`, whose `new PolicyPack` starts the
 * policy server, so tests can import and call these directly.
 */
import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { rules } from "./rules";

/** Which stack a resource belongs to. */
export type StackOf = (args: ResourceValidationArgs) => string;

/** The stack in a URN `urn:pulumi:<stack>::<project>::<type>::<name>`, or undefined. */
export function stackFromUrn(urn: unknown): string | undefined {
  if (typeof urn !== "string") return undefined;
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/**
 * The resource's own URN names its stack; the policy server process has no stack of its own,
 * so `pulumi.getStack()` is only the fallback.
 */
export const stackOfResource: StackOf = (args) => stackFromUrn(args.urn) ?? pulumi.getStack();

/** The pack's policies; `stackOf` is injectable so tests can pose as any stack. */
export function makePolicies(stackOf: StackOf = stackOfResource): ResourceValidationPolicy[] {
  return rules.map(
    (rule): ResourceValidationPolicy => ({
      name: rule.name,
      description: rule.description,
      enforcementLevel: "mandatory",
      validateResource: (args, reportViolation) => {
        const context = { stack: stackOf(args), name: args.name };
        for (const message of rule.check(args.type, args.props, context)) reportViolation(message);
      },
    }),
  );
}

export const policies: ResourceValidationPolicy[] = makePolicies();
