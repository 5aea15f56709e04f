/**
 * "Every declared object passes every policy": renders the platform stack and alice's Beta
 * offline from the repository's own Pulumi.dev.yaml and runs every guard rail over every
 * resource either program declares, so a change to the components that breaks a rule fails
 * here, before `pulumi preview --policy-pack policy` would.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { renderBeta } from "../../offline/render-beta";
import type { OfflineRun } from "../../offline/types";
import { rules } from "../../policy/rules";

const REPO = path.join(__dirname, "..", "..");
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** Every violation of every rule by every resource of `run`, checked as stack `stack`. */
function violations(run: OfflineRun, stack: string): string[] {
  return run.resources.flatMap((resource) =>
    rules.flatMap((rule) => rule.check(resource.type, resource.inputs, { stack, name: resource.name })),
  );
}

describe("a new developer stack beta-alice on the dev platform", () => {
  let platform: OfflineRun;
  let beta: OfflineRun;

  beforeAll(async () => {
    ({ platform, beta } = await renderBeta({ name: "alice", platformConfigFile: path.join(REPO, "Pulumi.dev.yaml") }));
  }, 120_000);

  it("declares Deployments on both stacks, so the checks below are not vacuous", () => {
    expect(platform.resources.filter((r) => r.type === DEPLOYMENT).length).toBeGreaterThan(0);
    expect(beta.resources.filter((r) => r.type === DEPLOYMENT).length).toBeGreaterThan(0);
  });

  it("is read by the rules as rendered: a Beta Deployment moved to :latest is caught", () => {
    const web = beta.resources.find((r) => r.type === DEPLOYMENT);
    if (web === undefined) throw new Error("alice's Beta declares no Deployment");
    const inputs = structuredClone(web.inputs) as { spec: { template: { spec: { containers: { image: string }[] } } } };
    inputs.spec.template.spec.containers[0].image = "nginx:latest";
    const found = rules.flatMap((rule) => rule.check(web.type, inputs, { stack: "beta-alice", name: web.name }));
    expect(found).toEqual([expect.stringMatching(/^\[pinned-images\] Deployment beta-alice\/.*containers\[0\]\.image .*"nginx:latest"/)]);
  });

  it("declares nothing on the platform stack (dev) that breaks a guard rail", () => {
    expect(violations(platform, "dev")).toEqual([]);
  });

  it("declares nothing on alice's stack (beta-alice) that breaks a guard rail", () => {
    expect(violations(beta, "beta-alice")).toEqual([]);
  });
});
