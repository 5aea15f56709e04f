/**
 * Runs the real program (`index.ts`) for one stack under Pulumi's mock runtime: every
 * resource is declared exactly as in `pulumi up`, but recorded instead of created.
 */
import * as pulumi from "@pulumi/pulumi";
import main from "../index";
import { SECRET_CONFIG_KEYS } from "../lib/secret-config";
import { CONFIG_NAMESPACE, encodeStackConfig } from "../lib/stack-config";
import { LocalKubeconfig, useLocalKubeconfig } from "../stacks/local-kubeconfig";
import { DISABLE_DEFAULT_PROVIDERS_KEY } from "../stacks/stack-config";
import { MockCloud, MockCloudOptions } from "./mock-cloud";
import { DeclaredResource, OfflineRun } from "./types";

export const OFFLINE_PROJECT = "beta";
export const OFFLINE_ORGANIZATION = "organization";

export interface RunOfflineOptions extends MockCloudOptions {
  /** Stack name: `beta-<name>` runs the developer program, anything else the platform. */
  stack: string;
  /** The stack's `beta:` config as plain values (keys without the namespace). */
  config: Record<string, unknown>;
  /** Stands in for the machine's kubeconfig; the machine's file is read when absent. */
  localKubeconfig?: LocalKubeconfig;
  /**
   * Keys (without the namespace) that were set as secrets, reported to the program as Pulumi
   * reports them (PULUMI_CONFIG_SECRET_KEYS). Default: every secret-bearing key given, as if
   * set with `--secret`; a stack file's own list comes from `readStackConfigFileSecretKeys`.
   */
  secretKeys?: readonly string[];
}

export async function runOffline(options: RunOfflineOptions): Promise<OfflineRun> {
  const cloud = new MockCloud(options);
  await pulumi.runtime.setMocks(cloud, OFFLINE_PROJECT, options.stack, options.preview ?? false, OFFLINE_ORGANIZATION);
  recordRegistrations(cloud);
  const secretKeys = options.secretKeys ?? SECRET_CONFIG_KEYS.filter((key) => options.config[key] !== undefined);
  pulumi.runtime.setAllConfig(
    { ...encodeStackConfig(options.config), [DISABLE_DEFAULT_PROVIDERS_KEY]: '["*"]' },
    secretKeys.map((key) => `${CONFIG_NAMESPACE}:${key}`),
  );

  let outputs: unknown;
  const standIn = options.localKubeconfig;
  useLocalKubeconfig(standIn && (() => standIn));
  // A registration the stand-in cloud refuses fails inside the SDK's own promises, not `main`:
  // end the run with it, as `pulumi up` would, instead of waiting for outputs that never come.
  let refused: (reason: unknown) => void = () => undefined;
  const refusal = new Promise<never>((_, reject) => (refused = reject));
  process.on("unhandledRejection", refused);
  try {
    const run = async () => {
      const result = await main();
      // A preview leaves computed outputs unknown, and an apply over an unknown never runs.
      const settled = options.preview ? {} : await settle(result);
      // Resources whose inputs were still resolving when `main` returned are registered by now.
      await waitForPendingRegistrations();
      return settled;
    };
    outputs = await Promise.race([run(), refusal]);
  } catch (error) {
    throw new OfflineRunError(error, cloud.resources);
  } finally {
    process.off("unhandledRejection", refused);
    useLocalKubeconfig(undefined);
  }
  return { stack: options.stack, resources: cloud.resources, outputs: outputs as Record<string, unknown> };
}

/** The program failed; `declared` is what it had declared before it did. */
export class OfflineRunError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly declared: DeclaredResource[],
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = "OfflineRunError";
  }
}

/** The plain value of an object that may hold Outputs (secrets included). */
function settle<T>(value: T): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => {
    pulumi.output(value).apply((plain) => {
      resolve(plain as pulumi.Unwrap<T>);
      return plain;
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
  waitForRPCs?: () => Promise<void>;
  getMonitor: () => MockMonitorLike | undefined;
};

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getRemote(): boolean;
}
interface MockMonitorLike {
  registerResource(req: RegisterRequest, callback: unknown): unknown;
  newUrn(parent: string, type: string, name: string): string;
}

async function waitForPendingRegistrations(): Promise<void> {
  await settings.waitForRPCs?.();
}

/** The mock monitor drops dependencies before calling the mocks; note them on the way in. */
function recordRegistrations(cloud: MockCloud): void {
  const monitor = settings.getMonitor();
  if (!monitor) return;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    cloud.noteRegistration(req.getType(), req.getName(), monitor.newUrn(req.getParent(), req.getType(), req.getName()), req.getDependenciesList(), req.getRemote());
    return register(req, callback);
  };
}
