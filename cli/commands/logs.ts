/** `beta logs [name] [app] [-f]`: the logs of one app, or of every app, of a Beta. */
import { Command } from "commander";
import { assertAppName } from "../../lib/names";
import type { CliDeps } from "../deps";
import { SilentExit } from "../errors";
import { asUsageError, chooseBeta, intOption, withExamples } from "../command-helpers";
import { contextArgs, kubectlJson } from "../kubectl";
import { summariseApps } from "../app-status";
import { assertKnownApp, refuseAppAsBetaName } from "../app-names";

interface LogsOptions {
  follow?: boolean;
  tail: number;
  since?: string;
  context?: string;
}

/** kubectl arguments for `beta logs`. */
export function logsArgs(namespace: string, app: string | undefined, options: LogsOptions): string[] {
  const selector = app === undefined ? "app.kubernetes.io/part-of=beta" : `app.kubernetes.io/name=${app}`;
  return [
    ...contextArgs(options.context),
    "logs",
    "-n",
    namespace,
    "-l",
    selector,
    "--all-containers",
    "--prefix",
    "--max-log-requests=20",
    `--tail=${options.tail}`,
    ...(options.since ? [`--since=${options.since}`] : []),
    ...(options.follow ? ["--follow"] : []),
  ];
}

export function registerLogsCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("logs")
    .description("Print the logs of an app of a Beta (all apps when no app is given)")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .argument("[app]", "app name (default: every app, each line prefixed with its pod)")
    .option("-f, --follow", "keep streaming new lines")
    .option("--tail <lines>", "lines per container to start with", intOption(0), 100)
    .option("--since <duration>", "only lines newer than this, e.g. 10m or 1h")
    .option("--context <context>", "kubeconfig context to use (default: kubectl's current one)")
    .action(async (given: string | undefined, app: string | undefined, options: LogsOptions) => {
      await refuseAppAsBetaName(given, app, deps.workDir, "logs");
      const { name, stack } = chooseBeta(given, deps, "logs");
      if (app !== undefined) asUsageError(() => assertAppName(app));
      // One quick read first: an unreachable cluster or a mistyped app fails here, in seconds.
      const running = summariseApps(await kubectlJson(deps.kubectl(), [...contextArgs(options.context), "get", "deploy", "-n", stack, "-o", "json"])).map((a) => a.app);
      if (app !== undefined) assertKnownApp(app, running, name);
      const code = await deps.kubectl().attach(logsArgs(stack, app, options));
      if (code !== 0) throw new SilentExit(code);
    });
  withExamples(command, ["beta logs                # every app of your Beta", "beta logs alice web -f", "beta logs alice api --since 10m"]);
}
