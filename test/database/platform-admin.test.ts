/**
 * The platform's database scripts on a real PostgreSQL, run by an admin that is not a
 * superuser (a managed server gives none): a departed developer whose role other tenants
 * granted privileges to, and the scheduled reap that drops the databases of Betas destroyed
 * without `beta destroy`. Every step runs the very containers the stacks declare
 * (lib/database-jobs.ts), the reap's claim reader against a stand-in for the Kubernetes API.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Server } from "node:http";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ORPHAN_MARK_KEY } from "../../lib/database-admin";
import { claimPath } from "../../lib/database-claims";
import { DatabaseSettings, TENANTS_DIR, databaseReaperCronJob, platformDatabaseJob, tenantDatabaseJob } from "../../lib/database-jobs";
import { DatabaseAction, tenantDatabaseName } from "../../lib/database-sql";
import { CommandResult, PostgresServer, expectOk, runContainer, runJobContainer } from "../support/postgres";

const SETTINGS: DatabaseSettings = { image: "postgres:17.6-alpine", template: "beta_template", strategy: "FILE_COPY" };
const PLATFORM_ADMIN = "platform_admin";
const PLATFORM_PASSWORD = "platform-secret";
const TENANTS = ["alice", "bob", "carol", "erin", "frank", "hank"];
const password = (name: string) => `pw-${name}`;
const GRACE_SECONDS = 12;
const TOKEN = "reaper-token";

const SEED = `
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer_id int REFERENCES customers, amount numeric(10,2));
INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, 30) g;
INSERT INTO orders (customer_id, amount) SELECT 1 + g % 30, g * 2.5 FROM generate_series(1, 100) g;
`;

let server: PostgresServer;
const adminSecret = () => ({ "database-admin": server.libpqEnv(PLATFORM_ADMIN, PLATFORM_PASSWORD) });

function runTenant(name: string, action: DatabaseAction): Promise<CommandResult> {
  return runJobContainer(tenantDatabaseJob({ developer: name, action, settings: SETTINGS }), { database: server.libpqEnv(tenantDatabaseName(name), password(name)) });
}

function prepare(tenants: string[]): Promise<CommandResult> {
  const manifest = platformDatabaseJob({ action: "prepare", settings: SETTINGS, adminSecret: "database-admin", jobName: "database-prepare" });
  return runJobContainer(manifest, adminSecret(), { mounts: { [TENANTS_DIR]: Object.fromEntries(tenants.map((name) => [name, password(name)])) } });
}

const asTenant = (name: string, sql: string, database = tenantDatabaseName(name)) =>
  server.psql(sql, { user: tenantDatabaseName(name), password: password(name), database, allowFailure: true });
const asAdmin = (sql: string, database = "postgres") => server.psql(sql, { user: PLATFORM_ADMIN, password: PLATFORM_PASSWORD, database, allowFailure: true });


beforeAll(async () => {
  server = await PostgresServer.start();
  // The platform's admin as a managed server has it: CREATEDB and CREATEROLE, no superuser.
  await server.psql(`CREATE ROLE ${PLATFORM_ADMIN} LOGIN CREATEDB CREATEROLE PASSWORD '${PLATFORM_PASSWORD}'; CREATE DATABASE app_prod; CREATE ROLE reporting LOGIN;`);
  await server.psql("CREATE TABLE precious (v text); INSERT INTO precious VALUES ('keep me');", { database: "app_prod" });
  expectOk(await asAdmin("CREATE DATABASE beta_template"));
  expectOk(await asAdmin(SEED, "beta_template"));
  expectOk(await prepare(TENANTS));
  for (const name of ["alice", "bob", "carol", "erin", "hank"]) expectOk(await runTenant(name, "clone"));
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe("a developer who leaves beta:developers, when other tenants granted their role privileges", { timeout: 120_000 }, () => {
  let alicePrint: Record<string, string>;
  let carolPrint: Record<string, string>;
  let templatePrint: Record<string, string>;

  beforeAll(async () => {
    // alice shares a table with bob and lets him keep notes in her database.
    for (const sql of [
      "GRANT CONNECT ON DATABASE beta_alice TO beta_bob",
      "GRANT USAGE, CREATE ON SCHEMA public TO beta_bob",
      "GRANT SELECT ON customers TO beta_bob",
      "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO beta_bob",
    ]) expect((await asTenant("alice", sql)).stderr, sql).toBe("");
    const notes = await asTenant("bob", "SELECT count(*) FROM customers; CREATE TABLE bobs_notes (note text); INSERT INTO bobs_notes VALUES ('ask alice about orders');", "beta_alice");
    expect(notes.stderr).toBe("");
    alicePrint = await server.fingerprint("beta_alice");
    carolPrint = await server.fingerprint("beta_carol");
    templatePrint = await server.fingerprint("beta_template");
  });

  it("is the case PostgreSQL refuses a plain DROP ROLE for, and the admin may not even connect to alice's database", async () => {
    expect((await asAdmin("DROP ROLE beta_bob")).stderr).toMatch(/role "beta_bob" cannot be dropped because some objects depend on it/);
    expect((await asAdmin("SELECT 1", "beta_alice")).stderr).toMatch(/permission denied for database "beta_alice"/);
  });

  it("loses role and database, while alice keeps every row, bob's notes included (now hers), and no one else is touched", async () => {
    const result = expectOk(await prepare(TENANTS.filter((t) => t !== "bob")));
    expect(result.stderr).toMatch(/beta_bob's objects in beta_alice now belong to beta_alice; its privileges there are revoked/);
    expect(result.stderr).toMatch(/dropped departed tenant role beta_bob/);
    expect(await server.query("SELECT count(*) FROM pg_roles WHERE rolname = 'beta_bob'")).toBe("0");
    expect(await server.databases()).not.toContain("beta_bob");
    expect(await server.fingerprint("beta_alice")).toEqual(alicePrint);
    expect(await server.query("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'bobs_notes'", "beta_alice")).toBe("beta_alice");
    expect(await server.query("SELECT datacl::text FROM pg_database WHERE datname = 'beta_alice'")).not.toMatch(/beta_bob/);
    expect((await asTenant("alice", "INSERT INTO bobs_notes VALUES ('mine now'); SELECT count(*) FROM customers;")).stderr).toBe("");
    expect(await server.fingerprint("beta_carol")).toEqual(carolPrint);
    expect(await server.fingerprint("beta_template")).toEqual(templatePrint);
    expect(await server.fingerprint("app_prod")).toEqual({ "public.precious": expect.stringMatching(/^1:/) });
    expect(await server.query(`SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('reporting', '${PLATFORM_ADMIN}', 'beta_alice', 'beta_carol')`)).toBe(
      `beta_alice,beta_carol,${PLATFORM_ADMIN},reporting`,
    );
  });

  it("is kept, with one clear error, while it holds privileges in a database that is not a Beta's, which Beta never changes", async () => {
    await server.psql("GRANT CONNECT ON DATABASE app_prod TO beta_frank");
    await server.psql("GRANT SELECT ON precious TO beta_frank", { database: "app_prod" });
    const result = await prepare(["alice", "carol", "erin", "hank"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/kept role beta_frank: it still owns objects or holds privileges in app_prod \(not Beta databases, which Beta never changes\)\. Revoke them there/);
    expect(await server.query("SELECT has_table_privilege('beta_frank', 'precious', 'SELECT')", "app_prod")).toBe("t");
    await server.psql("REVOKE SELECT ON precious FROM beta_frank", { database: "app_prod" });
    await server.psql("REVOKE CONNECT ON DATABASE app_prod FROM beta_frank");
    expect(expectOk(await prepare(["alice", "carol", "erin", "hank"])).stderr).toMatch(/dropped departed tenant role beta_frank/);
  });
});

/** A self-signed certificate for 127.0.0.1 (openssl), standing in for the cluster's CA and API server certificate. */
function selfSignedCertificate(dir: string, name: string): { key: string; cert: string; certFile: string } {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile };
}

/**
 * A stand-in for the Kubernetes API server, over HTTPS: the claim ConfigMap of each developer in `claims`
 * answers 200, another 404 with the NotFound Status the API server sends; `forbidden`
 * developers get 403 (no RoleBinding), `wrongPath` a bare 404. Only the reaper's token is let in.
 */
function fakeApiServer(tls: { key: string; cert: string }, state: { claims: Set<string>; forbidden: Set<string>; wrongPath: Set<string> }): Promise<{ server: Server; url: string }> {
  const server = createServer(tls, (request, response) => {
    const send = (code: number, body: unknown) => response.writeHead(code, { "content-type": "application/json" }).end(typeof body === "string" ? body : JSON.stringify(body));
    if (request.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { kind: "Status", reason: "Unauthorized", code: 401 });
    const developer = TENANTS.find((name) => request.url === claimPath(name));
    if (!developer) return send(404, "404 page not found");
    if (state.forbidden.has(developer)) return send(403, { kind: "Status", reason: "Forbidden", code: 403 });
    if (state.wrongPath.has(developer)) return send(404, "404 page not found");
    if (state.claims.has(developer)) return send(200, { kind: "ConfigMap", apiVersion: "v1", metadata: { name: "database-claim", namespace: `beta-${developer}` } });
    // What apimachinery's NewNotFound encodes (compact JSON).
    return send(404, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'configmaps "database-claim" not found', reason: "NotFound", details: { name: "database-claim", kind: "configmaps" }, code: 404 });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `https://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

describe("the scheduled reap of databases whose Beta is gone", { timeout: 120_000 }, () => {
  const state = { claims: new Set(["alice", "carol", "erin", "hank"]), forbidden: new Set(["erin"]), wrongPath: new Set(["hank"]) };
  const cron = databaseReaperCronJob({ settings: SETTINGS, adminSecret: "database-admin", developers: ["alice", "carol", "erin", "hank"], graceSeconds: GRACE_SECONDS });
  let api: { server: Server; url: string };
  let dir: string;
  const prints: Record<string, Record<string, string>> = {};

  let otherCa: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "beta-reap-"));
    const tls = selfSignedCertificate(dir, "api");
    writeFileSync(path.join(dir, "ca.crt"), tls.cert);
    otherCa = selfSignedCertificate(dir, "other").certFile;
    api = await fakeApiServer(tls, state);
    writeFileSync(path.join(dir, "token"), TOKEN);
    for (const db of ["beta_alice", "beta_erin", "beta_hank", "beta_template", "app_prod"]) prints[db] = await server.fingerprint(db);
  });
  afterAll(() => {
    api?.server.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** One run of the CronJob's pod: its init container reads the claims, then its psql container reaps. */
  async function reapOnce(caFile = path.join(dir, "ca.crt")): Promise<{ claims: string; reap: string }> {
    const claimsDir = mkdtempSync(path.join(dir, "claims-"));
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const claims = await runContainer(pod.initContainers[0], {}, {
      envOverrides: { BETA_CLAIMS_DIR: claimsDir, BETA_TOKEN_FILE: path.join(dir, "token"), BETA_CA_FILE: caFile, BETA_API_SERVER: api.url },
    });
    expect(claims.code, claims.stderr).toBe(0);
    const reap = expectOk(await runContainer(pod.containers[0], adminSecret(), { envOverrides: { BETA_CLAIMS_DIR: claimsDir } }));
    return { claims: claims.stderr, reap: reap.stderr };
  }

  const comment = async (db: string) => JSON.parse((await server.query(`SELECT coalesce(shobj_description(oid, 'pg_database'), '{}') FROM pg_database WHERE datname = '${db}'`)) || "null");

  it("reads each claim with the reaper's token; a 403 or a 404 that is not the ConfigMap's NotFound is unknown", async () => {
    state.claims.delete("carol");
    const { claims } = await reapOnce();
    expect(claims).toMatch(/beta-alice: present/);
    expect(claims).toMatch(/beta-carol: absent/);
    expect(claims).toMatch(/beta-erin: unknown 403/);
    expect(claims).toMatch(/beta-hank: unknown 404 without the ConfigMap's NotFound/);
  });

  it("keeps an orphan seen once, marked in its COMMENT next to what the clone recorded, and leaves unknown claims unmarked", async () => {
    expect(await server.databases()).toContain("beta_carol");
    const carol = await comment("beta_carol");
    expect(carol).toMatchObject({ template: "beta_template", [ORPHAN_MARK_KEY]: expect.stringMatching(/Z$/) });
    for (const db of ["beta_alice", "beta_erin", "beta_hank"]) expect(await comment(db), db).not.toHaveProperty(ORPHAN_MARK_KEY);
    // Seen again within the grace period: still kept.
    const { reap } = await reapOnce();
    expect(reap).toMatch(/beta-reap: beta_carol has had no claim since .*; kept until 12 s have passed/);
    expect(await server.databases()).toContain("beta_carol");
  });

  it("trusts only the cluster's CA: an API server it cannot verify makes every claim unknown, and nothing is marked", async () => {
    state.claims.delete("alice");
    const { claims, reap } = await reapOnce(otherCa);
    state.claims.add("alice");
    expect(claims).toMatch(/beta-alice: unknown error/);
    expect(claims).toMatch(/SSL certificate problem/);
    expect(reap).toMatch(/the claim of beta_alice could not be read \(unknown error\)/);
    expect(await comment("beta_alice")).not.toHaveProperty(ORPHAN_MARK_KEY);
  });

  it("clears the mark when the claim re-appears, so a transient absence never drops data", async () => {
    state.claims.add("carol");
    const { reap } = await reapOnce();
    expect(reap).toMatch(/beta-reap: beta_carol is claimed again; its orphan mark is cleared/);
    expect(await comment("beta_carol")).not.toHaveProperty(ORPHAN_MARK_KEY);
    expect(await comment("beta_carol")).toMatchObject({ template: "beta_template" });
    await new Promise((resolve) => setTimeout(resolve, (GRACE_SECONDS + 1) * 1000));
    await reapOnce();
    expect(await server.databases()).toContain("beta_carol");
  });

  it("drops an orphan seen by two runs the grace period apart, and nothing else: other Betas, unknown claims, the template, other databases", async () => {
    state.claims.delete("carol");
    expect((await reapOnce()).reap).toMatch(/beta_carol has no claim; marked/);
    await new Promise((resolve) => setTimeout(resolve, (GRACE_SECONDS + 1) * 1000));
    const { reap } = await reapOnce();
    expect(reap).toMatch(/DROP DATABASE beta_carol WITH \(FORCE\)/);
    expect(await server.databases()).not.toContain("beta_carol");
    for (const db of Object.keys(prints)) expect(await server.fingerprint(db), db).toEqual(prints[db]);
    expect(await server.databases()).toEqual(expect.arrayContaining(["beta_alice", "beta_erin", "beta_hank", "beta_template", "app_prod"]));
    // The role stays: carol is still a developer and may clone again.
    expectOk(await runTenant("carol", "clone"));
  });
});
