/**
 * Pulumi hands a program its config as strings (`beta:apps` → JSON text). This turns the
 * `beta:` entries back into values, so the schemas see what the YAML said.
 */
export const CONFIG_NAMESPACE = "beta";

/** Keys whose values are plain strings, never JSON (a tag "123" stays a string). */
export const STRING_CONFIG_KEYS: readonly string[] = [
  "domain", "hostedZone", "releaseTag", "clusterDomain", "platformStack", "imageTag",
];

export function decodeStackConfig(all: Readonly<Record<string, string>>): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    if (STRING_CONFIG_KEYS.includes(key)) {
      decoded[key] = text;
      continue;
    }
    try {
      decoded[key] = JSON.parse(text);
    } catch {
      // Not JSON: the schema reports the plain text with the type it expected.
      decoded[key] = text;
    }
  }
  return decoded;
}

/** The reverse, for offline runs: values as the Pulumi CLI would pass them. */
export function encodeStackConfig(values: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      `${CONFIG_NAMESPACE}:${key}`,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}
