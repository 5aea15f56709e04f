import * as pulumi from "@pulumi/pulumi";
import { decodeStackConfig } from "../lib/stack-config";

/**
 * The stack's `beta:` config as plain values. Secret values are read in the clear here so
 * they can be validated; callers wrap them in `pulumi.secret` before any use.
 */
export function readStackConfig(): Record<string, unknown> {
  return decodeStackConfig(pulumi.runtime.allConfig());
}

export const DISABLE_DEFAULT_PROVIDERS_KEY = "pulumi:disable-default-providers";

/**
 * Refuses to run unless default providers are disabled (Pulumi.yaml sets it), so no resource
 * can fall back to the ambient AWS account or kubeconfig.
 */
export function assertDefaultProvidersDisabled(): void {
  const raw = pulumi.runtime.getConfig(DISABLE_DEFAULT_PROVIDERS_KEY);
  let disabled: unknown;
  try {
    disabled = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    disabled = undefined;
  }
  if (!Array.isArray(disabled) || !disabled.includes("*")) {
    throw new pulumi.RunError(
      `${DISABLE_DEFAULT_PROVIDERS_KEY} must list "*" (got ${raw ?? "nothing"}); Pulumi.yaml sets it. ` +
        `If this stack overrides it, run: pulumi config set --path '${DISABLE_DEFAULT_PROVIDERS_KEY}[0]' '*'`,
    );
  }
}
