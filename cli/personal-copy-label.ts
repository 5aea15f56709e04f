/**
 * How a Beta's personal copy of a shared service is told apart from its apps in the cluster:
 * its Deployment carries a label. Free of zod and YAML, so `beta status` loads it at start-up.
 */
import type { KubectlRunner } from "./deps";
import { contextArgs, kubectlJson } from "./kubectl";
import { PERSONAL_COPY_LABEL } from "../lib/platform-names";

/** The label on a personal copy's Deployment and pods (value "true"), as the program sets it. */
export { PERSONAL_COPY_LABEL };

/** True when `namespace` runs a Deployment of `service` labelled as a personal copy (what `beta up --service` makes). */
export async function personalCopyRunning(kubectl: KubectlRunner, namespace: string, service: string, context: string | undefined): Promise<boolean> {
  const list = await kubectlJson(kubectl, [...contextArgs(context), "get", "deployments", "-n", namespace, "-l", `app.kubernetes.io/name=${service},${PERSONAL_COPY_LABEL}=true`, "-o", "json"]);
  const items = (list as { items?: unknown } | null)?.items;
  return Array.isArray(items) && items.length > 0;
}
