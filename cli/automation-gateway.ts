/**
 * The real StackGateway: Pulumi's Automation API over a LocalWorkspace whose workDir is the
 * repository root (where Pulumi.yaml lives). It needs the Pulumi CLI on PATH and a backend
 * login (`pulumi login`), like `pulumi up` itself.
 */
import {
  EngineEvent,
  LocalWorkspace,
  OutputMap,
  Stack,
  StackAlreadyExistsError,
  StackNotFoundError,
  UpdateSummary,
} from "@pulumi/pulumi/automation";
import type { ConfigKeyOptions, HistoryPage, OperationOptions, OperationProgress, PreviewOptions, PreviewResult, StackGateway, StackSummary, UpdateRecord, UpResult } from "./deps";

function plainOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value as unknown]));
}

function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Engine events as OperationProgress; undefined for events `beta` does not show. */
export function progressFromEvent(event: EngineEvent): OperationProgress | undefined {
  const step = (metadata: { op: string; type: string; urn: string }, status: "started" | "done" | "failed"): OperationProgress => ({
    kind: "resource",
    status,
    op: metadata.op,
    type: metadata.type,
    name: resourceName(metadata.urn),
  });
  if (event.resourcePreEvent) return step(event.resourcePreEvent.metadata, "started");
  if (event.resOutputsEvent) return step(event.resOutputsEvent.metadata, "done");
  if (event.resOpFailedEvent) return step(event.resOpFailedEvent.metadata, "failed");
  if (event.diagnosticEvent && !event.diagnosticEvent.ephemeral) {
    const severity = event.diagnosticEvent.severity;
    return {
      kind: "diagnostic",
      severity: severity === "warning" || severity === "error" ? severity : "info",
      message: event.diagnosticEvent.message.trimEnd(),
    };
  }
  return undefined;
}

function callbacks(options: OperationOptions | undefined) {
  const onProgress = options?.onProgress;
  return {
    message: options?.message,
    signal: options?.signal,
    onOutput: onProgress ? (text: string) => onProgress({ kind: "output", text }) : undefined,
    onEvent: onProgress
      ? (event: EngineEvent) => {
          const progress = progressFromEvent(event);
          if (progress) onProgress(progress);
        }
      : undefined,
  };
}

function toDate(value: string | Date | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A history entry as UpdateRecord (an unreadable start time stays an invalid Date: never "old"). */
export function updateRecord(entry: UpdateSummary): UpdateRecord {
  return {
    kind: entry.kind,
    result: entry.result,
    message: entry.message ?? "",
    startTime: toDate(entry.startTime) ?? new Date(Number.NaN),
    endTime: toDate(entry.endTime),
  };
}

/**
 * A Pulumi CLI without `--policy-pack` on `up` fails at flag parsing with pflag's
 * "unknown flag: --policy-pack" (spf13/pflag flag.go, parseLongArg: `f.failf("unknown flag: --%s", name)`).
 */
export function isUnknownPolicyPackFlag(error: unknown): boolean {
  return /unknown flag: --policy-pack/.test(error instanceof Error ? error.message : String(error));
}

export const POLICY_PACK_UNSUPPORTED =
  "This Pulumi CLI cannot run a local policy pack (no `pulumi up --policy-pack`), so this update ran without the beta-guard-rails checks. Upgrade the CLI: https://www.pulumi.com/docs/iac/download-install/";

/**
 * Runs `operation` with the local policy packs asked for; when this CLI has no
 * `--policy-pack`, warns and runs it without them (the CLI refused the flag before doing
 * anything, so running again changes nothing twice).
 */
async function withPolicyPacks<T>(
  options: PreviewOptions | undefined,
  operation: (policy: { policyPacks?: string[]; policyPackConfigs?: string[] }) => Promise<T>,
): Promise<T> {
  const policyPacks = [...(options?.policyPacks ?? [])];
  if (policyPacks.length === 0) return operation({});
  try {
    return await operation({ policyPacks, policyPackConfigs: [...(options?.policyPackConfigs ?? [])] });
  } catch (error) {
    if (!isUnknownPolicyPackFlag(error)) throw error;
    options?.onProgress?.({ kind: "diagnostic", severity: "warning", message: POLICY_PACK_UNSUPPORTED });
    return operation({});
  }
}

export class AutomationGateway implements StackGateway {
  private readonly stacks = new Map<string, Promise<Stack>>();

  private constructor(private readonly workspace: LocalWorkspace) {}

  static async create(workDir: string): Promise<AutomationGateway> {
    return new AutomationGateway(await LocalWorkspace.create({ workDir }));
  }

  private stack(name: string): Promise<Stack> {
    let stack = this.stacks.get(name);
    if (!stack) {
      stack = Stack.select(name, this.workspace);
      stack.catch(() => this.stacks.delete(name));
      this.stacks.set(name, stack);
    }
    return stack;
  }

  async listStacks(): Promise<StackSummary[]> {
    const stacks = await this.workspace.listStacks();
    return stacks.map((s) => ({
      name: s.name,
      lastUpdate: toDate(s.lastUpdate),
      updateInProgress: s.updateInProgress ?? false,
      resourceCount: s.resourceCount,
      consoleUrl: s.url,
    }));
  }

  async hasStack(name: string): Promise<boolean> {
    try {
      await this.stack(name);
      return true;
    } catch (error) {
      if (error instanceof StackNotFoundError) return false;
      throw error;
    }
  }

  async ensureStack(name: string): Promise<{ created: boolean }> {
    try {
      const created = Stack.create(name, this.workspace);
      await created;
      this.stacks.set(name, created);
      return { created: true };
    } catch (error) {
      if (!(error instanceof StackAlreadyExistsError)) throw error;
      await this.stack(name);
      return { created: false };
    }
  }

  async getConfig(stack: string): Promise<Record<string, string>> {
    const config = await this.workspace.getAllConfig(stack);
    return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, value.value]));
  }

  // `path` adds `--path` to `pulumi config set` / `pulumi config rm` (@pulumi/pulumi 3.248.0
  // automation/localWorkspace.js, setConfig line 479 and removeConfig line 538). Under --path the CLI stores
  // "true"/"false" as booleans and integers as numbers, everything else as a string
  // (https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/), and removing a property
  // that is not there is no error (pulumi/pulumi sdk/go/common/resource/config/map.go,
  // `Map.Remove`, and object.go, `(*object).Delete`).
  async setConfig(stack: string, key: string, value: string, options?: ConfigKeyOptions): Promise<void> {
    await this.workspace.setConfig(stack, key, { value }, options?.path);
  }

  async removeConfig(stack: string, key: string, options?: ConfigKeyOptions): Promise<void> {
    await this.workspace.removeConfig(stack, key, options?.path);
  }

  async up(stack: string, options?: OperationOptions): Promise<UpResult> {
    const selected = await this.stack(stack);
    const result = await withPolicyPacks(options, (policy) => selected.up({ ...callbacks(options), ...policy }));
    // The summary comes from the stack's history, which a backend may not return.
    const summary = result.summary as typeof result.summary | undefined;
    return { outputs: plainOutputs(result.outputs), changes: { ...summary?.resourceChanges } };
  }

  async preview(stack: string, options?: PreviewOptions): Promise<PreviewResult> {
    // `pulumi preview` runs the program and asks the providers what would change, changing
    // nothing; the Automation API selects the stack first, so it must exist (see hasStack).
    const { onOutput, onEvent, signal } = callbacks(options);
    const selected = await this.stack(stack);
    const result = await withPolicyPacks(options, (policy) => selected.preview({ diff: true, onOutput, onEvent, signal, ...policy }));
    return { changes: { ...result.changeSummary } };
  }

  async destroy(stack: string, options?: OperationOptions): Promise<void> {
    await (await this.stack(stack)).destroy(callbacks(options));
  }

  async removeStack(stack: string): Promise<void> {
    await this.workspace.removeStack(stack);
    this.stacks.delete(stack);
  }

  async outputs(stack: string): Promise<Record<string, unknown>> {
    return plainOutputs(await this.workspace.stackOutputs(stack));
  }

  async history(stack: string, page: HistoryPage): Promise<UpdateRecord[]> {
    // showSecrets false: no secrets provider is needed to read messages and dates.
    const entries = (await (await this.stack(stack)).history(page.size, page.number, false)) as UpdateSummary[] | null;
    return (entries ?? []).map(updateRecord);
  }
}
