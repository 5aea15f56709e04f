/**
 * The Job `beta test` runs: valid for the Kubernetes schema, admitted by the tenant fence and
 * Pod Security restricted, and the wrapper it runs really records the suite's exit code and
 * waits for the copy marker (run with the real sh).
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parsePlatformConfig } from "../../lib/platform-config";
import { QA_STATE_DIR, QA_WRAPPER_SCRIPT, qaJob } from "../../lib/qa-job";
import { readQaOutput } from "../../lib/qa-config";
import { sharedServiceTargets, tenantFenceObjects } from "../../lib/tenant-fence";
import { validateManifest } from "../support/kubernetes-schema";
import { admit, ClusterState, KubeObject } from "../reality/admission";
import { createRequest, developer } from "../reality/admission-requests";
import { workloadViolations } from "../reality/pod-security";

const qa = { image: "registry.example.com/qa", command: ["npm", "test"], env: { CI: "true" }, timeoutSeconds: 600, reportPath: "/reports/junit.xml" };
const run = (overrides: Partial<Parameters<typeof qaJob>[0]> = {}) =>
  qaJob({
    developer: "alice",
    qa,
    tag: "master-3f2c1ab",
    url: "https://alice.beta.example.com",
    urls: { web: "https://alice.beta.example.com", api: "https://api--alice.beta.example.com" },
    args: ["--grep", "checkout"],
    runId: "m3abc",
    ...overrides,
  });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const podSpec = (job: Record<string, unknown>) => (job as any).spec.template.spec;

describe("qaJob", () => {
  it("runs the suite image at the tag in beta-<name> with the Beta's URLs and name in its env", () => {
    const job = run();
    expect(job.metadata).toMatchObject({ name: "beta-test", namespace: "beta-alice", labels: { "app.kubernetes.io/part-of": "beta", "beta/test-run": "m3abc" } });
    const [container] = podSpec(job).containers;
    expect(container.image).toBe("registry.example.com/qa:master-3f2c1ab");
    expect(container.env).toEqual([
      { name: "CI", value: "true" },
      { name: "BETA_NAME", value: "alice" },
      { name: "BETA_URL", value: "https://alice.beta.example.com" },
      { name: "BETA_URLS", value: JSON.stringify({ api: "https://api--alice.beta.example.com", web: "https://alice.beta.example.com" }) },
      { name: "BETA_SERVICE_URLS", value: JSON.stringify({ api: "http://api", web: "http://web" }) },
    ]);
    expect(container.command.slice(-4)).toEqual(["npm", "test", "--grep", "checkout"]);
  });

  it("ends by the suite's timeout plus the copy grace, never retries, and sets resources", () => {
    const job = run();
    expect(job.spec.activeDeadlineSeconds).toBe(720);
    expect(job.spec.backoffLimit).toBe(0);
    expect(podSpec(job).restartPolicy).toBe("Never");
    expect(podSpec(job).containers[0].resources).toEqual({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } });
  });

  it("without a command passes the arguments to the image's entrypoint and needs no wait", () => {
    const job = run({ qa: { image: "registry.example.com/qa" } });
    const [container] = podSpec(job).containers;
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(["--grep", "checkout"]);
    expect(job.spec.activeDeadlineSeconds).toBe(1800);
    expect(podSpec(job).volumes).toBeUndefined();
  });

  it.each([
    ["with a command and report", run()],
    ["without a command", run({ qa: { image: "registry.example.com/qa" }, args: [] })],
  ])("is a valid Job, Pod Security restricted, admitted by the tenant fence for the developer (%s)", (_, job) => {
    validateManifest(job);
    expect(workloadViolations("restricted", job as never)).toEqual([]);
    const fence = tenantFenceObjects({ sharedServiceTargets: sharedServiceTargets([], "cluster.local") });
    const cluster: ClusterState = {
      namespaces: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "beta-alice", labels: { "app.kubernetes.io/part-of": "beta", "beta/tenant": "alice", "pod-security.kubernetes.io/enforce": "baseline" } } }],
      objects: [fence.params as KubeObject],
    };
    const verdict = admit([...fence.policies, ...fence.bindings] as KubeObject[], cluster, createRequest(job as KubeObject, developer("alice")));
    expect(verdict.denials).toEqual([]);
    expect(verdict.allowed).toBe(true);
  });
});

describe("the wrapper script", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** The Job's script with its state directory moved to a temp dir (the same text otherwise). */
  function script(): string {
    dir = mkdtempSync(path.join(tmpdir(), "beta-test-wrapper-"));
    return QA_WRAPPER_SCRIPT.split(QA_STATE_DIR).join(dir);
  }

  it("records the suite's exit code, waits for the copy marker, then exits with that code", async () => {
    const text = script();
    const child = spawn("/bin/sh", ["-c", text, "beta-test", "sh", "-c", "echo ran; exit 3"], { stdio: "pipe" });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const codeFile = path.join(dir!, "exit-code");
    for (let i = 0; i < 100 && !existsSync(codeFile); i++) await new Promise((r) => setTimeout(r, 50));
    expect(readFileSync(codeFile, "utf8").trim()).toBe("3");
    // Still waiting for the copy: the pod stays up while `beta test` reads the report.
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull();
    writeFileSync(path.join(dir!, "done"), "");
    expect(await exited).toBe(3);
  });

  it("passes a passing suite's 0 through", () => {
    const text = script();
    writeFileSync(path.join(dir!, "done"), "");
    expect(() => execFileSync("/bin/sh", ["-c", text, "beta-test", "true"])).not.toThrow();
  });
});

describe("beta:qa", () => {
  const base = { domain: "beta.example.com", releaseTag: "master-3f2c1ab", apps: [{ name: "web", image: "registry.example.com/web", port: 3000, default: true }], cluster: { provider: "kubeconfig", context: "kind-beta" } };

  it("is optional and parsed when given", () => {
    expect(parsePlatformConfig(base).qa).toBeUndefined();
    expect(parsePlatformConfig({ ...base, qa }).qa).toEqual(qa);
  });

  it.each([
    [{ image: "registry.example.com/qa:v1" }, /beta:qa\.image: give the repository without a tag.*\(got "registry\.example\.com\/qa:v1"\)/],
    [{ image: "registry.example.com/qa", timeoutSeconds: 10 }, /beta:qa\.timeoutSeconds: at least 60 seconds \(got 10\)/],
    [{ image: "registry.example.com/qa", reportPath: "reports/junit.xml", command: ["npm", "test"] }, /beta:qa\.reportPath: an absolute file path.*\(got "reports\/junit\.xml"\)/],
    [{ image: "registry.example.com/qa", reportPath: "/reports/junit.xml" }, /beta:qa\.reportPath: needs command/],
    [{ image: "registry.example.com/qa", env: { BETA_URL: "x" } }, /beta:qa\.env\.BETA_URL: BETA_URL is set by beta test itself/],
    [{ image: "registry.example.com/qa", retries: 2 }, /beta:qa: unknown key "retries"/],
  ])("refuses %j naming key, value and rule", (bad, message) => {
    expect(() => parsePlatformConfig({ ...base, qa: bad })).toThrow(message);
  });

  it("reads the platform's qa output, absent or invalid", () => {
    expect(readQaOutput("dev", undefined)).toBeUndefined();
    expect(readQaOutput("dev", qa)).toEqual(qa);
    expect(() => readQaOutput("dev", { image: 3 })).toThrow(/dev output qa\.image/);
  });
});
