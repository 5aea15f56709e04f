import { hasUser, withLocalUser } from "../lib/kubeconfig";
import { readLocalKubeconfig } from "./local-kubeconfig";

/**
 * How a developer stack signs in to the platform's cluster: as whoever runs it. On EKS the
 * platform's kubeconfig runs `aws eks get-token` with the caller's own AWS identity; for an
 * adopted cluster it carries no user, and the caller's own kubeconfig supplies one.
 */
export function developerKubeconfig(platformKubeconfig: string): string {
  if (hasUser(platformKubeconfig)) return platformKubeconfig;
  const local = readLocalKubeconfig();
  return withLocalUser(platformKubeconfig, local.text, local.file);
}
