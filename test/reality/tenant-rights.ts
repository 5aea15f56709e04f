/**
 * What a tenant's identities may do, decided by the RBAC evaluator over the platform's rendered
 * RBAC: the rows of the README's table, and the identities the tenancy tests ask about.
 */
import { RbacModel, Subject } from "./rbac";

export const ALICE: Subject = { user: "alice", groups: ["system:authenticated"] };
/** CI's release identity (beta:cluster.releasers): the beta-releasers group, nothing else. */
export const RELEASER: Subject = { user: "beta-releaser-0", groups: ["beta-releasers", "system:authenticated"] };

export interface RightsRow {
  what: string;
  verb: string;
  resource: string;
  namespace?: string;
  /** What the platform means to allow; the tests hold the evaluator's answer to it. */
  allowed: boolean;
}

/**
 * The questions the README's table answers, for developer alice. A row that is not allowed is
 * refused to CI's release identity too, except in another Beta, which CI updates like alice's.
 */
export const RIGHTS_ROWS: readonly RightsRow[] = [
  { what: "deploy apps (Deployments)", verb: "patch", resource: "apps/deployments", namespace: "beta-alice", allowed: true },
  { what: "create Services", verb: "create", resource: "core/services", namespace: "beta-alice", allowed: true },
  { what: "read and write Secrets", verb: "update", resource: "core/secrets", namespace: "beta-alice", allowed: true },
  { what: "run Jobs", verb: "create", resource: "batch/jobs", namespace: "beta-alice", allowed: true },
  { what: "claim and release its isolated database (ConfigMap `database-claim`)", verb: "delete", resource: "core/configmaps", namespace: "beta-alice", allowed: true },
  { what: "read pod logs (`beta logs`)", verb: "get", resource: "core/pods/log", namespace: "beta-alice", allowed: true },
  { what: "exec into pods (`beta shell`, `beta sync`)", verb: "create", resource: "core/pods/exec", namespace: "beta-alice", allowed: true },
  { what: "watch PersistentVolumeClaims (Pulumi's Deployment await)", verb: "watch", resource: "core/persistentvolumeclaims", namespace: "beta-alice", allowed: true },
  { what: "read the shared namespace", verb: "list", resource: "core/services", namespace: "shared", allowed: true },
  { what: "write EndpointSlices", verb: "create", resource: "discovery.k8s.io/endpointslices", namespace: "beta-alice", allowed: false },
  { what: "write Endpoints by hand", verb: "update", resource: "core/endpoints", namespace: "beta-alice", allowed: false },
  { what: "change the namespace's labels (Pod Security)", verb: "patch", resource: "core/namespaces", allowed: false },
  { what: "change the ResourceQuota", verb: "update", resource: "core/resourcequotas", namespace: "beta-alice", allowed: false },
  { what: "change the LimitRange", verb: "update", resource: "core/limitranges", namespace: "beta-alice", allowed: false },
  { what: "delete a NetworkPolicy", verb: "delete", resource: "networking.k8s.io/networkpolicies", namespace: "beta-alice", allowed: false },
  { what: "bind roles (RoleBindings)", verb: "create", resource: "rbac.authorization.k8s.io/rolebindings", namespace: "beta-alice", allowed: false },
  { what: "bind cluster roles (ClusterRoleBindings)", verb: "create", resource: "rbac.authorization.k8s.io/clusterrolebindings", allowed: false },
  { what: "mint ServiceAccount tokens", verb: "create", resource: "core/serviceaccounts/token", namespace: "beta-alice", allowed: false },
  { what: "create Ingresses", verb: "create", resource: "networking.k8s.io/ingresses", namespace: "beta-alice", allowed: false },
  { what: "delete the admission policies", verb: "delete", resource: "admissionregistration.k8s.io/validatingadmissionpolicies", allowed: false },
  { what: "touch another Beta (beta-bob)", verb: "patch", resource: "apps/deployments", namespace: "beta-bob", allowed: false },
  { what: "read another Beta's Secrets", verb: "get", resource: "core/secrets", namespace: "beta-bob", allowed: false },
  { what: "change the router (uber)", verb: "patch", resource: "core/configmaps", namespace: "uber", allowed: false },
  { what: "change shared services", verb: "update", resource: "core/services", namespace: "shared", allowed: false },
  { what: "read anything in kube-system", verb: "get", resource: "core/secrets", namespace: "kube-system", allowed: false },
];

/** The README's table: each row answered for alice by the evaluator over `model`. */
export function tenantRightsTable(model: RbacModel): string {
  const lines = ["| a developer (alice) may ... | verb, resource, namespace | allowed |", "|---|---|---|"];
  for (const row of RIGHTS_ROWS) {
    const where = row.namespace ?? "cluster";
    lines.push(`| ${row.what} | \`${row.verb} ${row.resource}\` in ${where} | ${model.can(ALICE, row.verb, row.resource, row.namespace) ? "yes" : "no"} |`);
  }
  return lines.join("\n");
}
