/** Checking an app name a person typed against the apps there are, with "did you mean". */
import { closestName } from "../lib/closest-name";
import { UsageError } from "./errors";
import { defaultPlatformFile } from "./platform-file";

/** Throws a usage error when `app` is not one of `known` (the Beta's apps), suggesting the closest. */
export function assertKnownApp(app: string, known: readonly string[], beta: string): void {
  if (known.length === 0 || known.includes(app)) return;
  const suggestion = closestName(app, known);
  throw new UsageError(`Beta ${beta} has no app ${JSON.stringify(app)}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : "."}`, `Its apps: ${[...known].sort().join(", ")}.`);
}

/** The platform catalog's app names from the platform file, or [] when there is none. */
export async function catalogAppNames(workDir: string): Promise<string[]> {
  try {
    const { readStackConfigFile } = await import("../offline/stack-file.js");
    const apps = readStackConfigFile(defaultPlatformFile(workDir)).apps;
    return Array.isArray(apps) ? apps.map((a) => (a as { name?: unknown }).name).filter((n): n is string => typeof n === "string") : [];
  } catch {
    return [];
  }
}

/**
 * `beta logs api` where `api` is an app, not a Beta: the first argument is the Beta's name,
 * so say so instead of looking for a Beta named `api`.
 */
export async function refuseAppAsBetaName(given: string | undefined, app: string | undefined, workDir: string, verb: string): Promise<void> {
  if (given === undefined || app !== undefined) return;
  if (!(await catalogAppNames(workDir)).includes(given)) return;
  throw new UsageError(
    `${JSON.stringify(given)} is an app, not a Beta: the first argument of beta ${verb} is the Beta's name.`,
    `For app ${given} of your own Beta: beta ${verb} <your name> ${given} (or set BETA_NAME and run beta ${verb} "$BETA_NAME" ${given}).`,
  );
}
