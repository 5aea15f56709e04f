/**
 * Finds the pod to sync into: the newest Ready, not-terminating pod carrying
 * `app.kubernetes.io/name=<app>` in namespace `beta-<name>`, its app container (the one
 * named after the app, else the first) and that container's `workingDir`.
 */
import { z } from "zod";
import { SyncError, summariseStderr } from "./errors";
import { runKubectl, type KubectlOptions } from "./kubectl";
import { KUBECTL_READ_TIMEOUT, UNREACHABLE_HINT, unreachableReason } from "../kubectl";

/** The label every app's pods carry (see "Labels" in the architecture). */
export const APP_LABEL = "app.kubernetes.io/name";

/** What a sync run targets. */
export interface PodTarget {
  namespace: string;
  name: string;
  uid: string;
  container: string;
  /** The container's runtime id; changes when the container restarts in place. */
  containerId?: string;
  /** The container's `workingDir`, where the app's source lives. */
  workingDir?: string;
  /** The container's image; a release tag says which commit its source is (release-baseline.ts). */
  image?: string;
}

const podSchema = z.object({
  metadata: z.object({
    name: z.string(),
    uid: z.string().default(""),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().nullish(),
  }),
  spec: z
    .object({
      containers: z.array(z.object({ name: z.string(), workingDir: z.string().optional(), image: z.string().optional() })).default([]),
    })
    .default({ containers: [] }),
  status: z
    .object({
      phase: z.string().optional(),
      conditions: z.array(z.object({ type: z.string(), status: z.string() })).optional(),
      containerStatuses: z.array(z.object({ name: z.string(), containerID: z.string().optional() })).optional(),
    })
    .default({}),
});
const podListSchema = z.object({ items: z.array(podSchema) });
type Pod = z.infer<typeof podSchema>;

/** Kubernetes object names: DNS labels/subdomains. Anything else is refused, never exec'd. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function isReady(pod: Pod): boolean {
  return pod.status.phase === "Running" && (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

function describeState(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return "terminating";
  if (pod.status.phase && pod.status.phase !== "Running") return pod.status.phase;
  return "not ready";
}

/**
 * Picks the pod from `kubectl get pods -o json` output. Pure, so the selection rules are
 * tested directly. Throws a SyncError; "no pod yet" is retryable (a rollout may be under way).
 */
export function choosePod(json: string, namespace: string, app: string): PodTarget {
  let parsed: z.infer<typeof podListSchema>;
  try {
    parsed = podListSchema.parse(JSON.parse(json));
  } catch (error) {
    throw new SyncError(`kubectl returned pod data that could not be read (${(error as Error).message.split("\n")[0]}); check that BETA_KUBECTL points at a real kubectl`, true);
  }
  const selector = `${APP_LABEL}=${app}`;
  if (parsed.items.length === 0) {
    throw new SyncError(
      `no pod of app "${app}" in namespace ${namespace} (label ${selector}): is the Beta up and is "${app}" the right app? Check with: kubectl get pods -n ${namespace}`,
      true,
    );
  }
  const candidates = parsed.items
    .filter((pod) => !pod.metadata.deletionTimestamp && isReady(pod))
    .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || a.metadata.name.localeCompare(b.metadata.name));
  const pod = candidates[0];
  if (!pod) {
    const states = parsed.items.map((p) => `${p.metadata.name}: ${describeState(p)}`).join(", ");
    throw new SyncError(`no Ready pod of app "${app}" in namespace ${namespace} yet (${states}); see: kubectl describe pods -n ${namespace} -l ${selector}`, true);
  }
  const container = pod.spec.containers.find((c) => c.name === app) ?? pod.spec.containers[0];
  if (!container) throw new SyncError(`pod ${pod.metadata.name} in ${namespace} has no containers`, true);
  if (!OBJECT_NAME.test(pod.metadata.name) || !OBJECT_NAME.test(container.name)) {
    throw new SyncError(`kubectl returned an unexpected pod or container name (${JSON.stringify(pod.metadata.name)}, ${JSON.stringify(container.name)})`, false);
  }
  const status = pod.status.containerStatuses?.find((s) => s.name === container.name);
  return {
    namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
    container: container.name,
    containerId: status?.containerID || undefined,
    workingDir: container.workingDir || undefined,
    image: container.image || undefined,
  };
}

/** Same pod and same container instance: nothing synced into it has been lost. */
export function samePodInstance(a: PodTarget, b: PodTarget): boolean {
  return a.uid === b.uid && a.name === b.name && a.container === b.container && (a.containerId ?? "") === (b.containerId ?? "");
}

/** How `next` differs from `previous`, for the "full re-sync" message. */
export function describeReplacement(previous: PodTarget, next: PodTarget): string {
  if (previous.uid !== next.uid || previous.name !== next.name) return `pod ${previous.name} replaced by ${next.name}`;
  return `container ${next.container} in pod ${next.name} restarted`;
}

export interface LookupOptions extends KubectlOptions {
  namespace: string;
  app: string;
  /**
   * True once the sync has reached the cluster (found the pod): then an unanswered lookup is a
   * dropped connection and is retried. Before that, no cluster is there to heal, so it fails.
   */
  reachedBefore?: boolean;
}

/** kubectl's --request-timeout, plus time to start and print: a lookup never waits longer. */
const LOOKUP_TIMEOUT_MS = 9_500;

/** `kubectl get pods -n <ns> -l app.kubernetes.io/name=<app> -o json`, then `choosePod`. */
export async function lookupPod(options: LookupOptions): Promise<PodTarget> {
  // The read timeout goes last, so the verb stays first: it is one of kubectl's global flags,
  // which every verb inherits (https://kubernetes.io/docs/reference/kubectl/generated/kubectl_get/,
  // "Parent Options Inherited": --request-timeout).
  const args = ["get", "pods", "-n", options.namespace, "-l", `${APP_LABEL}=${options.app}`, "-o", "json", KUBECTL_READ_TIMEOUT];
  const result = await runKubectl(args, { timeoutMs: LOOKUP_TIMEOUT_MS, ...options });
  if (result.aborted && options.signal?.aborted) throw new SyncError("stopped", false);
  if (result.code !== 0) {
    const unreachable = result.aborted ? `kubectl get pods had no answer after ${LOOKUP_TIMEOUT_MS / 1000} s` : unreachableReason(result.stderr);
    if (unreachable !== undefined) {
      const retryable = options.reachedBefore === true;
      throw new SyncError(
        retryable
          ? `lost the cluster while listing pods of app "${options.app}" in ${options.namespace}: ${unreachable}`
          : `no cluster answered kubectl: ${unreachable}. ${UNREACHABLE_HINT.replace(/\.$/, "")}, then run beta sync again`,
        retryable,
      );
    }
    const problem = summariseStderr(result.stderr, `kubectl get pods exited with code ${result.code}`);
    if (/\b(Forbidden|Unauthorized)\b|forbidden:/.test(result.stderr)) {
      throw new SyncError(`kubectl may not list pods in ${options.namespace}: ${problem}; check your kubectl context and that the Beta name is yours`, false);
    }
    throw new SyncError(`could not list pods of app "${options.app}" in ${options.namespace}: ${problem}`, true);
  }
  return choosePod(result.stdout, options.namespace, options.app);
}
