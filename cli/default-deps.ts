/** The real dependencies of the `beta` command: this process's terminal, Pulumi, kubectl. */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import type { CliDeps, KubectlResult, RenderBeta, RunOptions, StackGateway } from "./deps";
import { CliError } from "./errors";
import { systemClock } from "./fleet/clock";
import { createKubectlRunner } from "./kubectl";
import { REPO_ROOT } from "./repo-root";
import { findProgram } from "./which";

export { REPO_ROOT };

export const PULUMI_INSTALL_HINT =
  "Install the Pulumi CLI (curl -fsSL https://get.pulumi.com | sh, or brew install pulumi/tap/pulumi), " +
  "then `pulumi login`. `beta render` works without it.";

function osUserName(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? env.USERNAME;
  }
}

/** xdg-open (Linux), open (macOS), or start (Windows), if present. */
function browserOpener(env: NodeJS.ProcessEnv): string[] | undefined {
  if (process.platform === "win32") return ["cmd", "/c", "start", ""];
  const program = findProgram(process.platform === "darwin" ? "open" : "xdg-open", env);
  return program ? [program] : undefined;
}

/** Runs `program` with its output captured; undefined when it is not on PATH. */
function runProgram(env: NodeJS.ProcessEnv, program: string, args: readonly string[], options: RunOptions = {}): Promise<KubectlResult | undefined> {
  const binary = findProgram(program, env);
  if (!binary) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const child = spawn(binary, [...args], { stdio: ["ignore", "pipe", "pipe"], env, timeout: options.timeoutMs, killSignal: "SIGKILL" });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => resolve({ code: 127, stdout, stderr: stderr || error.message }));
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 124 : 1), stdout, stderr }));
  });
}

export function createDefaultDeps(workDir = REPO_ROOT): CliDeps {
  const env = process.env;
  let gateway: Promise<StackGateway> | undefined;
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env,
    osUserName: () => osUserName(env),
    isInteractive: () => process.stdin.isTTY === true,
    async prompt(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    gateway() {
      if (!findProgram("pulumi", env)) return Promise.reject(new CliError("The Pulumi CLI was not found on PATH.", PULUMI_INSTALL_HINT));
      if (!existsSync(join(workDir, "Pulumi.yaml"))) {
        return Promise.reject(new CliError(`No Pulumi.yaml in ${workDir}.`, "Run beta from a checkout of the Beta repository."));
      }
      // Loaded on first use: other verbs do not need the Automation API.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { AutomationGateway } = require("./automation-gateway") as typeof import("./automation-gateway");
      gateway ??= AutomationGateway.create(workDir);
      return gateway;
    },
    kubectl: () => createKubectlRunner(env),
    runProgram: (program, args, options) => runProgram(env, program, args, options),
    readFile: (file) => (existsSync(file) ? readFileSync(file, "utf8") : undefined),
    writeFile(file, text, options) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text, options?.private ? { mode: 0o600 } : {});
      if (options?.private) chmodSync(file, 0o600);
    },
    async openUrl(url) {
      const opener = browserOpener(env);
      if (!opener) return false;
      const child = spawn(opener[0], [...opener.slice(1), url], { stdio: "ignore", detached: true });
      child.on("error", () => undefined);
      child.unref();
      return true;
    },
    renderBeta: (options) => {
      // Loaded on first use: it pulls in the whole Pulumi program, minus what its SDKs load
      // but never use offline (offline/lazy-modules.ts).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { DEFERRABLE_SDK_MODULES, deferModules } = require("../offline/lazy-modules") as typeof import("../offline/lazy-modules");
      deferModules(DEFERRABLE_SDK_MODULES);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { renderBeta } = require("../offline/render-beta") as { renderBeta: RenderBeta };
      return renderBeta(options);
    },
    clock: systemClock,
    workDir,
  };
}
