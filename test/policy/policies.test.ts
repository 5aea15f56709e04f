/**
 * The rules wrapped as Pulumi policies, called the way the policy server calls them (props
 * behind the engine's unknown-checking proxy) but without starting the server.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { makePolicies, policies, stackFromUrn, StackOf } from "../../policy/policies";
import { rules } from "../../policy/rules";
import { ALICE, PLATFORM, configMap, firstContainer, namespace, workload } from "./manifests";
import { reported, reportedByPack } from "./pack-harness";

const POLICY_DIR = path.join(__dirname, "..", "..", "policy");

function policy(name: string, pack = policies): ResourceValidationPolicy {
  const found = pack.find((p) => p.name === name);
  if (found === undefined) throw new Error(`no policy ${name}`);
  return found;
}

describe("the beta-guard-rails pack", () => {
  it("has one mandatory resource policy per rule, with unique names", () => {
    expect(policies.map((p) => p.name)).toEqual([
      "container-resources",
      "non-root-containers",
      "no-host-access",
      "pod-security",
      "pinned-images",
      "no-developer-cluster-role-binding",
      "safe-rbac",
      "beta-namespace-isolation",
      "developer-stack-workload-only",
      "service-exposure",
      "no-opaque-bundles",
    ]);
    expect(policies.map((p) => p.name)).toEqual(rules.map((r) => r.name));
    for (const p of policies) {
      expect(p.enforcementLevel).toBe("mandatory");
      expect(typeof p.validateResource).toBe("function");
      expect(p.description.length).toBeGreaterThan(0);
    }
  });

  it("reports a privileged nginx:latest container through two policies", async () => {
    const declared = workload("Deployment", (pod) => {
      Object.assign(firstContainer(pod), { image: "nginx:latest", securityContext: { privileged: true } });
    });
    expect(await reportedByPack(policies, declared, ALICE)).toEqual({
      "non-root-containers": [expect.stringMatching(/^\[non-root-containers\] Deployment beta-alice\/web: .*privileged \(container "web"\) is true/)],
      "pinned-images": [expect.stringMatching(/^\[pinned-images\] Deployment beta-alice\/web: .*image \(container "web"\) is "nginx:latest"/)],
    });
  });

  it("reports nothing for compliant objects", async () => {
    for (const declared of [workload("Deployment"), workload("Job"), configMap(ALICE)]) {
      expect(await reportedByPack(policies, declared, ALICE)).toEqual({});
    }
    for (const declared of [workload("Deployment", () => {}, "uber"), workload("CronJob", () => {}, "shared"), namespace("uber")]) {
      expect(await reportedByPack(policies, declared, PLATFORM)).toEqual({});
    }
  });

  it("takes the stack from the resource's URN", async () => {
    const isolation = policy("beta-namespace-isolation");
    // The same ConfigMap is right on alice's stack and wrong on the platform's.
    expect(await reported(isolation, configMap(ALICE), ALICE)).toEqual([]);
    expect(await reported(isolation, configMap(ALICE), PLATFORM)).toEqual([
      `[beta-namespace-isolation] ConfigMap beta-alice/web-env: metadata.namespace is "beta-alice"; the platform stack "dev" puts only guard rails (ResourceQuota, LimitRange, NetworkPolicy, RoleBinding) and the Secret database in a beta- namespace; its workload belongs to the developer stack.`,
    ]);
  });

  it("lets a test inject the stack", async () => {
    const asBob: StackOf = () => "beta-bob";
    const isolation = policy("beta-namespace-isolation", makePolicies(asBob));
    // The URN says alice, the injected resolver says bob: bob wins.
    expect(await reported(isolation, configMap(ALICE), ALICE)).toEqual([
      `[beta-namespace-isolation] ConfigMap beta-alice/web-env: metadata.namespace is "beta-alice"; on stack beta-bob every namespaced object must be in namespace "beta-bob".`,
    ]);
  });

  it("still reports a finding when the object's name is not known during preview", async () => {
    const declared = workload("Deployment", (pod) => {
      firstContainer(pod).image = "nginx";
    });
    // The engine's proxy throws on an unknown value; the name only labels the message.
    const metadata = declared.props.metadata as Record<string, unknown>;
    Object.defineProperty(metadata, "name", {
      enumerable: true,
      get: () => {
        throw new Error("string value at .metadata.name can't be known during preview");
      },
    });
    expect(await reported(policy("pinned-images"), declared, ALICE)).toEqual([
      expect.stringMatching(/^\[pinned-images\] Deployment beta-alice\/\(unknown until apply\): .*"nginx", which has no tag/),
    ]);
  });
});

describe("stack names in URNs", () => {
  it.each([
    ["urn:pulumi:beta-alice::beta::kubernetes:apps/v1:Deployment::web", "beta-alice"],
    ["urn:pulumi:dev::beta::beta:index:UberRouter$kubernetes:apps/v1:Deployment::router", "dev"],
    ["not-a-urn", undefined],
    [undefined, undefined],
  ])("%s is on stack %s", (urn, stack) => {
    expect(stackFromUrn(urn)).toBe(stack);
  });
});

describe("the pack's files", () => {
  it("declare a Node.js policy pack named beta-guard-rails", () => {
    const project = parseYaml(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
    expect(project).toMatchObject({ runtime: "nodejs", name: "beta-guard-rails" });
  });

  it("depend on the same Pulumi versions as the program, with a version the PolicyPack requires", () => {
    const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string; dependencies: Record<string, string> };
    const pack = read(path.join(POLICY_DIR, "package.json"));
    const root = read(path.join(POLICY_DIR, "..", "package.json"));
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const dependency of ["@pulumi/policy", "@pulumi/pulumi"]) {
      expect(pack.dependencies[dependency]).toBe(root.dependencies[dependency]);
    }
  });
});
