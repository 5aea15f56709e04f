/** Values the schemas once accepted and the cluster or a later verb refused: now refused up front, naming key, value and rule. */
import { describe, expect, it } from "vitest";
import { parseBetaConfig } from "../../lib/beta-config";
import { parsePlatformConfig } from "../../lib/platform-config";
import { kubeconfigPlatformConfig } from "../support/program";

const web = { name: "web", image: "registry.example.com/web", port: 3000, default: true };

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

const PLATFORM: { why: string; config: Record<string, unknown>; line: string }[] = [
  { why: "releaseTag latest moves under running Betas", config: { releaseTag: "latest" }, line: `beta:releaseTag: pin a build such as master-3f2c1ab; "latest" changes under a running Beta (got "latest")` },
  { why: "an app asks for more than its limit", config: { apps: [{ ...web, resources: { requests: { cpu: "2" }, limits: { cpu: "1" } } }] }, line: `beta:apps[0].resources: requests.cpu "2" is above limits.cpu "1"; a request must not exceed its limit (got {"requests":{"cpu":"2"},"limits":{"cpu":"1"}})` },
  { why: "a default request above the default limit", config: { apps: [{ ...web, resources: { requests: { memory: "2Gi" } } }] }, line: `beta:apps[0].resources: requests.memory "2Gi" is above limits.memory "1Gi"; a request must not exceed its limit (got {"requests":{"memory":"2Gi"}})` },
  { why: "a zero quota admits no pod", config: { quota: { default: { requests: { cpu: "0" } } } }, line: `beta:quota.default.requests.cpu: must be more than zero (a zero quota admits no pod) (got "0")` },
  { why: "zero pods", config: { quota: { default: { pods: 0 } } }, line: `beta:quota.default.pods: must be at least 1 (a zero quota admits no pod) (got 0)` },
  { why: "a quota's requests above its limits", config: { quota: { default: { requests: { cpu: "6" }, limits: { cpu: "5" } } } }, line: `beta:quota.default.requests.cpu "6" is above limits.cpu "5"; a request must not exceed its limit` },
  { why: "a domain that is an IP address", config: { domain: "10.0.0.1" }, line: `beta:domain: a DNS domain, not an IP address (its last label is a name, e.g. beta.example.com) (got "10.0.0.1")` },
  { why: "one principal for two developers", config: { developers: [{ name: "alice", principalArn: "arn:aws:iam::123456789012:user/alice" }, { name: "bob", principalArn: "arn:aws:iam::123456789012:user/alice" }] }, line: `beta:developers[1].principalArn: "arn:aws:iam::123456789012:user/alice" is already the principal of "alice"; each developer needs their own identity` },
  { why: "syncPath / (sync refuses the root)", config: { apps: [{ ...web, syncPath: "/" }] }, line: `beta:apps[0].syncPath: the app's source directory, not the container's root "/" (beta sync mirrors deletions into it) (got "/")` },
  { why: "syncPath /./ is the root too", config: { apps: [{ ...web, syncPath: "/./" }] }, line: `beta:apps[0].syncPath: the app's source directory, not the container's root "/" (beta sync mirrors deletions into it) (got "/./")` },
];

describe("platform config: accepted but wrong, now refused", () => {
  it.each(PLATFORM)("$why", ({ config, line }) => {
    const message = refusal(() => parsePlatformConfig(kubeconfigPlatformConfig(config)));
    expect(message.split("\n")).toContain(line);
  });

  it("the values next to those rules still pass", () => {
    expect(() => parsePlatformConfig(kubeconfigPlatformConfig({ releaseTag: "latest-3f2c1ab", domain: "beta.example.com", apps: [{ ...web, syncPath: "/srv/app", resources: { requests: { cpu: "1" }, limits: { cpu: "1" } } }] }))).not.toThrow();
  });
});

describe("developer config: accepted but wrong, now refused", () => {
  it.each([
    { why: "imageTag latest", config: { imageTag: "latest" }, line: `beta:imageTag: pin a build such as master-3f2c1ab; "latest" changes under a running Beta (got "latest")` },
    { why: "an app override pinned to latest", config: { apps: { web: { imageTag: "latest" } } }, line: `beta:apps.web.imageTag: pin a build such as master-3f2c1ab; "latest" changes under a running Beta (got "latest")` },
    { why: "platformStack climbing out with ..", config: { platformStack: "../../etc" }, line: `beta:platformStack: a stack name such as "dev" or "org/beta/dev", without "." or ".." segments (got "../../etc")` },
  ])("$why", ({ config, line }) => {
    expect(refusal(() => parseBetaConfig(config)).split("\n")).toContain(line);
  });

  it("org/project/stack names still pass", () => {
    expect(parseBetaConfig({ platformStack: "acme/beta/dev.eu" }).platformStack).toBe("acme/beta/dev.eu");
  });
});
