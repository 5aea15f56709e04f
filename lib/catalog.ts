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

export const appSpec = strictObject({
  name: appName,
  image: imageRepository,
  port,
  healthPath: z.string().regex(/^\/[^\s?#]*$/, "a path starting with '/', without spaces, '?' or '#'").optional(),
  env: envMap.optional(),
  default: z.boolean().optional(),
  replicas: replicas.optional(),
  resources: appResources.optional(),
  syncPath: z
    .string()
    .regex(/^\/[^\s]*$/, "an absolute path in the container, e.g. /app")
    // beta sync mirrors deletions into it, so it refuses the root (cli/sync/session.ts, validateRemotePath).
    .refine((value) => value.replace(/\/+$/, "").replace(/\/\.(?=\/|$)/g, "") !== "", "the app's source directory, not the container's root \"/\" (beta sync mirrors deletions into it)")
    .optional(),
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
      const resources = {
        requests: { ...DEFAULT_APP_RESOURCES.requests, ...definedOnly(app.resources?.requests) },
        limits: { ...DEFAULT_APP_RESOURCES.limits, ...definedOnly(app.resources?.limits) },
      };
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
      resources: {
        requests: { ...DEFAULT_APP_RESOURCES.requests, ...definedOnly(app.resources?.requests) },
        limits: { ...DEFAULT_APP_RESOURCES.limits, ...definedOnly(app.resources?.limits) },
      },
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
});

/** A shared service with the CIDRs a Beta may reach it at, resolved. */
export interface SharedService {
  name: string;
  host: string;
  port: number;
  cidrs: string[];
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
    });
  })
  .transform((services): SharedService[] =>
    services.map((service) => ({
      name: service.name,
      host: service.host,
      port: service.port,
      cidrs: service.cidrs ?? [`${service.host}/32`],
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

