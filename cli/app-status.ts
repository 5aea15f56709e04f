/**
 * `beta status` from `kubectl get deploy,pods -o json`: per app, ready replicas, image,
 * restarts and what is wrong. Pure, so it is tested on recorded JSON.
 */

import { PERSONAL_COPY_LABEL } from "./personal-copy-label";

export interface AppStatus {
  app: string;
  /** Deployment name. */
  deployment: string;
  desired: number;
  ready: number;
  images: string[];
  restarts: number;
  /** Waiting/termination reasons seen in its pods, e.g. CrashLoopBackOff. */
  problems: string[];
  /** Images its pods cannot pull (ErrImagePull, ImagePullBackOff, ...). */
  unpulled: string[];
  /** Nodes its pods run on (a kind node's name says which kind cluster). */
  nodes: string[];
  /** A Beta's own copy of a shared service (its Deployment carries the personal-copy label), not a catalog app. */
  personal: boolean;
  ok: boolean;
}

type Json = Record<string, unknown>;

const obj = (value: unknown): Json => (value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const num = (value: unknown, fallback = 0): number => (typeof value === "number" ? value : fallback);
const strings = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(value)).filter((entry): entry is [string, string] => typeof entry[1] === "string"));

/** Pod waiting reasons that mean trouble (not ContainerCreating, which just takes a moment). */
const BAD_WAITING = /BackOff|Err|Invalid|Error/;

/**
 * The kubelet's reasons for an image it could not get (kubernetes/kubernetes
 * pkg/kubelet/images/types.go: ErrImagePull, ImagePullBackOff, ErrImageNeverPull).
 */
const PULL_FAILURE = /^(ErrImagePull|ImagePullBackOff|ErrImageNeverPull)$/;

export function summariseApps(list: unknown): AppStatus[] {
  const items = arr(obj(list).items).map(obj);
  const pods = items.filter((item) => item.kind === "Pod");
  return items
    .filter((item) => item.kind === "Deployment")
    .map((deployment) => {
      const metadata = obj(deployment.metadata);
      const spec = obj(deployment.spec);
      const status = obj(deployment.status);
      const labels = strings(metadata.labels);
      const deploymentName = String(metadata.name ?? "");
      const app = labels["app.kubernetes.io/name"] ?? deploymentName;
      const selector = strings(obj(spec.selector).matchLabels);
      const selected = pods.filter((pod) => {
        const podLabels = strings(obj(pod.metadata).labels);
        const wanted = Object.entries(selector);
        return wanted.length > 0 && wanted.every(([key, value]) => podLabels[key] === value);
      });
      const statuses = selected.flatMap((pod) => arr(obj(pod.status).containerStatuses).map(obj));
      const containers = arr(obj(obj(obj(spec.template).spec)).containers).map(obj);
      const problems = new Set<string>();
      const unpulled = new Set<string>();
      for (const container of statuses) {
        const state = obj(container.state);
        const reason = obj(state.waiting).reason ?? obj(state.terminated).reason;
        if (typeof reason === "string" && BAD_WAITING.test(reason)) problems.add(reason);
        if (typeof reason === "string" && PULL_FAILURE.test(reason)) {
          const image = container.image ?? containers.find((c) => c.name === container.name)?.image;
          if (typeof image === "string") unpulled.add(image);
        }
      }
      const nodes = new Set(selected.map((pod) => obj(pod.spec).nodeName).filter((node): node is string => typeof node === "string"));
      for (const pod of selected) {
        const phase = obj(pod.status).phase;
        if (phase === "Failed" || phase === "Unknown") problems.add(`pod ${String(phase)}`);
      }
      const desired = num(spec.replicas, 1);
      const ready = num(status.readyReplicas);
      const updated = num(status.updatedReplicas, desired);
      return {
        app,
        deployment: deploymentName,
        desired,
        ready,
        images: containers.map((c) => String(c.image ?? "")),
        restarts: statuses.reduce((sum, c) => sum + num(c.restartCount), 0),
        problems: [...problems].sort(),
        unpulled: [...unpulled].sort(),
        nodes: [...nodes].sort(),
        personal: labels[PERSONAL_COPY_LABEL] === "true",
        ok: ready >= desired && updated >= desired,
      };
    })
    .sort((a, b) => a.app.localeCompare(b.app));
}
