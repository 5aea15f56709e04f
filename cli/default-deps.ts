/** The real dependencies of the `beta` command: this process's terminal, Pulumi, kubectl. */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { CliDeps, RenderBeta, StackGateway } from "./deps";
import { CliError } from "./errors";
import { systemClock } from "./fleet/clock";
import { createKubectlRunner } from "./kubectl";
import { findProgram } from "./which";

/** The repository root: cli/.. */
export const REPO_ROOT = resolve(__dirname, "..");

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
    async openUrl(url) {
      const opener = browserOpener(env);
      if (!opener) return false;
      const child = spawn(opener[0], [...opener.slice(1), url], { stdio: "ignore", detached: true });
      child.on("error", () => undefined);
      child.unref();
      return true;
    },
    renderBeta: (options) => {
      // Loaded on first use: it pulls in the whole Pulumi program.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { renderBeta } = require("../offline/render-beta") as { renderBeta: RenderBeta };
      return renderBeta(options);
    },
    clock: systemClock,
    workDir,
  };
}
