import { DeclaredResource } from "./types";

/** True for Kubernetes objects the program creates (not providers, components or reads). */
export function isKubernetesObject(resource: DeclaredResource): boolean {
  return resource.custom && !resource.read && resource.type.startsWith("kubernetes:") && !resource.type.startsWith("pulumi:providers:");
}

/** The object as `kubectl apply` would take it: no Pulumi-only or empty fields. */
export function toManifest(resource: DeclaredResource): Record<string, unknown> {
  return prune(resource.inputs) as Record<string, unknown>;
}

function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, prune(v)]),
    );
  }
  return value;
}
