import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../lib/config-error";
import { unreadableKubeconfigMessage } from "../lib/kubeconfig";

/** The kubeconfig of the person running the stack: its text and where it came from. */
export interface LocalKubeconfig {
  file: string;
  text: string;
}

/** `context`: the context the stack wants from it, named in the error when the file is missing. */
type Reader = (context?: string) => LocalKubeconfig;

/** The first file of $KUBECONFIG, else ~/.kube/config, as kubectl reads it. */
export function localKubeconfigFile(): string {
  return (process.env.KUBECONFIG ?? "").split(path.delimiter).find(Boolean) ?? path.join(os.homedir(), ".kube", "config");
}

function readMachineKubeconfig(context?: string): LocalKubeconfig {
  const file = localKubeconfigFile();
  try {
    return { file, text: fs.readFileSync(file, "utf8") };
  } catch (error) {
    throw new ConfigError(unreadableKubeconfigMessage(file, (error as NodeJS.ErrnoException).code, context));
  }
}

let reader: Reader = readMachineKubeconfig;

/** Read lazily: only stacks that adopt a cluster by context, or sign in with local credentials, need it. */
export function readLocalKubeconfig(context?: string): LocalKubeconfig {
  return reader(context);
}

/** Offline runs stand in for the machine's kubeconfig, so `beta render` reads no file. */
export function useLocalKubeconfig(replacement: Reader | undefined): void {
  reader = replacement ?? readMachineKubeconfig;
}
