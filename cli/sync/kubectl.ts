/**
 * Which kubectl the sync uses: `$BETA_KUBECTL` when set (tests point it at a stand-in),
 * else `kubectl` from PATH. All cluster access of `beta sync` goes through this binary.
 */
import { runProcess, type ProcessResult } from "./process";
import { SyncError } from "./errors";

export function kubectlPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.BETA_KUBECTL?.trim();
  return configured ? configured : "kubectl";
}

/** Set by `beta sync --context`: the kubeconfig context every kubectl call of the sync uses. */
export const KUBECTL_CONTEXT_ENV = "BETA_SYNC_CONTEXT";

export interface KubectlOptions {
  kubectl: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Runs kubectl; a kubectl that cannot be started at all is a non-retryable SyncError. */
export async function runKubectl(args: readonly string[], options: KubectlOptions): Promise<ProcessResult> {
  const context = options.env?.[KUBECTL_CONTEXT_ENV];
  const result = await runProcess(options.kubectl, context ? ["--context", context, ...args] : args, {
    env: options.env,
    signal: options.signal,
    timeoutMs: options.timeoutMs,
  });
  if (result.spawnError) {
    const code = result.spawnError.code;
    throw new SyncError(
      code === "ENOENT"
        ? `kubectl was not found (looked for ${JSON.stringify(options.kubectl)}): install kubectl, or set BETA_KUBECTL to its path`
        : `could not start kubectl (${JSON.stringify(options.kubectl)}): ${result.spawnError.message}; check BETA_KUBECTL and the file's permissions`,
      false,
    );
  }
  return result;
}
