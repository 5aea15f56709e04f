import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { renderDatabaseEnv } from "../lib/database-config";

/** Service and Secret names: `--` never occurs in an app name, so no app can clash. */
export const EPHEMERAL_DATABASE_SERVICE = "database--ephemeral";
export const EPHEMERAL_DATABASE_SECRET = "database--ephemeral";
const DATABASE = "beta";
const USER = "beta";
/** The postgres user of the official Alpine images. */
const POSTGRES_USER_ID = 70;

export interface EphemeralDatabaseArgs {
  namespace: pulumi.Input<string>;
  /** The data image CI builds: the official postgres image with the template's dump in /docker-entrypoint-initdb.d. */
  image: string;
  /** The apps' env templates (the platform's `databases.env`). */
  env: Record<string, string>;
}

/**
 * `beta:database: ephemeral`: a PostgreSQL pod of the Beta's own, started from the template's
 * dump (the official image runs /docker-entrypoint-initdb.d on an empty data directory:
 * https://github.com/docker-library/docs/blob/master/postgres/README.md#initialization-scripts),
 * its data in an emptyDir, so it is gone with the pod. No shared server is touched.
 */
export class EphemeralDatabase extends pulumi.ComponentResource {
  readonly envSecretName = EPHEMERAL_DATABASE_SECRET;
  readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: EphemeralDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:EphemeralDatabase", name, {}, opts);
    const childOpts = { parent: this, deleteBeforeReplace: true };
    const labels = { "app.kubernetes.io/name": EPHEMERAL_DATABASE_SERVICE, "app.kubernetes.io/part-of": "beta" };
    // Default providers are disabled: the random package needs an explicit provider too.
    const randomProvider = new random.Provider(`${name}-random`, {}, { parent: this });
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this, provider: randomProvider }).result;

    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: EPHEMERAL_DATABASE_SECRET, namespace: args.namespace },
        type: "Opaque",
        stringData: pulumi.secret(
          password.apply((pw) => ({
            POSTGRES_PASSWORD: pw,
            ...renderDatabaseEnv(args.env, { host: EPHEMERAL_DATABASE_SERVICE, port: "5432", user: USER, password: pw, database: DATABASE }),
          })),
        ),
      },
      childOpts,
    );

    this.deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: EPHEMERAL_DATABASE_SERVICE, namespace: args.namespace, labels },
        spec: {
          replicas: 1,
          // Never two servers on one name: the old pod goes before the new one starts.
          strategy: { type: "Recreate" },
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: POSTGRES_USER_ID, runAsGroup: POSTGRES_USER_ID, fsGroup: POSTGRES_USER_ID, seccompProfile: { type: "RuntimeDefault" } },
              volumes: [{ name: "data", emptyDir: {} }, { name: "run", emptyDir: { medium: "Memory" } }],
              containers: [
                {
                  name: "postgres",
                  image: args.image,
                  ports: [{ name: "postgres", containerPort: 5432, protocol: "TCP" }],
                  env: [
                    { name: "POSTGRES_USER", value: USER },
                    { name: "POSTGRES_DB", value: DATABASE },
                    { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                    { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "POSTGRES_PASSWORD" } } },
                  ],
                  volumeMounts: [
                    { name: "data", mountPath: "/var/lib/postgresql/data" },
                    { name: "run", mountPath: "/var/run/postgresql" },
                  ],
                  readinessProbe: { exec: { command: ["pg_isready", "-U", USER, "-d", DATABASE, "-h", "127.0.0.1"] }, periodSeconds: 5 },
                  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                  securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
                },
              ],
            },
          },
        },
      },
      childOpts,
    );

    new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: EPHEMERAL_DATABASE_SERVICE, namespace: args.namespace, labels },
        spec: { type: "ClusterIP", selector: labels, ports: [{ name: "postgres", port: 5432, targetPort: "postgres", protocol: "TCP" }] },
      },
      childOpts,
    );
    this.registerOutputs({ deployment: this.deployment.metadata.name });
  }
}
