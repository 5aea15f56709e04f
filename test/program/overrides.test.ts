import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { devPlatformConfig, objectNamed, runBeta } from "../support/program";

const REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com/company";

/** Every Kubernetes object of a Beta, keyed `Kind/name`, to compare two Betas field by field. */
function byKey(beta: RenderedBeta): Map<string, unknown> {
  return new Map(
    (beta.kubernetesObjects as { kind: string; metadata: { name: string } }[]).map((o) => [`${o.kind}/${o.metadata.name}`, o]),
  );
}

describe("developer overrides", () => {
  let plain: RenderedBeta;
  beforeAll(async () => {
    plain = await runBeta("alice");
  });

  it("beta:imageTag pins every app to a branch build and changes nothing else", async () => {
    const pinned = await runBeta("alice", { imageTag: "branch-login-fix" });
    for (const app of ["web", "api"]) {
      expect(objectNamed(pinned.beta, "Deployment", app).spec.template.spec.containers[0].image).toBe(`${REGISTRY}/${app}:branch-login-fix`);
    }
    expect(pinned.beta.outputs.images).toEqual({ web: `${REGISTRY}/web:branch-login-fix`, api: `${REGISTRY}/api:branch-login-fix` });
    const before = byKey(plain);
    const after = byKey(pinned);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const changed = [...after.keys()].filter((key) => JSON.stringify(after.get(key)) !== JSON.stringify(before.get(key)));
    expect(changed.sort()).toEqual(["Deployment/api", "Deployment/web"]);
  });

  it("a per-app override changes only that app: its tag, env and replicas, over beta:imageTag", async () => {
    const tuned = await runBeta("alice", {
      imageTag: "branch-login-fix",
      apps: { api: { imageTag: "pr-42", env: { LOG_LEVEL: "debug", NODE_ENV: "test" }, replicas: 2 } },
    });
    const api = objectNamed(tuned.beta, "Deployment", "api");
    const [container] = api.spec.template.spec.containers;
    expect(container.image).toBe(`${REGISTRY}/api:pr-42`);
    expect(api.spec.replicas).toBe(2);
    expect(container.env).toEqual([
      { name: "BETA_NAME", value: "alice" },
      { name: "BETA_NAMESPACE", value: "beta-alice" },
      { name: "BILLING_URL", value: "http://billing:8080" },
      { name: "LOG_LEVEL", value: "debug" },
      { name: "NODE_ENV", value: "test" },
    ]);
    const web = objectNamed(tuned.beta, "Deployment", "web");
    expect(web.spec.template.spec.containers[0].image).toBe(`${REGISTRY}/web:branch-login-fix`);
    expect(web.spec.replicas).toBe(1);
    expect(web.spec.template.spec.containers[0].env).toEqual(objectNamed(plain.beta, "Deployment", "web").spec.template.spec.containers[0].env);
  });

  it("beta:platformStack finds the platform by short, project/stack or org/project/stack name", async () => {
    for (const platformStack of ["dev", "beta/dev", "organization/beta/dev"]) {
      const beta = await runBeta("alice", { platformStack });
      expect(beta.beta.outputs.url, platformStack).toBe("https://alice.beta.example.com");
    }
  });

  it("the platform's beta:developers[].quota raises one tenant's quota up to the ceiling, and no other", async () => {
    const platform = devPlatformConfig();
    const developers = [{ name: "alice", principalArn: "arn:aws:iam::123456789012:user/alice", quota: { limits: { cpu: "12" }, pods: 60 } }, { name: "bob", principalArn: "arn:aws:iam::123456789012:role/bob" }];
    const bigger = await runBeta("alice", {}, { ...platform, developers });
    expect(objectNamed(bigger.platform, "ResourceQuota", "beta-quota", "beta-alice").spec.hard).toMatchObject({ "limits.cpu": "12", "limits.memory": "16Gi", pods: "60" });
    expect(objectNamed(bigger.platform, "ResourceQuota", "beta-quota", "beta-bob").spec.hard).toMatchObject({ "limits.cpu": "8", pods: "40" });
  });
});
