/**
 * `beta status` on an app whose image cannot be pulled: on kind the image was never loaded
 * into the cluster (kind runs images from its own store, and nothing pushes the sample apps
 * to a registry), elsewhere the tag or the registry is wrong. One line naming the image and
 * the command that fixes it.
 */
import { kindClusterOfContext, kindClusterOfNode } from "../lib/kind";
import type { AppStatus } from "./app-status";

/** The sample apps' images, which examples/load-images.sh builds and loads into kind. */
const SAMPLE_IMAGE = /^(?:docker\.io\/)?beta-examples\/[a-z0-9-]+:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

/** The first app's unpullable image and what to do, or undefined when every image was pulled. */
export function imagePullHint(apps: readonly AppStatus[], namespace: string, context?: string): string | undefined {
  const app = apps.find((a) => a.unpulled.length > 0);
  if (!app) return undefined;
  const image = app.unpulled[0];
  const reason = app.problems.find((p) => /Image/.test(p)) ?? "ErrImagePull";
  const kind = kindClusterOfContext(context) ?? app.nodes.map(kindClusterOfNode).find(Boolean);
  if (kind) {
    const tag = SAMPLE_IMAGE.exec(image)?.[1];
    const fix = tag ? `bash examples/load-images.sh ${tag}` : `kind load docker-image ${image} --name ${kind}`;
    return `Image ${image} of app ${app.app} is not in the kind cluster "${kind}" (${reason}): load it with ${fix}`;
  }
  return (
    `Image ${image} of app ${app.app} cannot be pulled (${reason}): check that the tag exists in its registry and the cluster may pull from it ` +
    `(kubectl -n ${namespace} describe pods -l app.kubernetes.io/name=${app.app} shows the registry's answer)`
  );
}
