/**
 * `beta test` through runCli with a fake kubectl and gateway: the Job it creates, the logs it
 * streams, the report it copies, its exit codes, Ctrl-C, the one-run lock, --keep, --fresh-db.
 */
import { describe, expect, it } from "vitest";
import { RecordingKubectl, runBeta } from "../support/cli-harness";
import { REPORT, qaCluster as cluster } from "../support/qa-cluster";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const qa = { image: "registry.example.com/qa", command: ["npm", "test"], env: { CI: "true" }, timeoutSeconds: 600, reportPath: "/reports/junit.xml" };

function gateway(platform: Record<string, unknown> = { releaseTag: "master-abc1234", qa }) {
  return new ScriptedGateway([
    { name: "beta-alice", outputs: betaOutputs("alice") },
    { name: "dev", outputs: platform },
  ]);
}

type Job = { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { activeDeadlineSeconds: number; backoffLimit: number; template: { metadata: { labels: Record<string, string> }; spec: Json } } };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const testJobs = (created: Record<string, unknown>[]) => created.filter((c) => (c as Job).metadata.name === "beta-test") as Job[];

describe("beta test", () => {
  it("creates the beta-test Job with the Beta's URLs, labels, deadline and no privilege, and the suite's arguments", async () => {
    const { kubectl, created } = cluster({ pendingPolls: 2, runningPolls: 3 });
    const result = await runBeta(["test", "alice", "--", "--grep", "checkout"], { gateway: gateway(), kubectl });
    expect(result.code, result.stderr).toBe(0);
    const [job] = testJobs(created);
    expect(job.metadata).toMatchObject({ name: "beta-test", namespace: "beta-alice" });
    expect(job.metadata.labels).toMatchObject({ "app.kubernetes.io/part-of": "beta", "beta/test-run": expect.stringMatching(/^[0-9a-z]+$/) });
    expect(job.spec.template.metadata.labels).toEqual(job.metadata.labels);
    expect(job.spec.activeDeadlineSeconds).toBe(600 + 120);
    expect(job.spec.backoffLimit).toBe(0);
    const pod = job.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    const [container] = pod.containers;
    expect(container.image).toBe("registry.example.com/qa:master-abc1234");
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.resources.limits).toEqual({ cpu: "1", memory: "1Gi" });
    expect(container.command.slice(-4)).toEqual(["npm", "test", "--grep", "checkout"]);
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toEqual({
      CI: "true",
      BETA_NAME: "alice",
      BETA_URL: "https://alice.beta.example.com",
      BETA_URLS: JSON.stringify({ api: "https://api--alice.beta.example.com", web: "https://alice.beta.example.com" }),
      BETA_SERVICE_URLS: JSON.stringify({ api: "http://api", web: "http://web" }),
    });
  });

  it("streams the suite's logs from its pod and exits with the suite's exit code", async () => {
    const { kubectl } = cluster({ exitCode: 3, runningPolls: 1 });
    const result = await runBeta(["test", "alice"], { gateway: gateway(), kubectl });
    expect(result.code).toBe(3);
    expect(kubectl.attached).toEqual([["logs", "-f", "-n", "beta-alice", "pod/beta-test-x7k2p", "-c", "suite"]]);
    expect(result.stderr).toContain("The QA suite failed (exit code 3).");
  });

  it("copies the report out before letting the pod end, then removes the Job", async () => {
    const { kubectl, order } = cluster({ exitCode: 1 });
    const files = new Map<string, string>();
    const result = await runBeta(["test", "alice", "--report", "out/junit.xml"], { gateway: gateway(), kubectl, files });
    expect(result.code).toBe(1);
    expect(files.get("out/junit.xml")).toBe(REPORT);
    expect(order).toEqual(["create beta-test", "read exit code", "copy report", "mark done", "delete beta-test"]);
    expect(kubectl.calls.find((c) => c[0] === "delete")).toEqual(["delete", "job", "beta-test", "-n", "beta-alice", "--ignore-not-found", "--cascade=background", "--wait=false"]);
  });

  it("says so when the suite wrote no report, and still exits with the suite's code", async () => {
    const { kubectl } = cluster({ exitCode: 0, report: null });
    const files = new Map<string, string>();
    const result = await runBeta(["test", "alice", "--report", "junit.xml"], { gateway: gateway(), kubectl, files });
    expect(result.code).toBe(0);
    expect(files.has("junit.xml")).toBe(false);
    expect(result.stderr).toContain("The suite wrote no report at /reports/junit.xml");
  });

  it("without a wrapped command reads the exit code from the ended pod", async () => {
    const { kubectl, order } = cluster({ podPhase: "Failed", exitCode: 7 });
    const result = await runBeta(["test", "alice"], { gateway: gateway({ releaseTag: "master-abc1234", qa: { image: "registry.example.com/qa" } }), kubectl });
    expect(result.code).toBe(7);
    expect(order).toEqual(["create beta-test", "delete beta-test"]);
  });

  it("keeps the Job with --keep and says how to remove it", async () => {
    const { kubectl, order } = cluster();
    const result = await runBeta(["test", "alice", "--keep"], { gateway: gateway(), kubectl });
    expect(result.code).toBe(0);
    expect(order).not.toContain("delete beta-test");
    expect(result.stderr).toContain("kubectl delete job beta-test -n beta-alice");
  });

  it("on Ctrl-C deletes the Job (even with --keep) and exits 130", async () => {
    const { kubectl, order } = cluster({ runningPolls: 50, interruptOn: "exec" });
    const result = await runBeta(["test", "alice", "--keep"], { gateway: gateway(), kubectl });
    expect(result.code).toBe(130);
    expect(order).toEqual(["create beta-test", "read exit code", "delete beta-test"]);
    expect(result.stderr).toContain("Interrupted: deleting Job beta-test in beta-alice.");
    expect(process.listenerCount("SIGINT")).toBe(0);
  });

  it("refuses a second run while one is going on, naming the command that removes a stale one", async () => {
    const { kubectl, created, order } = cluster({ locked: true });
    const result = await runBeta(["test", "alice", "--fresh-db"], { gateway: gateway(), kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("A QA run is already going on in Beta alice (Job beta-test in beta-alice, run old1, started 2025-06-01T11:50:00Z)");
    expect(result.stderr).toContain("kubectl delete job beta-test -n beta-alice");
    expect(created).toEqual([]);
    expect(order).toEqual([]);
  });

  it("treats a create that finds the Job already there as the lock, not deleting the other run's Job", async () => {
    const racing = new RecordingKubectl((args) => (args.includes("create") ? { code: 1, stderr: 'Error from server (AlreadyExists): jobs.batch "beta-test" already exists' } : {}));
    const result = await runBeta(["test", "alice"], { gateway: gateway(), kubectl: racing });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("A QA run is already going on in Beta alice");
    expect(racing.calls.some((c) => c.includes("delete"))).toBe(false);
  });

  it("with --fresh-db resets the database before the suite's Job is created", async () => {
    const { kubectl, created, order } = cluster();
    const result = await runBeta(["test", "alice", "--fresh-db"], { gateway: gateway(), kubectl });
    expect(result.code, result.stderr).toBe(0);
    expect((created[0] as Job).metadata.name).toMatch(/^database-reset-/);
    expect(order.indexOf(`create ${(created[0] as Job).metadata.name}`)).toBeLessThan(order.indexOf("create beta-test"));
    expect(order.indexOf("poll database job")).toBeLessThan(order.indexOf("create beta-test"));
  });

  it("runs another build with --tag and prints a JSON summary with --json (logs to stderr)", async () => {
    const { kubectl, created } = cluster({ exitCode: 2 });
    const result = await runBeta(["test", "alice", "--tag", "branch-fix-1", "--json"], { gateway: gateway(), kubectl, now: new Date("2025-06-01T12:00:00Z") });
    expect(result.code).toBe(2);
    expect(testJobs(created)[0].spec.template.spec.containers[0].image).toBe("registry.example.com/qa:branch-fix-1");
    expect(JSON.parse(result.stdout)).toEqual({
      name: "alice",
      job: "beta-test",
      run: Date.parse("2025-06-01T12:00:00Z").toString(36),
      image: "registry.example.com/qa:branch-fix-1",
      exitCode: 2,
      passed: false,
      kept: false,
      freshDb: false,
    });
    expect(kubectl.attached).toEqual([]);
    expect(result.stderr).toContain("1 passing");
  });

  it("fails clearly when the suite's image cannot be pulled, and removes the Job", async () => {
    const { kubectl, order } = cluster({ waitingReason: "ImagePullBackOff" });
    const result = await runBeta(["test", "alice"], { gateway: gateway(), kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The QA suite cannot start: ImagePullBackOff: pull access denied.");
    expect(order).toEqual(["create beta-test", "delete beta-test"]);
  });

  it.each([
    [["test", "alice", "--tag", "latest"], /--tag "latest": pin a build/],
    [["test", "alice", "bob"], /beta test takes one name, got "alice", "bob"/],
    [["test", "alice", "--unknown"], /unknown option '--unknown'/],
    [["test", "Alice!"], /Developer name "Alice!" is not valid/],
  ])("exits 2 on a usage error %j, creating nothing", async (args, message) => {
    const { kubectl, created } = cluster();
    const result = await runBeta(args, { gateway: gateway(), kubectl });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(created).toEqual([]);
  });

  it("exits 2 on --report when the suite writes none, before anything runs", async () => {
    const { kubectl, created } = cluster();
    const result = await runBeta(["test", "alice", "--report", "x.xml"], { gateway: gateway({ releaseTag: "master-abc1234", qa: { image: "registry.example.com/qa" } }), kubectl });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("beta:qa.reportPath is not set");
    expect(created).toEqual([]);
  });

  it("says how to get a suite when the platform has none", async () => {
    const { kubectl, created } = cluster();
    const result = await runBeta(["test", "alice"], { gateway: gateway({ releaseTag: "master-abc1234" }), kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The platform stack dev has no QA suite (no output qa).");
    expect(created).toEqual([]);
  });
});
