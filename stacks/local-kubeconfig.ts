import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../lib/config-error";

/** The kubeconfig of the person running the stack: its text and where it came from. */
export interface LocalKubeconfig {
  file: string;
  text: string;
}

type Reader = () => LocalKubeconfig;

/** The first file of $KUBECONFIG, else ~/.kube/config, as kubectl reads it. */
export function localKubeconfigFile(): string {
  return (process.env.KUBECONFIG ?? "").split(path.delimiter).find(Boolean) ?? path.join(os.homedir(), ".kube", "config");
}

function readMachineKubeconfig(): LocalKubeconfig {
  const file = localKubeconfigFile();
  try {
    return { file, text: fs.readFileSync(file, "utf8") };
  } catch (error) {
    throw new ConfigError(`The kubeconfig ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"}); set KUBECONFIG to the file that signs you in to the cluster`);
  }
}

let reader: Reader = readMachineKubeconfig;

/** Read lazily: only stacks that adopt a cluster by context, or sign in with local credentials, need it. */
export function readLocalKubeconfig(): LocalKubeconfig {
  return reader();
}

/** Offline runs stand in for the machine's kubeconfig, so `beta render` reads no file. */
export function useLocalKubeconfig(replacement: Reader | undefined): void {
  reader = replacement ?? readMachineKubeconfig;
}
