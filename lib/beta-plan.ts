/**
 * What one Beta is made of, worked out as plain data from the platform's outputs and the
 * developer's config: which image each app runs, its env and replicas, and the URLs.
 */
import { CatalogApp, SharedService } from "./catalog";
import { AppOverride, BetaConfig, assertOverridesMatchCatalog } from "./beta-config";
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

/** A shared service as a Beta sees it: the name apps call and the DNS name behind it. */
export interface PlannedSharedService extends SharedService {
  target: string;
}

export interface BetaPlan {
  name: string;
  namespace: string;
  apps: PlannedApp[];
  sharedServices: PlannedSharedService[];
  url: string;
  urls: Record<string, string>;
  images: Record<string, string>;
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

  const apps = platform.apps.map((app) => planApp(app, name, platform, config.imageTag, config.apps[app.name]));
  return {
    name,
    namespace: betaNamespace(name),
    apps,
    sharedServices: platform.sharedServices.map((service) => ({ ...service, target: sharedServiceTarget(service, platform.clusterDomain) })),
    url: appUrl(platform.domain, name, "", true),
    urls: Object.fromEntries(apps.map((app) => [app.name, app.url])),
    images: Object.fromEntries(apps.map((app) => [app.name, app.imageRef])),
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
