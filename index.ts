import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./lib/config-error";
import { NameError, isBetaStack } from "./lib/names";
import { betaProgram } from "./stacks/beta";
import { platformProgram } from "./stacks/platform";
import { assertDefaultProvidersDisabled } from "./stacks/stack-config";

/** `beta-*` stacks are developer Betas; every other stack is the platform. */
export default async function main() {
  assertDefaultProvidersDisabled();
  const stack = pulumi.getStack();
  try {
    return await (isBetaStack(stack) ? betaProgram(stack) : platformProgram());
  } catch (error) {
    // A user's mistake: show the message alone, without a stack trace.
    if (error instanceof ConfigError || error instanceof NameError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
