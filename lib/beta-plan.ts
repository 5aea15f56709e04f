/**
 * What one Beta is made of, worked out as plain data from the platform's outputs and the
 * developer's config: which image each app runs, its env and replicas, and the URLs.
 */
import { CatalogApp, SharedService } from "./catalog";
import { AppOverride, BetaConfig, PersonalCopyRequest, assertOverridesMatchCatalog } from "./beta-config";
import { closestName } from "./closest-name";
import { splitImageReference } from "./config-rules";
import { HOST_SEPARATOR, betaNamespace } from "./names";
import { PlatformOutputs } from "./platform-outputs";
import { ConfigError } from "./config-error";
import { sharedServiceTarget } from "./tenant-fence";

export interface PlannedApp extends CatalogApp {
  /** `<image>:<tag>`, what the Deployment runs. */
  imageRef: string;
  tag: string;
  url: string;
}

/** A container workload as planned for one Beta: what an app and a personal copy both run. */
export interface PlannedWorkload {
  name: string;
  /** What the Deployment runs: `<repository>:<tag>` or `<repository>@sha256:...`. */
  imageRef: string;
  /** The container's port, named `http`. */
  port: number;
  /** HTTP probes on this path; a TCP check when absent. */
  healthPath?: string;
  env: Record<string, string>;
  replicas: number;
  resources: CatalogApp["resources"];
  /** The container's workingDir, where `beta sync` copies to. */
  syncPath: string;
}

/**
 * A Beta's own copy of a shared service: a workload shaped like an app's, serving the shared
 * service's port under its name, so every app of the Beta calls it instead of the shared one.
 */
export type PlannedPersonalCopy = PlannedWorkload;

/** A shared service as a Beta sees it: the name apps call, the DNS name behind it, or its own copy. */
export interface PlannedSharedService extends SharedService {
  target: string;
  /** This Beta runs its own copy (`beta:services.<name>`) instead of using the shared one. */
  personalCopy?: PlannedPersonalCopy;
}

export interface BetaPlan {
  name: string;
  namespace: string;
  apps: PlannedApp[];
  sharedServices: PlannedSharedService[];
  url: string;
  urls: Record<string, string>;
  images: Record<string, string>;
  /** Shared service → the image of this Beta's personal copy of it (none: empty). */
  services: Record<string, string>;
}

/** `https://<name>.<domain>` for the default app, `https://<app>--<name>.<domain>` for others. */
export function appUrl(domain: string, name: string, app: string, isDefault: boolean): string {
  return isDefault ? `https://${name}.${domain}` : `https://${app}${HOST_SEPARATOR}${name}.${domain}`;
}

export function planBeta(name: string, platform: PlatformOutputs, config: BetaConfig): BetaPlan {
  if (!platform.developers.includes(name)) {
    throw new ConfigError(
      `${JSON.stringify(name)} is not a developer of the platform (developers: ${platform.developers.join(", ") || "none"}): ` +
        `the platform makes each developer's namespace beta-<name>. Ask a platform engineer to add ${name} to beta:developers and run \`pulumi up\` of the platform.`,
    );
  }
  assertOverridesMatchCatalog(config.apps, platform.apps);
  assertCopiesOfSharedServices(config.services, platform.sharedServices);

  const apps = platform.apps.map((app) => planApp(app, name, platform, config.imageTag, config.apps[app.name]));
  const sharedServices = platform.sharedServices.map((service): PlannedSharedService => {
    const request = config.services[service.name];
    return {
      ...service,
      target: sharedServiceTarget(service, platform.clusterDomain),
      ...(request ? { personalCopy: planPersonalCopy(service, request, name, platform.releaseTag) } : {}),
    };
  });
  return {
    name,
    namespace: betaNamespace(name),
    apps,
    sharedServices,
    url: appUrl(platform.domain, name, "", true),
    urls: Object.fromEntries(apps.map((app) => [app.name, app.url])),
    images: Object.fromEntries(apps.map((app) => [app.name, app.imageRef])),
    services: Object.fromEntries(sharedServices.flatMap((service) => (service.personalCopy ? [[service.name, service.personalCopy.imageRef]] : []))),
  };
}

/** Tag precedence: the app's own override, then the Beta's `imageTag`, then the release. */
function planApp(app: CatalogApp, name: string, platform: PlatformOutputs, betaTag: string | undefined, override: AppOverride | undefined): PlannedApp {
  const tag = override?.imageTag ?? betaTag ?? platform.releaseTag;
  return {
    ...app,
    // Which Beta an app runs in, for its logs and pages; set last so nothing overrides it.
    env: { ...app.env, ...override?.env, BETA_NAME: name, BETA_NAMESPACE: betaNamespace(name) },
    replicas: override?.replicas ?? app.replicas,
    tag,
    imageRef: `${app.image}:${tag}`,
    url: appUrl(platform.domain, name, app.name, app.default),
  };
}

/**
 * `beta:services` may name only shared services the platform lets a Beta copy, on their own
 * port: a copy on another port would not be the service every app calls.
 */
function assertCopiesOfSharedServices(requests: Record<string, PersonalCopyRequest>, services: readonly SharedService[]): void {
  const names = services.map((service) => service.name);
  for (const [name, request] of Object.entries(requests)) {
    const key = `beta:services.${name}`;
    const service = services.find((candidate) => candidate.name === name);
    if (!service) {
      const suggestion = closestName(name, names);
      throw new ConfigError(
        `${key}: ${JSON.stringify(name)} is not a shared service of the platform${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ""} ` +
          `(shared services: ${names.join(", ") || "none"}); a Beta can run its own copy of a shared service only`,
      );
    }
    if (!service.copyable) {
      const why = service.image === undefined ? "names no image for it (beta:sharedServices[].image)" : "marks it copyable: false";
      const copyable = services.filter((candidate) => candidate.copyable).map((candidate) => candidate.name);
      throw new ConfigError(
        `${key}: the platform ${why}, so a Beta cannot run its own copy of ${JSON.stringify(name)} (copyable shared services: ${copyable.join(", ") || "none"})`,
      );
    }
    if (request.port !== undefined && request.port !== service.port) {
      throw new ConfigError(
        `${key}.port: ${request.port} is not ${name}'s shared port ${service.port}; a copy serves the port every app already calls (http://${name}:${service.port}), so leave port out or set ${service.port}`,
      );
    }
  }
}

/**
 * Which image a copy runs: `image` as written when it names its build, else with `tag` or the
 * release tag added; without `image`, the platform's image for the service.
 */
function planPersonalCopy(service: SharedService, request: PersonalCopyRequest, name: string, releaseTag: string): PlannedPersonalCopy {
  const reference = request.image === undefined ? undefined : splitImageReference(request.image);
  const namesItsBuild = reference !== undefined && (reference.tag !== undefined || reference.digest !== undefined);
  const imageRef = namesItsBuild ? request.image! : `${request.image ?? service.image}:${request.tag ?? releaseTag}`;
  return {
    name: service.name,
    imageRef,
    port: service.port,
    healthPath: service.healthPath,
    // Which Beta it runs in, as for apps; set last so nothing overrides it.
    env: { ...service.env, BETA_NAME: name, BETA_NAMESPACE: betaNamespace(name) },
    replicas: 1,
    resources: service.resources,
    syncPath: service.syncPath,
  };
}
