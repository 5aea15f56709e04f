import { minifyKubeconfig } from "../lib/kubeconfig";
import { PlatformConfig } from "../lib/platform-config";
import { readLocalKubeconfig } from "./local-kubeconfig";

/**
 * The kubeconfig of an adopted cluster, reduced to one context: the one in config, or the
 * local kubeconfig's when only a context is named. Checked before anything is declared.
 */
export function adoptedKubeconfig(cluster: PlatformConfig["cluster"]): string | undefined {
  if (cluster.provider !== "kubeconfig") return undefined;
  return minifyKubeconfig(cluster.kubeconfig ?? readLocalKubeconfig(cluster.context).text, cluster.context);
}
