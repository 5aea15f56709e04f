/**
 * Rule: no Helm release, Helm chart, YAML file/group or kustomization. A Helm Release
 * (`helm.sh/v3:Release`) installs its objects through Helm inside the provider, so no rule
 * here ever sees them; charts, YAML and kustomizations turn files the stack's author does not
 * review into objects that come and go with those files. Every object is declared as its own
 * resource instead, so every guard rail and every offline test reads it.
 * Source for the Release: https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/
 * (it "embeds Helm as a library to perform the orchestration of the resources").
 */
import { Rule, RuleDefinition, violation } from "./rule";

export const NO_OPAQUE_BUNDLES = "no-opaque-bundles";
const REQUIREMENT = "declare each Kubernetes object as its own resource, so every guard rail sees it";

/** Pulumi Kubernetes types that stand for a bundle of objects, and what each is. */
const BUNDLES: ReadonlyMap<string, string> = new Map([
  ["kubernetes:helm.sh/v3:Release", "a Helm release, whose objects Helm installs out of the policies' sight"],
  ["kubernetes:helm.sh/v3:Chart", "a Helm chart"],
  ["kubernetes:helm.sh/v4:Chart", "a Helm chart"],
  ["kubernetes:yaml:ConfigFile", "a YAML file of objects"],
  ["kubernetes:yaml:ConfigGroup", "a group of YAML objects"],
  ["kubernetes:yaml/v2:ConfigFile", "a YAML file of objects"],
  ["kubernetes:yaml/v2:ConfigGroup", "a group of YAML objects"],
  ["kubernetes:kustomize:Directory", "a kustomization"],
  ["kubernetes:kustomize/v2:Directory", "a kustomization"],
]);

export const bundleViolations: Rule = (resourceType, props, context) => {
  const what = BUNDLES.get(resourceType);
  if (what === undefined) return [];
  const kind = resourceType.slice(resourceType.lastIndexOf(":") + 1);
  const name = typeof props.name === "string" ? props.name : (context.name ?? "(unnamed)");
  return [violation(NO_OPAQUE_BUNDLES, `${kind} ${name}`, "type", `is ${resourceType}, ${what}`, REQUIREMENT)];
};

export const bundles: RuleDefinition = {
  name: NO_OPAQUE_BUNDLES,
  description: "No Helm releases or charts, YAML files or groups, or kustomizations: every object is declared on its own.",
  check: bundleViolations,
};
