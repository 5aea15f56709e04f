/** Every guard-rail rule, in the order the pack reports them. */
import { bundles } from "./bundles";
import { clusterRoleBindings } from "./cluster-role-bindings";
import { containerResources } from "./container-resources";
import { hostAccess } from "./host-access";
import { namespaces } from "./namespaces";
import { nonRoot } from "./non-root";
import { pinnedImages } from "./pinned-images";
import { podSecurity } from "./pod-security";
import { rbac } from "./rbac";
import type { RuleDefinition } from "./rule";
import { services } from "./services";
import { tenantWorkload } from "./tenant-workload";

export type { Rule, RuleContext, RuleDefinition } from "./rule";

export const rules: readonly RuleDefinition[] = [
  containerResources,
  nonRoot,
  hostAccess,
  podSecurity,
  pinnedImages,
  clusterRoleBindings,
  rbac,
  namespaces,
  tenantWorkload,
  services,
  bundles,
];
