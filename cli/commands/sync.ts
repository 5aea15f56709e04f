/**
 * `beta sync [name] [app]`: mirror a local directory into an app's running container in
 * the developer's Beta (one way: local files are only ever read). The engine lives in
 * cli/sync/; this file parses and validates arguments and prints.
 */
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { assertAppName, betaNamespace, NameError } from "../../lib/names";
import { resolveBetaName, type NameSource, type ResolvedName } from "../default-name";
import { CliError } from "../errors";
import { closestName } from "../../lib/closest-name";
import { KUBECTL_CONTEXT_ENV } from "../sync/kubectl";
import type { OutputStreams, SyncDeps, SyncOptions, SyncSession } from "../sync";
import type { SharedServiceInfo } from "../shared-services";


/** The app synced when none is named, until the platform's default app is passed in. */
export const DEFAULT_SYNC_APP = "web";

export interface SyncCommandOptions {
  /** The platform's default app (a function is asked at run time); default "web". */
  defaultApp?: string | (() => string | undefined | Promise<string | undefined>);
  env?: NodeJS.ProcessEnv;
  /** The OS user name, the last fallback for the Beta name. */
  userName?: () => string;
  streams?: OutputStreams;
  /** Starts the engine; replaced in tests. */
  start?: (options: SyncOptions, deps: Partial<SyncDeps>) => SyncSession;
  setExitCode?: (code: number) => void;
  /** Stop cleanly on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
  /** Directory `--path` is relative to (default: the process's working directory). */
  cwd?: string;
  /** The platform catalog's app names, to check a typed app against (none: no check). */
  knownApps?: () => Promise<string[]>;
  /** The shared services of the platform Beta `name` follows: one of them is synced into the Beta's personal copy. */
  sharedServices?: (name: string) => Promise<SharedServiceInfo[]>;
  /** True when the Beta's namespace runs its own copy of `service` (its Deployment carries the personal-copy label). */
  personalCopyRunning?: (namespace: string, service: string, context: string | undefined) => Promise<boolean>;
}

interface RawOptions {
  path: string;
  context?: string;
  remotePath?: string;
  once?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export interface ResolvedSyncArgs {
  name: string;
  /** Where the name came from, for the "using Beta ..." line. */
  nameSource: string;
  app: string;
  appSource: string;
  namespace: string;
  localPath: string;
  remotePath?: string;
  once: boolean;
  dryRun: boolean;
  json: boolean;
}

/** A problem with what was typed; the message names the value, the rule and the fix. */
export class SyncUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncUsageError";
  }
}

/** The shared name rules of every verb (`resolveBetaName`), worded for sync's own messages. */
function resolveName(nameArg: string | undefined, env: NodeJS.ProcessEnv, userName: () => string): { name: string; source: string } {
  let resolved: ResolvedName;
  try {
    resolved = resolveBetaName(nameArg, { env, osUserName: () => safeUserName(userName) }, "sync");
  } catch (error) {
    if (error instanceof CliError) throw new SyncUsageError(error.hint ? `${error.message} ${error.hint}` : error.message);
    throw error;
  }
  const sources: Record<NameSource, string> = {
    argument: "given",
    BETA_NAME: "from $BETA_NAME",
    "os-user": `from your OS user name ${JSON.stringify(safeUserName(userName))}`,
  };
  return { name: resolved.name, source: sources[resolved.source] };
}

/** No user name (e.g. an unnamed uid in a container) is the same as an empty one. */
function safeUserName(userName: () => string): string {
  try {
    return userName();
  } catch {
    return "";
  }
}

/** Validates everything typed before anything runs; throws SyncUsageError or NameError. */
export async function resolveSyncArgs(
  nameArg: string | undefined,
  appArg: string | undefined,
  raw: RawOptions,
  context: {
    env: NodeJS.ProcessEnv;
    userName: () => string;
    defaultApp: SyncCommandOptions["defaultApp"];
    cwd?: string;
    knownApps?: () => Promise<string[]>;
    sharedServices?: SyncCommandOptions["sharedServices"];
    personalCopyRunning?: SyncCommandOptions["personalCopyRunning"];
    kubeContext?: string;
  },
): Promise<ResolvedSyncArgs> {
  const { name, source } = resolveName(nameArg, context.env, context.userName);
  let app: string;
  let appSource: string;
  let defaultRemotePath: string | undefined;
  if (appArg !== undefined) {
    app = assertAppName(appArg);
    appSource = "given";
    // A mistyped app would otherwise wait for a pod that never comes.
    const known = (await context.knownApps?.()) ?? [];
    const services = known.includes(app) ? [] : ((await context.sharedServices?.(name)) ?? []);
    const service = services.find((s) => s.name === app);
    if (service) {
      // A shared service: only the Beta's own copy of it can be synced into.
      const namespace = betaNamespace(name);
      if (!(await context.personalCopyRunning?.(namespace, app, context.kubeContext))) {
        throw new SyncUsageError(
          `${app} is a shared service, and Beta ${name} uses the shared one (no personal copy of it in ${namespace}): ` +
            (service.copyable ? `run beta up ${name} --service ${app} first, then beta sync ${name} ${app} again` : `the platform does not let a Beta copy it, so there is nothing of yours to sync into`),
        );
      }
      appSource = "your personal copy of the shared service";
      defaultRemotePath = service.syncPath;
    } else if (known.length > 0 && !known.includes(app)) {
      const copyable = services.filter((s) => s.copyable).map((s) => s.name);
      const suggestion = closestName(app, [...known, ...copyable]);
      throw new SyncUsageError(
        `app ${JSON.stringify(app)} is not an app of the platform${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ""} (apps: ${known.join(", ")}` +
          `${copyable.length > 0 ? `; shared services a Beta may copy: ${copyable.join(", ")}` : ""})`,
      );
    }
  } else {
    const configured = typeof context.defaultApp === "function" ? await context.defaultApp() : context.defaultApp;
    app = assertAppName(configured ?? DEFAULT_SYNC_APP, "Default app name");
    appSource = "the default app";
  }
  const localPath = path.resolve(context.cwd ?? process.cwd(), raw.path);
  const stat = await fs.stat(localPath).catch(() => undefined);
  if (!stat) throw new SyncUsageError(`--path ${JSON.stringify(raw.path)} does not exist (${localPath}): pass the app's source directory, e.g. --path ./web`);
  if (!stat.isDirectory()) throw new SyncUsageError(`--path ${JSON.stringify(raw.path)} is not a directory (${localPath}): pass the directory holding the app's source`);
  let remotePath: string | undefined;
  const wantedRemotePath = raw.remotePath ?? defaultRemotePath;
  if (wantedRemotePath !== undefined) {
    try {
      remotePath = (await import("../sync/index.js")).validateRemotePath(wantedRemotePath);
    } catch (error) {
      throw new SyncUsageError((error as Error).message);
    }
  }
  return {
    name,
    nameSource: source,
    app,
    appSource,
    namespace: betaNamespace(name),
    localPath,
    remotePath,
    once: Boolean(raw.once || raw.dryRun),
    dryRun: Boolean(raw.dryRun),
    json: Boolean(raw.json),
  };
}

const HELP_AFTER = `
The Beta name defaults to $BETA_NAME, else your OS user name made into a valid name; the
app defaults to the platform's default app. The target is the newest Ready pod labelled
app.kubernetes.io/name=<app> in namespace beta-<name>, and the directory is its app
container's workingDir. The container needs rsync (apt-get install rsync / apk add rsync).

A shared service the Beta runs its own copy of (\`beta up <name> --service <service>\`) is
synced like an app: \`beta sync <name> <service>\` targets the copy's pod, into the service's
syncPath (beta:sharedServices, default /app). A service the Beta still shares is refused.

One way only: local files are never written, moved or deleted. Remote files are deleted
only inside that directory, and never when ignored: .gitignore and .betaignore rules (same
syntax, any directory) say what is not sent, and .git and node_modules never are.

Examples:
  $ beta sync                          # your Beta, the default app, the current directory
  $ beta sync alice web --path ./web   # keep ./web mirrored into app "web" of Beta alice
  $ beta sync alice web --once         # one full sync and exit (scripts, CI)
  $ beta sync alice web --dry-run      # list what a sync would change, change nothing
  $ beta sync alice billing --path ../billing   # into alice's personal copy of shared service billing
`;

export function registerSyncCommand(program: Command, options: SyncCommandOptions = {}): void {
  program
    .command("sync")
    .description("Mirror a local directory into an app's container in your Beta, and keep it in sync")
    .argument("[name]", "developer name of the Beta (default: $BETA_NAME, else your OS user name)")
    .argument("[app]", "app, or shared service you run a personal copy of, to sync into (default: the platform's default app)")
    .option("--path <dir>", "local directory to mirror", ".")
    .option("--remote-path <dir>", "directory in the container (default: the container's workingDir)")
    .option("--once", "sync once and exit instead of watching")
    .option("--dry-run", "list what would change, change nothing (implies --once)")
    .option("--json", "print events as JSON lines on stdout")
    .option("--context <context>", "kubeconfig context to use (default: kubectl's current one)")
    .addHelpText("after", HELP_AFTER)
    .action(async (nameArg: string | undefined, appArg: string | undefined, raw: RawOptions) => {
      await runSyncCommand(nameArg, appArg, raw, options);
    });
}

async function runSyncCommand(nameArg: string | undefined, appArg: string | undefined, raw: RawOptions, options: SyncCommandOptions): Promise<void> {
  const env = options.env ?? process.env;
  const streams = options.streams ?? { stdout: process.stdout, stderr: process.stderr };
  const setExitCode = options.setExitCode ?? ((code: number) => void (process.exitCode = code));
  const fail = (message: string, json: boolean): void => {
    if (json) streams.stdout.write(`${JSON.stringify({ type: "result", ok: false, message })}\n`);
    streams.stderr.write(`beta sync: error: ${message}\n`);
    setExitCode(1);
  };
  let args: ResolvedSyncArgs;
  try {
    args = await resolveSyncArgs(nameArg, appArg, raw, {
      env,
      userName: options.userName ?? (() => os.userInfo().username),
      defaultApp: options.defaultApp,
      cwd: options.cwd,
      knownApps: options.knownApps,
      sharedServices: options.sharedServices,
      personalCopyRunning: options.personalCopyRunning,
      kubeContext: raw.context,
    });
  } catch (error) {
    if (error instanceof SyncUsageError || error instanceof NameError) return fail(error.message, Boolean(raw.json));
    throw error;
  }
  const intro = `Beta "${args.name}" (${args.nameSource}), app "${args.app}" (${args.appSource}), namespace ${args.namespace}`;
  if (args.json) {
    streams.stdout.write(`${JSON.stringify({ type: "start", message: intro, name: args.name, nameSource: args.nameSource, app: args.app, namespace: args.namespace, localPath: args.localPath })}\n`);
  } else {
    streams.stderr.write(`${intro}\n`);
  }
  // The engine (chokidar, rsync, the session) loads when a sync starts, not at start-up.
  const engine = await import("../sync/index.js");
  const start = options.start ?? engine.startSync;
  let session: SyncSession;
  try {
    session = start(
      { name: args.name, app: args.app, localPath: args.localPath, remotePath: args.remotePath, once: args.once, dryRun: args.dryRun },
      // Every kubectl the sync runs, rsync's remote shell included, reads the context from here.
      { env: raw.context ? { ...env, [KUBECTL_CONTEXT_ENV]: raw.context } : env, log: engine.createReporter(args.json, streams) },
    );
  } catch (error) {
    if (error instanceof engine.SyncError || error instanceof NameError) return fail(error.message, args.json);
    throw error;
  }
  const onSignal = (): void => void session.stop();
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  try {
    const outcome = await session.done;
    if (!outcome.ok) return fail(outcome.error?.message ?? "sync failed", args.json);
    if (args.json) streams.stdout.write(`${JSON.stringify({ type: "result", ok: true, runs: outcome.runs })}\n`);
    setExitCode(0);
  } finally {
    if (handleSignals) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
}
