/** Fixed names of platform-owned namespaces and objects that Betas and tools refer to. */

/** The uber router's namespace. Never starts with `beta-`. */
export const ROUTER_NAMESPACE = "uber";
/** Platform-run shared services and the image pre-puller. */
export const SHARED_NAMESPACE = "shared";
/** Secret in each Beta holding the platform's `appSecrets` as env. */
export const APP_SECRETS_NAME = "app-secrets";
/** ConfigMap in `shared` listing the ExternalName targets a tenant Service may point at. */
export const SHARED_SERVICES_PARAMS = "beta-shared-services";

/** Label on every tenant namespace `beta-<name>`; its value is `<name>`. */
export const TENANT_LABEL = "beta/tenant";
/** ClusterRole a tenant's identities hold in their own namespace only. */
export const TENANT_ROLE = "beta-tenant";
/** Kubernetes group of CI's identity that runs `beta release`: `beta-tenant` in every tenant namespace. */
export const RELEASERS_GROUP = "beta-releasers";

/** Labels on every app's pods; `app.kubernetes.io/name` is what the router and `beta sync` select on. */
export function appLabels(app: string): Record<string, string> {
  return { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "beta" };
}

/** Label on a Beta's personal copy of a shared service (its pods and its Service); value `"true"`. */
export const PERSONAL_COPY_LABEL = "beta/personal-copy";

/** Labels on a personal copy's pods: an app's, so `beta sync` finds it, plus {@link PERSONAL_COPY_LABEL}. */
export function personalCopyLabels(service: string): Record<string, string> {
  return { ...appLabels(service), [PERSONAL_COPY_LABEL]: "true" };
}

/** Labels of the uber router's pods; tenants accept traffic from these pods only. */
export const ROUTER_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "uber-router", "app.kubernetes.io/part-of": "beta" };
