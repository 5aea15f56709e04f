import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlannedApp } from "../lib/beta-plan";
import { appLabels } from "../lib/platform-names";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./container-security";

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

/** Seconds Pulumi waits for a rollout before failing, so a broken image fails `beta up` fast. */
const ROLLOUT_TIMEOUT_SECONDS = "300";

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

    const probe = app.healthPath
      ? { httpGet: { path: app.healthPath, port: "http" } }
      : { tcpSocket: { port: "http" } };

    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: {
          name: app.name,
          namespace,
          labels,
          annotations: { "pulumi.com/timeoutSeconds": ROLLOUT_TIMEOUT_SECONDS },
        },
        spec: {
          replicas: app.replicas,
          revisionHistoryLimit: 2,
          selector: { matchLabels: labels },
          // Keep serving during a refresh: start the new pod before stopping the old one.
          strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: {
              labels,
              annotations: args.envSecretChecksum ? { "beta/app-secrets-checksum": args.envSecretChecksum } : undefined,
            },
            spec: {
              securityContext: restrictedPodSecurity,
              automountServiceAccountToken: false,
              containers: [
                {
                  name: app.name,
                  image: app.imageRef,
                  // `beta sync` copies into the container's workingDir.
                  workingDir: app.syncPath,
                  ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }],
                  env: Object.entries(app.env)
                    .sort(([a], [b]) => a.localeCompare(b))
                    .map(([envName, value]) => ({ name: envName, value })),
                  // The last source wins for a key in both (Kubernetes EnvFromSource), so the
                  // Beta's own database replaces the shared one under the same env names.
                  envFrom: envFrom(args.envSecretName, args.databaseSecretName),
                  readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 3 },
                  // Generous: a dev server restarting after a sync must not be killed.
                  livenessProbe: { ...probe, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
                  resources: app.resources,
                  securityContext: restrictedContainerSecurity,
                },
              ],
            },
          },
        },
      },
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

function envFrom(...secretNames: (pulumi.Input<string> | undefined)[]): k8s.types.input.core.v1.EnvFromSource[] | undefined {
  const sources = secretNames.filter((name) => name !== undefined).map((name) => ({ secretRef: { name } }));
  return sources.length > 0 ? sources : undefined;
}
