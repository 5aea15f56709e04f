/**
 * The policy pack over a Beta that runs its own copy of a shared service: every rule passes
 * the copy's Deployment and ClusterIP Service, as `beta up` would run the pack.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { packConfigFor, ruleContext } from "../../policy/pack-config";
import { rules } from "../../policy/rules";
import { checkRun } from "../../scripts/policy-check";
import { copyablePlatformConfig } from "../support/personal-copies";
import { runBeta } from "../support/program";

describe("the beta-guard-rails pack and a personal copy", () => {
  let copy: RenderedBeta;
  const billing = (type: string) => copy.beta.resources.find((r) => r.type === type && (r.inputs.metadata as { name: string }).name === "billing")!;

  beforeAll(async () => {
    copy = await runBeta("alice", { services: { billing: { tag: "branch-fix-invoices" } } }, copyablePlatformConfig());
  });

  it("finds nothing in the Beta with the copy, nor in its platform", () => {
    const config = packConfigFor(copy.platform.outputs);
    expect(checkRun(copy.beta, config)).toEqual([]);
    expect(checkRun(copy.platform, config)).toEqual([]);
  });

  it("did check the copy's objects: the same Deployment at :latest, or its Service as a LoadBalancer, is caught", () => {
    const config = packConfigFor(copy.platform.outputs);
    const findings = (resource: { type: string; name: string; inputs: Record<string, unknown> }) =>
      rules.flatMap((rule) => rule.check(resource.type, resource.inputs, ruleContext(rule, "beta-alice", resource.name, config)));

    const deployment = billing("kubernetes:apps/v1:Deployment");
    const latest = structuredClone(deployment.inputs) as { spec: { template: { spec: { containers: { image: string }[] } } } };
    latest.spec.template.spec.containers[0].image = "registry.example.com/billing:latest";
    expect(findings({ ...deployment, inputs: latest })).toEqual([expect.stringMatching(/^\[pinned-images\] Deployment beta-alice\/billing/)]);

    const service = billing("kubernetes:core/v1:Service");
    expect((service.inputs.spec as { type: string }).type).toBe("ClusterIP");
    const exposed = structuredClone(service.inputs) as { spec: { type: string } };
    exposed.spec.type = "LoadBalancer";
    expect(findings({ ...service, inputs: exposed }).length).toBeGreaterThan(0);
  });
});
