/** Every guard-rail rule, in the order the pack reports them. */
import { clusterRoleBindings } from "./cluster-role-bindings";
import { containerResources } from "./container-resources";
import { hostAccess } from "./host-access";
import { namespaces } from "./namespaces";
import { nonRoot } from "./non-root";
import { pinnedImages } from "./pinned-images";
import type { RuleDefinition } from "./rule";

export type { Rule, RuleContext, RuleDefinition } from "./rule";

export const rules: readonly RuleDefinition[] = [
  containerResources,
  nonRoot,
  hostAccess,
  pinnedImages,
  clusterRoleBindings,
  namespaces,
];
