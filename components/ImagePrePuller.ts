import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurity, restrictedPodSecurity } from "./container-security";

export interface ImagePrePullerArgs {
  /** Namespace of the DaemonSet (platform-owned, never `beta-*`). */
  namespace: pulumi.Input<string>;
  /** Images to pull onto every node, each `<repository>:<tag>`; `name` (an app or shared service) names its init container. */
  images: { name: string; image: string }[];
}

/** Small, pinned image that keeps each pre-puller pod alive at almost no cost. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

/**
 * Where a static no-op program comes from: BusyBox's musl build is one statically linked
 * binary (docker-library/busybox builds the musl variant with CONFIG_STATIC), so it runs in any
 * image of the node's architecture, `scratch` included.
 */
export const NOOP_SOURCE_IMAGE = "busybox:1.37.0-musl";
/** Where the no-op binary is copied to; run as `true`, BusyBox exits 0 at once. */
const NOOP_DIR = "/beta-prepull";

/**
 * Pulls every app image, and the image of every shared service a Beta may copy, at the release
 * tag onto every node before Betas roll to it, so a refresh or a new Beta starts from cached
 * layers. An image need not contain a shell or any program: a first init container copies a
 * static no-op binary into an emptyDir, and one init container per image runs that binary, so
 * the pull is the whole work. A pause container keeps the pod alive.
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
              initContainers: [
                {
                  name: "noop",
                  image: NOOP_SOURCE_IMAGE,
                  imagePullPolicy: "IfNotPresent",
                  command: ["/bin/cp", "/bin/busybox", `${NOOP_DIR}/true`],
                  resources: tiny,
                  securityContext: restrictedContainerSecurity,
                  volumeMounts: [{ name: "noop", mountPath: NOOP_DIR }],
                },
                ...args.images.map(({ name: app, image }) => ({
                  name: `pull-${app}`,
                  image,
                  imagePullPolicy: "IfNotPresent",
                  // BusyBox picks its applet from argv[0]: `true` exits 0 without reading the image.
                  command: [`${NOOP_DIR}/true`],
                  resources: tiny,
                  securityContext: restrictedContainerSecurity,
                  volumeMounts: [{ name: "noop", mountPath: NOOP_DIR, readOnly: true }],
                })),
              ],
              containers: [{ name: "pause", image: PAUSE_IMAGE, resources: tiny, securityContext: restrictedContainerSecurity }],
              volumes: [{ name: "noop", emptyDir: { sizeLimit: "16Mi" } }],
            },
          },
        },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({});
  }
}
