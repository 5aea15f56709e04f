/**
 * Isolated databases on a real PostgreSQL: the platform's prepare/reap Job and the Beta's
 * clone/reset/drop Job run their very container command and env (from lib/database-jobs.ts,
 * what the components declare) against a server this test starts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES_NAMESPACE, DatabaseSettings, TENANTS_DIR, TENANT_DATABASE_SECRET, platformDatabaseJob, tenantDatabaseJob } from "../../lib/database-jobs";
import { CREATE_CLONE_SQL, DatabaseAction, tenantDatabaseName } from "../../lib/database-sql";
import { ADMIN_USER, CommandResult, PostgresServer, expectOk, freeLoopbackPort, runJobContainer } from "../support/postgres";

const SETTINGS: DatabaseSettings = { image: "postgres:17.6-alpine", template: "beta_template", strategy: "FILE_COPY" };
const LONGEST = "a23456789-123456789-1234567890"; // 30 characters, the developer-name limit
const TENANTS = ["alice", "bob", "carol", "dave", LONGEST];
const password = (name: string) => `pw-${name}`;

const SEED = `
CREATE TYPE status AS ENUM ('new', 'paid');
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int REFERENCES customers, amount numeric(10,2), state status DEFAULT 'new');
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id bigserial PRIMARY KEY, body jsonb);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 100;
CREATE FUNCTION order_total() RETURNS numeric LANGUAGE sql AS 'SELECT coalesce(sum(amount), 0) FROM orders';
INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 50) g;
INSERT INTO orders (customer_id, amount) SELECT 1 + g % 50, g * 3.5 FROM generate_series(1, 200) g;
INSERT INTO billing.invoices (body) SELECT jsonb_build_object('n', g) FROM generate_series(1, 20) g;
`;

let server: PostgresServer;

function tenantSecret(name: string, pw = password(name)) {
  return { [TENANT_DATABASE_SECRET]: server.libpqEnv(tenantDatabaseName(name), pw) };
}

function runTenant(name: string, action: DatabaseAction, env: Record<string, string> = {}, pw?: string): Promise<CommandResult> {
  return runJobContainer(tenantDatabaseJob({ developer: name, action, settings: SETTINGS }), tenantSecret(name, pw), { envOverrides: env });
}

async function runPlatform(action: "prepare" | "reap", options: { tenants?: string[]; keep?: string[] } = {}): Promise<CommandResult> {
  const manifest = platformDatabaseJob({ action, settings: SETTINGS, adminSecret: "database-admin", jobName: `database-${action}`, keepDatabases: options.keep });
  expect(manifest.metadata.namespace).toBe(DATABASES_NAMESPACE);
  const tenants = Object.fromEntries((options.tenants ?? TENANTS).map((name) => [name, password(name)]));
  return runJobContainer(manifest, { "database-admin": server.libpqEnv() }, { mounts: { [TENANTS_DIR]: tenants } });
}

const asTenant = (name: string, sql: string, database = tenantDatabaseName(name)) =>
  server.psql(sql, { user: tenantDatabaseName(name), password: password(name), database, allowFailure: true });

let templatePrint: Record<string, string>;

beforeAll(async () => {
  server = await PostgresServer.start();
  await server.psql("CREATE DATABASE beta_template; CREATE DATABASE app_prod; CREATE DATABASE beta_legacy; CREATE ROLE reporting LOGIN;");
  await server.psql(SEED, { database: "beta_template" });
  await server.psql("CREATE TABLE precious (v text); INSERT INTO precious VALUES ('keep me');", { database: "app_prod" });
  expectOk(await runPlatform("prepare"));
  templatePrint = await server.fingerprint("beta_template");
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("the platform's prepare Job", { timeout: 120_000 }, () => {
  it("gives each developer a LOGIN role with CREATEDB and nothing else, and closes the template to everyone but its owner", async () => {
    const roles = await server.query(
      "SELECT string_agg(format('%s %s%s%s%s', rolname, rolcanlogin, rolcreatedb, rolsuper, rolcreaterole), ',' ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'beta\\_%'",
    );
    expect(roles.split(",")).toEqual(TENANTS.map((t) => `beta_${t} ttff`).sort());
    expect(await server.query("SELECT datistemplate, datacl FROM pg_database WHERE datname = 'beta_template'")).toBe(`t|{${ADMIN_USER}=CTc/${ADMIN_USER}}`);
    expect(await server.query("SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class WHERE relnamespace::regnamespace::text IN ('public', 'billing')", "beta_template")).toBe("pg_database_owner");
    expect((await asTenant("bob", "SELECT 1", "beta_template")).stderr).toMatch(/permission denied for database "beta_template"/);
  });

  it("is safe to run again and leaves the template's data as it was", async () => {
    expectOk(await runPlatform("prepare"));
    expect(await server.fingerprint("beta_template")).toEqual(templatePrint);
  });

  it("refuses with a clear message when the template does not exist", async () => {
    const manifest = platformDatabaseJob({ action: "prepare", settings: { ...SETTINGS, template: "beta_missing" }, adminSecret: "a", jobName: "p" });
    const result = await runJobContainer(manifest, { a: server.libpqEnv() }, { mounts: { [TENANTS_DIR]: Object.fromEntries(TENANTS.map((t) => [t, password(t)])) } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).not.toMatch(/role beta_alice ready/);
    expect(result.stderr).toMatch(/template database 'beta_missing' does not exist; create and seed it first/);
  });
});

describe("a Beta's isolated database", { timeout: 120_000 }, () => {
  it("is a clone of the template that the Beta's role owns, reads and writes, and nobody else may open", async () => {
    expectOk(await runTenant("alice", "clone"));
    expect(await server.fingerprint("beta_alice")).toEqual(templatePrint);
    const writes = await asTenant("alice", "INSERT INTO orders (customer_id, amount) VALUES (1, 500); INSERT INTO billing.invoices (body) VALUES ('{}'); CREATE TABLE mine (x int); SELECT count(*) FROM big_orders; SELECT order_total() > 0;");
    expect(writes.stderr).toBe("");
    // A new database's ACL is the default one, not the template's: the clone revokes PUBLIC.
    expect(await server.query("SELECT pg_get_userbyid(datdba), datacl, datallowconn FROM pg_database WHERE datname = 'beta_alice'")).toBe("beta_alice|{beta_alice=CTc/beta_alice}|t");
    expect((await asTenant("bob", "SELECT 1", "beta_alice")).stderr).toMatch(/permission denied for database "beta_alice"/);
    expect((await server.psql("SELECT 1", { user: "reporting", password: "", database: "beta_alice", allowFailure: true })).code).not.toBe(0);
  });

  it("runs again without touching the clone's data (idempotent)", async () => {
    const before = await server.fingerprint("beta_alice");
    const again = expectOk(await runTenant("alice", "clone"));
    expect(again.stderr).toMatch(/beta_alice exists; nothing to do/);
    expect(await server.fingerprint("beta_alice")).toEqual(before);
  });

  it("resets to the template's data after writes, leaving the template and other Betas byte-for-byte unchanged", async () => {
    expectOk(await runTenant("bob", "clone"));
    await asTenant("bob", "DELETE FROM orders WHERE id < 10");
    const bobPrint = await server.fingerprint("beta_bob");
    expect(await server.fingerprint("beta_alice")).not.toEqual(templatePrint);
    expectOk(await runTenant("alice", "reset"));
    expect(await server.fingerprint("beta_alice")).toEqual(templatePrint);
    expect(await server.fingerprint("beta_template")).toEqual(templatePrint);
    expect(await server.fingerprint("beta_bob")).toEqual(bobPrint);
    expect(await server.fingerprint("app_prod")).toEqual({ "public.precious": expect.stringMatching(/^1:/) });
  });

  it("reports its size, template and clone time as one JSON line", async () => {
    const status = JSON.parse(expectOk(await runTenant("alice", "status")).stdout);
    expect(status).toMatchObject({ database: "beta_alice", exists: true, clone: { template: "beta_template" } });
    expect(status.sizeBytes).toBeGreaterThan(1_000_000);
    expect(Date.parse(status.clone.clonedAt)).toBeGreaterThan(Date.now() - 10 * 60_000);
    expect(JSON.parse(expectOk(await runTenant("carol", "status")).stdout)).toEqual({ database: "beta_carol", exists: false });
  });

  it("cannot be dropped, cloned or opened by another tenant, and its tenant cannot touch the template", async () => {
    const attempts: [string, string, RegExp][] = [
      ["bob", "DROP DATABASE beta_alice", /must be owner of database beta_alice/],
      ["bob", "CREATE DATABASE stolen TEMPLATE beta_alice", /permission denied to copy database "beta_alice"/],
      ["alice", "DROP DATABASE beta_template", /must be owner of database beta_template/],
      ["alice", "ALTER DATABASE beta_template IS_TEMPLATE false", /must be owner of database beta_template/],
      ["alice", "ALTER DATABASE beta_template OWNER TO beta_alice", /must be owner of database beta_template/],
      ["alice", "CREATE ROLE intruder", /permission denied to create role/],
    ];
    for (const [tenant, sql, error] of attempts) {
      const result = await asTenant(tenant, sql, "postgres");
      expect(result.stderr, sql).toMatch(error);
    }
    expect(await server.fingerprint("beta_template")).toEqual(templatePrint);
  });

  it("admits no connection while it is being cloned, and a clone left half-made is made again", async () => {
    // The clone's first statement, run alone as the Job would before it is interrupted.
    const half = await server.psql(`\\set db beta_carol\n\\set template beta_template\n\\set strategy_clause 'STRATEGY FILE_COPY'\n${CREATE_CLONE_SQL}`, { user: "beta_carol", password: password("carol") });
    expect(half.code).toBe(0);
    expect((await asTenant("carol", "SELECT 1")).stderr).toMatch(/not currently accepting connections/);
    expect((await asTenant("bob", "SELECT 1", "beta_carol")).stderr).toMatch(/not currently accepting connections/);
    const again = expectOk(await runTenant("carol", "clone"));
    expect(again.stderr).toMatch(/left from an interrupted clone; cloning it again/);
    expect(await server.fingerprint("beta_carol")).toEqual(templatePrint);
  });

  it("is dropped by its own role, even with its sessions open, and dropping again is not an error", async () => {
    const open = server.psql("SELECT pg_sleep(20)", { user: "beta_carol", password: password("carol"), database: "beta_carol", allowFailure: true });
    await waitFor(async () => (await server.query("SELECT count(*) FROM pg_stat_activity WHERE datname = 'beta_carol'")) === "1");
    // Marking its own clone a template must not make it undroppable.
    await asTenant("carol", "ALTER DATABASE beta_carol IS_TEMPLATE true", "postgres");
    expectOk(await runTenant("carol", "drop"));
    expect((await open).stderr).toMatch(/terminating connection/);
    expect(await server.databases()).not.toContain("beta_carol");
    expectOk(await runTenant("carol", "drop"));
  });

  it("clones for two Betas at once", async () => {
    await runTenant("dave", "drop");
    const [dave, longest] = await Promise.all([runTenant("dave", "clone"), runTenant(LONGEST, "clone")]);
    expectOk(dave);
    expectOk(longest);
    expect(await server.fingerprint("beta_dave")).toEqual(templatePrint);
    // A developer name at the 30-character limit: beta_<name> is 35 of PostgreSQL's 63.
    expect(await server.fingerprint(`beta_${LONGEST}`)).toEqual(templatePrint);
  });

  it("retries while another session holds the template, then fails with a message that says who and what to do", async () => {
    const started = Date.now();
    const holder = server.psql("SELECT pg_sleep(25)", { database: "beta_template", allowFailure: true });
    await waitFor(async () => (await server.query("SELECT count(*) FROM pg_stat_activity WHERE datname = 'beta_template'")) === "1");
    await runTenant("dave", "drop");
    const result = await runTenant("dave", "clone", { BETA_CLONE_ATTEMPTS: "2", BETA_RETRY_SECONDS: "1" });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/beta_template is in use by another session; attempt 1 of 2/);
    expect(result.stderr).toMatch(/cannot clone beta_template: it is in use by 1 session\(s\) of admin after 2 attempts.*Try again later \(beta db reset\)/);
    // Bounded, not a timing goal: PostgreSQL waits 5 s per attempt, and there are two and a pause.
    expect(Date.now() - started).toBeLessThan(90_000);
    await server.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'beta_template'");
    await holder;
    expectOk(await runTenant("dave", "clone"));
  });

  it("succeeds when the template is freed during its retries", async () => {
    await runTenant("dave", "drop");
    const holder = server.psql("SELECT pg_sleep(3)", { database: "beta_template", allowFailure: true });
    await waitFor(async () => (await server.query("SELECT count(*) FROM pg_stat_activity WHERE datname = 'beta_template'")) === "1");
    const result = expectOk(await runTenant("dave", "clone", { BETA_CLONE_ATTEMPTS: "5", BETA_RETRY_SECONDS: "1" }));
    await holder;
    expect(result.stderr).toMatch(/cloned beta_template into beta_dave/);
  });

  it("fails fast with the server's reason when the server refuses", async () => {
    const wrong = await runTenant("alice", "status", {}, "not-the-password");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/password authentication failed for user "beta_alice"/);
    const closed = await runTenant("alice", "clone", { PGPORT: String(await freeLoopbackPort()) });
    expect(closed.code).not.toBe(0);
    expect(closed.stderr).toMatch(/Connection refused/);
  });
});

describe("the platform's reap", { timeout: 120_000 }, () => {
  it("drops Beta clones whose Beta is gone and nothing else: not the template, not other databases, not kept Betas", async () => {
    expectOk(await runTenant("carol", "clone"));
    const kept = ["beta_alice", "beta_bob", "beta_dave", `beta_${LONGEST}`];
    const before = Object.fromEntries(await Promise.all(kept.map(async (db) => [db, await server.fingerprint(db)] as const)));
    const result = expectOk(await runPlatform("reap", { keep: kept }));
    expect(result.stderr).toMatch(/DROP DATABASE beta_carol WITH \(FORCE\)/);
    expect(await server.databases()).toEqual(expect.arrayContaining(["app_prod", "beta_legacy", "beta_template", ...kept]));
    expect(await server.databases()).not.toContain("beta_carol");
    for (const db of kept) expect(await server.fingerprint(db)).toEqual(before[db]);
    expect(await server.fingerprint("beta_template")).toEqual(templatePrint);
    expect(expectOk(await runPlatform("reap", { keep: kept })).stderr).toMatch(/no orphan databases/);
  });

  it("drops the role and database of a developer no longer listed, and no other role", async () => {
    const remaining = TENANTS.filter((t) => t !== "dave");
    expectOk(await runPlatform("prepare", { tenants: remaining }));
    expect(await server.databases()).not.toContain("beta_dave");
    expect(await server.query("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('beta_dave', 'reporting', 'beta_alice', 'admin')")).toBe("admin,beta_alice,reporting");
    expect(await server.fingerprint("beta_template")).toEqual(templatePrint);
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
