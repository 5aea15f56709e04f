/**
 * kubectl, the real one: `$BETA_KUBECTL` or `kubectl` on PATH, looked up before each run so a
 * missing binary is a message saying how to get it.
 */
import { spawn } from "node:child_process";
import type { KubectlResult, KubectlRunner } from "./deps";
import { CliError } from "./errors";
import { findProgram } from "./which";
import { EXAMPLES_KIND_CLUSTER, createKindClusterCommand, unreachableClusterFix } from "../lib/kind";

export const KUBECTL_INSTALL_HINT =
  "Install kubectl (https://kubernetes.io/docs/tasks/tools/) and point it at the Beta cluster " +
  "(`aws eks update-kubeconfig --name <cluster>` on EKS), or set BETA_KUBECTL to the kubectl to use.";

/** The kubectl binary to run, or a CliError saying how to get one. */
export function resolveKubectl(env: Readonly<Record<string, string | undefined>>): string {
  const wanted = env.BETA_KUBECTL || "kubectl";
  const found = findProgram(wanted, env);
  if (found) return found;
  if (env.BETA_KUBECTL) {
    throw new CliError(`BETA_KUBECTL is set to ${JSON.stringify(env.BETA_KUBECTL)}, which is not an executable program.`, KUBECTL_INSTALL_HINT);
  }
  throw new CliError("kubectl was not found on PATH.", KUBECTL_INSTALL_HINT);
}

export function createKubectlRunner(env: Readonly<Record<string, string | undefined>>): KubectlRunner {
  const childEnv = { ...process.env, ...env };
  return {
    capture(args) {
      const binary = resolveKubectl(env);
      return new Promise<KubectlResult>((resolve, reject) => {
        const child = spawn(binary, [...args], { stdio: ["ignore", "pipe", "pipe"], env: childEnv });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
      });
    },
    attach(args) {
      const binary = resolveKubectl(env);
      return new Promise<number>((resolve, reject) => {
        const child = spawn(binary, [...args], { stdio: "inherit", env: childEnv });
        child.on("error", reject);
        child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
      });
    },
  };
}

/** `--context <ctx>` when one was asked for. */
export function contextArgs(context: string | undefined): string[] {
  return context ? ["--context", context] : [];
}

/**
 * Every one-shot read gives up after this long (kubectl's global --request-timeout), so an
 * unreachable cluster fails in seconds, not after the dialer's own timeouts.
 */
export const KUBECTL_READ_TIMEOUT = "--request-timeout=8s";

/**
 * kubectl's words for "no cluster there": nothing a retry heals. A refused connection reads
 * "The connection to the server <host> was refused - did you specify the right host or port?",
 * anything else on the way "Unable to connect to the server: ..." (kubernetes/kubectl
 * pkg/cmd/util/helpers.go, `StandardErrorMessage`).
 */
const UNREACHABLE = /Unable to connect to the server|connection refused|The connection to the server \S+ was refused|no such host|i\/o timeout|Client\.Timeout|context deadline exceeded|couldn't get current server API group list/;

/** The first line of kubectl's stderr that says no cluster answered, without klog's prefix; undefined when it says something else. */
export function unreachableReason(stderr: string): string | undefined {
  const lines = stderr.trim().split("\n").filter(Boolean);
  const line = lines.find((l) => UNREACHABLE.test(l));
  return line?.replace(/^E\d{4} [\d:.]+\s+\d+ \S+\] /, "");
}

/** What to run when no cluster answered; `context` when the command named one. */
function unreachableHint(context: string | undefined, reason: string): string {
  if (context) return unreachableClusterFix(context);
  // With no kubeconfig context at all kubectl falls back to http://localhost:8080
  // (kubernetes/client-go tools/clientcmd/client_config.go, `getDefaultServer`).
  if (/localhost:8080\b/.test(reason)) {
    return `kubectl has no cluster configured (no current context, so it tried localhost:8080): on a laptop, ${createKindClusterCommand(EXAMPLES_KIND_CLUSTER)}; otherwise \`beta kubeconfig\` adds the platform's context.`;
  }
  // kind publishes its API server on a loopback port (examples/kind.yaml's cluster: context kind-beta).
  if (/\b(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):\d+/.test(reason)) {
    return `The cluster is on this machine and stopped. For kind, ${unreachableClusterFix(`kind-${EXAMPLES_KIND_CLUSTER}`).replace(/^Start/, "start")}; \`kubectl config current-context\` names yours.`;
  }
  return `${unreachableClusterFix(undefined)}; \`beta kubeconfig\` adds a context for the platform's cluster.`;
}

/** The context `--context <ctx>` in kubectl arguments, if any. */
function contextOf(args: readonly string[]): string | undefined {
  const at = args.indexOf("--context");
  return at >= 0 ? args[at + 1] : args.find((a) => a.startsWith("--context="))?.slice("--context=".length);
}

/** What to do when no cluster answers, for every verb that reaches the cluster. */
export const UNREACHABLE_HINT = "Check your cluster access with `beta doctor`; `beta kubeconfig` adds a context for the platform's cluster.";

/** Runs `kubectl <args>`, expecting success and JSON on stdout; fails in seconds when no cluster answers. */
export async function kubectlJson(runner: KubectlRunner, args: readonly string[]): Promise<unknown> {
  const result = await runner.capture([KUBECTL_READ_TIMEOUT, ...args]);
  if (result.code !== 0) {
    const unreachable = unreachableReason(result.stderr);
    if (unreachable) {
      const context = contextOf(args);
      const hint = unreachableHint(context, unreachable);
      throw new CliError(`No cluster answered kubectl${context ? ` (context ${context})` : ""}: ${unreachable}`, hint);
    }
    const lines = result.stderr.trim().split("\n").filter(Boolean);
    const why = lines[0] ?? `exit code ${result.code}`;
    throw new CliError(
      `kubectl ${args.join(" ")} failed: ${why}`,
      "Check that kubectl points at the Beta cluster (`kubectl config current-context`, or pass --context).",
    );
  }
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch {
    throw new CliError(`kubectl ${args.join(" ")} did not print JSON.`, "Is BETA_KUBECTL a real kubectl?");
  }
}
