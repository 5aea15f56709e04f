/** The platform stack's config file in the repository (`Pulumi.dev.yaml`), read without Pulumi. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PLATFORM_STACK } from "../lib/stack-names";

/** `<workDir>/Pulumi.<stack>.yaml`. */
export function stackFile(workDir: string, stack: string): string {
  return join(workDir, `Pulumi.${stack}.yaml`);
}

export function defaultPlatformFile(workDir: string): string {
  return stackFile(workDir, DEFAULT_PLATFORM_STACK);
}

/** The app marked `default: true` in the platform file's `beta:apps`, or undefined. */
export async function defaultAppFromPlatformFile(file: string): Promise<string | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    // Loaded here: YAML parsing is not needed at start-up.
    const { readStackConfigFile } = await import("../offline/stack-file.js");
    const apps = readStackConfigFile(file).apps;
    if (!Array.isArray(apps)) return undefined;
    const found = apps.find((app): app is { name: string } => {
      const entry = app as { name?: unknown; default?: unknown } | null;
      return entry?.default === true && typeof entry.name === "string";
    });
    return found?.name;
  } catch {
    return undefined;
  }
}
