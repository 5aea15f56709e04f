import * as pulumi from "@pulumi/pulumi";
import { SECRET_CONFIG_KEYS, assertSecretsAreSecret } from "../lib/secret-config";
import { CONFIG_NAMESPACE, decodeStackConfig } from "../lib/stack-config";

// Not in the SDK's typings (marked @internal), but it is how the SDK itself asks:
// @pulumi/pulumi runtime/config.ts, isConfigSecret (reads PULUMI_CONFIG_SECRET_KEYS).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/**
 * The stack's `beta:` config as plain values. Secret values are read in the clear here so
 * they can be validated; callers wrap them in `pulumi.secret` before any use. A value that
 * must be secret but was stored as plain text is refused.
 */
export function readStackConfig(): Record<string, unknown> {
  const config = decodeStackConfig(pulumi.runtime.allConfig());
  const secretKeys = new Set(SECRET_CONFIG_KEYS.filter((key) => runtimeConfig.isConfigSecret(`${CONFIG_NAMESPACE}:${key}`)));
  assertSecretsAreSecret(config, secretKeys);
  return config;
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
