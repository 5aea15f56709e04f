import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DatabasePlan } from "../lib/database-config";
import { TENANT_DATABASE_SECRET, tenantDatabaseJob } from "../lib/database-jobs";

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
 * destroys the stack, and `beta reap` drops the database of a Beta destroyed otherwise.
 */
export class IsolatedDatabase extends pulumi.ComponentResource {
  readonly cloneJob: k8s.batch.v1.Job;
  /** The Secret the apps read their connection from. */
  readonly envSecretName = TENANT_DATABASE_SECRET;

  constructor(name: string, args: IsolatedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:IsolatedDatabase", name, {}, opts);
    const manifest = tenantDatabaseJob({ developer: args.developer, action: "clone", settings: args.plan });
    this.cloneJob = new k8s.batch.v1.Job(
      `${name}-clone`,
      {
        metadata: { ...manifest.metadata, namespace: args.namespace },
        spec: manifest.spec as k8s.types.input.batch.v1.JobSpec,
      },
      // A fixed name: the old Job must go before a changed one is created.
      { parent: this, deleteBeforeReplace: true, customTimeouts: { create: "15m", update: "15m" } },
    );
    this.registerOutputs({ cloneJob: this.cloneJob.metadata.name });
  }
}
