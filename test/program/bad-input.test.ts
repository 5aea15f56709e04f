import { describe, expect, it } from "vitest";
import { runOffline } from "../../offline/run-offline";
import { expectRejected, kubeconfigPlatformConfig, runBeta, runPlatform } from "../support/program";

describe("bad stack names stop the program before anything is declared", () => {
  const cases: { why: string; stack: string; message: RegExp }[] = [
    { why: "upper case is not a DNS label", stack: "beta-Alice", message: /"beta-Alice".*"Alice".*lower-case letters/ },
    { why: "a reserved name would shadow the router", stack: "beta-uber", message: /"uber".*reserved/ },
    { why: "'www' is reserved", stack: "beta-www", message: /reserved \(reserved names: www, shared, uber, router, platform, admin\)/ },
    { why: "'--' separates app and name in host names", stack: "beta-al--ice", message: /'--' is reserved as the app separator/ },
    { why: "names end with a letter or digit", stack: "beta-alice-", message: /starting and ending with a letter or digit/ },
    { why: "31 characters are too long", stack: `beta-${"a".repeat(31)}`, message: /31 characters; at most 30/ },
    { why: "an empty name", stack: "beta-", message: /is empty/ },
    { why: "an underscore is not allowed", stack: "beta-al_ice", message: /lower-case letters, digits and '-'/ },
  ];
  for (const { why, stack, message } of cases) {
    it(`${stack}: ${why}`, async () => {
      const name = stack.slice("beta-".length);
      const error = await expectRejected(() => runBeta(name));
      expect(error).toMatch(message);
    });
  }
});

describe("bad platform config stops the platform stack with one clear message", () => {
  const app = { name: "web", image: "registry.example.com/web", port: 3000, default: true };
  const cases: { why: string; config: Record<string, unknown>; message: RegExp }[] = [
    { why: "app names follow the naming rule", config: { apps: [{ ...app, name: "Web" }] }, message: /beta:apps\[0\]\.name: .*lower-case .*\(got "Web"\)/ },
    { why: "'--' in an app name breaks routing", config: { apps: [{ ...app, name: "my--web" }] }, message: /beta:apps\[0\]\.name: '--' is reserved/ },
    { why: "two default apps", config: { apps: [app, { ...app, name: "api" }] }, message: /exactly one app must have default: true; web, api all have it/ },
    { why: "no default app", config: { apps: [{ ...app, default: false }] }, message: /exactly one app must have default: true.*none has/ },
    { why: "port out of range", config: { apps: [{ ...app, port: 70000 }] }, message: /beta:apps\[0\]\.port: must be a whole number from 1 to 65535 \(got 70000\)/ },
    { why: "the image already carries a tag", config: { apps: [{ ...app, image: "registry.example.com/web:1.2" }] }, message: /beta:apps\[0\]\.image: give the repository without a tag.*"registry.example.com\/web:1.2"/ },
    { why: "the image carries a digest", config: { apps: [{ ...app, image: "registry.example.com/web@sha256:abc" }] }, message: /beta:apps\[0\]\.image: give the repository without a digest/ },
    { why: "an unknown app key is a typo", config: { apps: [{ ...app, helthPath: "/x" }] }, message: /beta:apps\[0\]: unknown key "helthPath" \(allowed keys: name, image, port/ },
    { why: "a missing release tag", config: { releaseTag: undefined }, message: /Missing configuration beta:releaseTag/ },
    { why: "an unknown top-level key", config: { relaseTag: "x" }, message: /Unknown configuration beta:relaseTag on a platform stack/ },
    { why: "a shared service may not take an app's name", config: { sharedServices: [{ name: "web", host: "x.example.com", port: 80 }] }, message: /"web" is also an app name/ },
    { why: "acm TLS needs a hosted zone", config: { router: { tls: "acm" } }, message: /router.tls is "acm" but beta:hostedZone is not set/ },
    { why: "a bad domain", config: { domain: "Beta_Example" }, message: /beta:domain: a lower-case DNS domain/ },
    { why: "an adopted cluster names its kubeconfig or context", config: { cluster: { provider: "kubeconfig" } }, message: /beta:cluster: an adopted cluster needs kubeconfig \(secret\) or context/ },
    { why: "EKS older than 1.30 lacks the deployer's admission policy", config: { cluster: { provider: "eks", version: "1.29" } }, message: /beta:cluster.version: Kubernetes 1.30 or newer \(got "1.29"\)/ },
    { why: "an unknown cluster provider", config: { cluster: { provider: "gke" } }, message: /beta:cluster.provider: set provider to "eks"/ },
    { why: "a context the kubeconfig lacks", config: { cluster: { provider: "kubeconfig", kubeconfig: JSON.stringify({ contexts: [{ name: "a", context: { cluster: "a" } }], clusters: [{ name: "a" }] }), context: "prod" } }, message: /beta:cluster.context "prod" is not a context of the kubeconfig \(contexts: a\)/ },
    { why: "a default quota above the ceiling", config: { quota: { default: { pods: 200 } } }, message: /beta:quota.default.pods: 200 is above the platform's ceiling of 80/ },
  ];
  for (const { why, config, message } of cases) {
    it(why, async () => {
      const error = await expectRejected(() => runPlatform(kubeconfigPlatformConfig(config)));
      expect(error).toMatch(message);
    });
  }
});

describe("bad developer config stops the Beta before anything is declared", () => {
  const cases: { why: string; config: Record<string, unknown>; message: RegExp }[] = [
    { why: "an override may set only imageTag, env and replicas", config: { apps: { web: { image: "other/web" } } }, message: /beta:apps\.web: unknown key "image" \(allowed keys: imageTag, env, replicas\)/ },
    { why: "an override for an app that is not in the catalog", config: { apps: { wbe: { replicas: 2 } } }, message: /beta:apps: "wbe" is not an app of the platform's catalog \(apps: web, api\)/ },
    { why: "a tag with a slash is no Docker tag", config: { imageTag: "feature/login" }, message: /beta:imageTag: an image tag is 1-128 letters/ },
    { why: "autoRefresh is true or false", config: { autoRefresh: "sometimes" }, message: /beta:autoRefresh/ },
    { why: "a misspelt key", config: { imagetag: "x" }, message: /Unknown configuration beta:imagetag on a developer stack/ },
    { why: "a quota above the ceiling", config: { quota: { limits: { cpu: "64" } } }, message: /beta:quota.limits.cpu: "64" is above the platform's ceiling of "16"/ },
    { why: "an env name with a dash", config: { apps: { web: { env: { "LOG-LEVEL": "x" } } } }, message: /beta:apps\.web\.env: key "LOG-LEVEL" is not valid: an environment variable name/ },
  ];
  for (const { why, config, message } of cases) {
    it(why, async () => {
      const error = await expectRejected(() => runBeta("alice", config));
      expect(error).toMatch(message);
    });
  }
});

describe("a platform stack that lacks outputs", () => {
  it("stops the Beta naming the missing outputs and what to run", async () => {
    const error = await expectRejected(() =>
      runOffline({
        stack: "beta-alice",
        config: {},
        stackOutputs: { "organization/beta/dev": { outputs: { domain: "beta.example.com", releaseTag: "master-1" } } },
      }),
    );
    expect(error).toMatch(/The platform stack "dev" has no output kubeconfig, apps, sharedServices, clusterDomain, appSecrets, quota\. Run `pulumi up --stack dev`/);
  });

  it("stops the Beta naming an invalid output", async () => {
    const platform = await runPlatform(kubeconfigPlatformConfig());
    const error = await expectRejected(() =>
      runOffline({
        stack: "beta-alice",
        config: {},
        stackOutputs: { "organization/beta/dev": { outputs: { ...platform.outputs, releaseTag: "not a tag" } } },
      }),
    );
    expect(error).toMatch(/exports invalid data:\ndev output releaseTag: an image tag/);
  });
});
