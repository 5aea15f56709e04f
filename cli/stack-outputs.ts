/** Reading stack outputs (plain values from the gateway) without trusting their shape. */

/** A string output, or undefined. */
export function stringOutput(outputs: Record<string, unknown>, key: string): string | undefined {
  const value = outputs[key];
  return typeof value === "string" ? value : undefined;
}

/** A string → string map output (e.g. `urls`, `images`), or {}. */
export function mapOutput(outputs: Record<string, unknown>, key: string): Record<string, string> {
  const value = outputs[key];
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}
