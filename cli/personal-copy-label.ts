/**
 * How a Beta's personal copy of a shared service is told apart from its apps in the cluster:
 * its Deployment carries a label. Free of zod and YAML, so `beta status` loads it at start-up.
 */
import type { KubectlRunner } from "./deps";
import { contextArgs, kubectlJson } from "./kubectl";

/**
 * The label on a personal copy's Deployment (value "true"). The program's constant is
 * PERSONAL_COPY_LABEL in lib/platform-names.ts; this is the one place the command line spells it.
 */
export const PERSONAL_COPY_LABEL = "beta/personal-copy";

/** True when `namespace` runs a Deployment of `service` labelled as a personal copy (what `beta up --service` makes). */
export async function personalCopyRunning(kubectl: KubectlRunner, namespace: string, service: string, context: string | undefined): Promise<boolean> {
  const list = await kubectlJson(kubectl, [...contextArgs(context), "get", "deployments", "-n", namespace, "-l", `app.kubernetes.io/name=${service},${PERSONAL_COPY_LABEL}=true`, "-o", "json"]);
  const items = (list as { items?: unknown } | null)?.items;
  return Array.isArray(items) && items.length > 0;
}
