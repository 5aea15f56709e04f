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
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith(`${CONFIG_NAMESPACE}:`)) values[key.slice(CONFIG_NAMESPACE.length + 1)] = withoutSecrets(value);
  }
  return values;
}

/** `Pulumi.dev.yaml` → `dev`. */
export function stackNameOfFile(file: string): string | undefined {
  return /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(file))?.[1];
}

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0][0] === "secure") return OFFLINE_SECRET;
    return Object.fromEntries(entries.map(([k, v]) => [k, withoutSecrets(v)]));
  }
  return value;
}
