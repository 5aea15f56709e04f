/**
 * Isolated data stores: the platform's `beta:databases` and a Beta's `beta:database`, as zod
 * schemas and plain settings (no Pulumi).
 */
import { z } from "zod";
import { ConfigError, formatIssues } from "./config-error";
import { backendHost, envMap, port, strictObject } from "./config-rules";
import { DatabaseSettings } from "./database-jobs";
import { DEFAULT_DATABASE_IMAGE, DEFAULT_MAINTENANCE_DATABASE, DEFAULT_TEMPLATE_DATABASE, tenantDatabaseName } from "./database-sql";

export const DATABASE_MODES = ["shared", "isolated", "ephemeral"] as const;
export type DatabaseMode = (typeof DATABASE_MODES)[number];
/** A Beta's `beta:database`. */
export const databaseMode = z.enum(DATABASE_MODES, { error: `one of ${DATABASE_MODES.join(", ")}` });

/** Fields the apps' env templates may use, e.g. `postgres://{user}:{password}@{host}:{port}/{database}`. */
export const ENV_TEMPLATE_FIELDS = ["host", "port", "user", "password", "database"] as const;
export const DEFAULT_DATABASE_ENV = { DATABASE_URL: "postgres://{user}:{password}@{host}:{port}/{database}" };

const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case PostgreSQL identifier (letters, digits, '_'), at most 63 characters");
const pinnedImage = z
  .string()
  .regex(/^[a-z0-9][a-z0-9./_-]*(:[0-9]+)?(\/[a-z0-9._-]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "an image with an explicit tag, e.g. postgres:17.6-alpine")
  .refine((value) => !value.endsWith(":latest"), "pin a version; \":latest\" changes under you");
const envTemplate = z.string().superRefine((value, ctx) => {
  for (const [, field] of value.matchAll(/\{([^}]*)\}/g)) {
    if (!(ENV_TEMPLATE_FIELDS as readonly string[]).includes(field)) {
      ctx.addIssue({ code: "custom", message: `unknown field {${field}} (fields: ${ENV_TEMPLATE_FIELDS.map((f) => `{${f}}`).join(", ")})`, input: value });
    }
  }
});

/** The platform's `beta:databases`. */
export const databasesConfig = strictObject({
  /** The shared PostgreSQL server (14 or newer) the apps and the Jobs connect to. */
  host: backendHost,
  port: port.optional(),
  /** The database Betas clone; CI refreshes it from a seed or an anonymised snapshot. */
  template: identifier.optional(),
  /** A role that may CREATE DATABASE and CREATE ROLE; kept in the platform namespace `databases` only. */
  adminUser: identifier,
  /** Its password: `pulumi config set --secret --path beta:databases.adminPassword ...`. */
  adminPassword: z.string().min(1, "the admin role's password (set it with --secret)"),
  /** libpq sslmode for every connection, e.g. "require" on RDS. */
  sslmode: z.enum(["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]).optional(),
  /** FILE_COPY (default) or WAL_LOG (PostgreSQL 15+; better for a small template on a busy server). */
  strategy: z.enum(["FILE_COPY", "WAL_LOG"], { error: "FILE_COPY or WAL_LOG" }).optional(),
  /** Pinned image with sh and psql that the Jobs run. */
  image: pinnedImage.optional(),
  /** The env the apps get for their database, from templates; the same names as in beta:appSecrets. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name"), envTemplate).optional(),
  /** `beta:database: ephemeral`: an image CI builds (PostgreSQL with the template's dump in /docker-entrypoint-initdb.d). */
  ephemeralImage: pinnedImage.optional(),
});
export type DatabasesConfig = z.output<typeof databasesConfig>;

/** What both stacks work from: the platform exports it (without the admin password) as `databases`. */
export interface DatabasePlan extends DatabaseSettings {
  host: string;
  port: number;
  sslmode?: string;
  env: Record<string, string>;
  ephemeralImage?: string;
}

export const databasePlanOutput = z.object({
  host: backendHost,
  port,
  template: identifier,
  strategy: z.enum(["FILE_COPY", "WAL_LOG"]),
  image: pinnedImage,
  maintenanceDatabase: identifier.optional(),
  sslmode: z.string().optional(),
  env: envMap,
  ephemeralImage: pinnedImage.optional(),
});

/** Defaults filled in; refuses a template that is some developer's database. */
export function planDatabases(config: DatabasesConfig, developers: readonly string[]): DatabasePlan {
  const template = config.template ?? DEFAULT_TEMPLATE_DATABASE;
  const clash = developers.find((name) => tenantDatabaseName(name) === template);
  if (clash) {
    throw new ConfigError(`beta:databases.template ${JSON.stringify(template)} is the database of developer ${JSON.stringify(clash)} (beta_<name>); rename the template or the developer`);
  }
  return {
    host: config.host,
    port: config.port ?? 5432,
    template,
    strategy: config.strategy ?? "FILE_COPY",
    image: config.image ?? DEFAULT_DATABASE_IMAGE,
    maintenanceDatabase: DEFAULT_MAINTENANCE_DATABASE,
    sslmode: config.sslmode,
    env: config.env ?? DEFAULT_DATABASE_ENV,
    ephemeralImage: config.ephemeralImage,
  };
}

/** The apps' env for one connection, from the templates; user and password are URL-encoded inside URLs. */
export function renderDatabaseEnv(templates: Record<string, string>, values: Record<(typeof ENV_TEMPLATE_FIELDS)[number], string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(templates).map(([name, template]) => {
      const isUrl = /^[a-z]+:\/\//.test(template);
      return [name, template.replace(/\{(\w+)\}/g, (_, field: keyof typeof values) => (isUrl ? encodeURIComponent(values[field]) : values[field]))];
    }),
  );
}

/** A Beta asking for a mode the platform cannot give fails before anything is declared. */
export function assertDatabaseModeAvailable(mode: DatabaseMode, plan: DatabasePlan | undefined): void {
  if (mode === "shared") return;
  if (!plan) throw new ConfigError(`beta:database is ${JSON.stringify(mode)} but the platform has no beta:databases; use "shared" or ask the platform team to set it up`);
  if (mode === "ephemeral" && !plan.ephemeralImage) {
    throw new ConfigError("beta:database is \"ephemeral\" but the platform's beta:databases has no ephemeralImage (the data image CI builds); use \"isolated\" or \"shared\"");
  }
}

/** The platform's `databases` output as plain values; undefined when the platform offers none. */
export function readDatabasePlan(platformStack: string, raw: unknown): DatabasePlan | undefined {
  if (raw === undefined || raw === null) return undefined;
  const result = databasePlanOutput.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(`The platform stack ${JSON.stringify(platformStack)} exports invalid data:\n${formatIssues(`${platformStack} output databases`, result.error.issues)}`);
  }
  return result.data;
}
