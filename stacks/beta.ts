/**
 * A developer stack `beta-<name>`: reads the platform through a StackReference, validates
 * everything as plain values, and only then declares the Beta.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BetaEnvironment } from "../components/BetaEnvironment";
import { parseBetaConfig } from "../lib/beta-config";
import { planBeta } from "../lib/beta-plan";
import { assertDatabaseModeAvailable, readDatabasePlan } from "../lib/database-config";
import { developerNameFromStack } from "../lib/names";
import { PLATFORM_OUTPUT_NAMES, parsePlatformOutputs } from "../lib/platform-outputs";
import { qualifyStackName } from "../lib/stack-names";
import { developerKubeconfig } from "./developer-kubeconfig";
import { readStackConfig } from "./stack-config";

export interface BetaStackOutputs {
  /** `https://<name>.<domain>`, the default app. */
  url: string;
  /** App name → its URL. */
  urls: Record<string, string>;
  namespace: string;
  /** App name → `image:tag` it runs. */
  images: Record<string, string>;
  /** Shared service → `image:tag` of this Beta's personal copy of it (`beta:services`); empty when none. */
  services: Record<string, string>;
  /** `shared`, `isolated` or `ephemeral` (what `beta destroy` and `beta db` read). */
  database: string;
}

export async function betaProgram(stackName: string): Promise<BetaStackOutputs> {
  const name = developerNameFromStack(stackName);
  const config = parseBetaConfig(readStackConfig());

  const platformRef = new pulumi.StackReference("platform", {
    name: qualifyStackName(config.platformStack, pulumi.getOrganization(), pulumi.getProject()),
  });
  const rawOutputs = Object.fromEntries(
    await Promise.all(
      PLATFORM_OUTPUT_NAMES.map(async (output) => {
        const details = await platformRef.getOutputDetails(output);
        return [output, details.value ?? details.secretValue] as const;
      }),
    ),
  );
  const platform = parsePlatformOutputs(config.platformStack, rawOutputs);
  const plan = planBeta(name, platform, config);
  // Optional: a platform without beta:databases exports none.
  const databasesOutput = await platformRef.getOutputDetails("databases");
  const databases = readDatabasePlan(config.platformStack, databasesOutput.value ?? databasesOutput.secretValue);
  assertDatabaseModeAvailable(config.database, databases);

  // Everything goes to the platform's cluster, never to whatever a shell's kubeconfig points at;
  // it signs in as whoever runs the stack.
  const kubeconfig = developerKubeconfig(platform.kubeconfig);
  const provider = new k8s.Provider("cluster", { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true });
  new BetaEnvironment(plan.namespace, { plan, appSecrets: platform.appSecrets, database: { mode: config.database, plan: databases } }, { provider });

  return { url: plan.url, urls: plan.urls, namespace: plan.namespace, images: plan.images, services: plan.services, database: config.database };
}
