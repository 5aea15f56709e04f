/**
 * Runs the real program (`index.ts`) under Pulumi mocks for a stack and config, and helps
 * tests find what it declared.
 */
import * as path from "node:path";
import { expect } from "vitest";
import { isKubernetesObject, toManifest } from "../../offline/manifests";
import { RenderedBeta, renderBetaWith } from "../../offline/render-beta";
import { OfflineRunError, runOffline } from "../../offline/run-offline";
import { readStackConfigFile } from "../../offline/stack-file";
import { DeclaredResource, OfflineRun } from "../../offline/types";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEV_CONFIG_FILE = path.join(REPO_ROOT, "Pulumi.dev.yaml");

/** The example platform config shipped in `Pulumi.dev.yaml`, as plain values. */
export function devPlatformConfig(): Record<string, unknown> {
  return readStackConfigFile(DEV_CONFIG_FILE);
}

/** A small platform on an adopted cluster, without AWS: the base most tests vary. */
export function kubeconfigPlatformConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    domain: "beta.example.com",
    releaseTag: "master-3f2c1ab",
    cluster: { provider: "kubeconfig", kubeconfig: TEST_KUBECONFIG },
    apps: [
      { name: "web", image: "registry.example.com/web", port: 3000, healthPath: "/healthz", default: true },
      { name: "api", image: "registry.example.com/api", port: 4000 },
    ],
    sharedServices: [
      { name: "billing", host: "billing.internal.example.com", port: 8080, cidrs: ["10.0.8.0/24"] },
      { name: "postgres", host: "10.0.12.34", port: 5432 },
    ],
    developers: [{ name: "alice" }, { name: "bob" }],
    ...overrides,
  };
}

export const TEST_KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "shared",
  clusters: [{ name: "shared", cluster: { server: "https://k8s.example.com" } }],
  contexts: [
    { name: "shared", context: { cluster: "shared", user: "admin" } },
    { name: "other", context: { cluster: "shared", user: "admin" } },
  ],
  users: [{ name: "admin", user: { token: "test-token" } }],
});

export function runPlatform(config: Record<string, unknown> = devPlatformConfig(), stack = "dev"): Promise<OfflineRun> {
  return runOffline({ stack, config });
}

export function runBeta(
  name: string,
  betaConfig: Record<string, unknown> = {},
  platformConfig: Record<string, unknown> = devPlatformConfig(),
): Promise<RenderedBeta> {
  return renderBetaWith({ name, platformConfig, betaConfig });
}

/**
 * Runs a stack that must fail: returns the message, and asserts that the failing program
 * declared nothing but its platform reference first.
 */
export async function expectRejected(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof OfflineRunError) {
      const declared = error.declared.filter((r) => r.type !== "pulumi:pulumi:StackReference" && !r.read);
      expect(declared.map((r) => `${r.type} ${r.name}`), "declared before failing").toEqual([]);
    }
    return (error as Error).message;
  }
  throw new Error("expected the program to fail, but it succeeded");
}

export function kubernetesObjects(run: OfflineRun): Record<string, unknown>[] {
  return run.resources.filter(isKubernetesObject).map(toManifest);
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

/** The one object of `kind` named `name` (and in `namespace`, when given); fails otherwise. */
export function objectNamed(run: OfflineRun, kind: string, name: string, namespace?: string): KubernetesObject {
  const found = kubernetesObjects(run).filter((o) => {
    const object = o as unknown as KubernetesObject;
    return object.kind === kind && object.metadata.name === name && (namespace === undefined || object.metadata.namespace === namespace);
  });
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0] as unknown as KubernetesObject;
}

export function objectsOfKind(run: OfflineRun, kind: string): KubernetesObject[] {
  return kubernetesObjects(run).filter((o) => o.kind === kind) as unknown as KubernetesObject[];
}

export function resourcesOfType(run: OfflineRun, type: string): DeclaredResource[] {
  return run.resources.filter((r) => r.type === type && !r.read);
}
