/** Fixed names of platform-owned namespaces and objects that Betas and tools refer to. */

/** The uber router's namespace. Never starts with `beta-`. */
export const ROUTER_NAMESPACE = "uber";
/** Platform-run shared services and the image pre-puller. */
export const SHARED_NAMESPACE = "shared";
/** Secret in each Beta holding the platform's `appSecrets` as env. */
export const APP_SECRETS_NAME = "app-secrets";
/** Kubernetes group of the identity developer stacks deploy with. */
export const DEPLOYER_GROUP = "beta-deployers";

/** Labels on every app's pods; `app.kubernetes.io/name` is what the router and `beta sync` select on. */
export function appLabels(app: string): Record<string, string> {
  return { "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "beta" };
}
