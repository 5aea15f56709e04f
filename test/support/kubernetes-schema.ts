/**
 * Validates a Kubernetes manifest against the Kubernetes API schema (OpenAPI, via
 * kubernetes-models), the way the API server would reject it. Any group kubernetes-models
 * ships works (core `v1`, `apps/v1`, `networking.k8s.io/v1`, `policy/v1`,
 * `rbac.authorization.k8s.io/v1`, `discovery.k8s.io/v1`, ...); an unknown apiVersion/kind
 * throws, so nothing passes unchecked.
 */
import { createRequire } from "node:module";

const requireModel = createRequire(__filename);

interface Model {
  validate(): void;
}
type ModelClass = (new (data: unknown) => Model) & { apiVersion?: string; kind?: string };

function modelFor(apiVersion: string, kind: string): ModelClass {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
    throw new Error(`No Kubernetes schema for ${apiVersion} ${kind}`);
  }
  const modulePath = `kubernetes-models/${apiVersion}/${kind}`;
  let loaded: Record<string, ModelClass>;
  try {
    loaded = requireModel(modulePath) as Record<string, ModelClass>;
  } catch {
    throw new Error(`No Kubernetes schema for ${apiVersion} ${kind}`);
  }
  const model = loaded[kind];
  // Nested types (e.g. ServiceSpec) live beside top-level kinds; only a real kind has these.
  if (!model || model.kind !== kind || model.apiVersion !== apiVersion) throw new Error(`No Kubernetes schema for ${apiVersion} ${kind}`);
  return model;
}

/** Throws, naming the object and the schema error, when `manifest` is not a valid object. */
export function validateManifest(manifest: Record<string, unknown>): void {
  const { apiVersion, kind } = manifest as { apiVersion?: string; kind?: string };
  if (!apiVersion || !kind) throw new Error(`Not a Kubernetes object (no apiVersion/kind): ${JSON.stringify(manifest).slice(0, 200)}`);
  const Model = modelFor(apiVersion, kind);
  const name = (manifest.metadata as { name?: string } | undefined)?.name;
  try {
    new Model(manifest).validate();
  } catch (error) {
    throw new Error(`${kind} ${name ?? "(no name)"} is not valid: ${(error as Error).message}`);
  }
}
