/**
 * The app catalog and shared backends: what every Beta runs and talks to. Defined once here,
 * read by the platform from its config and by developer stacks from the platform's outputs.
 */
import { z } from "zod";
import {
  appName,
  backendHost,
  cidr,
  cpuAndMemory,
  envMap,
  imageRepository,
  isIPv4,
  port,
  replicas,
  strictObject,
} from "./config-rules";
import { definedOnly } from "./defined-only";
import { requestsAboveLimits } from "./quota";

export const DEFAULT_SYNC_PATH = "/app";

export const appResources = strictObject({
  /** What the scheduler reserves for each container. */
  requests: cpuAndMemory.optional(),
  /** The most each container may use. */
  limits: cpuAndMemory.optional(),
});

export const DEFAULT_APP_RESOURCES = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { cpu: "1", memory: "1Gi" },
} as const;

/** Where the probes ask; a TCP check when absent. */
const healthPath = z.string().regex(/^\/[^\s?#]*$/, "a path starting with '/', without spaces, '?' or '#'");

/** The source directory in the container: the workingDir `beta sync` copies into. */
const syncPath = z
  .string()
  .regex(/^\/[^\s]*$/, "an absolute path in the container, e.g. /app")
  // beta sync mirrors deletions into it, so it refuses the root (cli/sync/session.ts, validateRemotePath).
  .refine((value) => value.replace(/\/+$/, "").replace(/\/\.(?=\/|$)/g, "") !== "", "the app's source directory, not the container's root \"/\" (beta sync mirrors deletions into it)");

/** Requests and limits with the catalog's defaults filled in. */
export function resolveResources(resources: z.output<typeof appResources> | undefined): CatalogApp["resources"] {
  return {
    requests: { ...DEFAULT_APP_RESOURCES.requests, ...definedOnly(resources?.requests) },
    limits: { ...DEFAULT_APP_RESOURCES.limits, ...definedOnly(resources?.limits) },
  };
}

export const appSpec = strictObject({
  name: appName,
  image: imageRepository,
  port,
  healthPath: healthPath.optional(),
  env: envMap.optional(),
  default: z.boolean().optional(),
  replicas: replicas.optional(),
  resources: appResources.optional(),
  syncPath: syncPath.optional(),
});

/** A catalog app with its defaults filled in. */
export interface CatalogApp {
  name: string;
  image: string;
  port: number;
  healthPath?: string;
  env: Record<string, string>;
  default: boolean;
  replicas: number;
  resources: {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
  };
  syncPath: string;
}

/** The catalog: unique names, exactly one `default: true`. */
export const appCatalog = z
  .array(appSpec, { error: "a list of apps" })
  .min(1, "list at least one app")
  .superRefine((apps, ctx) => {
    const seen = new Set<string>();
    apps.forEach((app, index) => {
      if (seen.has(app.name)) {
        ctx.addIssue({ code: "custom", path: [index, "name"], message: `app name ${JSON.stringify(app.name)} is listed twice; names must be unique`, input: app.name });
      }
      seen.add(app.name);
    });
    apps.forEach((app, index) => {
      const resources = resolveResources(app.resources);
      for (const problem of requestsAboveLimits(resources.requests, resources.limits)) {
        ctx.addIssue({ code: "custom", path: [index, "resources"], message: problem, input: app.resources ?? {} });
      }
    });
    const defaults = apps.filter((app) => app.default === true).map((app) => app.name);
    if (defaults.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          defaults.length === 0
            ? "exactly one app must have default: true (it serves https://<name>.<domain>); none has"
            : `exactly one app must have default: true; ${defaults.join(", ")} all have it`,
        input: defaults,
      });
    }
  })
  .transform((apps): CatalogApp[] =>
    apps.map((app) => ({
      name: app.name,
      image: app.image,
      port: app.port,
      healthPath: app.healthPath,
      env: app.env ?? {},
      default: app.default ?? false,
      replicas: app.replicas ?? 1,
      resources: resolveResources(app.resources),
      syncPath: app.syncPath ?? DEFAULT_SYNC_PATH,
    })),
  );

export const sharedServiceSpec = strictObject({
  /** The name apps use: `http://<name>` resolves to the backend in every Beta. */
  name: appName,
  /** A DNS name (each Beta's Service is an ExternalName to it) or an IPv4 address (kept in `shared`). */
  host: backendHost,
  port,
  /**
   * Where a Beta's pods may connect for this service (NetworkPolicy cannot name hosts). Required
   * for a DNS name; an IPv4 host is its own /32. "0.0.0.0/0" only when written here.
   */
  cidrs: z.array(cidr).min(1, "list at least one CIDR").optional(),
  // How a Beta runs its own copy (`beta:services`), the same keys as a catalog app's; `port`
  // above is both the shared port and the one the copy serves on.
  /** The repository the company builds this service into, without tag: copies run `<image>:<tag>`. */
  image: imageRepository.optional(),
  healthPath: healthPath.optional(),
  env: envMap.optional(),
  resources: appResources.optional(),
  syncPath: syncPath.optional(),
  /** Whether a Beta may run its own copy; true when `image` is given, unless set false. */
  copyable: z.boolean({ error: "true or false" }).optional(),
});

/** A shared service with the CIDRs a Beta may reach it at, and how to run a copy of it, resolved. */
export interface SharedService {
  name: string;
  host: string;
  port: number;
  cidrs: string[];
  /** Repository without tag; absent when the platform names no image for it. */
  image?: string;
  healthPath?: string;
  env: Record<string, string>;
  resources: CatalogApp["resources"];
  syncPath: string;
  /** A Beta may run its own copy (`beta:services`); never without `image`. */
  copyable: boolean;
}

export const sharedServiceList = z
  .array(sharedServiceSpec, { error: "a list of shared services" })
  .superRefine((services, ctx) => {
    const seen = new Set<string>();
    services.forEach((service, index) => {
      if (seen.has(service.name)) {
        ctx.addIssue({ code: "custom", path: [index, "name"], message: `shared service ${JSON.stringify(service.name)} is listed twice`, input: service.name });
      }
      seen.add(service.name);
      if (!isIPv4(service.host) && !service.cidrs) {
        ctx.addIssue({
          code: "custom",
          path: [index, "cidrs"],
          message: `${JSON.stringify(service.host)} is a DNS name, so list the CIDRs it resolves into (e.g. ["10.0.8.0/24"]); a Beta may reach nothing else`,
          input: service.cidrs,
        });
      }
      if (service.copyable === true && service.image === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [index, "image"],
          message: `copyable: true needs the image a Beta's copy of ${JSON.stringify(service.name)} runs (a repository without tag, e.g. registry.example.com/team/${service.name})`,
          input: service.image,
        });
      }
      const resources = resolveResources(service.resources);
      for (const problem of requestsAboveLimits(resources.requests, resources.limits)) {
        ctx.addIssue({ code: "custom", path: [index, "resources"], message: problem, input: service.resources ?? {} });
      }
    });
  })
  .transform((services): SharedService[] =>
    services.map((service) => ({
      name: service.name,
      host: service.host,
      port: service.port,
      cidrs: service.cidrs ?? [`${service.host}/32`],
      image: service.image,
      healthPath: service.healthPath,
      env: service.env ?? {},
      resources: resolveResources(service.resources),
      syncPath: service.syncPath ?? DEFAULT_SYNC_PATH,
      copyable: service.copyable ?? service.image !== undefined,
    })),
  );

/** A shared service may not take an app's name: both become a Service in each Beta. */
export function sharedServiceNameClashes(apps: readonly { name: string }[], services: readonly SharedService[]): string[] {
  const appNames = new Set(apps.map((app) => app.name));
  return services.filter((service) => appNames.has(service.name)).map((service) => service.name);
}

export function defaultApp(apps: readonly CatalogApp[]): CatalogApp {
  const found = apps.find((app) => app.default);
  if (!found) throw new Error("the app catalog has no default app");
  return found;
}

