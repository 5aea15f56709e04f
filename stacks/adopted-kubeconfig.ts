import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../lib/config-error";
import { minifyKubeconfig } from "../lib/kubeconfig";
import { PlatformConfig } from "../lib/platform-config";

/**
 * The kubeconfig of an adopted cluster, reduced to one context: the one in config, or the
 * local kubeconfig's when only a context is named. Checked before anything is declared.
 */
export function adoptedKubeconfig(cluster: PlatformConfig["cluster"]): string | undefined {
  if (cluster.provider !== "kubeconfig") return undefined;
  return minifyKubeconfig(cluster.kubeconfig ?? readLocalKubeconfig(), cluster.context);
}

function readLocalKubeconfig(): string {
  const file = (process.env.KUBECONFIG ?? "").split(path.delimiter).find(Boolean) ?? path.join(os.homedir(), ".kube", "config");
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `beta:cluster.context is set but the kubeconfig ${file} cannot be read (${(error as Error).message}); set KUBECONFIG or beta:cluster.kubeconfig`,
    );
  }
}
