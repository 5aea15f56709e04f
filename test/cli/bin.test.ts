/**
 * The real `beta` binary (bin/beta.cjs through tsx), with the real default dependencies: no
 * Pulumi CLI here, kubectl replaced by test/support/stub-kubectl.mjs through BETA_KUBECTL.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clusterList } from "../support/cluster-json";

const repo = path.resolve(__dirname, "../..");
const stub = path.join(repo, "test/support/stub-kubectl.mjs");
/** A PATH with node only: no pulumi, no kubectl (wherever this machine keeps them). */
const bareDir = mkdtempSync(path.join(tmpdir(), "beta-path-"));
symlinkSync(process.execPath, path.join(bareDir, "node"));
const barePath = bareDir;

function beta(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [path.join(repo, "bin/beta.cjs"), ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { HOME: process.env.HOME ?? tmpdir(), PATH: barePath, BETA_NAME: "alice", ...env },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("bin/beta.cjs", () => {
  it("runs the TypeScript command through tsx: --help exits 0", () => {
    const result = beta(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: beta");
  });

  it("--help loads neither zod nor a Pulumi SDK: start-up stays quick", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "beta-loaded-")), "packages.json");
    const result = spawnSync(process.execPath, ["-r", path.join(repo, "test/support/loaded-packages.cjs"), path.join(repo, "bin/beta.cjs"), "--help"], {
      cwd: repo,
      encoding: "utf8",
      env: { HOME: process.env.HOME ?? tmpdir(), PATH: barePath, LOADED_PACKAGES_FILE: file },
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);
    const packages = JSON.parse(readFileSync(file, "utf8")) as string[];
    expect(packages).toContain("commander");
    expect(packages.filter((name) => name === "zod" || name === "yaml" || name.startsWith("@pulumi/"))).toEqual([]);
  });

  it("without the Pulumi CLI, Pulumi verbs say so and how to install it", () => {
    const result = beta(["list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "Error: The Pulumi CLI was not found on PATH.\n" +
        "Install the Pulumi CLI (curl -fsSL https://get.pulumi.com | sh, or brew install pulumi/tap/pulumi), then `pulumi login`. `beta render` works without it.\n",
    );
  });

  it("without kubectl, kubectl verbs say so and how to install it", () => {
    const result = beta(["logs"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Using Beta "alice" from $BETA_NAME.');
    expect(result.stderr).toContain("Error: kubectl was not found on PATH.");
    expect(result.stderr).toContain("https://kubernetes.io/docs/tasks/tools/");
  });

  it("a BETA_KUBECTL that is not a program is named", () => {
    const result = beta(["logs"], { BETA_KUBECTL: "/nowhere/kubectl" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BETA_KUBECTL is set to "/nowhere/kubectl", which is not an executable program.');
  });

  it("status and logs run the kubectl BETA_KUBECTL names", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "beta-kubectl-"));
    const reply = path.join(dir, "reply.json");
    const log = path.join(dir, "calls.log");
    writeFileSync(reply, JSON.stringify(clusterList("beta-alice", [{ app: "web" }])));
    const env = { BETA_KUBECTL: stub, STUB_KUBECTL_REPLY: reply, STUB_KUBECTL_LOG: log };

    const status = beta(["status", "--no-urls", "--json"], env);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: "alice", ready: true, apps: [{ app: "web", ok: true }] });

    const logs = beta(["logs", "alice", "web"], env);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("stub-kubectl logs -n beta-alice -l app.kubernetes.io/name=web");

    // kubectl failing on the quick read before streaming: its message, exit 1.
    const failing = beta(["logs", "alice", "web"], { ...env, STUB_KUBECTL_EXIT: "4" });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain("Error: kubectl get deploy -n beta-alice -o json failed: exit code 4");

    expect(readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[])[0]).toEqual(["--request-timeout=8s", "get", "deploy,pods", "-n", "beta-alice", "-o", "json"]);
  });

  it("render works on a fresh machine: no Pulumi CLI, no kubectl, no cloud", () => {
    const result = beta(["render", "alice", "--router"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("server {");
  });
});
