/**
 * Isolated databases under the guard rails: a platform with beta:databases and a Beta with
 * beta:database: isolated, rendered offline, pass every rule of the pack; the platform's own
 * objects in a tenant namespace are the tenant's database Secret and the claim reader's
 * binding, and a binding like it for anyone else is still refused.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { packConfigFor } from "../../policy/pack-config";
import { checkRun } from "../../scripts/policy-check";
import { kubeconfigPlatformConfig, runBeta } from "../support/program";
import { allViolations, roleBinding } from "./manifests";

const developers = ["alice", "bob"].map((name) => ({ name, principalArn: `arn:aws:iam::123456789012:user/${name}` }));
const databases = { host: "10.0.12.34", adminUser: "beta_admin", adminPassword: "admin-password" };

describe("a platform with isolated databases and an isolated Beta", () => {
  let rendered: RenderedBeta;
  beforeAll(async () => {
    rendered = await runBeta("alice", { database: "isolated" }, kubeconfigPlatformConfig({ developers, databases }));
  });

  it("declare nothing that breaks a guard rail, on either stack", () => {
    const config = packConfigFor(rendered.platform.outputs);
    expect(checkRun(rendered.platform, config)).toEqual([]);
    expect(checkRun(rendered.beta, config)).toEqual([]);
  });

  it("in a tenant namespace, the claim reader's binding names the reaper's ServiceAccount only", () => {
    const reaper = [{ kind: "ServiceAccount", name: "database-reaper", namespace: "databases" }];
    expect(allViolations(roleBinding("beta-alice", "beta-database-claim-reader", reaper, "database-claim-reader"), "dev")).toEqual([]);
    const widened = allViolations(roleBinding("beta-alice", "beta-database-claim-reader", [...reaper, { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory" }], "database-claim-reader"), "dev");
    expect(widened).toEqual([expect.stringMatching(/^\[safe-rbac\] RoleBinding beta-alice\/database-claim-reader: subjects\[1\] is User "mallory"/)]);
    const otherRole = allViolations(roleBinding("beta-alice", "edit", reaper, "database-claim-reader"), "dev");
    expect(otherRole).toEqual([
      expect.stringMatching(/^\[safe-rbac\] RoleBinding beta-alice\/database-claim-reader: roleRef is ClusterRole "edit"/),
      expect.stringMatching(/^\[safe-rbac\] RoleBinding beta-alice\/database-claim-reader: subjects\[0\] is ServiceAccount "database-reaper"/),
    ]);
  });
});
