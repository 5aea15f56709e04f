import { describe, expect, it } from "vitest";
import { runOffline } from "../../offline/run-offline";
import { expectRejected, kubeconfigPlatformConfig, runBeta, runPlatform } from "../support/program";

const EKS = { provider: "eks", vpcId: "vpc-0abc", subnetIds: ["subnet-0a", "subnet-0b"] };

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
    { why: "a shared service may not take an app's name", config: { sharedServices: [{ name: "web", host: "x.example.com", port: 80, cidrs: ["10.0.0.0/24"] }] }, message: /"web" is also an app name/ },
    { why: "acm TLS needs a hosted zone", config: { router: { tls: "acm" } }, message: /router.tls is "acm" but beta:hostedZone is not set/ },
    { why: "a bad domain", config: { domain: "Beta_Example" }, message: /beta:domain: a lower-case DNS domain/ },
    { why: "an adopted cluster names its kubeconfig or context", config: { cluster: { provider: "kubeconfig" } }, message: /beta:cluster: an adopted cluster needs kubeconfig \(secret\) or context/ },
    { why: "EKS older than 1.30 lacks the tenant fence's admission policy", config: { cluster: { ...EKS, version: "1.29" } }, message: /beta:cluster.version: Kubernetes 1.30 or newer \(got "1.29"\)/ },
    { why: "EKS needs its VPC named: the default VPC may span unsupported zones", config: { cluster: { provider: "eks" } }, message: /beta:cluster.vpcId: required: the id of the VPC/ },
    { why: "no beta:cluster means EKS, which needs its VPC named", config: { cluster: undefined }, message: /beta:cluster.vpcId: required/ },
    { why: "EKS nodes need private subnets in two zones", config: { cluster: { ...EKS, subnetIds: ["subnet-0a"] } }, message: /beta:cluster.subnetIds: EKS needs subnets in at least two availability zones/ },
    { why: "on EKS each developer signs in as an IAM principal", config: { cluster: EKS, developers: [{ name: "alice" }] }, message: /beta:developers: "alice" has no principalArn/ },
    { why: "an admin is an IAM principal", config: { cluster: { ...EKS, admins: ["ci"] } }, message: /beta:cluster.admins\[0\]: an IAM user or role ARN/ },
    { why: "a DNS-named shared service lists the CIDRs a Beta may reach", config: { sharedServices: [{ name: "billing", host: "billing.internal.example.com", port: 8080 }] }, message: /beta:sharedServices\[0\]\.cidrs: "billing.internal.example.com" is a DNS name, so list the CIDRs/ },
    { why: "a shared service CIDR is a CIDR", config: { sharedServices: [{ name: "billing", host: "billing.internal.example.com", port: 8080, cidrs: ["10.0.0.0"] }] }, message: /beta:sharedServices\[0\]\.cidrs\[0\]: an IPv4 CIDR/ },
    { why: "PROXY protocol needs a load balancer that sends it", config: { router: { proxyProtocol: true } }, message: /proxyProtocol is true, but only an NLB made by the AWS Load Balancer Controller sends PROXY protocol.*kubernetes\/kubernetes#101608/ },
    { why: "a node port cannot end TLS", config: { hostedZone: "example.com", router: { nodePort: 30080, tls: "acm" } }, message: /beta:router.nodePort 30080 exposes the router without a load balancer/ },
    { why: "a node port is in the node-port range", config: { router: { nodePort: 8080 } }, message: /beta:router.nodePort: must be at least 30000 \(got 8080\)/ },
    { why: "the resolver is an address, so the router starts without DNS", config: { router: { resolver: "kube-dns.kube-system" } }, message: /beta:router.resolver: an IPv4 address/ },
    { why: "a developer's quota stays within the ceiling", config: { developers: [{ name: "alice", quota: { limits: { cpu: "64" } } }] }, message: /beta:developers\[0\]\.quota.limits.cpu: "64" is above the platform's ceiling of "16"/ },
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
    { why: "quota is the platform's to set (beta:developers[].quota)", config: { quota: { limits: { cpu: "64" } } }, message: /Unknown configuration beta:quota on a developer stack/ },
    { why: "ownership comes from the platform's beta:developers", config: { owner: "system:masters" }, message: /Unknown configuration beta:owner on a developer stack/ },
    { why: "an env name with a dash", config: { apps: { web: { env: { "LOG-LEVEL": "x" } } } }, message: /beta:apps\.web\.env: key "LOG-LEVEL" is not valid: an environment variable name/ },
  ];
  for (const { why, config, message } of cases) {
    it(why, async () => {
      const error = await expectRejected(() => runBeta("alice", config));
      expect(error).toMatch(message);
    });
  }

  it("a developer the platform does not list has no tenant, so no Beta", async () => {
    const error = await expectRejected(() => runBeta("carol"));
    expect(error).toMatch(/"carol" is not a developer of the platform \(developers: alice, bob\).*add carol to beta:developers/);
  });
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
    expect(error).toMatch(/The platform stack "dev" has no output kubeconfig, apps, sharedServices, clusterDomain, appSecrets, developers, quota\. Run `pulumi up --stack dev`/);
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
