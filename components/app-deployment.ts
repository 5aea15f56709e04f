/**
 * The Deployment of anything a Beta runs from a developer's image: a catalog app (App) or a
 * personal copy of a shared service (PersonalCopy). Both get the same guard rails, probes and
 * env, and the `workingDir` `beta sync` copies into.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedWorkload } from "../lib/beta-plan";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./container-security";

export interface AppDeploymentArgs {
  /** The Beta's namespace, `beta-<name>`. */
  namespace: pulumi.Input<string>;
  /** What it runs, as planned for one Beta (a `PlannedApp` or `PlannedPersonalCopy`). */
  workload: PlannedWorkload;
  /** Labels of the Deployment and its pods, also its selector. */
  labels: Record<string, string>;
  /** A Secret whose keys every container gets as env (database settings); never a ConfigMap. */
  envSecretName?: pulumi.Input<string>;
  /** Changes when that Secret's content does: env is read only when a container starts. */
  envSecretChecksum?: string;
  /** The Beta's own database connection (isolated or ephemeral); its keys win over envSecretName's. */
  databaseSecretName?: pulumi.Input<string>;
}

/** Seconds Pulumi waits for a rollout before failing, so a broken image fails `beta up` fast. */
const ROLLOUT_TIMEOUT_SECONDS = "300";

/** Declares the workload's Deployment, named after it, as `resourceName`. */
export function appDeployment(resourceName: string, args: AppDeploymentArgs, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
  const { workload, labels, namespace } = args;
  const probe = workload.healthPath ? { httpGet: { path: workload.healthPath, port: "http" } } : { tcpSocket: { port: "http" } };
  return new k8s.apps.v1.Deployment(
    resourceName,
    {
      metadata: {
        name: workload.name,
        namespace,
        labels,
        annotations: { "pulumi.com/timeoutSeconds": ROLLOUT_TIMEOUT_SECONDS },
      },
      spec: {
        replicas: workload.replicas,
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
                name: workload.name,
                image: workload.imageRef,
                // `beta sync` copies into the container's workingDir.
                workingDir: workload.syncPath,
                ports: [{ name: "http", containerPort: workload.port, protocol: "TCP" }],
                env: Object.entries(workload.env)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([envName, value]) => ({ name: envName, value })),
                // The last source wins for a key in both (Kubernetes EnvFromSource), so the
                // Beta's own database replaces the shared one under the same env names.
                envFrom: envFrom(args.envSecretName, args.databaseSecretName),
                readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 3 },
                // Generous: a dev server restarting after a sync must not be killed.
                livenessProbe: { ...probe, initialDelaySeconds: 30, periodSeconds: 10, failureThreshold: 6 },
                resources: workload.resources,
                securityContext: restrictedContainerSecurity,
              },
            ],
          },
        },
      },
    },
    opts,
  );
}

function envFrom(...secretNames: (pulumi.Input<string> | undefined)[]): k8s.types.input.core.v1.EnvFromSource[] | undefined {
  const sources = secretNames.filter((name) => name !== undefined).map((name) => ({ secretRef: { name } }));
  return sources.length > 0 ? sources : undefined;
}
