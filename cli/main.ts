/**
 * The `beta` command (bin/beta.cjs runs `main`). `buildProgram(deps)` is the whole command
 * line with its dependencies injected, for tests; `runCli` parses and returns the exit code.
 */
import { Command, CommanderError } from "commander";
import { version } from "../package.json";
import type { CliDeps } from "./deps";
import { USAGE_EXIT_CODE, describeFailure } from "./errors";
import { registerDbCommand } from "./commands/db";
import { registerCompletionCommand } from "./commands/completion";
import { registerDoctorCommand } from "./commands/doctor";
import { registerKubeconfigCommand } from "./commands/kubeconfig";
import { registerVersionCommand } from "./commands/version";
import { registerDestroyCommand } from "./commands/destroy";
import { registerListCommand } from "./commands/list";
import { registerLogsCommand } from "./commands/logs";
import { registerOpenCommand } from "./commands/open";
import { registerReapCommand } from "./commands/reap";
import { registerReleaseCommand } from "./commands/release";
import { registerRenderCommand } from "./commands/render";
import { registerShellCommand } from "./commands/shell";
import { registerStatusCommand } from "./commands/status";
import { registerSyncCommand } from "./commands/sync";
import { registerTestCommand } from "./commands/test";
import { registerUpCommand } from "./commands/up";
import { defaultAppFromPlatformFile, defaultPlatformFile } from "./platform-file";
import { catalogAppNames } from "./app-names";
import { betaStackName } from "../lib/names";
import { personalCopyRunning } from "./personal-copy-label";

const HELP_AFTER = `
Every verb takes the Beta's name as its first argument; without it, $BETA_NAME is used, else
your OS user name made into a valid name (lower case, '-' for anything else).

Environment:
  BETA_NAME      your Beta's name, when it is not your OS user name
  BETA_KUBECTL   the kubectl to run (default: kubectl on PATH)
  BETA_DEBUG     set to 1 for stack traces and Pulumi's full output on errors

Examples:
  $ beta doctor                   # is this machine ready? (one line per check)
  $ beta kubeconfig               # a kubectl context for your Beta's namespace
  $ beta up                       # create or update your Beta, print its URLs
  $ beta status                   # is every app ready?
  $ beta sync                     # mirror this directory into the default app
  $ beta render alice | less      # the Kubernetes objects, offline
  $ beta destroy --yes

Exit codes: 0 success, 1 failure, 2 usage error (unknown verb, bad option or argument).
`;

/** Exit codes a verb set without throwing (beta sync reports through a callback). */
const verbExitCodes = new WeakMap<Command, { code: number }>();

export function buildProgram(deps: CliDeps): Command {
  const state = { code: 0 };
  const program = new Command("beta")
    .description("A personal cloud environment for every developer, in one shared Kubernetes cluster")
    .version(version, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (text) => deps.stdout.write(text), writeErr: (text) => deps.stderr.write(text) })
    .showHelpAfterError("(run with --help for usage)")
    .showSuggestionAfterError()
    .addHelpText("after", HELP_AFTER);
  verbExitCodes.set(program, state);

  registerUpCommand(program, deps);
  registerStatusCommand(program, deps);
  registerSyncCommand(program, {
    env: { ...deps.env },
    userName: () => deps.osUserName() ?? "",
    streams: { stdout: deps.stdout, stderr: deps.stderr },
    defaultApp: () => defaultAppFromPlatformFile(defaultPlatformFile(deps.workDir)),
    knownApps: () => catalogAppNames(deps.workDir),
    sharedServices: async (name) => {
      // Loaded when a sync names something other than an app: it reads YAML and zod rules.
      const { platformStackFromBetaFile, sharedServicesFromPlatformFile } = await import("./shared-services.js");
      const platformStack = await platformStackFromBetaFile(deps.workDir, betaStackName(name));
      return (await sharedServicesFromPlatformFile(deps.workDir, platformStack)) ?? [];
    },
    personalCopyRunning: (namespace, service, context) => personalCopyRunning(deps.kubectl(), namespace, service, context),
    setExitCode: (code) => {
      state.code = code;
    },
  });
  registerLogsCommand(program, deps);
  registerShellCommand(program, deps);
  registerOpenCommand(program, deps);
  registerListCommand(program, deps);
  registerRenderCommand(program, deps);
  registerDestroyCommand(program, deps);
  registerReleaseCommand(program, deps);
  registerReapCommand(program, deps);
  registerDbCommand(program, deps);
  registerTestCommand(program, deps, (code) => {
    state.code = code;
  });
  registerDoctorCommand(program, deps);
  registerKubeconfigCommand(program, deps);
  registerVersionCommand(program, deps);
  registerCompletionCommand(program, deps);
  return program;
}

/** Runs `beta <args>` and resolves to the exit code; never throws. */
export async function runCli(args: readonly string[], deps: CliDeps): Promise<number> {
  const program = buildProgram(deps);
  if (args.length === 0) {
    // Bare `beta`: the help a person asked for, not an error.
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync([...args], { from: "user" });
    return verbExitCodes.get(program)?.code ?? 0;
  } catch (error) {
    // commander has printed its message; help and --version end with 0, anything else was mistyped.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    const { text, exitCode } = describeFailure(error, Boolean(deps.env.BETA_DEBUG));
    deps.stderr.write(text);
    return exitCode;
  }
}

export async function main(args: readonly string[] = process.argv.slice(2)): Promise<void> {
  // Loaded here, not at the top: tests import this file with their own dependencies.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createDefaultDeps } = require("./default-deps") as typeof import("./default-deps");
  // `beta list | head`: a reader that stops early is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  process.exitCode = await runCli(args, createDefaultDeps());
}
