import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { platformDatabaseJob, tenantDatabaseJob } from "../../lib/database-jobs";
import { RecordingKubectl, runBeta } from "../support/cli-harness";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const settings = { image: "postgres:17.6-alpine", template: "beta_template", strategy: "FILE_COPY" as const };
const deployedClone = () => ({ ...tenantDatabaseJob({ developer: "alice", action: "clone", settings }), status: { succeeded: 1 } });

/** A cluster with alice's clone Job (when `isolated`), where every Job created ends as `outcome` and logs `logs`. */
function cluster(options: { isolated?: boolean; outcome?: "Complete" | "Failed"; logs?: string; pendingPolls?: number } = {}) {
  const created: Record<string, unknown>[] = [];
  let polls = 0;
  const kubectl = new RecordingKubectl((given) => {
    // One-shot reads carry kubectl's global --request-timeout first (cli/kubectl.ts).
    const args = given[0]?.startsWith("--request-timeout=") ? given.slice(1) : given;
    if (args.includes("create")) {
      created.push(JSON.parse(readFileSync(args[args.indexOf("-f") + 1], "utf8")));
      return {};
    }
    if (args[0] === "get" && args[2] === "database-clone") return { stdout: options.isolated === false ? "" : JSON.stringify(deployedClone()) };
    if (args[0] === "get" && args[1] === "jobs") {
      return { stdout: JSON.stringify({ items: [platformDatabaseJob({ action: "prepare", settings, adminSecret: "database-admin", jobName: "database-prepare-x1" })] }) };
    }
    if (args[0] === "get" && args[1] === "job") {
      polls += 1;
      const done = polls > (options.pendingPolls ?? 0);
      return { stdout: JSON.stringify({ status: { conditions: done ? [{ type: options.outcome ?? "Complete", status: "True" }] : [] } }) };
    }
    if (args[0] === "logs") return { stdout: options.logs ?? "" };
    return { code: 1, stderr: `unexpected kubectl ${args.join(" ")}` };
  });
  return { kubectl, created };
}

const commandOf = (job: Record<string, unknown>) => (job as { spec: { template: { spec: { containers: { command: string[] }[] } } } }).spec.template.spec.containers[0].command;

describe("beta db reset", () => {
  it("runs the deployed clone Job's script with action reset, as the Beta's role, and waits for it", async () => {
    const { kubectl, created } = cluster({ pendingPolls: 3, logs: "beta-database: dropped beta_alice\nbeta-database: cloned beta_template into beta_alice\n" });
    const result = await runBeta(["db", "reset", "alice"], { kubectl });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("Reset beta_alice from the template.\n");
    const [job] = created as { metadata: { namespace: string; name: string }; spec: { template: { spec: { containers: { env: unknown }[] } } } }[];
    expect(job.metadata.namespace).toBe("beta-alice");
    expect(job.metadata.name).toMatch(/^database-reset-/);
    const clone = deployedClone();
    expect(commandOf(job)).toEqual([...clone.spec.template.spec.containers[0].command.slice(0, -1), "reset"]);
    expect(job.spec.template.spec.containers[0].env).toEqual(clone.spec.template.spec.containers[0].env);
    expect(kubectl.calls.filter((c) => c[1] === "get" && c[2] === "job" && c[3] !== "database-clone")).toHaveLength(4);
  });

  it("fails with the script's own message when the Job fails", async () => {
    const { kubectl } = cluster({ outcome: "Failed", logs: "beta-database: cannot clone beta_template: it is in use by 1 session(s) of admin after 6 attempts." });
    const result = await runBeta(["db", "reset", "alice"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("reset of beta_alice failed:");
    expect(result.stderr).toContain("it is in use by 1 session(s) of admin");
  });

  it("tells a Beta without an isolated database how to get one, creating nothing", async () => {
    const { kubectl, created } = cluster({ isolated: false });
    const result = await runBeta(["db", "reset", "alice"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Beta alice has no isolated database");
    expect(result.stderr).toContain("pulumi config set beta:database isolated --stack beta-alice");
    expect(created).toEqual([]);
  });
});

describe("beta db status", () => {
  const line = JSON.stringify({ database: "beta_alice", exists: true, sizeBytes: 8 * 2 ** 20, clone: { template: "beta_template", templateVersion: "seed 2025-05-30", clonedAt: "2025-06-01T10:00:00Z" } });

  it("shows size, age and template version", async () => {
    const { kubectl } = cluster({ logs: `${line}\n` });
    const result = await runBeta(["db", "status", "alice"], { kubectl, now: new Date("2025-06-01T12:00:00Z") });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("size:      8.0 MiB");
    expect(result.stdout).toContain("cloned:    2 hours ago");
    expect(result.stdout).toContain("template:  beta_template (seed 2025-05-30)");
  });

  it("prints the status as JSON with --json", async () => {
    const { kubectl } = cluster({ logs: `${line}\n` });
    const result = await runBeta(["db", "status", "alice", "--json"], { kubectl });
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(line));
  });
});

describe("beta db reap", () => {
  const gateway = () =>
    new ScriptedGateway([
      { name: "beta-alice", outputs: { ...betaOutputs("alice"), database: "isolated" } },
      { name: "beta-bob", outputs: { ...betaOutputs("bob"), database: "shared" } },
      { name: "dev", outputs: { domain: "beta.example.com" } },
    ]);

  it("without --yes only lists the databases it keeps, creating nothing", async () => {
    const { kubectl, created } = cluster();
    const result = await runBeta(["db", "reap"], { gateway: gateway(), kubectl });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Kept (their Beta exists): beta_alice.");
    expect(created).toEqual([]);
  });

  it("with --yes runs the platform's admin script with action reap, keeping exactly the isolated Betas that exist", async () => {
    const { kubectl, created } = cluster({ logs: "DROP DATABASE beta_carol WITH (FORCE)\n" });
    const result = await runBeta(["db", "reap", "--yes", "--json"], { gateway: gateway(), kubectl });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ dryRun: false, keep: ["beta_alice"], dropped: ["beta_carol"] });
    const [job] = created as { metadata: { namespace: string }; spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }[];
    expect(job.metadata.namespace).toBe("databases");
    expect(commandOf(job).at(-1)).toBe("reap");
    expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: "BETA_KEEP_DATABASES", value: "beta_alice" });
  });
});

describe("beta destroy with an isolated database", () => {
  it("drops the database with the Beta's own Job before destroying the stack", async () => {
    const gw = new ScriptedGateway([{ name: "beta-alice", outputs: { ...betaOutputs("alice"), database: "isolated" } }]);
    const { kubectl, created } = cluster({ logs: "beta-database: dropped beta_alice\n" });
    const result = await runBeta(["destroy", "alice", "--yes"], { gateway: gw, kubectl });
    expect(result.code, result.stderr).toBe(0);
    expect(commandOf(created[0]).at(-1)).toBe("drop");
    expect(gw.calls.map((c) => c.method)).toEqual(["hasStack", "outputs", "destroy", "removeStack"]);
  });

  it("keeps the stack when the drop fails, so nothing is orphaned", async () => {
    const gw = new ScriptedGateway([{ name: "beta-alice", outputs: { ...betaOutputs("alice"), database: "isolated" } }]);
    const { kubectl } = cluster({ outcome: "Failed", logs: "psql: error: connection refused" });
    const result = await runBeta(["destroy", "alice", "--yes"], { gateway: gw, kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Dropping beta_alice failed");
    expect(gw.callsOf("destroy")).toEqual([]);
  });
});
