/** `kubectl get deploy,pods -o json` answers for a Beta, built from a short description per app. */

export interface AppState {
  app: string;
  desired?: number;
  ready?: number;
  image?: string;
  /** Restart count per pod. */
  restarts?: number[];
  /** Waiting reason of the pods' container, e.g. CrashLoopBackOff. */
  waiting?: string;
  /** The node its pods run on, e.g. beta-control-plane on kind. */
  node?: string;
  /** A Beta's personal copy of a shared service: its Deployment carries `beta/personal-copy: "true"`. */
  personal?: boolean;
}

export function clusterList(namespace: string, apps: readonly AppState[]): Record<string, unknown> {
  const items: Record<string, unknown>[] = [];
  for (const a of apps) {
    const labels: Record<string, string> = { "app.kubernetes.io/name": a.app, "app.kubernetes.io/part-of": "beta", ...(a.personal ? { "beta/personal-copy": "true" } : {}) };
    const desired = a.desired ?? 1;
    const image = a.image ?? `registry.example.com/${a.app}:master-abc1234`;
    items.push({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: a.app, namespace, labels },
      spec: { replicas: desired, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: a.app, image }] } } },
      status: { replicas: desired, readyReplicas: a.ready ?? desired, updatedReplicas: desired },
    });
    (a.restarts ?? [0]).forEach((restartCount, i) => {
      items.push({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `${a.app}-7d9f-${i}`, namespace, labels: { ...labels, "pod-template-hash": "7d9f" } },
        spec: { nodeName: a.node ?? "ip-10-0-1-23.eu-west-1.compute.internal", containers: [{ name: a.app, image }] },
        status: {
          phase: "Running",
          containerStatuses: [{ name: a.app, image, restartCount, ready: !a.waiting, state: a.waiting ? { waiting: { reason: a.waiting } } : { running: {} } }],
        },
      });
    });
  }
  return { apiVersion: "v1", kind: "List", items };
}
