/**
 * A real PostgreSQL server for tests: initdb + pg_ctl in a temp dir, on a loopback port, with
 * password (SCRAM) authentication. PostgreSQL refuses to run as root ("root execution of the
 * PostgreSQL server is not permitted", src/backend/main/main.c), so as root the server runs
 * as the unprivileged `postgres` user (Debian's package creates it) or `nobody`, through
 * `runuser`. Also runs a database Job's container command and env against it.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { EnvVar, JobContainer, JobManifest } from "../../lib/database-jobs";
import { expect } from "vitest";

export const ADMIN_USER = "admin";
export const ADMIN_PASSWORD = "admin-secret";

/** The newest PostgreSQL of Debian's layout (/usr/lib/postgresql/<version>/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(root, versions[0], "bin") : undefined;
}

function serverUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    const id = spawnSync("id", ["-u", name], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (id.status === 0) return { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error("running as root and neither a 'postgres' nor a 'nobody' user exists to run PostgreSQL as");
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Asserts a script run succeeded and printed no PostgreSQL ERROR; returns it. */
export function expectOk(result: CommandResult): CommandResult {
  expect(result.stderr + result.stdout).not.toMatch(/ERROR/);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? "");
  });
}

export class PostgresServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly user: { name: string } | undefined,
  ) {}

  /** initdb + pg_ctl start; `settings` become `-c key=value`. */
  static async start(settings: Record<string, string> = {}): Promise<PostgresServer> {
    const bin = postgresBinDir();
    if (!bin) throw new Error("PostgreSQL is not installed; run scripts/setup.sh");
    const user = serverUser();
    const dir = mkdtempSync(path.join(tmpdir(), "beta-pg-"));
    chmodSync(dir, 0o755);
    if (user) chownSync(dir, user.uid, user.gid);
    const server = new PostgresServer(dir, await freeLoopbackPort(), bin, user);
    const pwfile = path.join(dir, "pwfile");
    writeFileSync(pwfile, ADMIN_PASSWORD + "\n");
    if (user) chownSync(pwfile, user.uid, user.gid);
    await server.asServerUser("initdb", ["-D", server.dataDir, "-U", ADMIN_USER, "--pwfile", pwfile, "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C"]);
    const options = [
      `-p ${server.port}`,
      "-c listen_addresses=127.0.0.1",
      `-k ${dir}`,
      "-c fsync=off",
      ...Object.entries(settings).map(([key, value]) => `-c ${key}=${value}`),
    ].join(" ");
    await server.asServerUser("pg_ctl", ["-D", server.dataDir, "-o", options, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"]);
    return server;
  }

  get dataDir(): string {
    return path.join(this.dir, "data");
  }

  private async asServerUser(tool: string, args: readonly string[]): Promise<CommandResult> {
    const binary = path.join(this.bin, tool);
    const result = this.user ? await run("runuser", ["-u", this.user.name, "--", binary, ...args]) : await run(binary, args);
    if (result.code !== 0) throw new Error(`${tool} failed (${result.code}): ${result.stderr || result.stdout}`);
    return result;
  }

  /** libpq env for `user` (password auth over TCP on loopback). */
  libpqEnv(user = ADMIN_USER, password = ADMIN_PASSWORD): Record<string, string> {
    return { PGHOST: "127.0.0.1", PGPORT: String(this.port), PGUSER: user, PGPASSWORD: password, PGSSLMODE: "disable" };
  }

  /** Runs SQL with psql; rejects on an error unless `allowFailure`. */
  async psql(sql: string, options: { database?: string; user?: string; password?: string; allowFailure?: boolean } = {}): Promise<CommandResult> {
    const env = { ...process.env, ...this.libpqEnv(options.user, options.password), PGDATABASE: options.database ?? "postgres" };
    const result = await run("psql", ["-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"], { env, input: sql });
    if (result.code !== 0 && !options.allowFailure) throw new Error(`psql failed: ${result.stderr}`);
    return result;
  }

  async query(sql: string, database = "postgres"): Promise<string> {
    return (await this.psql(sql, { database })).stdout.trim();
  }

  /** Every database's name, sorted. */
  async databases(): Promise<string[]> {
    return (await this.query("SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database")).split(",");
  }

  /** Row count and checksum of every table of `database`, as the superuser sees them. */
  async fingerprint(database: string): Promise<Record<string, string>> {
    const tables = (await this.query(
      "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
      database,
    )).split("\n").filter(Boolean);
    const sums = await Promise.all(
      tables.map(async (table) => [table, await this.query(`SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM ${table} t`, database)] as const),
    );
    return Object.fromEntries(sums);
  }

  async stop(): Promise<void> {
    await this.asServerUser("pg_ctl", ["-D", this.dataDir, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Runs a Job's container exactly as the Job would: its command, its literal env, and the
 * Secret-held env (`secretKeyRef`) taken from `secrets` (Secret name → key → value), which
 * stand in for the Kubernetes Secrets. `files` stand in for mounted volumes: mount path →
 * file name → content, written to a temp dir substituted into the env value that names it.
 */
export async function runJobContainer(
  manifest: JobManifest,
  secrets: Record<string, Record<string, string>>,
  options: ContainerRunOptions = {},
): Promise<CommandResult> {
  return runContainer(manifest.spec.template.spec.containers[0], secrets, options);
}

export interface ContainerRunOptions {
  envOverrides?: Record<string, string>;
  mounts?: Record<string, Record<string, string>>;
  timeoutMs?: number;
}

/** One container of a pod (a CronJob's init container, say), run as `runJobContainer` runs a Job's. */
export async function runContainer(container: JobContainer, secrets: Record<string, Record<string, string>>, options: ContainerRunOptions = {}): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tmpdir(), LANG: "C.UTF-8" };
  for (const variable of container.env as EnvVar[]) {
    if ("value" in variable) env[variable.name] = variable.value;
    else {
      const { name, key, optional } = variable.valueFrom.secretKeyRef;
      const value = secrets[name]?.[key];
      if (value === undefined && !optional) throw new Error(`the Job reads ${key} from Secret ${name}, which the test did not provide`);
      if (value !== undefined) env[variable.name] = value;
    }
  }
  const cleanups: string[] = [];
  for (const [mountPath, files] of Object.entries(options.mounts ?? {})) {
    const dir = mkdtempSync(path.join(tmpdir(), "beta-mount-"));
    cleanups.push(dir);
    for (const [file, content] of Object.entries(files)) writeFileSync(path.join(dir, file), content);
    for (const [name, value] of Object.entries(env)) if (value === mountPath) env[name] = dir;
  }
  Object.assign(env, options.envOverrides);
  const [command, ...args] = container.command;
  try {
    return await run(command, args, { env, timeoutMs: options.timeoutMs });
  } finally {
    for (const dir of cleanups) rmSync(dir, { recursive: true, force: true });
  }
}
