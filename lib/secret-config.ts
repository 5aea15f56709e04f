/**
 * Config values that must be Pulumi secrets, and what a message may say about them: never the
 * value, only the key and the shape that was expected.
 *
 * Pulumi marks a whole top-level key secret when any value inside it is (`Map.SecureKeys`
 * lists keys whose `Value.Secure()`; an object set with `--secret --path` becomes a secure
 * object value): pulumi/pulumi sdk/go/common/resource/config/map.go (SecureKeys) and value.go
 * (Secure). The program sees that list as PULUMI_CONFIG_SECRET_KEYS
 * (@pulumi/pulumi runtime/config.ts, isConfigSecret), so the rule works per top-level key.
 */
import { ConfigError } from "./config-error";

/** Per secret-bearing key (without `beta:`), the paths inside it whose values are secret; [] is the whole value. */
export const SECRET_CONFIG_PATHS: Readonly<Record<string, readonly (readonly PropertyKey[])[]>> = {
  appSecrets: [[]],
  cluster: [["kubeconfig"]],
};

export const SECRET_CONFIG_KEYS: readonly string[] = Object.keys(SECRET_CONFIG_PATHS);

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]) => prefix.every((part, i) => path[i] === part);

/**
 * How a message may show the value at `path` of config key `key`: "value" when it holds no
 * secret, "hidden" when it is one, "shape" when it is an object with a secret somewhere inside.
 */
export function secretExposure(key: string, path: readonly PropertyKey[]): "value" | "hidden" | "shape" {
  const secrets = SECRET_CONFIG_PATHS[key.replace(/^beta:/, "")] ?? [];
  if (secrets.some((secret) => startsWith(path, secret))) return "hidden";
  if (secrets.some((secret) => startsWith(secret, path))) return "shape";
  return "value";
}

/** "a string of 12 characters", "a number", "an object with keys provider, kubeconfig": the shape, never the content. */
export function describeShape(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return `a string of ${value.length} characters`;
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  if (typeof value === "object") return `an object with keys ${Object.keys(value).join(", ") || "(none)"}`;
  return `a ${typeof value}`;
}

/** The `pulumi config set --secret` command that stores `path` of `key` encrypted. */
function secretCommand(key: string, value: unknown): string[] {
  if (key === "appSecrets") {
    const names = value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
    return (names.length ? names : ["NAME"]).map((name) => `pulumi config set --secret --path 'beta:appSecrets.${name}' '<value>'`);
  }
  return [`pulumi config set --secret --path 'beta:cluster.kubeconfig' "$(kubectl config view --minify --flatten --context <context>)"`];
}

/**
 * Refuses secret-bearing values stored as plain text: `secretKeys` are the config keys
 * (without `beta:`) Pulumi reports as secret.
 */
export function assertSecretsAreSecret(raw: Readonly<Record<string, unknown>>, secretKeys: ReadonlySet<string>): void {
  for (const key of SECRET_CONFIG_KEYS) {
    if (secretKeys.has(key)) continue;
    const value = raw[key];
    const plain = key === "cluster" ? (value as { kubeconfig?: unknown } | undefined)?.kubeconfig : value;
    if (plain === undefined) continue;
    const what = key === "cluster" ? "beta:cluster.kubeconfig" : "beta:appSecrets";
    throw new ConfigError(
      `${what} is stored as plain text, so it would be readable in the stack file and the stack's state; it must be a secret. ` +
        `Store it encrypted (this replaces the plain value):\n${secretCommand(key, value).map((c) => `  ${c}`).join("\n")}`,
    );
  }
}
