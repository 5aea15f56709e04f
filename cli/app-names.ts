/** Checking an app name a person typed against the apps there are, with "did you mean". */
import { UsageError } from "./errors";
import { defaultPlatformFile } from "./platform-file";

/** Edit distance, for suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}

/** The closest known name within two edits, if any. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const ranked = known.map((k) => ({ k, d: distance(name, k) })).filter((r) => r.d <= 2).sort((x, y) => x.d - y.d);
  return ranked[0]?.k;
}

/** Throws a usage error when `app` is not one of `known` (the Beta's apps), suggesting the closest. */
export function assertKnownApp(app: string, known: readonly string[], beta: string): void {
  if (known.length === 0 || known.includes(app)) return;
  const suggestion = closest(app, known);
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
