/**
 * What one Beta is made of, worked out as plain data from the platform's outputs and the
 * developer's config: which image each app runs, its env and replicas, and the URLs.
 */
import { CatalogApp, SharedService } from "./catalog";
import { AppOverride, BetaConfig, assertOverridesMatchCatalog } from "./beta-config";
import { HOST_SEPARATOR, betaNamespace } from "./names";
import { PlatformOutputs } from "./platform-outputs";
import { Quota, assertWithinCeiling, mergeQuota } from "./quota";

export interface PlannedApp extends CatalogApp {
  /** `<image>:<tag>`, what the Deployment runs. */
  imageRef: string;
  tag: string;
  url: string;
}

export interface BetaPlan {
  name: string;
  namespace: string;
  owner: string;
  apps: PlannedApp[];
  sharedServices: SharedService[];
  quota: Quota;
  url: string;
  urls: Record<string, string>;
  images: Record<string, string>;
}

/** `https://<name>.<domain>` for the default app, `https://<app>--<name>.<domain>` for others. */
export function appUrl(domain: string, name: string, app: string, isDefault: boolean): string {
  return isDefault ? `https://${name}.${domain}` : `https://${app}${HOST_SEPARATOR}${name}.${domain}`;
}

export function planBeta(name: string, platform: PlatformOutputs, config: BetaConfig): BetaPlan {
  assertOverridesMatchCatalog(config.apps, platform.apps);
  const quota = mergeQuota(platform.quota.default, config.quota);
  assertWithinCeiling(quota, platform.quota.ceiling);

  const apps = platform.apps.map((app) => planApp(app, name, platform, config.imageTag, config.apps[app.name]));
  return {
    name,
    namespace: betaNamespace(name),
    owner: config.owner ?? name,
    apps,
    sharedServices: platform.sharedServices,
    quota,
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
    env: { ...app.env, ...override?.env },
    replicas: override?.replicas ?? app.replicas,
    tag,
    imageRef: `${app.image}:${tag}`,
    url: appUrl(platform.domain, name, app.name, app.default),
  };
}
