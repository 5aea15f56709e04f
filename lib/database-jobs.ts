/**
 * The Kubernetes Jobs that run the database scripts, as plain manifests: the components
 * declare them, `beta db` creates them with kubectl, and the tests run their very command and
 * env against a real PostgreSQL.
 */
import { DEFAULT_ORPHAN_GRACE_SECONDS, platformDatabaseScript } from "./database-admin";
import { DEFAULT_CLAIMS_IMAGE, DEFAULT_REAP_SCHEDULE, REAPER_SERVICE_ACCOUNT, claimsScript } from "./database-claims";
import { CloneStrategy, DEFAULT_MAINTENANCE_DATABASE, DatabaseAction, tenantDatabaseName, tenantDatabaseScript, tenantScriptEnv } from "./database-sql";
import { betaNamespace } from "./names";

/** Secret the platform keeps in each tenant namespace: the tenant role's libpq settings and the apps' env. */
export const TENANT_DATABASE_SECRET = "database";
/** Platform namespace of the admin connection and its Jobs; never starts with `beta-`. */
export const DATABASES_NAMESPACE = "databases";
/** Secret in `databases` with one key per developer: that tenant role's password. */
export const TENANT_PASSWORDS_SECRET = "database-tenants";
/** Where the platform Job mounts those passwords (one file per developer). */
export const TENANTS_DIR = "/etc/beta/tenants";
/** Label on every database Job, so `beta db` and `beta reap` find them. */
export const DATABASE_JOB_LABEL = "beta/database-job";

/** The libpq env every database Job reads from a Secret. */
export const LIBPQ_KEYS = ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGSSLMODE"] as const;

/** The user of the official postgres Alpine image (uid 70), numeric so runAsNonRoot is checked. */
const POSTGRES_USER_ID = 70;

export interface DatabaseSettings {
  /** Pinned image with sh and psql. */
  image: string;
  /** The template database Betas clone from. */
  template: string;
  strategy: CloneStrategy;
  maintenanceDatabase?: string;
}

export interface JobManifest {
  apiVersion: "batch/v1";
  kind: "Job";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown> & {
    template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> & { containers: JobContainer[] } };
  };
}

export interface JobContainer extends Record<string, unknown> {
  name: string;
  image: string;
  command: string[];
  env: EnvVar[];
}

export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { secretKeyRef: { name: string; key: string; optional?: boolean } } };

const podSecurity = {
  runAsNonRoot: true,
  runAsUser: POSTGRES_USER_ID,
  runAsGroup: POSTGRES_USER_ID,
  // Mounted Secret files are group-readable by fsGroup.
  fsGroup: POSTGRES_USER_ID,
  seccompProfile: { type: "RuntimeDefault" },
};
export const containerSecurity = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function secretEnv(secretName: string): EnvVar[] {
  return LIBPQ_KEYS.map((key) => ({
    name: key,
    valueFrom: { secretKeyRef: { name: secretName, key, ...(key === "PGSSLMODE" ? { optional: true } : {}) } },
  }));
}

/** A container that runs `script` with sh, as `scriptName args...`. */
function scriptContainer(options: { name: string; image: string; script: string; scriptName: string; args: string[]; env: EnvVar[]; volumeMounts?: unknown[] }): JobContainer {
  return {
    name: options.name,
    image: options.image,
    command: ["/bin/sh", "-c", options.script, options.scriptName, ...options.args],
    env: options.env,
    ...(options.volumeMounts ? { volumeMounts: options.volumeMounts } : {}),
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    securityContext: containerSecurity,
  };
}

function job(options: {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  image: string;
  script: string;
  scriptName: string;
  args: string[];
  env: EnvVar[];
  volumes?: unknown[];
  volumeMounts?: unknown[];
  ttlSecondsAfterFinished?: number;
}): JobManifest {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: {
      // Never forever: the script's own retries end well before this.
      activeDeadlineSeconds: 900,
      backoffLimit: 1,
      ...(options.ttlSecondsAfterFinished !== undefined ? { ttlSecondsAfterFinished: options.ttlSecondsAfterFinished } : {}),
      template: {
        metadata: { labels: options.labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          securityContext: podSecurity,
          ...(options.volumes ? { volumes: options.volumes } : {}),
          containers: [scriptContainer({ ...options, name: "psql" })],
        },
      },
    },
  };
}

/** A Job in `beta-<name>` that runs `action` on the Beta's database as its tenant role. */
export function tenantDatabaseJob(options: {
  developer: string;
  action: DatabaseAction;
  settings: DatabaseSettings;
  /** Default `database-<action>`. */
  jobName?: string;
  ttlSecondsAfterFinished?: number;
}): JobManifest {
  const { developer, action, settings } = options;
  const env = tenantScriptEnv({
    database: tenantDatabaseName(developer),
    template: settings.template,
    strategy: settings.strategy,
    maintenanceDatabase: settings.maintenanceDatabase ?? DEFAULT_MAINTENANCE_DATABASE,
  });
  return job({
    name: options.jobName ?? `database-${action}`,
    namespace: betaNamespace(developer),
    labels: { "app.kubernetes.io/part-of": "beta", [DATABASE_JOB_LABEL]: action },
    image: settings.image,
    script: tenantDatabaseScript(),
    scriptName: "beta-database",
    args: [action],
    env: [...secretEnv(TENANT_DATABASE_SECRET), ...Object.entries(env).map(([name, value]) => ({ name, value }))],
    ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
  });
}

/** A Job in `databases` that runs the platform's `prepare` or `reap` with the admin connection. */
export function platformDatabaseJob(options: {
  action: "prepare" | "reap";
  settings: DatabaseSettings;
  adminSecret: string;
  jobName: string;
  /** `reap`: the Beta databases to keep. */
  keepDatabases?: readonly string[];
  ttlSecondsAfterFinished?: number;
}): JobManifest {
  const { action, settings } = options;
  const env: EnvVar[] = [
    ...secretEnv(options.adminSecret),
    { name: "BETA_TEMPLATE", value: settings.template },
    { name: "BETA_MAINTENANCE_DATABASE", value: settings.maintenanceDatabase ?? DEFAULT_MAINTENANCE_DATABASE },
  ];
  if (action === "prepare") env.push({ name: "BETA_TENANTS_DIR", value: TENANTS_DIR });
  if (action === "reap") env.push({ name: "BETA_KEEP_DATABASES", value: [...(options.keepDatabases ?? [])].sort().join(",") });
  return job({
    name: options.jobName,
    namespace: DATABASES_NAMESPACE,
    labels: { "app.kubernetes.io/part-of": "beta", [DATABASE_JOB_LABEL]: action },
    image: settings.image,
    script: platformDatabaseScript(),
    scriptName: "beta-database-admin",
    args: [action],
    env,
    ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
    ...(action === "prepare"
      ? {
          volumes: [{ name: "tenants", secret: { secretName: TENANT_PASSWORDS_SECRET, defaultMode: 0o440 } }],
          volumeMounts: [{ name: "tenants", mountPath: TENANTS_DIR, readOnly: true }],
        }
      : {}),
  });
}

export interface CronJobManifest {
  apiVersion: "batch/v1";
  kind: "CronJob";
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown> & {
    schedule: string;
    jobTemplate: {
      metadata: { labels: Record<string, string> };
      spec: Record<string, unknown> & {
        template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> & { initContainers: JobContainer[]; containers: JobContainer[] } };
      };
    };
  };
}

/** Where the reap's pod keeps the claims its init container read. */
export const CLAIMS_DIR = "/beta/claims";
/** The service-account token and the cluster's CA, mounted in the claims container only. */
const API_ACCESS_DIR = "/var/run/secrets/beta/api";

/**
 * The scheduled reap in `databases`: an init container reads each tenant's claim with the
 * reaper's token (mounted there only: the psql container never holds it), then the platform's
 * `reap` drops, after the grace period, the databases whose claim is gone. The token is a
 * projected service-account token, the volume Kubernetes itself mounts for a pod's service
 * account (https://kubernetes.io/docs/concepts/storage/projected-volumes/#serviceaccounttoken;
 * ca.crt from the ConfigMap kube-root-ca.crt every namespace has:
 * https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#root-ca-certificate-configmap).
 */
export function databaseReaperCronJob(options: {
  settings: DatabaseSettings;
  adminSecret: string;
  developers: readonly string[];
  claimsImage?: string;
  schedule?: string;
  graceSeconds?: number;
}): CronJobManifest {
  const { settings } = options;
  const labels = { "app.kubernetes.io/part-of": "beta", [DATABASE_JOB_LABEL]: "reap" };
  const claimsMount = { name: "claims", mountPath: CLAIMS_DIR };
  const claims = scriptContainer({
    name: "claims",
    image: options.claimsImage ?? DEFAULT_CLAIMS_IMAGE,
    script: claimsScript(),
    scriptName: "beta-claims",
    args: [],
    env: [
      { name: "BETA_DEVELOPERS", value: [...options.developers].sort().join(",") },
      { name: "BETA_CLAIMS_DIR", value: CLAIMS_DIR },
      { name: "BETA_TOKEN_FILE", value: `${API_ACCESS_DIR}/token` },
      { name: "BETA_CA_FILE", value: `${API_ACCESS_DIR}/ca.crt` },
    ],
    volumeMounts: [claimsMount, { name: "api-access", mountPath: API_ACCESS_DIR, readOnly: true }],
  });
  const reap = scriptContainer({
    name: "psql",
    image: settings.image,
    script: platformDatabaseScript(),
    scriptName: "beta-database-admin",
    args: ["reap"],
    env: [
      ...secretEnv(options.adminSecret),
      { name: "BETA_TEMPLATE", value: settings.template },
      { name: "BETA_MAINTENANCE_DATABASE", value: settings.maintenanceDatabase ?? DEFAULT_MAINTENANCE_DATABASE },
      { name: "BETA_CLAIMS_DIR", value: CLAIMS_DIR },
      { name: "BETA_ORPHAN_GRACE_SECONDS", value: String(options.graceSeconds ?? DEFAULT_ORPHAN_GRACE_SECONDS) },
    ],
    volumeMounts: [{ ...claimsMount, readOnly: true }],
  });
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "database-reap", namespace: DATABASES_NAMESPACE, labels },
    spec: {
      schedule: options.schedule ?? DEFAULT_REAP_SCHEDULE,
      // One reap at a time; a missed run is simply the next one.
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels },
        spec: {
          activeDeadlineSeconds: 600,
          backoffLimit: 0,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "Never",
              serviceAccountName: REAPER_SERVICE_ACCOUNT,
              automountServiceAccountToken: false,
              securityContext: podSecurity,
              volumes: [
                { name: "claims", emptyDir: { sizeLimit: "1Mi" } },
                {
                  name: "api-access",
                  projected: {
                    defaultMode: 0o440,
                    sources: [
                      { serviceAccountToken: { path: "token", expirationSeconds: 600 } },
                      { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
                    ],
                  },
                },
              ],
              initContainers: [claims],
              containers: [reap],
            },
          },
        },
      },
    },
  };
}
