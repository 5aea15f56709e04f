/**
 * A new developer's first hour: bare `beta`, `beta version`, `beta completion`,
 * `beta kubeconfig` and `beta doctor`, through runCli with fakes.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CliError } from "../../cli/errors";
import { buildProgram, runCli } from "../../cli/main";
import { ScriptedGateway } from "../support/scripted-gateway";
import { RecordingKubectl, fakeDeps, runBeta } from "../support/cli-harness";

const EKS_KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "aws",
  clusters: [{ name: "kubernetes", cluster: { server: "https://ABC.gr7.eu-west-1.eks.amazonaws.com", "certificate-authority-data": "Q0E=" } }],
  contexts: [{ name: "aws", context: { cluster: "kubernetes", user: "aws" } }],
  users: [{ name: "aws", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", "beta-shared"] } } }],
});

/** An adopted cluster: the platform's kubeconfig names the server and no credentials. */
const ADOPTED_KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "shared",
  clusters: [{ name: "shared", cluster: { server: "https://k8s.example.com" } }],
  contexts: [{ name: "shared", context: { cluster: "shared" } }],
  users: [],
});

const LOCAL_KUBECONFIG = `apiVersion: v1
kind: Config
current-context: work
clusters:
  - name: corp
    cluster: { server: "https://k8s.example.com/" }
contexts:
  - name: work
    context: { cluster: corp, user: alice-oidc }
users:
  - name: alice-oidc
    user: { token: local-token }
`;

const eksPlatform = () =>
  new ScriptedGateway([{ name: "dev", outputs: { domain: "beta.example.com", releaseTag: "master-3f2c1ab", apps: [], kubeconfig: EKS_KUBECONFIG, clusterName: "beta-shared", clusterEndpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com" } }]);
const adoptedPlatform = () =>
  new ScriptedGateway([{ name: "dev", outputs: { domain: "beta.example.com", releaseTag: "master-3f2c1ab", apps: [], kubeconfig: ADOPTED_KUBECONFIG, clusterEndpoint: "https://k8s.example.com" } }]);

describe("bare beta and beta version", () => {
  it("bare beta prints the help and exits 0", async () => {
    const result = await runBeta([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: beta \[options\] \[command\]/);
    expect(result.stdout).toContain("Exit codes: 0 success, 1 failure, 2 usage error");
  });

  it("beta version names the CLI, the platform's release tag from its outputs and the Pulumi CLI", async () => {
    const result = await runBeta(["version", "--json"], { gateway: eksPlatform(), programs: { pulumi: () => ({ stdout: "v3.190.0\n" }) } });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ cli: expect.stringMatching(/^\d+\.\d+\.\d+$/), releaseTag: "master-3f2c1ab", releaseTagSource: "stack dev", pulumi: "v3.190.0" });
  });

  it("beta version without Pulumi still answers, with the release tag of Pulumi.dev.yaml", async () => {
    const deps = fakeDeps({ workDir: process.cwd() });
    deps.gateway = () => Promise.reject(new CliError("The Pulumi CLI was not found on PATH."));
    expect(await runCli(["version"], deps)).toBe(0);
    expect(deps.out.text.split("\n")[0]).toMatch(/^beta CLI {6}\d+\.\d+\.\d+$/);
    expect(deps.out.text).toMatch(/release tag {3}\S+ \(Pulumi\.dev\.yaml\)/);
    expect(deps.out.text).toContain("Pulumi CLI    not installed");
  });
});

describe("beta completion", () => {
  const verbs = buildProgram(fakeDeps()).commands.map((c) => c.name());

  /** Runs bash's completion function as bash would for the words typed so far. */
  async function bashComplete(words: string[]): Promise<string[]> {
    const script = (await runBeta(["completion", "bash"])).stdout;
    const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _beta_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const result = spawnSync("bash", ["--norc", "-c", program], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.split("\n").filter(Boolean);
  }

  it("bash completes every verb, generated from the program", async () => {
    expect(await bashComplete(["beta", ""])).toEqual(expect.arrayContaining(verbs));
    expect(await bashComplete(["beta", "st"])).toEqual(["status"]);
  });

  it("bash completes a verb's own options and the completion verb's shells", async () => {
    expect(await bashComplete(["beta", "up", "--im"])).toEqual(["--image-tag"]);
    expect(await bashComplete(["beta", "render", "--o"])).toEqual(["--out"]);
    expect(await bashComplete(["beta", "completion", ""])).toEqual(["bash", "zsh", "fish"]);
  });

  it.each(["zsh", "fish"])("%s: every verb and each of its long options is in the script", async (shell) => {
    const result = await runBeta(["completion", shell]);
    expect(result.code).toBe(0);
    const program = buildProgram(fakeDeps());
    for (const command of program.commands) {
      expect(result.stdout).toContain(command.name());
      for (const option of command.options) expect(result.stdout).toContain(shell === "fish" ? `-l ${option.long!.slice(2)}` : `'${option.long}[`);
    }
  });

  it("an unknown shell is a usage error, exit 2", async () => {
    const result = await runBeta(["completion", "powershell"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: command-argument value 'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
  });
});

describe("beta kubeconfig", () => {
  it("EKS: merges context beta-alice with the platform's exec user (aws eks get-token) into $KUBECONFIG", async () => {
    const files = new Map([["/home/alice/.kube/other", LOCAL_KUBECONFIG]]);
    const result = await runBeta(["kubeconfig", "alice"], { gateway: eksPlatform(), files, env: { KUBECONFIG: "/home/alice/.kube/other:/etc/k" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe("Added context beta-alice (namespace beta-alice) to /home/alice/.kube/other and made it current.");
    const merged = parse(files.get("/home/alice/.kube/other")!);
    expect(merged["current-context"]).toBe("beta-alice");
    expect(merged.contexts).toContainEqual({ name: "beta-alice", context: { cluster: "beta-beta-shared", user: "beta-beta-shared-alice", namespace: "beta-alice" } });
    expect(merged.contexts).toContainEqual(expect.objectContaining({ name: "work" }));
    const user = merged.users.find((u: { name: string }) => u.name === "beta-beta-shared-alice");
    expect(user.user.exec.args).toEqual(["eks", "get-token", "--cluster-name", "beta-shared"]);
    expect(merged.clusters.find((c: { name: string }) => c.name === "beta-beta-shared").cluster.server).toBe("https://ABC.gr7.eu-west-1.eks.amazonaws.com");
  });

  it("--print writes the context alone to stdout and changes no file", async () => {
    const files = new Map<string, string>();
    const result = await runBeta(["kubeconfig", "alice", "--print"], { gateway: eksPlatform(), files, env: { HOME: "/home/alice" } });
    expect(result.code).toBe(0);
    expect(files.size).toBe(0);
    const doc = parse(result.stdout);
    expect(doc.contexts).toEqual([{ name: "beta-alice", context: { cluster: "beta-beta-shared", user: "beta-beta-shared-alice", namespace: "beta-alice" } }]);
  });

  it("adopted cluster: reuses the user of a local context whose server matches, and says so", async () => {
    const files = new Map([["/home/alice/.kube/config", LOCAL_KUBECONFIG]]);
    const result = await runBeta(["kubeconfig", "alice"], { gateway: adoptedPlatform(), files, env: { HOME: "/home/alice" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split("\n")[0]).toBe("Using the credentials of your context work (user alice-oidc), which reaches the same cluster.");
    const merged = parse(files.get("/home/alice/.kube/config")!);
    expect(merged.contexts).toContainEqual({ name: "beta-alice", context: { cluster: "beta-cluster", user: "alice-oidc", namespace: "beta-alice" } });
    expect(merged.users).toHaveLength(1);
  });

  it("adopted cluster with no matching local context: says what to ask a platform engineer for", async () => {
    const files = new Map<string, string>();
    const result = await runBeta(["kubeconfig", "alice"], { gateway: adoptedPlatform(), files, env: { HOME: "/home/alice" } });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("Error: No context of your kubeconfig reaches the platform's cluster https://k8s.example.com, and the platform's kubeconfig carries no credentials.");
    expect(result.stderr).toContain('Ask a platform engineer for credentials to https://k8s.example.com as Kubernetes user "alice"');
    expect(files.size).toBe(0);
  });

  it("a platform stack never deployed: says so, exit 1", async () => {
    const result = await runBeta(["kubeconfig", "alice"], { gateway: new ScriptedGateway([{ name: "dev" }]), files: new Map(), env: { HOME: "/h" } });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("Error: The platform stack dev has no kubeconfig output.");
  });

  it("a broken local kubeconfig is named without quoting its content", async () => {
    const files = new Map([["/h/.kube/config", "users: [ {name: x, user: {token: hunter2-secret}\n"]]);
    const result = await runBeta(["kubeconfig", "alice"], { gateway: eksPlatform(), files, env: { HOME: "/h" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error: Your kubeconfig \/h\/\.kube\/config is not valid YAML/);
    expect(result.stderr).not.toContain("hunter2");
  });
});

describe("beta doctor", () => {
  const kubectlAt = (server: string, context = "beta-alice") =>
    new RecordingKubectl(() => ({ stdout: JSON.stringify({ "current-context": context, clusters: [{ name: "c", cluster: { server } }] }) }));
  const healthy = {
    pulumi: (args: readonly string[]) => (args[0] === "version" ? { stdout: "v3.190.0\n" } : { stdout: "User: alice\nOrganizations: acme\nBackend URL: https://app.pulumi.com/alice\n" }),
    aws: () => ({ stdout: JSON.stringify({ Arn: "arn:aws:iam::123456789012:user/alice" }) }),
    rsync: () => ({ stdout: "rsync  version 3.2.7  protocol version 31\n" }),
  };

  it("everything in place: one ok line per check, exit 0", async () => {
    const result = await runBeta(["doctor", "alice"], { gateway: eksPlatform(), kubectl: kubectlAt("https://ABC.gr7.eu-west-1.eks.amazonaws.com"), programs: healthy });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout.split("\n").filter((l) => /^\S/.test(l)).map((l) => l.split(":")[0])).toEqual([
      "ok    Node.js", "ok    Pulumi CLI", "ok    Pulumi login", "ok    Platform stack", "ok    kubectl context", "ok    Cluster", "ok    AWS credentials", "ok    rsync", "Ready",
    ]);
    expect(result.stdout).toContain("ok    Pulumi login: alice at https://app.pulumi.com/alice");
  });

  it("no Pulumi CLI blocks beta up: FAIL with the install command, exit 1", async () => {
    const result = await runBeta(["doctor", "alice"], { kubectl: kubectlAt("https://x"), programs: { rsync: healthy.rsync } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL  Pulumi CLI: not installed\n      → curl -fsSL https://get.pulumi.com | sh");
    expect(result.stdout).toContain("1 problem(s) block beta up");
  });

  it("kubectl pointing at another cluster is a warning naming beta kubeconfig; exit 0", async () => {
    const result = await runBeta(["doctor", "alice"], { gateway: eksPlatform(), kubectl: kubectlAt("https://elsewhere", "prod"), programs: healthy });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("warn  kubectl context: prod points at https://elsewhere, not the platform's cluster https://ABC.gr7.eu-west-1.eks.amazonaws.com\n      → beta kubeconfig alice");
  });

  it("EKS without AWS credentials blocks beta up", async () => {
    const result = await runBeta(["doctor", "alice"], {
      gateway: eksPlatform(),
      kubectl: kubectlAt("https://ABC.gr7.eu-west-1.eks.amazonaws.com"),
      programs: { ...healthy, aws: () => ({ code: 255, stderr: "Unable to locate credentials. You can configure credentials by running \"aws configure\".\n" }) },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("FAIL  AWS credentials: Unable to locate credentials.");
  });
});
