import { stringify } from "yaml";
import { LocalKubeconfig } from "../stacks/local-kubeconfig";
import { OFFLINE_CLUSTER_SERVER } from "./mock-cloud";

/**
 * What stands in for the machine's kubeconfig in `beta render`: one context with the given
 * name, pointing at `server`, signed in with a placeholder token. Offline runs read no file
 * and need no cluster.
 */
export function standInKubeconfig(server: string, context = "offline"): LocalKubeconfig {
  return {
    file: "(offline stand-in kubeconfig)",
    text: stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": context,
      clusters: [{ name: context, cluster: { server } }],
      contexts: [{ name: context, context: { cluster: context, user: "offline" } }],
      users: [{ name: "offline", user: { token: "offline-placeholder" } }],
    }),
  };
}

/** The stand-in for a platform stack: the context its `beta:cluster.context` names, if any. */
export function platformStandInKubeconfig(platformConfig: Record<string, unknown>): LocalKubeconfig {
  const cluster = platformConfig.cluster as { context?: unknown } | undefined;
  return standInKubeconfig(OFFLINE_CLUSTER_SERVER, typeof cluster?.context === "string" ? cluster.context : undefined);
}
