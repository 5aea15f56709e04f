/**
 * The checks of examples/e2e.sh that ask the cluster and Pulumi rather than the router
 * (isolation, destroyed), run with stand-ins for kubectl and pulumi that answer as a cluster
 * would: each passes on the right answers and fails, saying what is wrong, on the wrong ones.
 */
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const script = path.join(repo, "examples/e2e.sh");

/** What the stand-ins answer. */
interface Cluster {
  /** `curl` from the probe pod to web of its own Beta, and to the other Beta's. */
  ownWeb?: string;
  otherWeb?: string;
  /** `pulumi stack ls --json`. */
  stacks?: string;
  /** Whether `kubectl get namespace` finds the namespace. */
  namespaceExists?: boolean;
  /** `kubectl get <kinds> -o name` in the namespace. */
  objects?: string;
}

function stage(cluster: Cluster): { env: NodeJS.ProcessEnv; log: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "e2e-cluster-"));
  const log = path.join(dir, "calls.log");
  const answers = path.join(dir, "answers");
  writeFileSync(answers, "");
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const kubectl = file(
    "kubectl",
    `#!/usr/bin/env bash
echo "kubectl $*" >> ${JSON.stringify(log)}
case "$*" in
  *" exec "*"web.beta-alice."*) printf %s ${JSON.stringify(cluster.ownWeb ?? "")} ;;
  *" exec "*) printf %s ${JSON.stringify(cluster.otherWeb ?? "")} ;;
  *" get namespace "*) ${cluster.namespaceExists === false ? 'echo "namespaces not found" >&2; exit 1' : "echo namespace/beta-alice"} ;;
  *" get deployments,"*) printf %b ${JSON.stringify(cluster.objects ?? "")} ;;
esac
exit 0
`,
  );
  const pulumi = file("pulumi", `#!/usr/bin/env bash\necho "pulumi $*" >> ${JSON.stringify(log)}\nprintf %s ${JSON.stringify(cluster.stacks ?? "[]")}\n`);
  chmodSync(kubectl, 0o755);
  chmodSync(pulumi, 0o755);
  return { env: { PATH: process.env.PATH, KUBECTL: kubectl, PULUMI: pulumi, E2E_ATTEMPTS: "2", E2E_INTERVAL: "0" }, log };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("bash", [script, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

describe("examples/e2e.sh isolation", () => {
  it("passes when the probe reaches its own Beta's web and not the other's, and cleans up its pod", async () => {
    const { env, log } = stage({ ownWeb: "200", otherWeb: "000" });
    const result = await run(["isolation", "alice", "bob"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok: a pod in beta-alice cannot reach web.beta-bob");
    const calls = readFileSync(log, "utf8");
    expect(calls).toMatch(/kubectl --context kind-beta -n beta-alice run e2e-probe --image=curlimages\/curl:[\d.]+ /);
    expect(calls).toContain("http://web.beta-bob.svc.cluster.local/");
    expect(calls.trim().split("\n").at(-1)).toMatch(/ -n beta-alice delete pod e2e-probe /);
  });

  const failures: { why: string; cluster: Cluster; message: string }[] = [
    { why: "NetworkPolicy not enforced: the other Beta answers", cluster: { ownWeb: "200", otherWeb: "200" }, message: "reached web.beta-bob (HTTP 200): NetworkPolicy is not enforced" },
    { why: "a probe that reaches nothing proves nothing", cluster: { ownWeb: "000", otherWeb: "000" }, message: "cannot reach its own web (got '000'); the probe is broken" },
  ];
  it.each(failures)("fails when $why", async ({ cluster, message }) => {
    const result = await run(["isolation", "alice", "bob"], stage(cluster).env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });
});

describe("examples/e2e.sh destroyed", () => {
  const platformObjects = "configmap/kube-root-ca.crt\n";
  it("passes when the stack is gone and the kept namespace holds nothing of the Beta", async () => {
    const result = await run(["destroyed", "alice"], stage({ stacks: '[{"name": "organization/beta/beta-bob"}]', objects: platformObjects }).env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("ok: namespace beta-alice is kept and empty");
  });

  const failures: { why: string; cluster: Cluster; message: string }[] = [
    { why: "the stack is still there", cluster: { stacks: '[{"name": "organization/beta/beta-alice"}]', objects: platformObjects }, message: "stack beta-alice still exists" },
    { why: "the namespace went with it", cluster: { namespaceExists: false }, message: "namespace beta-alice is gone; it belongs to the platform and must stay" },
    { why: "a workload is left", cluster: { objects: `${platformObjects}deployment.apps/web\nservice/web\n` }, message: "namespace beta-alice still holds:\ndeployment.apps/web\nservice/web" },
  ];
  it.each(failures)("fails when $why", async ({ cluster, message }) => {
    const result = await run(["destroyed", "alice"], stage(cluster).env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
  });
});
