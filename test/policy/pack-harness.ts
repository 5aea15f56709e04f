/**
 * Calls the pack's policies the way the policy server calls them (props behind the engine's
 * unknown-checking proxy, the stack in the URN, the pack's config behind `getConfig`) without
 * starting the server.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { unknownCheckingProxy } from "@pulumi/policy";
import type { Declared } from "./manifests";

/** The pack's config as `--policy-pack-config` gives it: `{ "<policy name>": { <key>: <value> } }`. */
export type PackConfig = Record<string, Record<string, unknown>>;

/** What the policy server hands a validation: the resource, its URN on `stack`, and stubs for the rest. */
export function fakeArgs(declared: Declared, stack: string, name = "web", policyConfig: Record<string, unknown> = {}): ResourceValidationArgs {
  return {
    type: declared.type,
    props: unknownCheckingProxy(declared.props),
    urn: `urn:pulumi:${stack}::beta::beta:index:App$${declared.type}::${name}`,
    name,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({ ...policyConfig }) as T,
    notApplicable: (reason?: string): never => {
      throw new Error(`not applicable: ${reason}`);
    },
  };
}

/** Runs every validation of `policy` on `declared`, collecting what it reports. */
export async function reported(policy: ResourceValidationPolicy, declared: Declared, stack: string, config: PackConfig = {}): Promise<string[]> {
  const messages: string[] = [];
  const report: ReportViolation = (message) => {
    messages.push(message);
  };
  const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
  for (const validate of validations) await validate(fakeArgs(declared, stack, "web", config[policy.name]), report);
  return messages;
}

/** What each policy of `pack` reports for `declared`, by policy name; policies with nothing to say are left out. */
export async function reportedByPack(
  pack: ResourceValidationPolicy[],
  declared: Declared,
  stack: string,
  config: PackConfig = {},
): Promise<Record<string, string[]>> {
  const byPolicy: Record<string, string[]> = {};
  for (const policy of pack) {
    const messages = await reported(policy, declared, stack, config);
    if (messages.length > 0) byPolicy[policy.name] = messages;
  }
  return byPolicy;
}
