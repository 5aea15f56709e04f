/**
 * Isolated databases' claims, from the rendered stacks: the RBAC evaluator over the platform's
 * RBAC decides what the scheduled reap's ServiceAccount may read (one ConfigMap name per
 * tenant namespace, nothing else) and that the developer may make and remove the claim her
 * stack declares; Pulumi's needs (await-needs.ts) for an isolated Beta are all held; the reap's
 * pod passes its namespace's Pod Security level.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { kubeconfigPlatformConfig, kubernetesObjects, objectNamed, runBeta } from "../support/program";
import { KubeObject } from "./admission";
import { DeclaredObject, Operation, requiredAccessForObjects } from "./await-needs";
import { workloadViolations } from "./pod-security";
import { RbacModel, Subject } from "./rbac";
import { ALICE, RELEASER } from "./tenant-rights";

const BOB: Subject = { user: "bob", groups: ["system:authenticated"] };
// A ServiceAccount authenticates as system:serviceaccount:<ns>:<name>, in the groups
// system:serviceaccounts and system:serviceaccounts:<ns> (https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/).
const REAPER: Subject = { user: "system:serviceaccount:databases:database-reaper", groups: ["system:serviceaccounts", "system:serviceaccounts:databases"] };
const DATABASES = { host: "10.0.12.34", adminUser: "beta_admin", adminPassword: "admin-password" };
const developers = ["alice", "bob"].map((name) => ({ name, principalArn: `arn:aws:iam::123456789012:user/${name}` }));

describe("the claim of an isolated database, against the platform's rendered RBAC", () => {
  let rendered: RenderedBeta;
  let model: RbacModel;
  beforeAll(async () => {
    rendered = await runBeta("alice", { database: "isolated" }, kubeconfigPlatformConfig({ developers, databases: DATABASES }));
    model = new RbacModel(kubernetesObjects(rendered.platform) as unknown as KubeObject[]);
  });

  it.each<{ why: string; verb: string; resource: string; namespace?: string; name?: string; allowed: boolean }>([
    { why: "reads alice's claim", verb: "get", resource: "core/configmaps", namespace: "beta-alice", name: "database-claim", allowed: true },
    { why: "reads bob's claim", verb: "get", resource: "core/configmaps", namespace: "beta-bob", name: "database-claim", allowed: true },
    { why: "no other ConfigMap of a tenant", verb: "get", resource: "core/configmaps", namespace: "beta-alice", name: "web-config", allowed: false },
    { why: "no list of a tenant's ConfigMaps", verb: "list", resource: "core/configmaps", namespace: "beta-alice", allowed: false },
    { why: "no watch", verb: "watch", resource: "core/configmaps", namespace: "beta-alice", allowed: false },
    { why: "no ConfigMaps across the cluster", verb: "list", resource: "core/configmaps", allowed: false },
    { why: "no tenant Secrets, the database Secret included", verb: "get", resource: "core/secrets", namespace: "beta-alice", name: "database", allowed: false },
    { why: "no claim outside tenant namespaces", verb: "get", resource: "core/configmaps", namespace: "kube-system", name: "database-claim", allowed: false },
    { why: "not even in its own namespace", verb: "get", resource: "core/configmaps", namespace: "databases", name: "database-claim", allowed: false },
    { why: "cannot forge a claim", verb: "create", resource: "core/configmaps", namespace: "beta-alice", allowed: false },
    { why: "cannot remove a claim", verb: "delete", resource: "core/configmaps", namespace: "beta-alice", name: "database-claim", allowed: false },
  ])("the reaper's ServiceAccount: $why", ({ verb, resource, namespace, name, allowed }) => {
    expect(model.can(REAPER, verb, resource, namespace, name)).toBe(allowed);
  });

  it("alice and CI make and remove alice's claim (beta-tenant's ConfigMaps); bob cannot touch it", () => {
    for (const verb of ["create", "get", "delete"]) {
      expect(model.can(ALICE, verb, "core/configmaps", "beta-alice", "database-claim"), `alice ${verb}`).toBe(true);
      expect(model.can(RELEASER, verb, "core/configmaps", "beta-alice", "database-claim"), `CI ${verb}`).toBe(true);
      expect(model.can(BOB, verb, "core/configmaps", "beta-alice", "database-claim"), `bob ${verb}`).toBe(false);
    }
  });

  for (const operation of ["create", "update", "delete", "refresh"] as Operation[]) {
    it(`alice and CI hold every call Pulumi makes to ${operation} an isolated Beta (claim and clone Job included)`, () => {
      const declared = rendered.kubernetesObjects as unknown as DeclaredObject[];
      expect(rendered.kubernetesObjects.map((o) => `${o.kind}/${(o.metadata as { name?: string } | undefined)?.name}`)).toEqual(expect.arrayContaining(["ConfigMap/database-claim", "Job/database-clone"]));
      for (const access of requiredAccessForObjects(declared, operation)) {
        const resource = `${access.group || "core"}/${access.resource}${access.subresource ? `/${access.subresource}` : ""}`;
        expect(model.can(ALICE, access.verb, resource, access.namespace ?? undefined), `alice: ${access.verb} ${resource}`).toBe(true);
        expect(model.can(RELEASER, access.verb, resource, access.namespace ?? undefined), `CI: ${access.verb} ${resource}`).toBe(true);
      }
    });
  }

  it("the reap's pod passes Pod Security restricted, which namespace databases enforces", () => {
    const namespace = objectNamed(rendered.platform, "Namespace", "databases");
    expect(namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const cron = objectNamed(rendered.platform, "CronJob", "database-reap", "databases");
    expect(workloadViolations("restricted", cron)).toEqual([]);
  });
});
