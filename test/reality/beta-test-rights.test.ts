/**
 * Every kubectl call `beta test` makes (recorded from a real run of the command against the fake
 * namespace) is one the platform's rendered RBAC lets the developer and CI's release identity
 * make in that developer's namespace, and another developer cannot.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runBeta as runCli } from "../support/cli-harness";
import { kubernetesObjects, runBeta as renderBeta } from "../support/program";
import { qaCluster } from "../support/qa-cluster";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";
import { KubeObject } from "./admission";
import { RbacModel, Subject } from "./rbac";
import { ALICE, RELEASER } from "./tenant-rights";

const BOB: Subject = { user: "bob", groups: ["system:authenticated"] };

interface Access {
  verb: string;
  resource: string;
}

/** The API requests behind one kubectl command line (kubectl exec and logs read the pod first). */
function accessOf(line: readonly string[]): Access[] {
  const args = line.filter((a) => !a.startsWith("--request-timeout") && a !== "--context");
  const [verb, what] = args;
  const target = args.find((a) => a.startsWith("pod/") || a.startsWith("job/"));
  switch (verb) {
    case "get":
      return [{ verb: what === "pods" ? "list" : "get", resource: what === "pods" ? "core/pods" : "batch/jobs" }];
    case "create":
      return [{ verb: "create", resource: "batch/jobs" }];
    case "delete":
      return [{ verb: "delete", resource: "batch/jobs" }];
    case "exec":
      return [{ verb: "get", resource: "core/pods" }, { verb: "create", resource: "core/pods/exec" }];
    case "logs":
      return [
        ...(target?.startsWith("job/") ? [{ verb: "get", resource: "batch/jobs" }, { verb: "list", resource: "core/pods" }] : []),
        { verb: "get", resource: "core/pods" },
        { verb: "get", resource: "core/pods/log" },
      ];
    default:
      throw new Error(`beta test ran kubectl ${line.join(" ")}; add what it asks the API server for here`);
  }
}

describe("beta test's kubectl calls against the platform's RBAC", () => {
  let model: RbacModel;
  let accesses: Access[];
  beforeAll(async () => {
    const rendered = await renderBeta("alice");
    model = new RbacModel(kubernetesObjects(rendered.platform) as unknown as KubeObject[]);
    const { kubectl } = qaCluster({ runningPolls: 1, exitCode: 1 });
    const gateway = new ScriptedGateway([
      { name: "beta-alice", outputs: betaOutputs("alice") },
      { name: "dev", outputs: { releaseTag: "master-abc1234", qa: { image: "registry.example.com/qa", command: ["npm", "test"], reportPath: "/reports/junit.xml" } } },
    ]);
    const result = await runCli(["test", "alice", "--fresh-db", "--report", "junit.xml"], { gateway, kubectl, files: new Map() });
    expect(result.code, result.stderr).toBe(1);
    const lines = [...kubectl.calls, ...kubectl.attached];
    accesses = [...new Map(lines.flatMap(accessOf).map((a) => [`${a.verb} ${a.resource}`, a])).values()];
  }, 60_000);

  it("needs the Job, pod, log and exec rights it is meant to", () => {
    expect(accesses.map((a) => `${a.verb} ${a.resource}`).sort()).toEqual(
      ["create batch/jobs", "create core/pods/exec", "delete batch/jobs", "get batch/jobs", "get core/pods", "get core/pods/log", "list core/pods"].sort(),
    );
  });

  it("the developer and CI's release identity hold every one in the Beta's namespace; another developer none", () => {
    for (const { verb, resource } of accesses) {
      expect(model.can(ALICE, verb, resource, "beta-alice"), `alice: ${verb} ${resource}`).toBe(true);
      expect(model.can(RELEASER, verb, resource, "beta-alice"), `CI: ${verb} ${resource}`).toBe(true);
      expect(model.can(BOB, verb, resource, "beta-alice"), `bob: ${verb} ${resource}`).toBe(false);
    }
  });
});
