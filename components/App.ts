import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlannedApp } from "../lib/beta-plan";
import { appLabels } from "../lib/platform-names";
import { appDeployment } from "./app-deployment";

export interface AppArgs {
  /** The Beta's namespace, `beta-<name>`. */
  namespace: pulumi.Input<string>;
  /** The app as planned for this Beta: image, env, replicas, resources. */
  app: PlannedApp;
  /** A Secret whose keys every container gets as env (database settings); never a ConfigMap. */
  envSecretName?: pulumi.Input<string>;
  /** Changes when that Secret's content does: env is read only when a container starts. */
  envSecretChecksum?: string;
  /** The Beta's own database connection (isolated or ephemeral); its keys win over envSecretName's. */
  databaseSecretName?: pulumi.Input<string>;
}

/**
 * One core Node.js app: a Deployment and a Service on port 80. Both are named after the app,
 * which is what the router (`<app>.beta-<name>.svc`) and `beta sync` look up.
 */
export class App extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;

  constructor(name: string, args: AppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:App", name, {}, opts);
    const { app, namespace } = args;
    const labels = appLabels(app.name);
    // Fixed names must be freed before a replacement is created under the same name.
    const childOpts = { parent: this, deleteBeforeReplace: true };

    this.deployment = appDeployment(
      `${name}-deployment`,
      { namespace, workload: app, labels, envSecretName: args.envSecretName, envSecretChecksum: args.envSecretChecksum, databaseSecretName: args.databaseSecretName },
      childOpts,
    );

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: app.name, namespace, labels },
        spec: {
          type: "ClusterIP",
          selector: labels,
          // Every app answers on port 80 so the router needs no per-app port table.
          ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
        },
      },
      childOpts,
    );

    this.registerOutputs({ deployment: this.deployment, service: this.service });
  }
}
