/**
 * `beta test [name] [-- args]`: runs the platform's QA suite (`beta:qa`) as the Job `beta-test`
 * in the Beta's namespace, streams its logs, copies its report out, exits with the suite's exit
 * code and removes the Job. The fixed Job name is the lock: one run per Beta at a time.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Command } from "commander";
import { betaNamespace } from "../../lib/names";
import { DEFAULT_QA_TIMEOUT_SECONDS, QA_CONTAINER, QA_COPY_GRACE_SECONDS, QA_DONE_FILE, QA_EXIT_CODE_FILE, QA_JOB_NAME, QA_RUN_LABEL, qaJob } from "../../lib/qa-job";
import { DEFAULT_PLATFORM_STACK } from "../../lib/stack-names";
import type { CliDeps, KubectlRunner } from "../deps";
import { CliError, UsageError } from "../errors";
import { chooseBeta, withExamples } from "../command-helpers";
import { contextArgs, kubectlJson } from "../kubectl";
import { formatJson } from "../output";
import { mapOutput, stringOutput } from "../stack-outputs";
import { resetIsolatedDatabase } from "./db";

interface TestOptions {
  context?: string;
  tag?: string;
  report?: string;
  keep?: boolean;
  json?: boolean;
  freshDb?: boolean;
}

/** The shell's code for "ended by Ctrl-C" (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130;
const POLL_MS = 2000;
/** Waiting reasons of a container that will not start by waiting longer. */
const CANNOT_START = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

class Interrupted extends Error {}

interface Summary {
  name: string;
  job: string;
  run: string;
  image: string;
  exitCode: number;
  passed: boolean;
  report?: string;
  kept: boolean;
  freshDb: boolean;
}

export function registerTestCommand(program: Command, deps: CliDeps, setExitCode: (code: number) => void): void {
  const command = program
    .command("test")
    .description("Run the platform's QA suite against your Beta as a Job; exits with the suite's exit code")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .argument("[args...]", "after --: arguments for the suite's command")
    .option("--context <context>", "kubeconfig context to use (default: kubectl's current one)")
    .option("--tag <tag>", "run this build of the suite (default: the platform's release tag)")
    .option("--report <file>", "copy the suite's report (beta:qa.reportPath) to this file")
    .option("--keep", "keep the Job and its pod afterwards (remove with kubectl delete job beta-test)")
    .option("--fresh-db", "reset the Beta's isolated database first (beta db reset)")
    .option("--json", "print a JSON summary on stdout (the suite's logs go to stderr)")
    .action(async (given: string | undefined, rest: string[], options: TestOptions) => {
      // commander keeps the words as typed in rawArgs (untyped): only they show where `--` was.
      const { name, suiteArgs } = splitOperands((program as unknown as { rawArgs: string[] }).rawArgs, given, rest);
      setExitCode(await runTest(deps, name, suiteArgs, options));
    });
  withExamples(command, [
    "beta test                          # the suite at the release tag against your Beta",
    "beta test alice -- --grep checkout # arguments after -- go to the suite",
    "beta test --tag master-3f2c1ab --report junit.xml",
    "beta test --fresh-db --json        # CI: a clean database, a summary",
  ], `
The suite gets BETA_URL (the default app's URL), BETA_URLS (JSON, app -> URL), BETA_SERVICE_URLS
(JSON, app -> in-cluster URL, what the Beta's network policies let a pod reach) and BETA_NAME.
One run per Beta at a time (the Job is always named beta-test); Ctrl-C deletes it and exits 130.`);
}

/** commander gives every operand; those after `--` are the suite's, one before it may be the name. */
function splitOperands(rawArgs: readonly string[], given: string | undefined, rest: readonly string[]): { name: string | undefined; suiteArgs: string[] } {
  const dash = rawArgs.indexOf("--");
  const suiteArgs = dash >= 0 ? rawArgs.slice(dash + 1) : [];
  const operands = [...(given === undefined ? [] : [given]), ...rest];
  const before = operands.slice(0, operands.length - suiteArgs.length);
  if (before.length > 1) {
    throw new UsageError(`beta test takes one name, got ${before.map((o) => JSON.stringify(o)).join(", ")}.`, "Put the suite's arguments after --: beta test alice -- --grep checkout");
  }
  return { name: before[0], suiteArgs };
}

async function runTest(deps: CliDeps, given: string | undefined, suiteArgs: string[], options: TestOptions): Promise<number> {
  const { name, stack } = chooseBeta(given, deps, "test");
  // Loaded here, not at start-up: zod costs more than the rest of `beta --help`.
  const [{ imageTag }, { readQaOutput }] = await Promise.all([import("../../lib/config-rules.js"), import("../../lib/qa-config.js")]);
  if (options.tag !== undefined) {
    const checked = imageTag.safeParse(options.tag);
    if (!checked.success) throw new UsageError(`--tag ${JSON.stringify(options.tag)}: ${checked.error.issues[0].message}.`);
  }
  const gateway = await deps.gateway();
  if (!(await gateway.hasStack(stack))) throw new CliError(`There is no Beta ${name} (no stack ${stack}).`, `Create it with \`beta up ${name}\`.`);
  const platformStack = (await gateway.getConfig(stack))["beta:platformStack"] ?? DEFAULT_PLATFORM_STACK;
  const platform = await gateway.outputs(platformStack);
  const qa = readQaOutput(platformStack, platform.qa);
  if (!qa) throw new CliError(`The platform stack ${platformStack} has no QA suite (no output qa).`, `Ask a platform engineer to set beta:qa on ${platformStack} (see "beta test" in README.md) and run \`pulumi up --stack ${platformStack}\`.`);
  if (options.report !== undefined && qa.reportPath === undefined) {
    throw new UsageError(`--report ${options.report}: the platform's QA suite writes no report (beta:qa.reportPath is not set).`);
  }
  const tag = options.tag ?? stringOutput(platform, "releaseTag");
  if (!tag) throw new CliError(`The platform stack ${platformStack} has no releaseTag output.`, "Pass --tag, or ask a platform engineer to deploy the platform.");
  const beta = await gateway.outputs(stack);
  const url = stringOutput(beta, "url");
  if (!url) throw new CliError(`Beta ${name} has no URL yet (stack ${stack} was never deployed).`, `Deploy it with \`beta up ${name}\`.`);

  const kubectl = deps.kubectl();
  const namespace = betaNamespace(name);
  const ctx = contextArgs(options.context);
  const lockHint = `If no run is going on (e.g. an interrupted CI job), remove it: kubectl delete job ${QA_JOB_NAME} -n ${namespace}`;
  const existing = await kubectl.capture([...ctx, "get", "job", QA_JOB_NAME, "-n", namespace, "-o", "json", "--ignore-not-found"]);
  if (existing.code !== 0) throw new CliError(`kubectl could not read ${namespace}: ${existing.stderr.trim().split("\n")[0]}`, "Check your kubectl context (or pass --context).");
  if (existing.stdout.trim()) throw lockError(name, namespace, JSON.parse(existing.stdout) as Json, lockHint);

  if (options.freshDb) {
    await resetIsolatedDatabase(deps, name, options.context);
    deps.stderr.write(`Reset the database of Beta ${name} from its template.\n`);
  }

  const runId = deps.clock.now().toString(36);
  const job = qaJob({ developer: name, qa, tag, url, urls: mapOutput(beta, "urls"), args: suiteArgs, runId });
  await createJob(kubectl, ctx, job, () => lockError(name, namespace, undefined, lockHint));
  const image = job.metadata.annotations["beta/test-image"];
  deps.stderr.write(`Running the QA suite ${image} against Beta ${name} (Job ${QA_JOB_NAME} in ${namespace}, run ${runId})...\n`);

  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  process.on("SIGINT", onInterrupt);
  let keep = Boolean(options.keep);
  try {
    const exitCode = await followRun(deps, kubectl, {
      ctx,
      namespace,
      runId,
      wrapped: qa.command !== undefined,
      reportPath: options.report !== undefined ? qa.reportPath : undefined,
      reportFile: options.report,
      json: Boolean(options.json),
      deadlineMs: ((qa.timeoutSeconds ?? DEFAULT_QA_TIMEOUT_SECONDS) + QA_COPY_GRACE_SECONDS + 300) * 1000,
      interrupted: () => interrupted,
    });
    const summary: Summary = { name, job: QA_JOB_NAME, run: runId, image, exitCode, passed: exitCode === 0, ...(options.report ? { report: options.report } : {}), kept: keep, freshDb: Boolean(options.freshDb) };
    if (options.json) deps.stdout.write(formatJson(summary));
    else deps.stderr.write(exitCode === 0 ? "The QA suite passed.\n" : `The QA suite failed (exit code ${exitCode}).\n`);
    return exitCode;
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
    // Ctrl-C stops the run: nothing of it is kept.
    keep = false;
    deps.stderr.write(`\nInterrupted: deleting Job ${QA_JOB_NAME} in ${namespace}.\n`);
    return INTERRUPTED_EXIT_CODE;
  } finally {
    process.off("SIGINT", onInterrupt);
    if (keep) deps.stderr.write(`Kept Job ${QA_JOB_NAME} in ${namespace}; remove it with: kubectl delete job ${QA_JOB_NAME} -n ${namespace}\n`);
    else {
      // Background propagation deletes the Job's pods too; it is kubectl's default
      // (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_delete/, --cascade), said here so a newer default cannot change it.
      const deleted = await kubectl.capture([...ctx, "delete", "job", QA_JOB_NAME, "-n", namespace, "--ignore-not-found", "--cascade=background", "--wait=false"]);
      if (deleted.code !== 0) deps.stderr.write(`Could not delete Job ${QA_JOB_NAME}: ${deleted.stderr.trim()}\n${lockHint}\n`);
    }
  }
}

function lockError(name: string, namespace: string, job: Json | undefined, hint: string): CliError {
  const run = job?.metadata?.labels?.[QA_RUN_LABEL];
  const since = job?.metadata?.creationTimestamp ? `, started ${job.metadata.creationTimestamp}` : "";
  return new CliError(`A QA run is already going on in Beta ${name} (Job ${QA_JOB_NAME} in ${namespace}${run ? `, run ${run}` : ""}${since}); one run per Beta at a time.`, hint);
}

async function createJob(kubectl: KubectlRunner, ctx: string[], job: ReturnType<typeof qaJob>, alreadyExists: () => CliError): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "beta-test-"));
  try {
    const file = path.join(dir, "job.json");
    writeFileSync(file, JSON.stringify(job));
    const created = await kubectl.capture([...ctx, "create", "-f", file]);
    // Another run created it between our look and our create: the lock held.
    if (created.code !== 0 && /AlreadyExists|already exists/.test(created.stderr)) throw alreadyExists();
    if (created.code !== 0) throw new CliError(`Could not create Job ${QA_JOB_NAME} in ${job.metadata.namespace}: ${created.stderr.trim()}`, "Check your kubectl context (or pass --context).");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Follow {
  ctx: string[];
  namespace: string;
  runId: string;
  /** The container runs the wrapper: exit code in a file, waits for the done marker. */
  wrapped: boolean;
  reportPath?: string;
  reportFile?: string;
  json: boolean;
  deadlineMs: number;
  interrupted: () => boolean;
}

/** Waits for the suite's pod, streams its logs, reads its exit code and copies the report; returns the exit code. */
async function followRun(deps: CliDeps, kubectl: KubectlRunner, run: Follow): Promise<number> {
  const { ctx, namespace } = run;
  const deadline = deps.clock.now() + run.deadlineMs;
  let logs: Promise<number> | undefined;
  let podName: string | undefined;
  let exitCode: number | undefined;
  const check = () => {
    if (run.interrupted()) throw new Interrupted();
  };
  while (exitCode === undefined) {
    check();
    const pods = (await kubectlJson(kubectl, [...ctx, "get", "pods", "-n", namespace, "-l", `${QA_RUN_LABEL}=${run.runId}`, "-o", "json"])) as Json;
    check();
    const pod = pods.items?.[0];
    if (!pod) {
      await failedJob(kubectl, ctx, namespace);
    } else {
      podName = pod.metadata.name as string;
      const status = pod.status?.containerStatuses?.[0];
      const waiting = status?.state?.waiting;
      if (waiting && CANNOT_START.includes(waiting.reason)) {
        throw new CliError(`The QA suite cannot start: ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}.`, `Is the image built and pushed for this tag? kubectl describe pod -n ${namespace} ${podName}`);
      }
      const phase: string = pod.status?.phase ?? "Pending";
      if (phase !== "Pending" && !logs && !run.json) logs = kubectl.attach([...ctx, "logs", "-f", "-n", namespace, `pod/${podName}`, "-c", QA_CONTAINER]);
      if (phase === "Running" && run.wrapped) {
        const read = await kubectl.capture([...ctx, "exec", "-n", namespace, podName, "-c", QA_CONTAINER, "--", "cat", QA_EXIT_CODE_FILE]);
        check();
        if (read.code === 0 && /^[0-9]+$/.test(read.stdout.trim())) exitCode = Number(read.stdout.trim());
      } else if (phase === "Succeeded" || phase === "Failed") {
        const terminated = status?.state?.terminated;
        if (terminated?.exitCode === undefined) throw new CliError(`The QA suite's pod ${podName} ended (${phase}) without an exit code${terminated?.reason ? `: ${terminated.reason}` : ""}.`, `kubectl describe pod -n ${namespace} ${podName}`);
        exitCode = terminated.exitCode as number;
        if (run.reportPath) deps.stderr.write(`The suite's pod ended before its report could be copied; no ${run.reportFile} written.\n`);
        run = { ...run, reportPath: undefined, wrapped: false };
      }
    }
    if (exitCode === undefined) {
      if (deps.clock.now() > deadline) throw new CliError(`The QA run did not end within ${Math.round(run.deadlineMs / 1000)} s.`, `kubectl describe job -n ${namespace} ${QA_JOB_NAME}`);
      await deps.clock.sleep(POLL_MS);
    }
  }
  if (run.reportPath && run.reportFile && podName) {
    const report = await kubectl.capture([...ctx, "exec", "-n", namespace, podName, "-c", QA_CONTAINER, "--", "cat", run.reportPath]);
    check();
    if (report.code === 0) {
      deps.writeFile(run.reportFile, report.stdout);
      deps.stderr.write(`Copied the report ${run.reportPath} to ${run.reportFile}.\n`);
    } else {
      deps.stderr.write(`The suite wrote no report at ${run.reportPath} (${report.stderr.trim().split("\n")[0]}); no ${run.reportFile} written.\n`);
    }
  }
  if (run.wrapped && podName) {
    // Lets the wrapper end now, with the suite's code, instead of after its grace period.
    await kubectl.capture([...ctx, "exec", "-n", namespace, podName, "-c", QA_CONTAINER, "--", "sh", "-c", `: > ${QA_DONE_FILE}`]);
  }
  if (logs) await logs;
  if (run.json && podName) {
    const text = await kubectl.capture([...ctx, "logs", "-n", namespace, `pod/${podName}`, "-c", QA_CONTAINER]);
    deps.stderr.write(text.stdout);
  }
  return exitCode;
}

/** With no pod, a Job that already failed (its deadline, a rejected pod) ends the wait with its reason. */
async function failedJob(kubectl: KubectlRunner, ctx: string[], namespace: string): Promise<void> {
  const job = (await kubectlJson(kubectl, [...ctx, "get", "job", QA_JOB_NAME, "-n", namespace, "-o", "json"])) as Json;
  const failed = (job.status?.conditions ?? []).find((c: Json) => c.type === "Failed" && c.status === "True");
  if (failed) throw new CliError(`The QA Job failed before its pod ran: ${failed.reason ?? ""}${failed.message ? `: ${failed.message}` : ""}.`, `kubectl describe job -n ${namespace} ${QA_JOB_NAME}`);
}
