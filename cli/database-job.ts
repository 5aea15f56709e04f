/**
 * Runs a database Job for `beta db` and `beta destroy`: a copy of the Job the stacks declared
 * (the Beta's `database-clone`, the platform's prepare Job), with another action, so it runs
 * the script and settings deployed, as the same role. Polls until it ends, bounded.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { DATABASES_NAMESPACE, DATABASE_JOB_LABEL, EnvVar } from "../lib/database-jobs";
import type { CliDeps } from "./deps";
import { CliError } from "./errors";
import { contextArgs, kubectlJson } from "./kubectl";

/** The Job `IsolatedDatabase` declares in every isolated Beta. */
export const CLONE_JOB = "database-clone";
const POLL_MS = 2000;
const DEADLINE_MS = 15 * 60_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface JobRun {
  succeeded: boolean;
  logs: string;
  job: string;
}

/** A Job like `source` that runs `action` instead, with `extraEnv` added. */
export function jobFrom(source: Json, name: string, action: string, extraEnv: EnvVar[] = []): Json {
  const template = structuredClone(source.spec.template);
  // The controller's own labels (controller-uid, job-name) belong to the source Job only.
  template.metadata = { labels: { "app.kubernetes.io/part-of": "beta", [DATABASE_JOB_LABEL]: action } };
  const [container] = template.spec.containers;
  container.command = [...container.command.slice(0, -1), action];
  container.env = [...(container.env as EnvVar[]).filter((e) => !extraEnv.some((x) => x.name === e.name)), ...extraEnv];
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: source.metadata.namespace, labels: template.metadata.labels },
    spec: { backoffLimit: 0, activeDeadlineSeconds: source.spec.activeDeadlineSeconds ?? 900, ttlSecondsAfterFinished: 3600, template },
  };
}

export async function findCloneJob(deps: CliDeps, namespace: string, context?: string): Promise<Json | undefined> {
  const result = await deps.kubectl().capture([...contextArgs(context), "get", "job", CLONE_JOB, "-n", namespace, "-o", "json", "--ignore-not-found"]);
  if (result.code !== 0) throw new CliError(`kubectl could not read ${namespace}: ${result.stderr.trim().split("\n")[0]}`, "Check your kubectl context (or pass --context).");
  return result.stdout.trim() ? JSON.parse(result.stdout) : undefined;
}

export async function findPrepareJob(deps: CliDeps, context?: string): Promise<Json> {
  const list = (await kubectlJson(deps.kubectl(), [...contextArgs(context), "get", "jobs", "-n", DATABASES_NAMESPACE, "-l", `${DATABASE_JOB_LABEL}=prepare`, "-o", "json"])) as Json;
  const [job] = list.items ?? [];
  if (!job) throw new CliError(`There is no database prepare Job in namespace ${DATABASES_NAMESPACE}.`, "Is beta:databases set on the platform stack, and has it been deployed?");
  return job;
}

/** Creates `manifest`, waits for it to succeed or fail, and returns its logs. */
export async function runJob(deps: CliDeps, manifest: Json, context?: string): Promise<JobRun> {
  const kubectl = deps.kubectl();
  const { name, namespace } = manifest.metadata;
  const dir = mkdtempSync(path.join(tmpdir(), "beta-job-"));
  try {
    const file = path.join(dir, "job.json");
    writeFileSync(file, JSON.stringify(manifest));
    const created = await kubectl.capture([...contextArgs(context), "create", "-f", file]);
    if (created.code !== 0) throw new CliError(`Could not create Job ${name} in ${namespace}: ${created.stderr.trim()}`, "Check your kubectl context (or pass --context).");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  deps.stderr.write(`Running Job ${name} in ${namespace}...\n`);
  const deadline = deps.clock.now() + DEADLINE_MS;
  let succeeded: boolean | undefined;
  while (succeeded === undefined) {
    const job = (await kubectlJson(kubectl, [...contextArgs(context), "get", "job", name, "-n", namespace, "-o", "json"])) as Json;
    const conditions: { type: string; status: string }[] = job.status?.conditions ?? [];
    if (conditions.some((c) => c.type === "Complete" && c.status === "True")) succeeded = true;
    else if (conditions.some((c) => c.type === "Failed" && c.status === "True")) succeeded = false;
    else if (deps.clock.now() > deadline) throw new CliError(`Job ${name} in ${namespace} did not finish in ${DEADLINE_MS / 60_000} minutes.`, `kubectl logs -n ${namespace} job/${name}`);
    else await deps.clock.sleep(POLL_MS);
  }
  const logs = await kubectl.capture([...contextArgs(context), "logs", "-n", namespace, `job/${name}`]);
  return { succeeded, logs: logs.stdout + logs.stderr, job: name };
}

/** A Job name that does not collide with an earlier run. */
export function runName(action: string, now: number): string {
  return `database-${action}-${now.toString(36)}`;
}
