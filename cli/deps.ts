/**
 * Everything the `beta` command reaches outside itself, as interfaces: Pulumi (through the
 * Automation API), kubectl, the terminal, the clock. `cli/default-deps.ts` wires the real
 * ones; tests pass fakes.
 */
import type { RenderBetaOptions, RenderedBeta } from "../offline/render-beta";
import type { Clock } from "./fleet/clock";
import type { Writer } from "./output";

/** One stack as the backend lists it. */
export interface StackSummary {
  /** As the backend names it: `beta-alice`, or fully qualified `org/beta/beta-alice`. */
  name: string;
  /** End of the last update; undefined when the stack was never deployed. */
  lastUpdate?: Date;
  updateInProgress: boolean;
  resourceCount?: number;
  /** The stack's page in the Pulumi console, when the backend has one. */
  consoleUrl?: string;
}

/** What an update or destroy reports while it runs. */
export type OperationProgress =
  /** A line of Pulumi's own display (what `pulumi up` prints). */
  | { kind: "output"; text: string }
  /** A resource step starting, finishing or failing. */
  | { kind: "resource"; status: "started" | "done" | "failed"; op: string; type: string; name: string }
  | { kind: "diagnostic"; severity: "info" | "warning" | "error"; message: string };

export interface OperationOptions {
  onProgress?: (progress: OperationProgress) => void;
  /** Recorded with the update in the stack's history. */
  message?: string;
  signal?: AbortSignal;
  /** Local policy pack directories the update must pass (`pulumi up --policy-pack`); `up` and `preview` only. */
  policyPacks?: readonly string[];
  /** Their config files (`--policy-pack-config`). */
  policyPackConfigs?: readonly string[];
}

export interface UpResult {
  outputs: Record<string, unknown>;
  /** Resource changes by operation (`create`, `update`, `same`, ...). */
  changes: Record<string, number>;
}

/** What `preview` takes: no message (a preview is not recorded in the stack's history). */
export type PreviewOptions = Pick<OperationOptions, "onProgress" | "signal" | "policyPacks" | "policyPackConfigs">;

/** What `pulumi preview` says an update would do, without doing it. */
export interface PreviewResult {
  /** Resource changes by operation (`create`, `update`, `delete`, `same`, `replace`, ...). */
  changes: Record<string, number>;
}

/** One entry of a stack's history (`pulumi stack history`): an update, refresh, destroy, ... */
export interface UpdateRecord {
  kind: "update" | "preview" | "refresh" | "rename" | "destroy" | "import";
  result: "not-started" | "in-progress" | "succeeded" | "failed";
  /**
   * What the update was recorded with: `beta release <tag>` for `beta release`'s updates,
   * `beta up <name>` for `beta up`'s; a plain `pulumi up` records its `--message`, else the
   * subject of the git commit checked out.
   */
  message: string;
  startTime: Date;
  /** Undefined while it runs. */
  endTime?: Date;
}

/** Which slice of a stack's history to read: `size` entries, page `number` (from 1), newest first. */
export interface HistoryPage {
  size: number;
  number: number;
}

/** How a config key is read: a whole key (`beta:imageTag`) or a path into an object value. */
export interface ConfigKeyOptions {
  path?: boolean;
}

/**
 * The Automation API, reduced to what `beta` needs. Stack names are as given (`beta-alice`,
 * `dev`); config keys are full (`beta:imageTag`) and values are the strings Pulumi stores.
 * Errors are thrown as the Automation API throws them (e.g. `ConcurrentUpdateError` when
 * another update of the stack is running).
 */
export interface StackGateway {
  listStacks(): Promise<StackSummary[]>;
  hasStack(stack: string): Promise<boolean>;
  /** Selects the stack, creating it when missing. */
  ensureStack(stack: string): Promise<{ created: boolean }>;
  /** Every key of the stack; an object value (e.g. `beta:services`) comes as its JSON text. */
  getConfig(stack: string): Promise<Record<string, string>>;
  /**
   * With `path`, the key names a property inside an object value (`beta:services.billing.tag`),
   * as `pulumi config set --path` does: the rest of the object stays.
   */
  setConfig(stack: string, key: string, value: string, options?: ConfigKeyOptions): Promise<void>;
  /** With `path`, removes one property of an object value (`pulumi config rm --path`); a missing one is no error. */
  removeConfig(stack: string, key: string, options?: ConfigKeyOptions): Promise<void>;
  up(stack: string, options?: OperationOptions): Promise<UpResult>;
  /**
   * `pulumi preview --diff` of an existing stack: what `up` would change, changing nothing.
   * Pulumi's display (the diff) streams to `onProgress`; the policy packs run as with `up`.
   */
  preview(stack: string, options?: PreviewOptions): Promise<PreviewResult>;
  destroy(stack: string, options?: OperationOptions): Promise<void>;
  /** Deletes the stack, its history and its `Pulumi.<stack>.yaml` (the stack must be empty). */
  removeStack(stack: string): Promise<void>;
  /** The stack's outputs as plain values; empty for a stack never deployed. */
  outputs(stack: string): Promise<Record<string, unknown>>;
  /**
   * One page of the stack's history, newest first (`pulumi stack history`); fewer than
   * `page.size` entries (or none) when it is the last page. Secrets are not decrypted.
   */
  history(stack: string, page: HistoryPage): Promise<UpdateRecord[]>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlRunner {
  /** Runs kubectl and captures its output. */
  capture(args: readonly string[]): Promise<KubectlResult>;
  /** Runs kubectl attached to this terminal (`logs -f`, `exec -it`); resolves to its exit code. */
  attach(args: readonly string[]): Promise<number>;
}

export interface RunOptions {
  /** Give up (killing the program) after this long; the result then has code 124. */
  timeoutMs?: number;
}

/** A program other than kubectl and Pulumi's engine: `pulumi version`, `aws sts ...`, `rsync --version`. */
export type ProgramRunner = (program: string, args: readonly string[], options?: RunOptions) => Promise<KubectlResult | undefined>;

export type RenderBeta = (options: RenderBetaOptions) => Promise<RenderedBeta>;

export interface CliDeps {
  stdout: Writer;
  stderr: Writer;
  env: Readonly<Record<string, string | undefined>>;
  /** The OS login name, the last fallback for the Beta name; undefined when unknown. */
  osUserName(): string | undefined;
  /** True when a person can answer a prompt (stdin is a terminal). */
  isInteractive(): boolean;
  /** Asks on the terminal and resolves to the answer (without the newline). */
  prompt(question: string): Promise<string>;
  /** The Automation API; created on first use, failing with install help when the Pulumi CLI is missing. */
  gateway(): Promise<StackGateway>;
  /** kubectl (or `$BETA_KUBECTL`); failing with install help when it is missing. */
  kubectl(): KubectlRunner;
  /** Runs a program to completion, capturing its output; undefined when it is not installed. */
  runProgram: ProgramRunner;
  /** Reads a file as text; undefined when it does not exist. */
  readFile(file: string): string | undefined;
  /** Writes a file (creating its directory), mode 0600 when `private`. */
  writeFile(file: string, text: string, options?: { private?: boolean }): void;
  /** Opens a URL in a browser; false when no opener (xdg-open, open) is available. */
  openUrl(url: string): Promise<boolean>;
  renderBeta: RenderBeta;
  clock: Clock;
  /** The repository root: where `Pulumi.yaml` and `Pulumi.dev.yaml` live. */
  workDir: string;
}
