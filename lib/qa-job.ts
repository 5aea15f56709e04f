/**
 * The Job `beta test` runs in a Beta: the QA suite with the Beta's URLs in its env, as plain
 * data so the tests check it against the Kubernetes schema, Pod Security and the tenant fence.
 *
 * With a `command`, the container runs it through a small wrapper that records the suite's exit
 * code and then waits (bounded) for `beta test` to copy the report out: a finished container's
 * files cannot be read (the runtime refuses an exec into it: runc's "cannot exec in a stopped
 * container", opencontainers/runc libcontainer), so the pod must still run while `kubectl exec`
 * reads the report.
 */
import type { QaConfig } from "./qa-config";
import { betaNamespace } from "./names";

/** How long a suite may run when `beta:qa.timeoutSeconds` is not set. */
export const DEFAULT_QA_TIMEOUT_SECONDS = 1800;

/** One run per Beta at a time: the fixed name is the lock (a second create fails with AlreadyExists). */
export const QA_JOB_NAME = "beta-test";
/** Label with the run's id, on the Job and its pod. */
export const QA_RUN_LABEL = "beta/test-run";
/** Where the wrapper keeps the exit code and the "copied" marker (an emptyDir). */
export const QA_STATE_DIR = "/beta-test";
export const QA_EXIT_CODE_FILE = `${QA_STATE_DIR}/exit-code`;
export const QA_DONE_FILE = `${QA_STATE_DIR}/done`;
/** How long the finished suite's pod waits for `beta test` to copy the report and mark it done. */
export const QA_COPY_GRACE_SECONDS = 120;
/** The suite container's name. */
export const QA_CONTAINER = "suite";

/** The user of the official Node.js images (as the apps run); numeric so runAsNonRoot is checked. */
const QA_USER_ID = 1000;

/**
 * Runs the suite ("$@"), records its exit code, waits for the marker (or the grace period) and
 * exits with the suite's code. `exec` is not used: the wrapper must outlive the suite.
 */
export const QA_WRAPPER_SCRIPT = [
  '"$@"',
  "code=$?",
  `echo "$code" > ${QA_EXIT_CODE_FILE}`,
  "i=0",
  `while [ ! -e ${QA_DONE_FILE} ] && [ "$i" -lt ${QA_COPY_GRACE_SECONDS} ]; do sleep 1; i=$((i + 1)); done`,
  'exit "$code"',
].join("\n");

export interface QaRun {
  developer: string;
  qa: QaConfig;
  /** The suite image's tag: the release tag, or `beta test --tag`. */
  tag: string;
  /** The default app's URL. */
  url: string;
  /** App → URL. */
  urls: Record<string, string>;
  /** Arguments after `--`, appended to the suite's command. */
  args: readonly string[];
  /** Distinguishes this run in labels (e.g. the start time in base 36). */
  runId: string;
}

export interface QaJobManifest extends Record<string, unknown> {
  apiVersion: "batch/v1";
  kind: "Job";
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

export function qaJob(run: QaRun): QaJobManifest {
  const { qa } = run;
  const labels = { "app.kubernetes.io/part-of": "beta", "app.kubernetes.io/component": "qa", [QA_RUN_LABEL]: run.runId };
  const timeout = qa.timeoutSeconds ?? DEFAULT_QA_TIMEOUT_SECONDS;
  const wrapped = qa.command !== undefined;
  const env = [
    ...Object.entries(qa.env ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value })),
    { name: "BETA_NAME", value: run.developer },
    { name: "BETA_URL", value: run.url },
    { name: "BETA_URLS", value: JSON.stringify(Object.fromEntries(Object.entries(run.urls).sort(([a], [b]) => a.localeCompare(b)))) },
    // The tenant's network policies let its pods reach its own namespace but not the router's
    // public address (components/BetaNetworkPolicies.ts): in-cluster, each app is its Service on port 80.
    { name: "BETA_SERVICE_URLS", value: JSON.stringify(Object.fromEntries(Object.keys(run.urls).sort().map((app) => [app, `http://${app}`]))) },
  ];
  const container = {
    name: QA_CONTAINER,
    image: `${qa.image}:${run.tag}`,
    ...(wrapped ? { command: ["/bin/sh", "-c", QA_WRAPPER_SCRIPT, "beta-test", ...qa.command!, ...run.args] } : run.args.length > 0 ? { args: [...run.args] } : {}),
    env,
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    securityContext: { allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    ...(wrapped ? { volumeMounts: [{ name: "beta-test", mountPath: QA_STATE_DIR }] } : {}),
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: QA_JOB_NAME, namespace: betaNamespace(run.developer), labels, annotations: { "beta/test-image": container.image } },
    spec: {
      // The suite's own time, plus the wait for the report copy.
      activeDeadlineSeconds: timeout + (wrapped ? QA_COPY_GRACE_SECONDS : 0),
      // A failed suite is a result, not something to retry.
      backoffLimit: 0,
      // Removed by `beta test` unless --keep; a kept or orphaned run goes a day later.
      ttlSecondsAfterFinished: 86400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: QA_USER_ID, runAsGroup: QA_USER_ID, fsGroup: QA_USER_ID, seccompProfile: { type: "RuntimeDefault" } },
          ...(wrapped ? { volumes: [{ name: "beta-test", emptyDir: { sizeLimit: "16Mi" } }] } : {}),
          containers: [container],
        },
      },
    },
  };
}
