import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { BetaPlan } from "../lib/beta-plan";
import { APP_SECRETS_NAME } from "../lib/platform-names";
import { DatabaseMode, DatabasePlan } from "../lib/database-config";
import { App } from "./App";
import { EphemeralDatabase } from "./EphemeralDatabase";
import { IsolatedDatabase } from "./IsolatedDatabase";
import { PersonalCopy } from "./PersonalCopy";
import { SharedServiceAlias } from "./SharedServiceAlias";

export interface BetaEnvironmentArgs {
  /** Everything this Beta is made of, validated (see `planBeta`). */
  plan: BetaPlan;
  /** Env every app gets from a Secret (database settings). */
  appSecrets: Record<string, string>;
  /** `beta:database` and the platform's settings; the shared database when absent. */
  database?: { mode: DatabaseMode; plan?: DatabasePlan };
}

/**
 * One developer's Beta: the workload in the tenant namespace `beta-<name>` the platform made.
 * It declares nothing else (no namespace, quota, network policy or binding), so `pulumi
 * destroy` of a Beta removes its workload and leaves the tenant and everything shared alone.
 */
export class BetaEnvironment extends pulumi.ComponentResource {
  readonly apps: Record<string, App>;
  /** This Beta's own copies of shared services (`beta:services`), by service name. */
  readonly personalCopies: Record<string, PersonalCopy>;

  constructor(name: string, args: BetaEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:BetaEnvironment", name, {}, opts);
    const { plan } = args;
    const namespace = plan.namespace;
    const childOpts = { parent: this };

    const appSecrets = new k8s.core.v1.Secret(
      `${name}-app-secrets`,
      {
        metadata: { name: APP_SECRETS_NAME, namespace },
        type: "Opaque",
        stringData: pulumi.secret(args.appSecrets),
      },
      { parent: this, deleteBeforeReplace: true },
    );

    // The same digest Helm charts put on pods for their Secrets; it rolls the apps on a change.
    const envSecretChecksum = createHash("sha256").update(JSON.stringify(Object.entries(args.appSecrets).sort())).digest("hex");

    const database = ownDatabase(name, plan.name, namespace, args.database, this);
    const workloadEnv = { envSecretName: appSecrets.metadata.name, envSecretChecksum, databaseSecretName: database?.envSecretName };

    // A copy runs like an app: the Beta's secrets and database, started after that database.
    this.personalCopies = Object.fromEntries(
      plan.sharedServices.flatMap((service) =>
        service.personalCopy
          ? [[service.name, new PersonalCopy(`${name}-copy-${service.name}`, { namespace, copy: service.personalCopy, ...workloadEnv }, { parent: this, dependsOn: database ? [database] : [] })]]
          : [],
      ),
    );
    for (const service of plan.sharedServices) {
      new SharedServiceAlias(
        `${name}-shared-${service.name}`,
        { namespace, serviceName: service.name, target: service.target, port: service.port, personalCopyLabels: this.personalCopies[service.name]?.labels },
        childOpts,
      );
    }

    this.apps = Object.fromEntries(
      plan.apps.map((app) => [
        app.name,
        new App(
          `${name}-app-${app.name}`,
          { namespace, app, ...workloadEnv },
          { parent: this, dependsOn: database ? [database] : [] },
        ),
      ]),
    );
    this.registerOutputs({});
  }
}

/** The Beta's own database, when it asked for one; the apps start after it is ready. */
function ownDatabase(
  name: string,
  developer: string,
  namespace: pulumi.Input<string>,
  database: BetaEnvironmentArgs["database"],
  parent: pulumi.Resource,
): IsolatedDatabase | EphemeralDatabase | undefined {
  if (!database || database.mode === "shared" || !database.plan) return undefined;
  if (database.mode === "isolated") return new IsolatedDatabase(`${name}-database`, { developer, namespace, plan: database.plan }, { parent });
  return new EphemeralDatabase(`${name}-database`, { namespace, image: database.plan.ephemeralImage!, env: database.plan.env }, { parent });
}
