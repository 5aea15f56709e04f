import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_NAMESPACE } from "../lib/stack-config";
import { ConfigError } from "../lib/config-error";

/** What stands in for an encrypted value that cannot be decrypted offline. */
export const OFFLINE_SECRET = "offline-secret-placeholder";

/**
 * The `beta:` config of a stack file (`Pulumi.dev.yaml`) as plain values, keys without the
 * namespace. Encrypted values (`secure:`) become a placeholder: offline runs never decrypt.
 */
export function readStackConfigFile(file: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(readBetaEntries(file))) values[key] = withoutSecrets(value);
  return values;
}

/**
 * The `beta:` keys of a stack file holding an encrypted (`secure:`) value anywhere inside, as
 * Pulumi lists them for the program (PULUMI_CONFIG_SECRET_KEYS, one entry per top-level key).
 */
export function readStackConfigFileSecretKeys(file: string): string[] {
  return Object.entries(readBetaEntries(file))
    .filter(([, value]) => holdsSecret(value))
    .map(([key]) => key);
}

function isSecure(value: unknown): boolean {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return entries.length === 1 && entries[0][0] === "secure";
}

function holdsSecret(value: unknown): boolean {
  if (isSecure(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (value && typeof value === "object") return Object.values(value).some(holdsSecret);
  return false;
}

/** The file's `beta:` entries as written, keys without the namespace. */
function readBetaEntries(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read the stack config ${file}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  const entries: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) entries[key.slice(CONFIG_NAMESPACE.length + 1)] = value;
  }
  return entries;
}

/** `Pulumi.dev.yaml` → `dev`. */
export function stackNameOfFile(file: string): string | undefined {
  return /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1];
}

function withoutSecrets(value: unknown): unknown {
  if (isSecure(value)) return OFFLINE_SECRET;
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSecrets(v)]));
  return value;
}
