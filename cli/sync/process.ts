/**
 * Runs a child process to completion, collecting its output. kubectl and rsync both go
 * through here so that abort (Ctrl-C, session stop) and timeouts behave the same.
 */
import { spawn } from "node:child_process";

export interface ProcessResult {
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the executable could not be started at all (e.g. ENOENT). */
  spawnError?: NodeJS.ErrnoException;
  /** True when the run was cut short by the abort signal or the timeout. */
  aborted: boolean;
}

export interface RunProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Kill the process after this long (it then counts as aborted). */
  timeoutMs?: number;
}

export function runProcess(command: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let aborted = false;
    let settled = false;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      // No TTY and no inherited stdin: rsync talks to kubectl over pipes only.
      stdio: ["ignore", "pipe", "pipe"],
    });
    const kill = (): void => {
      aborted = true;
      child.kill("SIGTERM");
    };
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(kill, options.timeoutMs);
    if (options.signal?.aborted) kill();
    options.signal?.addEventListener("abort", kill, { once: true });
    const finish = (result: Omit<ProcessResult, "stdout" | "stderr" | "aborted">): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", kill);
      resolve({ ...result, stdout, stderr, aborted });
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error: NodeJS.ErrnoException) => finish({ code: null, signal: null, spawnError: error }));
    child.on("close", (code, signal) => finish({ code, signal }));
  });
}
