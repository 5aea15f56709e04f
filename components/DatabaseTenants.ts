import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { createHash } from "node:crypto";
import { DatabasePlan, renderDatabaseEnv } from "../lib/database-config";
import { CLAIM_READER_ROLE, DATABASE_CLAIM, REAPER_SERVICE_ACCOUNT } from "../lib/database-claims";
import { DATABASES_NAMESPACE, TENANT_DATABASE_SECRET, TENANT_PASSWORDS_SECRET, databaseReaperCronJob, platformDatabaseJob } from "../lib/database-jobs";
import { tenantDatabaseName } from "../lib/database-sql";

/** Secret in `databases` holding the admin connection; no tenant can read it. */
export const DATABASE_ADMIN_SECRET = "database-admin";

export interface DatabaseTenantsArgs {
  /** Server, template, image and the apps' env templates (see `planDatabases`). */
  plan: DatabasePlan;
  /** A role that may CREATE DATABASE and CREATE ROLE. */
  adminUser: string;
  adminPassword: pulumi.Input<string>;
  /** Developer name → its tenant namespace `beta-<name>`, which the platform owns. */
  tenants: Record<string, pulumi.Input<string>>;
}

/**
 * The platform's side of isolated databases: namespace `databases` with the admin connection,
 * a Job that keeps one LOGIN+CREATEDB role `beta_<name>` per developer and the template owned
 * by pg_database_owner (lib/database-sql.ts), and in each tenant namespace the Secret
 * `database` with that role's connection, which the Beta's clone Job and apps read. A CronJob
 * reaps the databases whose Beta no longer claims them (lib/database-claims.ts); its
 * ServiceAccount may `get` the ConfigMap `database-claim` in each tenant namespace and nothing
 * else: no list, no other ConfigMap, no Secret, no other namespace.
 */
export class DatabaseTenants extends pulumi.ComponentResource {
  readonly prepareJob: k8s.batch.v1.Job;
  readonly reaper: k8s.batch.v1.CronJob;

  constructor(name: string, args: DatabaseTenantsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:DatabaseTenants", name, {}, opts);
    const { plan } = args;
    const childOpts = { parent: this };
    const developers = Object.keys(args.tenants).sort();

    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: DATABASES_NAMESPACE,
          labels: { "app.kubernetes.io/part-of": "beta", "pod-security.kubernetes.io/enforce": "restricted" },
        },
      },
      childOpts,
    ).metadata.name;

    const libpq = (user: pulumi.Input<string>, password: pulumi.Input<string>) => ({
      PGHOST: plan.host,
      PGPORT: String(plan.port),
      PGUSER: user,
      PGPASSWORD: password,
      ...(plan.sslmode ? { PGSSLMODE: plan.sslmode } : {}),
    });
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-admin`,
      { metadata: { name: DATABASE_ADMIN_SECRET, namespace }, type: "Opaque", stringData: pulumi.secret(libpq(args.adminUser, args.adminPassword)) },
      childOpts,
    );

    // Default providers are disabled, so the random package needs one of its own too (it has no
    // settings and reaches nothing outside the engine).
    const randomProvider = new random.Provider(`${name}-random`, {}, childOpts);
    const passwords = Object.fromEntries(
      developers.map((developer) => [
        developer,
        new random.RandomPassword(`${name}-password-${developer}`, { length: 32, special: false }, { ...childOpts, provider: randomProvider }).result,
      ]),
    );
    const tenantPasswords = new k8s.core.v1.Secret(
      `${name}-tenant-passwords`,
      { metadata: { name: TENANT_PASSWORDS_SECRET, namespace }, type: "Opaque", stringData: pulumi.secret(passwords) },
      childOpts,
    );

    for (const developer of developers) {
      const role = tenantDatabaseName(developer);
      const appEnv = pulumi
        .output(passwords[developer])
        .apply((password) => renderDatabaseEnv(plan.env, { host: plan.host, port: String(plan.port), user: role, password, database: role }));
      new k8s.core.v1.Secret(
        `${name}-tenant-${developer}`,
        {
          metadata: { name: TENANT_DATABASE_SECRET, namespace: args.tenants[developer], labels: { "app.kubernetes.io/part-of": "beta" } },
          type: "Opaque",
          // libpq's names for the clone Job, then the apps' own names (PGDATABASE is the clone).
          stringData: pulumi.secret(
            pulumi.all([appEnv, passwords[developer]]).apply(([env, password]) => ({ ...libpq(role, password), PGDATABASE: role, ...env })),
          ),
        },
        childOpts,
      );
    }

    // A Job's pod template is immutable: a new developer list, password or template makes a new Job.
    const manifest = platformDatabaseJob({ action: "prepare", settings: plan, adminSecret: DATABASE_ADMIN_SECRET, jobName: "unused" });
    const inputsDigest = pulumi
      .all([pulumi.output(passwords)])
      .apply(([values]) => createHash("sha256").update(JSON.stringify([developers, plan, values])).digest("hex").slice(0, 16));
    this.prepareJob = new k8s.batch.v1.Job(
      `${name}-prepare`,
      {
        metadata: { namespace, labels: manifest.metadata.labels, annotations: { "beta/inputs": inputsDigest } },
        spec: manifest.spec as k8s.types.input.batch.v1.JobSpec,
      },
      { parent: this, dependsOn: [adminSecret, tenantPasswords], customTimeouts: { create: "15m", update: "15m" } },
    );

    const reaperAccount = new k8s.core.v1.ServiceAccount(
      `${name}-reaper`,
      { metadata: { name: REAPER_SERVICE_ACCOUNT, namespace, labels: { "app.kubernetes.io/part-of": "beta" } }, automountServiceAccountToken: false },
      childOpts,
    );
    // resourceNames pins the rule to that one name; a `get` names its object, so RBAC can check it
    // (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources).
    const claimReader = new k8s.rbac.v1.ClusterRole(
      `${name}-claim-reader`,
      {
        metadata: { name: CLAIM_READER_ROLE, labels: { "app.kubernetes.io/part-of": "beta" } },
        rules: [{ apiGroups: [""], resources: ["configmaps"], resourceNames: [DATABASE_CLAIM], verbs: ["get"] }],
      },
      { parent: this, deleteBeforeReplace: true },
    );
    const readerBindings = developers.map(
      (developer) =>
        new k8s.rbac.v1.RoleBinding(
          `${name}-claim-reader-${developer}`,
          {
            metadata: { name: "database-claim-reader", namespace: args.tenants[developer], labels: { "app.kubernetes.io/part-of": "beta" } },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: CLAIM_READER_ROLE },
            subjects: [{ kind: "ServiceAccount", name: REAPER_SERVICE_ACCOUNT, namespace: DATABASES_NAMESPACE }],
          },
          { parent: this, deleteBeforeReplace: true, dependsOn: [claimReader] },
        ),
    );
    const cron = databaseReaperCronJob({ settings: plan, adminSecret: DATABASE_ADMIN_SECRET, developers });
    this.reaper = new k8s.batch.v1.CronJob(
      `${name}-reap`,
      { metadata: { ...cron.metadata, namespace }, spec: cron.spec as k8s.types.input.batch.v1.CronJobSpec },
      // The roles exist before the first reap.
      { parent: this, dependsOn: [this.prepareJob, reaperAccount, ...readerBindings] },
    );
    this.registerOutputs({ prepareJob: this.prepareJob.metadata.name, reaper: this.reaper.metadata.name });
  }
}
