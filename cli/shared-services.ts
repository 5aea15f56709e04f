/**
 * The platform's shared services as the `beta` command needs them: their names (to check what
 * was typed, with "did you mean"), which a Beta may run a personal copy of, on which port, and
 * where `beta sync` writes into a copy. Read from the platform's stack file, without Pulumi.
 */
import { existsSync } from "node:fs";
import { DEFAULT_SYNC_PATH } from "../lib/catalog";
import { DEFAULT_PLATFORM_STACK } from "../lib/stack-names";
import { closestName } from "../lib/closest-name";
import { UsageError } from "./errors";
import { shortStackName } from "./fleet/stack-names";
import { stackFile } from "./platform-file";

export interface SharedServiceInfo {
  name: string;
  /** The port apps call it on; a personal copy serves the same one. */
  port?: number;
  /** The image repository a personal copy runs (without tag). */
  image?: string;
  /** `beta:sharedServices[].copyable`; default: true when the service names an image. */
  copyable: boolean;
  /** Where `beta sync` mirrors into a personal copy (`syncPath`, default /app). */
  syncPath: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * `beta:sharedServices` as written in a platform file, or the platform's `sharedServices`
 * output (the same fields, defaults resolved); entries without a name are left out.
 */
export function sharedServicesFrom(list: unknown): SharedServiceInfo[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).flatMap((entry) => {
    if (typeof entry.name !== "string") return [];
    const image = typeof entry.image === "string" && entry.image !== "" ? entry.image : undefined;
    return [
      {
        name: entry.name,
        port: typeof entry.port === "number" ? entry.port : undefined,
        image,
        copyable: typeof entry.copyable === "boolean" ? entry.copyable : image !== undefined,
        syncPath: typeof entry.syncPath === "string" ? entry.syncPath : DEFAULT_SYNC_PATH,
      },
    ];
  });
}

/** The shared services in `Pulumi.<platform stack>.yaml` under `workDir`; undefined when there is no such file. */
export async function sharedServicesFromPlatformFile(workDir: string, platformStack: string): Promise<SharedServiceInfo[] | undefined> {
  const file = stackFile(workDir, shortStackName(platformStack));
  if (!existsSync(file)) return undefined;
  // Loaded here: YAML parsing is not needed at start-up.
  const { readStackConfigFile } = await import("../offline/stack-file.js");
  return sharedServicesFrom(readStackConfigFile(file).sharedServices);
}

/**
 * The platform stack a Beta follows, from its own stack file (`beta:platformStack` in
 * `Pulumi.beta-<name>.yaml`, default dev), for verbs that do not ask Pulumi.
 */
export async function platformStackFromBetaFile(workDir: string, betaStack: string): Promise<string> {
  const file = stackFile(workDir, shortStackName(betaStack));
  if (!existsSync(file)) return DEFAULT_PLATFORM_STACK;
  try {
    const { readStackConfigFile } = await import("../offline/stack-file.js");
    const value = readStackConfigFile(file).platformStack;
    return typeof value === "string" && value !== "" ? value : DEFAULT_PLATFORM_STACK;
  } catch {
    return DEFAULT_PLATFORM_STACK;
  }
}

/** The shared service named `name`, or a usage error naming what was typed, the services there are and the closest one. */
export function findSharedService(name: string, services: readonly SharedServiceInfo[], context: { flag: string; platformStack: string }): SharedServiceInfo {
  const found = services.find((service) => service.name === name);
  if (found) return found;
  const names = services.map((service) => service.name).sort();
  const suggestion = closestName(name, names);
  throw new UsageError(
    `${context.flag} ${JSON.stringify(name)}: platform ${context.platformStack} has no shared service of that name${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : "."}`,
    names.length > 0 ? `Its shared services (beta:sharedServices): ${names.join(", ")}.` : `Platform ${context.platformStack} lists no shared services (beta:sharedServices).`,
  );
}
