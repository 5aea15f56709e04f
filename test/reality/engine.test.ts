/**
 * What Pulumi's engine enforces that its mocks do not, checked over what both programs declare:
 * explicit providers with default providers disabled, no resource declared inside an `apply`,
 * and platform outputs that developer stacks can read.
 */
import { describe, expect, it } from "vitest";
import { MockCloud, explicitProviderProblem } from "../../offline/mock-cloud";
import { runOffline } from "../../offline/run-offline";
import { PLATFORM_OUTPUT_NAMES } from "../../lib/platform-outputs";
import { devPlatformConfig, kubeconfigPlatformConfig, runBeta } from "../support/program";

const PLATFORMS: { why: string; config: () => Record<string, unknown> }[] = [
  { why: "EKS with a hosted zone (Pulumi.dev.yaml)", config: devPlatformConfig },
  { why: "an adopted cluster without AWS", config: () => kubeconfigPlatformConfig() },
  { why: "a laptop cluster behind a node port", config: () => kubeconfigPlatformConfig({ domain: "beta.localhost", router: { nodePort: 30080 } }) },
];

describe("explicit providers: the stand-in cloud refuses what the engine refuses", () => {
  // pulumi/pulumi sdk/go/common/diag/errors.go:85 @1b59498.
  const ref = (type: string, name: string) => `urn:pulumi:dev::beta::beta:index:SharedCluster$${type}::${name}::${name}-id`;
  const cases: { why: string; token: string; provider?: string; refused: boolean }[] = [
    { why: "a custom resource with no provider", token: "kubernetes:core/v1:Namespace", refused: true },
    { why: "a custom resource with its own package's provider", token: "kubernetes:core/v1:Namespace", provider: ref("pulumi:providers:kubernetes", "k8s"), refused: false },
    { why: "a remote component given only the aws provider (pulumi/pulumi-eks#1508)", token: "eks:index:Cluster", provider: ref("pulumi:providers:aws", "aws"), refused: true },
    { why: "a remote component with an eks provider", token: "eks:index:Cluster", provider: ref("pulumi:providers:eks", "eks"), refused: false },
    { why: "an invoke with no provider", token: "aws:index/getCallerIdentity:getCallerIdentity", refused: true },
    { why: "the engine's own stack reference", token: "pulumi:pulumi:StackReference", refused: false },
  ];
  for (const { why, token, provider, refused } of cases) {
    it(why, () => {
      const problem = explicitProviderProblem(token, token, provider);
      if (refused) expect(problem).toMatch(new RegExp(`^Default provider for '${token.split(":")[0]}' disabled\\. .* must use an explicit provider\\.`));
      else expect(problem).toBeUndefined();
    });
  }

  it("a remote component is checked like a custom resource, a local one is not", () => {
    const cloud = new MockCloud();
    cloud.noteRegistration("eks:index:Cluster", "c", "urn:pulumi:dev::beta::eks:index:Cluster::c", [], true);
    expect(() => cloud.newResource({ type: "eks:index:Cluster", name: "c", inputs: {}, custom: false })).toThrow(/Default provider for 'eks' disabled/);
    cloud.noteRegistration("beta:index:App", "a", "urn:pulumi:dev::beta::beta:index:App::a", [], false);
    expect(() => cloud.newResource({ type: "beta:index:App", name: "a", inputs: {}, custom: false })).not.toThrow();
  });

  for (const { why, config } of PLATFORMS) {
    it(`${why}: every resource, read and invoke of both stacks names its own package's provider`, async () => {
      // Rendering would throw at the first refusal; these confirm each custom resource names one.
      const rendered = await runBeta("alice", {}, config());
      for (const run of [rendered.platform, rendered.beta]) {
        const custom = run.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:"));
        expect(custom.length).toBeGreaterThan(3);
        for (const resource of custom) expect(explicitProviderProblem(resource.type, resource.type, resource.provider), resource.name).toBeUndefined();
      }
    });
  }
});

describe("no resource is declared inside an apply: a preview declares what an update does", () => {
  // In a preview, what the cloud computes is unknown, so an apply over it never runs and a
  // resource declared in one would be missing from the preview (pulumi/pulumi sdk/nodejs
  // runtime/rpc.ts: a missing output resolves unknown while isDryRun()).
  for (const { why, config } of PLATFORMS) {
    it(why, async () => {
      const urns = async (preview: boolean) =>
        (await runOffline({ stack: "dev", config: config(), preview, localKubeconfig: undefined })).resources
          .filter((r) => !r.read)
          .map((r) => r.urn)
          .sort();
      const previewed = await urns(true);
      expect(previewed.length).toBeGreaterThan(20);
      expect(previewed).toEqual(await urns(false));
    });
  }
});

describe("platform outputs developer stacks read are known after an update", () => {
  for (const { why, config } of PLATFORMS) {
    it(why, async () => {
      const platform = await runOffline({ stack: "dev", config: config() });
      for (const name of PLATFORM_OUTPUT_NAMES) expect(platform.outputs[name], name).toBeDefined();
    });
  }
});
