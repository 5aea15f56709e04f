/** `beta shell [name] [app]`: a shell in a running pod of an app of a Beta. */
import { Command } from "commander";
import { assertAppName } from "../../lib/names";
import { summariseApps } from "../app-status";
import type { CliDeps } from "../deps";
import { CliError, SilentExit } from "../errors";
import { asUsageError, chooseBeta, withExamples } from "../command-helpers";
import { refuseAppAsBetaName } from "../app-names";
import { contextArgs, kubectlJson } from "../kubectl";
import { defaultAppFromPlatformFile, defaultPlatformFile } from "../platform-file";

interface ShellOptions {
  context?: string;
  command: string;
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === "object" ? (value as Json) : {});

/** The app to enter when none is given: the only one running, else the platform's default app. */
async function defaultApp(deps: CliDeps, name: string, stack: string, context: string | undefined): Promise<string> {
  const apps = summariseApps(await kubectlJson(deps.kubectl(), [...contextArgs(context), "get", "deploy", "-n", stack, "-o", "json"])).map((a) => a.app);
  if (apps.length === 1) return apps[0];
  if (apps.length === 0) throw new CliError(`Beta ${name} has no apps (namespace ${stack} is empty or missing).`, `Create it with \`beta up ${name}\`.`);
  const configured = await defaultAppFromPlatformFile(defaultPlatformFile(deps.workDir));
  if (configured && apps.includes(configured)) return configured;
  throw new CliError(`Which app? Beta ${name} runs ${apps.join(", ")}.`, `Name one: beta shell ${name} <app>`);
}

export function registerShellCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("shell")
    .description("Open a shell in a running pod of an app of a Beta (kubectl exec -it ... -- sh)")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .argument("[app]", "app name (default: the Beta's default app)")
    .option("--command <program>", "program to run instead of sh", "sh")
    .option("--context <context>", "kubeconfig context to use (default: kubectl's current one)")
    .action(async (given: string | undefined, appGiven: string | undefined, options: ShellOptions) => {
      await refuseAppAsBetaName(given, appGiven, deps.workDir, "shell");
      const { name, stack } = chooseBeta(given, deps, "shell");
      const app = appGiven !== undefined ? asUsageError(() => assertAppName(appGiven)) : await defaultApp(deps, name, stack, options.context);
      const kubectl = deps.kubectl();
      const pods = await kubectlJson(kubectl, [
        ...contextArgs(options.context), "get", "pods", "-n", stack, "-l", `app.kubernetes.io/name=${app}`,
        "--field-selector=status.phase=Running", "-o", "json",
      ]);
      const pod = (Array.isArray(obj(pods).items) ? (obj(pods).items as unknown[]) : [])
        .map((item) => obj(obj(item).metadata).name)
        .find((podName): podName is string => typeof podName === "string");
      if (!pod) {
        throw new CliError(`No running pod of app ${app} in Beta ${name}.`, `\`beta status ${name}\` shows why; \`beta logs ${name} ${app}\` shows its logs.`);
      }
      deps.stderr.write(`Entering ${pod} (app ${app}, namespace ${stack}); exit to leave.\n`);
      const code = await kubectl.attach([...contextArgs(options.context), "exec", "-it", "-n", stack, pod, "--", options.command]);
      if (code !== 0) throw new SilentExit(code);
    });
  withExamples(command, ["beta shell               # the default app of your Beta", "beta shell alice api", "beta shell alice web --command bash"]);
}
