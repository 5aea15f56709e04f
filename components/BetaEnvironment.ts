import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { BetaPlan } from "../lib/beta-plan";
import { APP_SECRETS_NAME } from "../lib/platform-names";
import { ContainerDefaults } from "../lib/quota";
import { DatabaseMode, DatabasePlan } from "../lib/database-config";
import { App } from "./App";
import { BetaAccess } from "./BetaAccess";
import { BetaGuardRails } from "./BetaGuardRails";
import { BetaNetworkPolicies } from "./BetaNetworkPolicies";
import { EphemeralDatabase } from "./EphemeralDatabase";
import { IsolatedDatabase } from "./IsolatedDatabase";
import { SharedBackend } from "./SharedBackend";

export interface BetaEnvironmentArgs {
  /** Everything this Beta is made of, validated (see `planBeta`). */
  plan: BetaPlan;
  /** Env every app gets from a Secret (database settings). */
  appSecrets: Record<string, string>;
  /** What a container that declares no resources gets. */
  containerDefaults: ContainerDefaults;
  /** `beta:database` and the platform's settings; the shared database when absent. */
  database?: { mode: DatabaseMode; plan?: DatabasePlan };
}

/**
 * One developer's Beta: namespace `beta-<name>` and everything in it. Nothing is declared
 * outside the namespace except the namespace itself, so `pulumi destroy` of a Beta cannot
 * touch anything shared.
 */
export class BetaEnvironment extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly apps: Record<string, App>;

  constructor(name: string, args: BetaEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:BetaEnvironment", name, {}, opts);
    const { plan } = args;

    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: plan.namespace,
          labels: {
            "app.kubernetes.io/part-of": "beta",
            // Pod Security admission: refuse what "baseline" forbids, warn on "restricted".
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
          },
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    // Every namespaced child depends on the namespace through this output.
    const namespace = this.namespace.metadata.name;
    const childOpts = { parent: this };

    new BetaGuardRails(`${name}-guard-rails`, { namespace, quota: plan.quota, containerDefaults: args.containerDefaults }, childOpts);
    new BetaNetworkPolicies(`${name}-network`, { namespace, sharedServices: plan.sharedServices }, childOpts);
    new BetaAccess(`${name}-access`, { namespace, owner: plan.owner }, childOpts);

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

    for (const service of plan.sharedServices) {
      new SharedBackend(`${name}-shared-${service.name}`, { namespace, service }, childOpts);
    }

    const database = ownDatabase(name, plan.name, namespace, args.database, this);
    this.apps = Object.fromEntries(
      plan.apps.map((app) => [
        app.name,
        new App(
          `${name}-app-${app.name}`,
          { namespace, app, envSecretName: appSecrets.metadata.name, envSecretChecksum, databaseSecretName: database?.envSecretName },
          { parent: this, dependsOn: database ? [database] : [] },
        ),
      ]),
    );
    this.registerOutputs({ namespace: this.namespace.metadata.name });
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
