/**
 * `beta doctor`'s checks: each looks at one thing `beta` needs and says what to do when it
 * is missing. A blocking failure is one that stops `beta up`; a warning stops other verbs
 * (kubectl for status/logs/shell, rsync for sync).
 */
import type { CliDeps } from "./deps";
import { CliError } from "./errors";
import { summariseError } from "./fleet/pulumi-errors";
import { parseKubeconfig, platformClusterAndUser, serverOf } from "./kubeconfig-context";
import { KUBECTL_READ_TIMEOUT, unreachableReason } from "./kubectl";
import { unreachableClusterFix } from "../lib/kind";
import { stringOutput } from "./stack-outputs";

export type CheckStatus = "ok" | "warn" | "fail";

export interface CheckResult {
  check: string;
  status: CheckStatus;
  detail: string;
  /** What to do, when it is not ok. */
  fix?: string;
}

export interface DoctorContext {
  deps: CliDeps;
  name: string;
  platformStack: string;
  nodeVersion: string;
}

/** Outputs a developer stack cannot be deployed without. */
const REQUIRED_OUTPUTS = ["domain", "kubeconfig", "releaseTag", "apps"];

/** The laptop platform's stack and domain (Pulumi.local.yaml), checked before the stack exists. */
const LOCAL_PLATFORM_STACK = "local";
const LOCAL_DOMAIN = "beta.localhost";

const firstLine = (text: string) => text.trim().split("\n")[0] ?? "";

export async function runDoctorChecks(context: DoctorContext): Promise<CheckResult[]> {
  const { deps, name, platformStack } = context;
  const results: CheckResult[] = [];
  const add = (result: CheckResult) => results.push(result);

  const major = Number(context.nodeVersion.replace(/^v/, "").split(".")[0]);
  add(major >= 20
    ? { check: "Node.js", status: "ok", detail: context.nodeVersion }
    : { check: "Node.js", status: "fail", detail: `${context.nodeVersion} is too old`, fix: "Install Node.js 20 or newer (https://nodejs.org)." });

  const pulumi = await deps.runProgram("pulumi", ["version"], { timeoutMs: 10_000 });
  if (!pulumi || pulumi.code !== 0) {
    add({ check: "Pulumi CLI", status: "fail", detail: pulumi ? firstLine(pulumi.stderr) || "does not run" : "not installed", fix: "curl -fsSL https://get.pulumi.com | sh (or brew install pulumi/tap/pulumi)." });
  } else {
    add({ check: "Pulumi CLI", status: "ok", detail: firstLine(pulumi.stdout) });
    const whoami = await deps.runProgram("pulumi", ["whoami", "--verbose"], { timeoutMs: 15_000 });
    if (!whoami || whoami.code !== 0) {
      add({ check: "Pulumi login", status: "fail", detail: firstLine(whoami?.stderr ?? "") || "not logged in", fix: "pulumi login (the backend your team keeps the Beta stacks in)." });
    } else {
      const user = /User:\s*(.+)/.exec(whoami.stdout)?.[1]?.trim() ?? firstLine(whoami.stdout);
      const backend = /Backend URL:\s*(.+)/.exec(whoami.stdout)?.[1]?.trim();
      add({ check: "Pulumi login", status: "ok", detail: backend ? `${user} at ${backend}` : user });
    }
  }

  let outputs: Record<string, unknown> | undefined;
  if (results.every((r) => r.status === "ok")) {
    try {
      outputs = await (await deps.gateway()).outputs(platformStack);
      const missing = REQUIRED_OUTPUTS.filter((key) => outputs![key] === undefined);
      add(missing.length === 0
        ? { check: "Platform stack", status: "ok", detail: `${platformStack}: release ${stringOutput(outputs, "releaseTag")}, domain ${stringOutput(outputs, "domain")}` }
        : { check: "Platform stack", status: "fail", detail: `${platformStack} has no output ${missing.join(", ")}`, fix: `Ask a platform engineer to run \`pulumi up --stack ${platformStack}\`, or pass --platform-stack.` });
    } catch (error) {
      add({ check: "Platform stack", status: "fail", detail: `cannot read ${platformStack}: ${error instanceof CliError ? error.message : summariseError(error)}`, fix: "Check `pulumi stack ls` (right backend and organisation?)." });
    }
  }

  const server = clusterServer(outputs);
  const clusterName = outputs ? stringOutput(outputs, "clusterName") : undefined;
  await checkKubectl(deps, name, server, add);

  if (clusterName) {
    const aws = await deps.runProgram("aws", ["sts", "get-caller-identity", "--output", "json"], { timeoutMs: 15_000 });
    if (!aws) add({ check: "AWS credentials", status: "fail", detail: "the aws CLI is not installed (EKS tokens come from `aws eks get-token`)", fix: "Install the AWS CLI v2 and sign in (aws configure sso / aws sso login)." });
    else if (aws.code !== 0) add({ check: "AWS credentials", status: "fail", detail: firstLine(aws.stderr) || "aws sts get-caller-identity failed", fix: "Sign in to AWS (aws sso login, or set AWS_PROFILE) with the identity listed for you in beta:developers." });
    else {
      let arn = "";
      try {
        arn = String((JSON.parse(aws.stdout) as { Arn?: unknown }).Arn ?? "");
      } catch {
        arn = firstLine(aws.stdout);
      }
      add({ check: "AWS credentials", status: "ok", detail: `${arn} (cluster ${clusterName})` });
    }
  }

  // The laptop platform (Pulumi.local.yaml): its router is published on a host port.
  const domain = outputs ? stringOutput(outputs, "domain") : undefined;
  if (domain?.endsWith(".localhost") || (!domain && platformStack === LOCAL_PLATFORM_STACK)) {
    const { checkLocalRouter } = await import("./local-router-check.js");
    add(await checkLocalRouter({ readFile: deps.readFile, workDir: deps.workDir, domain: domain ?? LOCAL_DOMAIN, name }));
  }

  const rsync = await deps.runProgram("rsync", ["--version"], { timeoutMs: 10_000 });
  add(rsync && rsync.code === 0
    ? { check: "rsync", status: "ok", detail: firstLine(rsync.stdout).replace(/\s+protocol.*$/, "") }
    : { check: "rsync", status: "warn", detail: "not installed (beta sync needs it here and in the container)", fix: "apt-get install rsync / brew install rsync." });
  return results;
}

/** The platform cluster's API server, from the platform's outputs. */
function clusterServer(outputs: Record<string, unknown> | undefined): string | undefined {
  if (!outputs) return undefined;
  const endpoint = stringOutput(outputs, "clusterEndpoint");
  if (endpoint) return endpoint;
  const kubeconfig = stringOutput(outputs, "kubeconfig");
  if (!kubeconfig) return undefined;
  try {
    return serverOf(platformClusterAndUser(parseKubeconfig(kubeconfig, "kubeconfig output")).cluster);
  } catch {
    return undefined;
  }
}

async function checkKubectl(deps: CliDeps, name: string, server: string | undefined, add: (r: CheckResult) => void): Promise<void> {
  let view;
  try {
    view = await deps.kubectl().capture(["config", "view", "--minify", "-o", "json"]);
  } catch (error) {
    add({ check: "kubectl", status: "warn", detail: error instanceof CliError ? error.message : summariseError(error), fix: "Install kubectl (https://kubernetes.io/docs/tasks/tools/); status, logs, shell and sync need it." });
    return;
  }
  if (view.code !== 0) {
    add({ check: "kubectl context", status: "warn", detail: firstLine(view.stderr) || "no current context", fix: `beta kubeconfig ${name}` });
    return;
  }
  let current = "";
  let currentServer: string | undefined;
  try {
    const doc = JSON.parse(view.stdout) as { "current-context"?: string; clusters?: { name: string; cluster?: { server?: string } }[] };
    current = doc["current-context"] ?? "";
    currentServer = doc.clusters?.[0]?.cluster?.server;
  } catch {
    // Not JSON: treated as no context below.
  }
  if (!current) add({ check: "kubectl context", status: "warn", detail: "no current context", fix: `beta kubeconfig ${name}` });
  else if (server && currentServer && currentServer.replace(/\/+$/, "") !== server.replace(/\/+$/, "")) {
    add({ check: "kubectl context", status: "warn", detail: `${current} points at ${currentServer}, not the platform's cluster ${server}`, fix: `beta kubeconfig ${name} (adds and selects context beta-${name})` });
  } else {
    add({ check: "kubectl context", status: "ok", detail: `${current}${currentServer ? ` (${currentServer})` : ""}` });
    add(await checkCluster(deps, current));
  }
}

/**
 * Does the cluster of `context` answer? `/version` is open to every caller (ClusterRole
 * system:public-info-viewer, https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles),
 * so this asks only whether the API server is there, not what the user may do.
 */
async function checkCluster(deps: CliDeps, context: string): Promise<CheckResult> {
  const check = "Cluster";
  const result = await deps.kubectl().capture([KUBECTL_READ_TIMEOUT, "--context", context, "get", "--raw", "/version"]);
  if (result.code === 0) {
    let version = "";
    try {
      version = String((JSON.parse(result.stdout) as { gitVersion?: unknown }).gitVersion ?? "");
    } catch {
      // Answered, in some other form: still an answer.
    }
    return { check, status: "ok", detail: `${context} answers${/^v[\w.+-]{1,40}$/.test(version) ? ` (Kubernetes ${version})` : ""}` };
  }
  const unreachable = unreachableReason(result.stderr);
  if (unreachable) return { check, status: "fail", detail: `${context} does not answer: ${unreachable}`, fix: unreachableClusterFix(context) };
  return { check, status: "warn", detail: `${context}: ${firstLine(result.stderr) || `kubectl exit code ${result.code}`}`, fix: `kubectl --context ${context} cluster-info` };
}

