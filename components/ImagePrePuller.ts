import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./container-security";

export interface ImagePrePullerArgs {
  /** Namespace of the DaemonSet (platform-owned, never `beta-*`). */
  namespace: pulumi.Input<string>;
  /** Images to pull onto every node, each `<repository>:<tag>`. */
  images: { name: string; image: string }[];
}

/** Small, pinned image that keeps each pre-puller pod alive at almost no cost. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

/**
 * Pulls every app image at the release tag onto every node before Betas roll to it, so a
 * refresh or a new Beta starts from cached layers: one init container per image that exits
 * at once, then a pause container.
 */
export class ImagePrePuller extends pulumi.ComponentResource {
  readonly daemonSet: k8s.apps.v1.DaemonSet;

  constructor(name: string, args: ImagePrePullerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:ImagePrePuller", name, {}, opts);
    const labels = { "app.kubernetes.io/name": "image-prepuller", "app.kubernetes.io/part-of": "beta" };
    const tiny = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "32Mi" } };

    this.daemonSet = new k8s.apps.v1.DaemonSet(
      `${name}-daemonset`,
      {
        metadata: { name: "image-prepuller", namespace: args.namespace, labels },
        spec: {
          selector: { matchLabels: labels },
          // Pull on many nodes at once; nothing serves traffic from these pods.
          updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "50%" } },
          template: {
            metadata: { labels },
            spec: {
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurity,
              // Every node Betas may run on, tainted or not.
              tolerations: [{ operator: "Exists" }],
              terminationGracePeriodSeconds: 0,
              initContainers: args.images.map(({ name: app, image }) => ({
                name: `pull-${app}`,
                image,
                imagePullPolicy: "IfNotPresent",
                // Every app is a Node.js image, so `node` exists; the pull is the point.
                command: ["node", "-e", "0"],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                securityContext: restrictedContainerSecurity,
              })),
              containers: [{ name: "pause", image: PAUSE_IMAGE, resources: tiny, securityContext: restrictedContainerSecurity }],
            },
          },
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({});
  }
}
