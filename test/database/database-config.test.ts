import { describe, expect, it } from "vitest";
import { parseBetaConfig } from "../../lib/beta-config";
import { assertDatabaseModeAvailable, databasesConfig, planDatabases, renderDatabaseEnv } from "../../lib/database-config";
import { parseConfigValue } from "../../lib/config-error";

const base = { host: "10.0.12.34", adminUser: "beta_admin", adminPassword: "s3cret" };

describe("beta:databases", () => {
  it.each([
    ["a template that is not an identifier", { template: "Beta-Template" }, /template.*lower-case PostgreSQL identifier/],
    ["a moving image tag", { image: "postgres:latest" }, /image.*pin a version/],
    ["an unknown clone strategy", { strategy: "COPY" }, /strategy.*FILE_COPY or WAL_LOG/],
    ["an env template with an unknown field", { env: { DATABASE_URL: "postgres://{login}@{host}" } }, /unknown field \{login\}/],
    ["an unknown key, e.g. a misspelt one", { tempalte: "x" }, /unknown key "tempalte"/],
  ])("refuses %s, naming the key and the rule", (_why, extra, message) => {
    expect(() => parseConfigValue("beta:databases", databasesConfig, { ...base, ...extra })).toThrow(message);
  });

  it("refuses a template that is a developer's own database", () => {
    const config = parseConfigValue("beta:databases", databasesConfig, { ...base, template: "beta_template" });
    expect(() => planDatabases(config, ["alice", "template"])).toThrow(/beta:databases.template "beta_template" is the database of developer "template"/);
  });

  it("fills in the template, strategy, pinned image and a DATABASE_URL, and URL-encodes credentials inside URLs only", () => {
    const plan = planDatabases(parseConfigValue("beta:databases", databasesConfig, base), ["alice"]);
    expect(plan).toMatchObject({ template: "beta_template", strategy: "FILE_COPY", image: "postgres:17.6-alpine", port: 5432 });
    const env = renderDatabaseEnv({ ...plan.env, PGUSER: "{user}" }, { host: "db", port: "5432", user: "beta_a", password: "p@ss/w", database: "beta_a" });
    expect(env).toEqual({ DATABASE_URL: "postgres://beta_a:p%40ss%2Fw@db:5432/beta_a", PGUSER: "beta_a" });
  });
});

describe("beta:database", () => {
  it.each([
    [{}, "shared"],
    [{ database: "isolated" }, "isolated"],
    [{ database: "ephemeral" }, "ephemeral"],
  ])("%j gives mode %s", (raw, mode) => {
    expect(parseBetaConfig(raw).database).toBe(mode);
  });

  it("refuses an unknown mode, and a mode the platform does not offer, before anything is declared", () => {
    expect(() => parseBetaConfig({ database: "private" })).toThrow(/beta:database.*one of shared, isolated, ephemeral/);
    expect(() => assertDatabaseModeAvailable("isolated", undefined)).toThrow(/the platform has no beta:databases/);
    const plan = planDatabases(parseConfigValue("beta:databases", databasesConfig, base), []);
    expect(() => assertDatabaseModeAvailable("ephemeral", plan)).toThrow(/no ephemeralImage/);
    expect(() => assertDatabaseModeAvailable("isolated", plan)).not.toThrow();
  });
});
