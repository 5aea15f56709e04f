/**
 * `beta render`: the platform program and one developer program run offline, the way
 * `pulumi up` would run them, with the platform's outputs fed to the Beta's StackReference.
 */
import { parseBetaConfig } from "../lib/beta-config";
import { BETA_PREFIX } from "../lib/names";
import { qualifyStackName } from "../lib/stack-names";
import { SECRET_PLATFORM_OUTPUTS } from "../lib/platform-outputs";
import { kubeconfigServer } from "../lib/kubeconfig";
import { isKubernetesObject, toManifest } from "./manifests";
import { OFFLINE_CLUSTER_SERVER } from "./mock-cloud";
import { platformStandInKubeconfig, standInKubeconfig } from "./stand-in-kubeconfig";
import { OFFLINE_ORGANIZATION, OFFLINE_PROJECT, runOffline } from "./run-offline";
import { readStackConfigFile, readStackConfigFileSecretKeys, stackNameOfFile } from "./stack-file";
import { OfflineRun } from "./types";

export interface RenderBetaOptions {
  /** Developer name: renders stack `beta-<name>`. */
  name: string;
  /** The platform stack's config file, e.g. `Pulumi.dev.yaml`. */
  platformConfigFile: string;
  /** The Beta's own `beta:` config (keys without the namespace); none by default. */
  betaConfig?: Record<string, unknown>;
}

export interface RenderedBeta {
  platform: OfflineRun;
  beta: OfflineRun;
  /** The Beta's Kubernetes objects as plain manifests. */
  kubernetesObjects: Record<string, unknown>[];
  /** The router's nginx config as the platform renders it. */
  routerConfig: string;
}

export async function renderBeta(options: RenderBetaOptions): Promise<RenderedBeta> {
  return renderBetaWith({
    name: options.name,
    platformConfig: readStackConfigFile(options.platformConfigFile),
    platformSecretKeys: readStackConfigFileSecretKeys(options.platformConfigFile),
    platformStack: stackNameOfFile(options.platformConfigFile),
    betaConfig: options.betaConfig,
  });
}

export interface RenderBetaWithOptions {
  name: string;
  /** The platform's `beta:` config as plain values. */
  platformConfig: Record<string, unknown>;
  /** Its keys set as secrets; default: every secret-bearing key given (see RunOfflineOptions.secretKeys). */
  platformSecretKeys?: readonly string[];
  /** The platform stack's name; the Beta's `beta:platformStack` (default `dev`) when absent. */
  platformStack?: string;
  betaConfig?: Record<string, unknown>;
}

/** {@link renderBeta} with the platform config given as values instead of a file. */
export async function renderBetaWith(options: RenderBetaWithOptions): Promise<RenderedBeta> {
  // The program itself validates the name, as `pulumi up --stack beta-<name>` would.
  const stack = `${BETA_PREFIX}${options.name}`;
  const betaConfig = options.betaConfig ?? {};
  const platformStack = parseBetaConfig(betaConfig).platformStack;
  // Offline runs read no kubeconfig of the machine: a context the platform adopts, and the
  // developer's own sign-in to the platform's cluster, are stand-ins.
  const platform = await runOffline({
    stack: options.platformStack ?? platformStack.split("/").pop()!,
    config: options.platformConfig,
    secretKeys: options.platformSecretKeys,
    localKubeconfig: platformStandInKubeconfig(options.platformConfig),
  });
  const reference = qualifyStackName(platformStack, OFFLINE_ORGANIZATION, OFFLINE_PROJECT);
  const beta = await runOffline({
    stack,
    config: betaConfig,
    stackOutputs: { [reference]: { outputs: platform.outputs, secretOutputNames: [...SECRET_PLATFORM_OUTPUTS] } },
    localKubeconfig: standInKubeconfig(kubeconfigServer(String(platform.outputs.kubeconfig)) ?? OFFLINE_CLUSTER_SERVER),
  });
  return {
    platform,
    beta,
    kubernetesObjects: beta.resources.filter(isKubernetesObject).map(toManifest),
    routerConfig: routerConfigOf(platform),
  };
}

function routerConfigOf(platform: OfflineRun): string {
  const configMap = platform.resources.find(
    (r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs.metadata as { name?: string } | undefined)?.name === "router-config",
  );
  const data = configMap?.inputs.data as Record<string, string> | undefined;
  return Object.values(data ?? {})[0] ?? "";
}

