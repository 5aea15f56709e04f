/**
 * "Every declared object passes every policy": the same check CI runs
 * (`npx tsx scripts/check-policy.ts`): the platform of Pulumi.dev.yaml, every committed
 * `Pulumi.beta-*.yaml` and a Beta with no config (alice), rendered offline, every rule of the
 * pack over every resource, with the pack's config from the platform's outputs. A change to
 * the components that breaks a rule fails here, before `beta up` or CI would.
 */
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ruleContext } from "../../policy/pack-config";
import * as programNames from "../../lib/platform-names";
import { CLAIM_READER_ROLE, REAPER_SERVICE_ACCOUNT, RELEASERS_GROUP, SHARED_NAMESPACE, TENANT_DATABASE_SECRET, TENANT_LABEL, TENANT_ROLE } from "../../policy/rules/kubernetes";
import * as claimNames from "../../lib/database-claims";
import { DATABASES_NAMESPACE, TENANT_DATABASE_SECRET as PROGRAM_DATABASE_SECRET } from "../../lib/database-jobs";
import { rules } from "../../policy/rules";
import { StackCheck, checkRenderedStacks, formatChecks } from "../../scripts/policy-check";

const REPO = path.join(__dirname, "..", "..");
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const packNames = { TENANT_LABEL, TENANT_ROLE, RELEASERS_GROUP, SHARED_NAMESPACE };

describe("every stack this repository deploys, rendered offline", () => {
  let checks: StackCheck[];
  const checkOf = (stack: string) => {
    const found = checks.find((check) => check.stack === stack);
    if (found?.run === undefined) throw new Error(`${stack} was not rendered:\n${formatChecks(checks)}`);
    return found as Required<StackCheck>;
  };

  beforeAll(async () => {
    checks = await checkRenderedStacks(REPO);
  }, 180_000);

  it("covers the dev platform and alice's Beta with no config, each declaring Deployments (so the checks are not vacuous)", () => {
    expect(checks.map((check) => check.stack)).toEqual(expect.arrayContaining(["dev", "beta-alice"]));
    for (const stack of ["dev", "beta-alice"]) expect(checkOf(stack).run.resources.filter((r) => r.type === DEPLOYMENT).length).toBeGreaterThan(0);
  });

  it("reads what was rendered: a Beta Deployment moved to :latest is caught", () => {
    const { run, config } = checkOf("beta-alice");
    const web = run.resources.find((r) => r.type === DEPLOYMENT)!;
    const inputs = structuredClone(web.inputs) as { spec: { template: { spec: { containers: { image: string }[] } } } };
    inputs.spec.template.spec.containers[0].image = "nginx:latest";
    const found = rules.flatMap((rule) => rule.check(web.type, inputs, ruleContext(rule, "beta-alice", web.name, config)));
    expect(found).toEqual([expect.stringMatching(/^\[pinned-images\] Deployment beta-alice\/.*containers\[0\]\.image .*"nginx:latest"/)]);
  });

  it("declares nothing that breaks a guard rail", () => {
    expect(checks.flatMap((check) => check.findings), formatChecks(checks)).toEqual([]);
  });

  it("the pack's copies of the platform's names are the program's own", () => {
    // The pack is its own package, so it keeps these names; they must not drift apart.
    expect(packNames).toEqual({ TENANT_LABEL: programNames.TENANT_LABEL, TENANT_ROLE: programNames.TENANT_ROLE, RELEASERS_GROUP: programNames.RELEASERS_GROUP, SHARED_NAMESPACE: programNames.SHARED_NAMESPACE });
    expect({ CLAIM_READER_ROLE, REAPER_SERVICE_ACCOUNT, TENANT_DATABASE_SECRET }).toEqual({
      CLAIM_READER_ROLE: claimNames.CLAIM_READER_ROLE,
      REAPER_SERVICE_ACCOUNT: { kind: "ServiceAccount", name: claimNames.REAPER_SERVICE_ACCOUNT, namespace: DATABASES_NAMESPACE },
      TENANT_DATABASE_SECRET: PROGRAM_DATABASE_SECRET,
    });
  });
});
