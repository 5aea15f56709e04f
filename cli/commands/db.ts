/**
 * `beta db reset|status [name]` and `beta db reap`: the Beta's isolated database, through Jobs
 * in the cluster (the Beta's own role for reset/status; the platform's admin Job for reap).
 */
import { Command } from "commander";
import { tenantDatabaseName } from "../../lib/database-sql";
import { betaNamespace, developerNameFromStack, isBetaStack } from "../../lib/names";
import type { CliDeps } from "../deps";
import { CLONE_JOB, JobRun, findCloneJob, findPrepareJob, jobFrom, runJob, runName } from "../database-job";
import { CliError } from "../errors";
import { chooseBeta, withExamples } from "../command-helpers";
import { formatAge, formatJson } from "../output";
import { stringOutput } from "../stack-outputs";

interface DbOptions {
  context?: string;
  json?: boolean;
  yes?: boolean;
}

interface DatabaseStatus {
  database: string;
  exists: boolean;
  sizeBytes?: number;
  clone?: { template?: string; templateVersion?: string; clonedAt?: string };
}

async function runTenantAction(deps: CliDeps, given: string | undefined, action: "reset" | "status" | "drop", verb: string, options: DbOptions): Promise<JobRun> {
  const { name } = chooseBeta(given, deps, verb);
  const namespace = betaNamespace(name);
  const clone = await findCloneJob(deps, namespace, options.context);
  if (!clone) {
    throw new CliError(`Beta ${name} has no isolated database (no Job ${CLONE_JOB} in ${namespace}).`, `Set it with \`pulumi config set beta:database isolated --stack beta-${name}\` and run \`beta up ${name}\`.`);
  }
  const run = await runJob(deps, jobFrom(clone, runName(action, deps.clock.now()), action), options.context);
  if (!run.succeeded) {
    throw new CliError(`${action} of ${tenantDatabaseName(name)} failed:\n${run.logs.trim()}`, `kubectl logs -n ${namespace} job/${run.job}`);
  }
  return run;
}

/** The status script's one JSON line among its log lines. */
export function parseStatus(logs: string): DatabaseStatus {
  const line = logs.split("\n").find((l) => l.trim().startsWith("{"));
  if (!line) throw new CliError("The status Job printed no status line.", logs.trim());
  return JSON.parse(line) as DatabaseStatus;
}

function describeStatus(status: DatabaseStatus, now: Date): string {
  if (!status.exists) return `${status.database}: not cloned (beta db reset clones it)\n`;
  const clonedAt = status.clone?.clonedAt ? new Date(status.clone.clonedAt) : undefined;
  return [
    `database:  ${status.database}`,
    `size:      ${((status.sizeBytes ?? 0) / 2 ** 20).toFixed(1)} MiB`,
    `cloned:    ${formatAge(clonedAt, now)}${clonedAt ? ` (${clonedAt.toISOString()})` : ""}`,
    `template:  ${status.clone?.template ?? "unknown"}${status.clone?.templateVersion ? ` (${status.clone.templateVersion})` : ""}`,
  ].join("\n") + "\n";
}

/** Drops and re-clones the Beta's isolated database (`beta db reset`; `beta test --fresh-db` runs it first). */
export async function resetIsolatedDatabase(deps: CliDeps, name: string, context?: string): Promise<JobRun> {
  return runTenantAction(deps, name, "reset", "db reset", { context });
}

/** Drops the Beta's isolated database, when it has one; `beta destroy` runs it first. */
export async function dropIsolatedDatabase(deps: CliDeps, name: string, context?: string): Promise<boolean> {
  const namespace = betaNamespace(name);
  const clone = await findCloneJob(deps, namespace, context);
  if (!clone) return false;
  const run = await runJob(deps, jobFrom(clone, runName("drop", deps.clock.now()), "drop"), context);
  if (!run.succeeded) throw new CliError(`Dropping ${tenantDatabaseName(name)} failed:\n${run.logs.trim()}`, "Nothing was destroyed. Fix the problem, or destroy anyway and let `beta db reap` drop it later.");
  return true;
}

export function registerDbCommand(program: Command, deps: CliDeps): void {
  const db = program.command("db").description("Your Beta's isolated database (beta:database: isolated)");
  const context = ["--context <context>", "kubeconfig context to use (default: kubectl's current one)"] as const;

  const reset = db
    .command("reset")
    .description("Drop your Beta's database and clone it again from the template: a clean data store")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option(...context)
    .option("--json", "print JSON")
    .action(async (given: string | undefined, options: DbOptions) => {
      const run = await runTenantAction(deps, given, "reset", "db reset", options);
      const { name } = chooseBeta(given, deps, "db reset");
      if (options.json) deps.stdout.write(formatJson({ name, database: tenantDatabaseName(name), reset: true, job: run.job }));
      else deps.stdout.write(`Reset ${tenantDatabaseName(name)} from the template.\n`);
    });
  withExamples(reset, ["beta db reset            # before a QA run", "beta db reset alice --json"]);

  const status = db
    .command("status")
    .description("Size, age and template of your Beta's database")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option(...context)
    .option("--json", "print JSON")
    .action(async (given: string | undefined, options: DbOptions) => {
      const parsed = parseStatus((await runTenantAction(deps, given, "status", "db status", options)).logs);
      deps.stdout.write(options.json ? formatJson(parsed) : describeStatus(parsed, new Date(deps.clock.now())));
    });
  withExamples(status, ["beta db status", "beta db status alice --json"]);

  const reap = db
    .command("reap")
    .description("Drop the databases of Betas that no longer exist (platform rights; the admin Job runs in the cluster)")
    .option(...context)
    .option("-y, --yes", "run the drop (default: only list the Betas whose databases are kept)")
    .option("--json", "print JSON")
    .action(async (options: DbOptions) => {
      const gateway = await deps.gateway();
      const stacks = (await gateway.listStacks()).map((s) => s.name.split("/").pop()!).filter(isBetaStack);
      const keep: string[] = [];
      for (const stack of stacks) {
        const outputs = await gateway.outputs(stack);
        if (stringOutput(outputs, "database") === "isolated") keep.push(tenantDatabaseName(developerNameFromStack(stack)));
      }
      keep.sort();
      if (!options.yes) {
        if (options.json) deps.stdout.write(formatJson({ dryRun: true, keep }));
        else deps.stdout.write(`Kept (their Beta exists): ${keep.join(", ") || "none"}.\nEvery other Beta database (beta_<name> owned by its tenant role) would be dropped. Re-run with --yes.\n`);
        return;
      }
      const prepare = await findPrepareJob(deps, options.context);
      const job = jobFrom(prepare, runName("reap", deps.clock.now()), "reap", [{ name: "BETA_KEEP_DATABASES", value: keep.join(",") }]);
      const run = await runJob(deps, job, options.context);
      if (!run.succeeded) throw new CliError(`The reap Job failed:\n${run.logs.trim()}`, `kubectl logs -n ${job.metadata.namespace} job/${run.job}`);
      const dropped = [...run.logs.matchAll(/DROP DATABASE (\S+)/g)].map((m) => m[1].replace(/"/g, ""));
      if (options.json) deps.stdout.write(formatJson({ dryRun: false, keep, dropped }));
      else deps.stdout.write(dropped.length > 0 ? `Dropped ${dropped.join(", ")}.\n` : "No orphan databases.\n");
    });
  withExamples(reap, ["beta db reap            # dry run", "beta db reap --yes      # CI, after beta reap"]);
  withExamples(db, ["beta db reset           # a clean copy of the template, e.g. before a QA run", "beta db status", "beta db reap --yes"]);
}
