/** `beta kubeconfig [name]`: a kubectl context `beta-<name>` for the Beta's namespace on the platform's cluster. */
import { Command } from "commander";
import { DEFAULT_PLATFORM_STACK } from "../../lib/stack-names";
import type { CliDeps } from "../deps";
import { CliError } from "../errors";
import { chooseBeta, withExamples } from "../command-helpers";
import { stringOutput } from "../stack-outputs";


interface KubeconfigOptions {
  print?: boolean;
  platformStack: string;
}

export function registerKubeconfigCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("kubeconfig")
    .description("Add a kubectl context beta-<name> for your Beta's namespace on the platform's cluster (or print it)")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option("--print", "print a kubeconfig with that context alone to stdout; change no file")
    .option("--platform-stack <stack>", "the platform stack whose cluster to use", DEFAULT_PLATFORM_STACK)
    .action(async (given: string | undefined, options: KubeconfigOptions) => kubeconfig(deps, given, options));
  withExamples(command, [
    "beta kubeconfig                      # merge context beta-<you> into $KUBECONFIG or ~/.kube/config",
    "beta kubeconfig alice --print > alice.kubeconfig",
    "kubectl --context beta-alice get pods",
  ], `
The context points at the platform's cluster (the platform stack's kubeconfig output) and the
namespace beta-<name>. On EKS its user runs \`aws eks get-token --cluster-name <clusterName>\`
with your own AWS identity (the platform maps it to Kubernetes user <name>). On an adopted
cluster the platform hands out no credentials: the user of a context you already have for the
same server is reused; without one, ask a platform engineer for credentials.`);
}

async function kubeconfig(deps: CliDeps, given: string | undefined, options: KubeconfigOptions): Promise<void> {
  const { betaContext, kubeconfigFile, mergeBetaContext, parseKubeconfig, standaloneBetaKubeconfig } = await import("../kubeconfig-context.js");
  const { stringify } = await import("yaml");
  const { name } = chooseBeta(given, deps, "kubeconfig");
  const outputs = await (await deps.gateway()).outputs(options.platformStack);
  const platformText = stringOutput(outputs, "kubeconfig");
  if (!platformText) {
    throw new CliError(
      `The platform stack ${options.platformStack} has no kubeconfig output.`,
      `Is it deployed (\`pulumi stack output --stack ${options.platformStack}\`)? Ask a platform engineer to run \`pulumi up --stack ${options.platformStack}\`.`,
    );
  }
  const platform = parseKubeconfig(platformText, `The platform stack ${options.platformStack}'s kubeconfig output`);
  const file = kubeconfigFile(deps.env);
  const existing = deps.readFile(file);
  const local = existing === undefined ? {} : parseKubeconfig(existing, `Your kubeconfig ${file}`);
  const context = betaContext(platform, local, name, { clusterName: stringOutput(outputs, "clusterName") });
  if (context.reusedFrom) {
    deps.stderr.write(`Using the credentials of your context ${context.reusedFrom} (user ${context.userName}), which reaches the same cluster.\n`);
  }
  if (options.print) {
    deps.stdout.write(stringify(standaloneBetaKubeconfig(local, context)));
    return;
  }
  deps.writeFile(file, stringify(mergeBetaContext(local, context)), { private: true });
  deps.stderr.write(
    `Added context ${context.contextName} (namespace ${context.namespace}) to ${file} and made it current.\n` +
      `Try: kubectl get pods     (or beta status ${name})\n`,
  );
}
