/** The platform stack's config file in the repository (`Pulumi.dev.yaml`), read without Pulumi. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_PLATFORM_STACK } from "../lib/beta-config";
import { readStackConfigFile } from "../offline/stack-file";

/** `<workDir>/Pulumi.<stack>.yaml`. */
export function stackFile(workDir: string, stack: string): string {
  return join(workDir, `Pulumi.${stack}.yaml`);
}

export function defaultPlatformFile(workDir: string): string {
  return stackFile(workDir, DEFAULT_PLATFORM_STACK);
}

/** The app marked `default: true` in the platform file's `beta:apps`, or undefined. */
export function defaultAppFromPlatformFile(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  try {
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
