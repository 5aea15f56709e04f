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
} from "@pulumi/pulumi/automation";
import type { OperationOptions, OperationProgress, StackGateway, StackSummary, UpResult } from "./deps";

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

function toDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
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

  async setConfig(stack: string, key: string, value: string): Promise<void> {
    await this.workspace.setConfig(stack, key, { value });
  }

  async removeConfig(stack: string, key: string): Promise<void> {
    await this.workspace.removeConfig(stack, key);
  }

  async up(stack: string, options?: OperationOptions): Promise<UpResult> {
    const result = await (await this.stack(stack)).up(callbacks(options));
    // The summary comes from the stack's history, which a backend may not return.
    const summary = result.summary as typeof result.summary | undefined;
    return { outputs: plainOutputs(result.outputs), changes: { ...summary?.resourceChanges } };
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
}
