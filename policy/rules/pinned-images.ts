/** Rule 4: every image names an explicit tag other than `latest`, or a `@sha256:` digest. */
import { containersOf, workloadOf } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const PINNED_IMAGES = "pinned-images";
const REQUIREMENT = "images must name an explicit tag other than latest, or a @sha256: digest";
const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Why `image` is not pinned, or undefined when it is. */
export function imagePinProblem(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  if (image.includes("@")) return "has a digest that is not @sha256: followed by 64 hex digits";
  // The tag follows the last ':' of the last path segment; a registry port (`host:5000/app`) is not a tag.
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.indexOf(":");
  const tag = colon < 0 ? "" : lastSegment.slice(colon + 1);
  if (tag === "") return "has no tag, which means latest";
  if (tag === "latest") return 'uses the mutable tag "latest"';
  return undefined;
}

export const pinnedImagesViolations: Rule = (resourceType, props, context) => {
  const workload = workloadOf(resourceType, props, context);
  if (workload === undefined) return [];
  const { type, pod, object } = workload;
  const messages: string[] = [];
  for (const { container, path, label } of containersOf(pod)) {
    const image = container.image;
    let problem: string | undefined;
    if (typeof image !== "string" || image.trim() === "") {
      // A patch that does not change the image leaves the patched one alone.
      problem = type.patch && image === undefined ? undefined : `(${label}) is missing`;
    } else {
      const why = imagePinProblem(image);
      problem = why === undefined ? undefined : `(${label}) is ${JSON.stringify(image)}, which ${why}`;
    }
    if (problem !== undefined) messages.push(violation(PINNED_IMAGES, object, `${path}.image`, problem, REQUIREMENT));
  }
  return messages;
};

export const pinnedImages: RuleDefinition = {
  name: PINNED_IMAGES,
  description: "No ':latest' or untagged images; a tag or a @sha256: digest pins each one.",
  check: pinnedImagesViolations,
};
