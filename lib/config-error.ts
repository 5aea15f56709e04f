import type { z } from "zod";
import { describeShape, secretExposure } from "./secret-config";

/**
 * Bad configuration or platform data. The message names the key, the bad value and the rule,
 * so a user can fix it without reading code. Thrown before any resource is declared.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** `beta:apps[1].port`-style path for a key and a zod issue path. */
export function configPath(key: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === "number" ? `${text}[${part}]` : `${text}.${String(part)}`),
    key,
  );
}

function describeValue(value: unknown, exposure: "value" | "hidden" | "shape" = "value"): string {
  if (exposure === "hidden") return `${describeShape(value)}, value not shown`;
  if (exposure === "shape" && value !== null && typeof value === "object") return describeShape(value);
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line per problem: where it is, what was given, what the rule is. */
export function formatIssues(key: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const where = configPath(key, issue.path);
      if (issue.code === "unrecognized_keys") return `${where}: ${issue.message}`;
      if (issue.code === "invalid_key") {
        // The path ends with the bad key itself; name it as a key of its parent.
        const parent = configPath(key, issue.path.slice(0, -1));
        const why = issue.issues.map((inner) => inner.message).join("; ");
        return `${parent}: key ${describeValue(issue.input)} is not valid: ${why}`;
      }
      // A secret value is never shown: the key and the expected shape say enough.
      return `${where}: ${issue.message} (got ${describeValue(issue.input, secretExposure(key, issue.path))})`;
    })
    .join("\n");
}

/** Parses `value` with `schema`, or throws one ConfigError listing every problem. */
export function parseConfigValue<S extends z.ZodType>(key: string, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(`Invalid configuration:\n${formatIssues(key, result.error.issues)}`);
  }
  return result.data;
}
