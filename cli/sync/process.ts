/**
 * Runs a child process, collecting its output. kubectl and rsync both go through here so
 * that abort (Ctrl-C, session stop) and timeouts behave the same.
 */
import { spawn } from "node:child_process";
import type { Writable } from "node:stream";

export interface ProcessResult {
  /** Exit code, or null when the process was killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the executable could not be started at all (e.g. ENOENT). */
  spawnError?: NodeJS.ErrnoException;
  /** True when the run was cut short by the abort signal, the timeout or `kill()`. */
  aborted: boolean;
}

export interface RunProcessOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Kill the process after this long (it then counts as aborted). */
  timeoutMs?: number;
  /** Give the process a stdin pipe (else it gets none). */
  stdin?: boolean;
}

export interface StartedProcess {
  /** The process's stdin, when asked for; write errors (the process died) are swallowed. */
  stdin?: Writable;
  readonly done: Promise<ProcessResult>;
  kill(): void;
}

export function startProcess(command: string, args: readonly string[], options: RunProcessOptions = {}): StartedProcess {
  let stdout = "";
  let stderr = "";
  let aborted = false;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    // No TTY: rsync talks to kubectl over pipes only.
    stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
  });
  const kill = (): void => {
    aborted = true;
    child.kill("SIGTERM");
  };
  const done = new Promise<ProcessResult>((resolve) => {
    let settled = false;
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
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error: NodeJS.ErrnoException) => finish({ code: null, signal: null, spawnError: error }));
    child.on("close", (code, signal) => finish({ code, signal }));
  });
  child.stdin?.on("error", () => undefined);
  return { stdin: child.stdin ?? undefined, done, kill };
}

export function runProcess(command: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessResult> {
  return startProcess(command, args, { ...options, stdin: false }).done;
}
