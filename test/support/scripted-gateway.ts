/**
 * A StackGateway with no Pulumi behind it: stacks, config, outputs and history in memory, and
 * each stack's updates scripted (succeed after a delay, fail, or hit "update in progress").
 * Updates and destroys are added to the stack's history with their message, like Pulumi's.
 * It records every call and the most updates that ever ran at once.
 */
import { CommandError, ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import type { ConfigKeyOptions, HistoryPage, OperationOptions, PreviewOptions, PreviewResult, StackGateway, StackSummary, UpdateRecord, UpResult } from "../../cli/deps";

/** What one update attempt of a stack does. */
export type UpStep =
  | { kind: "ok"; delayMs?: number }
  | { kind: "fail"; message?: string; delayMs?: number }
  /** Another update holds the stack: the Automation API's ConcurrentUpdateError, or only its text. */
  | { kind: "conflict"; as?: "ConcurrentUpdateError" | "409-text" | "locked-text"; delayMs?: number };

export interface ScriptedStack {
  name: string;
  lastUpdate?: Date;
  updateInProgress?: boolean;
  /** Full keys, e.g. `beta:imageTag`. */
  config?: Record<string, string>;
  outputs?: Record<string, unknown>;
  /** Attempt n uses step n-1; the last step repeats. Default: succeed at once. */
  up?: UpStep[];
  /** What `preview` reports (default: one update, two unchanged); `previewError` makes it fail. */
  preview?: Record<string, number>;
  previewError?: string;
  /** `getConfig` throws this. */
  configError?: string;
  /**
   * Newest first. Default: one developer update (message "") at `lastUpdate`, when it is set.
   * `up` and `destroy` add theirs at the front.
   */
  history?: UpdateRecord[];
  /** `history` throws this. */
  historyError?: string;
}

/** A history entry; `message` "beta release <tag>" for a release's, "" for a plain `pulumi up`. */
export function updateRecord(message: string, at: Date, overrides: Partial<UpdateRecord> = {}): UpdateRecord {
  return { kind: "update", result: "succeeded", message, startTime: new Date(at.getTime() - 60_000), endTime: at, ...overrides };
}

export interface GatewayCall {
  method: keyof StackGateway;
  stack?: string;
  args?: unknown[];
  at: number;
}

/** Pulumi's own text for a stack another update holds. */
export const CONFLICT_STDERR = "error: [409] Conflict: Another update is currently in progress.";

/** `beta:services.billing.tag` → root key `beta:services`, path `["billing", "tag"]` (dots only). */
function splitConfigPath(key: string): { root: string; path: string[] } {
  const colon = key.indexOf(":");
  const [first, ...path] = key.slice(colon + 1).split(".");
  return { root: `${key.slice(0, colon + 1)}${first}`, path };
}

/** A stored object value (JSON text, as `pulumi config --json` gives it), or a new object. */
function objectValue(text: string | undefined): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text ?? "{}");
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** What `pulumi config set --path` stores: "true"/"false" as booleans, integers (no leading 0) as numbers. */
function coercePathValue(value: string): unknown {
  if (value === "true" || value === "false") return value === "true";
  if (/^(0|-?[1-9][0-9]*)$/.test(value)) return Number(value);
  return value;
}

/** A CommandError like the Automation API throws (its message is the command's output). */
function commandError(Type: typeof CommandError, stderr: string): CommandError {
  // The Automation API builds these from a CommandResult and uses only its text.
  return new Type(`code: 255\n stdout: \n stderr: ${stderr}\n err?: \n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ScriptedGateway implements StackGateway {
  readonly stacks = new Map<string, ScriptedStack>();
  readonly calls: GatewayCall[] = [];
  readonly attempts = new Map<string, number>();
  /** Outputs `up` returns for stacks without scripted outputs. */
  defaultOutputs: (stack: string) => Record<string, unknown> = () => ({});
  running = 0;
  maxRunning = 0;
  private readonly started = Date.now();

  constructor(stacks: readonly ScriptedStack[] = []) {
    for (const stack of stacks) {
      const history = stack.history ?? (stack.lastUpdate ? [updateRecord("", stack.lastUpdate)] : []);
      this.stacks.set(stack.name, { ...stack, config: { ...stack.config }, history: [...history] });
    }
  }

  private record(method: keyof StackGateway, stack?: string, ...args: unknown[]): void {
    this.calls.push({ method, stack, args, at: Date.now() - this.started });
  }

  private get(stack: string): ScriptedStack {
    const found = this.stacks.get(stack);
    if (!found) throw commandError(CommandError, `error: no stack named '${stack}' found`);
    return found;
  }

  callsOf(method: keyof StackGateway): GatewayCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  async listStacks(): Promise<StackSummary[]> {
    this.record("listStacks");
    return [...this.stacks.values()].map((s) => ({ name: s.name, lastUpdate: s.lastUpdate, updateInProgress: s.updateInProgress ?? false }));
  }

  async hasStack(stack: string): Promise<boolean> {
    this.record("hasStack", stack);
    return this.stacks.has(stack);
  }

  async ensureStack(stack: string): Promise<{ created: boolean }> {
    this.record("ensureStack", stack);
    if (this.stacks.has(stack)) return { created: false };
    this.stacks.set(stack, { name: stack, config: {} });
    return { created: true };
  }

  async getConfig(stack: string): Promise<Record<string, string>> {
    this.record("getConfig", stack);
    const found = this.get(stack);
    if (found.configError) throw commandError(CommandError, found.configError);
    return { ...found.config };
  }

  async setConfig(stack: string, key: string, value: string, options?: ConfigKeyOptions): Promise<void> {
    this.record("setConfig", stack, key, value, ...(options?.path ? [{ path: true }] : []));
    const found = this.get(stack);
    if (!options?.path) {
      found.config = { ...found.config, [key]: value };
      return;
    }
    const { root, path } = splitConfigPath(key);
    const object = objectValue(found.config?.[root]);
    let cursor = object;
    for (const segment of path.slice(0, -1)) {
      const next = cursor[segment];
      cursor = cursor[segment] = next !== null && typeof next === "object" && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
    }
    cursor[path[path.length - 1]] = coercePathValue(value);
    found.config = { ...found.config, [root]: JSON.stringify(object) };
  }

  async removeConfig(stack: string, key: string, options?: ConfigKeyOptions): Promise<void> {
    this.record("removeConfig", stack, key, ...(options?.path ? [{ path: true }] : []));
    const found = this.get(stack);
    const rest = { ...found.config };
    if (!options?.path) {
      delete rest[key];
      found.config = rest;
      return;
    }
    const { root, path } = splitConfigPath(key);
    if (rest[root] === undefined) return;
    const object = objectValue(rest[root]);
    let cursor: Record<string, unknown> | undefined = object;
    for (const segment of path.slice(0, -1)) {
      const next: unknown = cursor?.[segment];
      cursor = next !== null && typeof next === "object" ? (next as Record<string, unknown>) : undefined;
    }
    if (cursor) delete cursor[path[path.length - 1]];
    found.config = { ...rest, [root]: JSON.stringify(object) };
  }

  async up(stack: string, options?: OperationOptions): Promise<UpResult> {
    this.record("up", stack, options?.message);
    const found = this.get(stack);
    const attempt = (this.attempts.get(stack) ?? 0) + 1;
    this.attempts.set(stack, attempt);
    const script = found.up ?? [{ kind: "ok" }];
    const step = script[Math.min(attempt, script.length) - 1];
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      options?.onProgress?.({ kind: "output", text: `Updating (${stack}):\n` });
      if (step.delayMs) await sleep(step.delayMs);
      if (step.kind === "fail") {
        found.history?.unshift(updateRecord(options?.message ?? "", new Date(), { result: "failed" }));
        throw commandError(CommandError, `error: ${step.message ?? "update failed"}`);
      }
      if (step.kind === "conflict") {
        if (step.as === "409-text") throw new Error(`update of ${stack} failed: ${CONFLICT_STDERR}`);
        if (step.as === "locked-text") throw new Error("error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.");
        throw commandError(ConcurrentUpdateError, CONFLICT_STDERR);
      }
      options?.onProgress?.({ kind: "resource", status: "done", op: "update", type: "kubernetes:apps/v1:Deployment", name: "web" });
      found.lastUpdate = new Date();
      found.history?.unshift(updateRecord(options?.message ?? "", found.lastUpdate));
      return { outputs: found.outputs ?? this.defaultOutputs(stack), changes: { update: 1 } };
    } finally {
      this.running--;
    }
  }

  async preview(stack: string, options?: PreviewOptions): Promise<PreviewResult> {
    this.record("preview", stack, options?.policyPacks);
    const found = this.get(stack);
    if (found.previewError) throw commandError(CommandError, `error: ${found.previewError}`);
    options?.onProgress?.({ kind: "output", text: `Previewing update (${stack}):\n  ~ kubernetes:apps/v1:Deployment web update [diff: ~spec]\n` });
    return { changes: { ...(found.preview ?? { update: 1, same: 2 }) } };
  }

  async destroy(stack: string, options?: OperationOptions): Promise<void> {
    this.record("destroy", stack, options?.message);
    const found = this.get(stack);
    const script = found.up ?? [{ kind: "ok" }];
    const step = script[script.length - 1];
    if (step.kind === "fail") throw commandError(CommandError, `error: ${step.message ?? "destroy failed"}`);
    if (step.kind === "conflict") throw commandError(ConcurrentUpdateError, CONFLICT_STDERR);
    found.outputs = {};
    found.history?.unshift(updateRecord(options?.message ?? "", new Date(), { kind: "destroy" }));
  }

  async removeStack(stack: string): Promise<void> {
    this.record("removeStack", stack);
    this.get(stack);
    this.stacks.delete(stack);
  }

  async outputs(stack: string): Promise<Record<string, unknown>> {
    this.record("outputs", stack);
    return this.get(stack).outputs ?? {};
  }

  async history(stack: string, page: HistoryPage): Promise<UpdateRecord[]> {
    this.record("history", stack, page);
    const found = this.get(stack);
    if (found.historyError) throw commandError(CommandError, found.historyError);
    return (found.history ?? []).slice((page.number - 1) * page.size, page.number * page.size);
  }
}

/** Outputs a deployed Beta has, as the developer program exports them. */
export function betaOutputs(name: string, apps: readonly string[] = ["web", "api"], tag = "master-abc1234", domain = "beta.example.com"): Record<string, unknown> {
  const url = `https://${name}.${domain}`;
  return {
    url,
    urls: Object.fromEntries(apps.map((app, i) => [app, i === 0 ? url : `https://${app}--${name}.${domain}`])),
    namespace: `beta-${name}`,
    images: Object.fromEntries(apps.map((app) => [app, `registry.example.com/${app}:${tag}`])),
  };
}
