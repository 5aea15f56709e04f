/**
 * Tenancy on paper, from the rendered objects: the RBAC evaluator over the platform's RBAC
 * decides what each identity may do, and Pulumi's Kubernetes provider's needs (await-needs.ts)
 * say what each stack's `pulumi up`, `destroy` and `refresh` ask for.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { REPO_ROOT, kubernetesObjects, runBeta } from "../support/program";
import { KubeObject } from "./admission";
import { DeclaredObject, Operation, requiredAccessForObjects } from "./await-needs";
import { RbacModel, Subject } from "./rbac";
import { ALICE, RELEASER, RIGHTS_ROWS, tenantRightsTable } from "./tenant-rights";

const BOB: Subject = { user: "bob", groups: ["system:authenticated"] };
const OPERATIONS: Operation[] = ["create", "update", "delete", "refresh"];

describe("who may do what, from the platform's rendered RBAC", () => {
  let rendered: RenderedBeta;
  let model: RbacModel;
  beforeAll(async () => {
    rendered = await runBeta("alice");
    model = new RbacModel(kubernetesObjects(rendered.platform) as unknown as KubeObject[]);
  });

  const resourceOf = (access: { group: string; resource: string; subresource?: string }) =>
    `${access.group || "core"}/${access.resource}${access.subresource ? `/${access.subresource}` : ""}`;

  for (const operation of OPERATIONS) {
    it(`alice and CI's release identity hold every call Pulumi makes to ${operation} alice's Beta; bob holds none`, () => {
      const needs = requiredAccessForObjects(rendered.kubernetesObjects as unknown as DeclaredObject[], operation);
      expect(needs.length).toBeGreaterThan(3);
      for (const access of needs) {
        const namespace = access.namespace ?? undefined;
        const what = `${access.verb} ${resourceOf(access)} in ${namespace ?? "all namespaces"}${access.blocking ? " (refused, it would hang: pulumi/pulumi-kubernetes#4580)" : ""} — ${access.why}`;
        expect(model.can(ALICE, access.verb, resourceOf(access), namespace), `alice: ${what}`).toBe(true);
        expect(model.can(RELEASER, access.verb, resourceOf(access), namespace), `CI: ${what}`).toBe(true);
        if (namespace === "beta-alice") expect(model.can(BOB, access.verb, resourceOf(access), namespace), `bob: ${what}`).toBe(false);
      }
    });
  }

  for (const row of RIGHTS_ROWS) {
    const who = row.allowed || row.namespace === "beta-bob" ? "" : ", nor may CI";
    it(`alice ${row.allowed ? "may" : "may not"} ${row.what}${who}`, () => {
      expect(model.can(ALICE, row.verb, row.resource, row.namespace), "alice").toBe(row.allowed);
      // CI updates every tenant, bob's included, with the same rights alice has in hers.
      if (!row.allowed && row.namespace !== "beta-bob") expect(model.can(RELEASER, row.verb, row.resource, row.namespace), "CI").toBe(false);
    });
  }

  it("CI's release identity may update every tenant namespace and nothing else", () => {
    for (const namespace of ["beta-alice", "beta-bob"]) expect(model.can(RELEASER, "patch", "apps/deployments", namespace)).toBe(true);
    for (const namespace of ["uber", "shared", "kube-system", "default"]) expect(model.can(RELEASER, "patch", "apps/deployments", namespace), namespace).toBe(false);
    expect(model.can(RELEASER, "list", "core/secrets", undefined)).toBe(false);
  });

  it("the README's table of a tenant's rights is the evaluator's answer", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain(tenantRightsTable(model));
    // Not vacuous: some rows say yes, some no.
    const answers = RIGHTS_ROWS.map((row) => model.can(ALICE, row.verb, row.resource, row.namespace));
    expect(answers).toContain(true);
    expect(answers).toContain(false);
  });
});

describe("who may update the platform", () => {
  it("every beta:cluster.admins principal gets AmazonEKSClusterAdminPolicy, which holds every call the platform's update makes", async () => {
    const rendered = await runBeta("alice");
    const [cluster] = rendered.platform.resources.filter((r) => r.type === "eks:index:Cluster");
    const entries = Object.values(cluster.inputs.accessEntries as Record<string, { principalArn: string; accessPolicies?: Record<string, { policyArn: string; accessScope: { type: string } }> }>);
    const admins = entries.filter((e) => Object.values(e.accessPolicies ?? {}).some((p) => p.policyArn.endsWith("/AmazonEKSClusterAdminPolicy") && p.accessScope.type === "cluster"));
    expect(admins.map((e) => e.principalArn)).toEqual(["arn:aws:iam::123456789012:role/platform-engineers", "arn:aws:iam::123456789012:role/ci-platform"]);
    // AmazonEKSClusterAdminPolicy is cluster-admin's rules (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html):
    // model it as a binding of the built-in cluster-admin role.
    const admin: Subject = { user: "ci-platform", groups: ["eks-cluster-admins"] };
    const model = new RbacModel([
      ...(kubernetesObjects(rendered.platform) as unknown as KubeObject[]),
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "eks-access-policy" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" }, subjects: [{ kind: "Group", name: "eks-cluster-admins" }] } as unknown as KubeObject,
    ]);
    for (const operation of OPERATIONS) {
      for (const access of requiredAccessForObjects(kubernetesObjects(rendered.platform) as unknown as DeclaredObject[], operation)) {
        expect(model.can(admin, access.verb, `${access.group || "core"}/${access.resource}${access.subresource ? `/${access.subresource}` : ""}`, access.namespace ?? undefined), `${operation}: ${access.verb} ${access.resource}`).toBe(true);
      }
    }
    // Developers and CI's release identity get no such policy.
    expect(entries.filter((e) => !admins.includes(e)).every((e) => e.accessPolicies === undefined)).toBe(true);
  });
});
