/** Rule 1: every container and initContainer requests and limits both cpu and memory. */
import { containersOf, valueAt, workloadOf } from "./kubernetes";
import { Rule, RuleDefinition, violation } from "./rule";

export const CONTAINER_RESOURCES = "container-resources";
const REQUIREMENT = "every container and initContainer must request and limit both cpu and memory";
const FIELDS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

/** A quantity is set when it is a non-empty string or a number (`cpu: 1`). */
function isSet(quantity: unknown): boolean {
  return (typeof quantity === "string" && quantity.trim() !== "") || typeof quantity === "number";
}

export const containerResourcesViolations: Rule = (resourceType, props, context) => {
  const workload = workloadOf(resourceType, props, context);
  // A patch only carries the fields it changes; the object it patches is checked whole.
  if (workload === undefined || workload.type.patch) return [];
  const { pod, object } = workload;
  const messages: string[] = [];
  // Ephemeral containers may not set resources at all (the API refuses them), so they are left out.
  for (const { container, path, label } of containersOf(pod, false)) {
    for (const field of FIELDS) {
      if (!isSet(valueAt(container.resources, field))) {
        messages.push(violation(CONTAINER_RESOURCES, object, `${path}.resources.${field}`, `(${label}) is missing`, REQUIREMENT));
      }
    }
  }
  return messages;
};

export const containerResources: RuleDefinition = {
  name: CONTAINER_RESOURCES,
  description: "Every container and initContainer sets cpu and memory requests and limits.",
  check: containerResourcesViolations,
};
