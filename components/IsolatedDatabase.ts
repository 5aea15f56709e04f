import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DatabasePlan } from "../lib/database-config";
import { DATABASE_CLAIM } from "../lib/database-claims";
import { TENANT_DATABASE_SECRET, tenantDatabaseJob } from "../lib/database-jobs";
import { tenantDatabaseName } from "../lib/database-sql";

export interface IsolatedDatabaseArgs {
  /** The developer; the database and role are `beta_<name>`. */
  developer: string;
  /** The Beta's namespace, so the Job waits for it. */
  namespace: pulumi.Input<string>;
  /** The platform's database settings (its `databases` output). */
  plan: DatabasePlan;
}

/**
 * The Beta's own database `beta_<name>`, cloned from the platform's template by a Job that
 * runs as the Beta's tenant role (Secret `database`, kept by the platform), never with the
 * admin connection. Pulumi waits for the Job to complete (pulumi-kubernetes' Job await:
 * `Complete` condition, sdk/nodejs/batch/v1/job.ts), so the apps start on a ready database.
 *
 * Dropping: a Job cannot run on delete, so `beta destroy` runs the drop Job before it
 * destroys the stack. A Beta destroyed otherwise (`pulumi destroy`, or `beta:database` set
 * back to `shared`) loses its ConfigMap `database-claim`, and the platform's scheduled reap
 * drops the database once the claim has been gone for its grace period (lib/database-claims.ts).
 */
export class IsolatedDatabase extends pulumi.ComponentResource {
  readonly cloneJob: k8s.batch.v1.Job;
  /** The marker that keeps the database from the platform's scheduled reap while this Beta exists. */
  readonly claim: k8s.core.v1.ConfigMap;
  /** The Secret the apps read their connection from. */
  readonly envSecretName = TENANT_DATABASE_SECRET;

  constructor(name: string, args: IsolatedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:IsolatedDatabase", name, {}, opts);
    // Declared before the clone, so no database of this Beta exists unclaimed.
    this.claim = new k8s.core.v1.ConfigMap(
      `${name}-claim`,
      {
        metadata: { name: DATABASE_CLAIM, namespace: args.namespace, labels: { "app.kubernetes.io/part-of": "beta" } },
        data: { database: tenantDatabaseName(args.developer) },
      },
      { parent: this },
    );
    const manifest = tenantDatabaseJob({ developer: args.developer, action: "clone", settings: args.plan });
    this.cloneJob = new k8s.batch.v1.Job(
      `${name}-clone`,
      {
        metadata: { ...manifest.metadata, namespace: args.namespace },
        spec: manifest.spec as k8s.types.input.batch.v1.JobSpec,
      },
      // A fixed name: the old Job must go before a changed one is created.
      { parent: this, dependsOn: [this.claim], deleteBeforeReplace: true, customTimeouts: { create: "15m", update: "15m" } },
    );
    this.registerOutputs({ cloneJob: this.cloneJob.metadata.name, claim: this.claim.metadata.name });
  }
}
