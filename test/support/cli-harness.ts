/**
 * Runs the `beta` command in-process with fake dependencies and captures what it prints:
 * `const r = await runBeta(["up", "alice"], { gateway })` → `{ code, stdout, stderr }`.
 */
import { tmpdir } from "node:os";
import type { CliDeps, KubectlResult, KubectlRunner, RenderBeta, StackGateway } from "../../cli/deps";
import { runCli } from "../../cli/main";
import { StringWriter } from "../../cli/output";

export interface HarnessOptions {
  gateway?: StackGateway;
  kubectl?: KubectlRunner;
  env?: Record<string, string | undefined>;
  osUser?: string;
  interactive?: boolean;
  /** Answers to prompts, in order. */
  answers?: string[];
  renderBeta?: RenderBeta;
  /** "Now" for the clock; it moves only when the command sleeps. */
  now?: Date;
  workDir?: string;
  opened?: string[];
  /** Other programs by name: each answers with `respond(args)`; absent ones are "not installed". */
  programs?: Record<string, (args: readonly string[]) => Partial<KubectlResult>>;
  /** Files by path, read and written by the command (`beta kubeconfig`). */
  files?: Map<string, string>;
}

export interface HarnessResult {
  code: number;
  stdout: string;
  stderr: string;
  prompts: string[];
  opened: string[];
}

export function fakeDeps(options: HarnessOptions = {}): CliDeps & { out: StringWriter; err: StringWriter; prompts: string[]; opened: string[] } {
  const out = new StringWriter();
  const err = new StringWriter();
  const prompts: string[] = [];
  const opened = options.opened ?? [];
  const answers = [...(options.answers ?? [])];
  const start = options.now?.getTime() ?? Date.parse("2025-06-01T12:00:00Z");
  // Sleeps take no real time: they move "now" forward (retry backoff in tests).
  let skipped = 0;
  return {
    out,
    err,
    prompts,
    opened,
    stdout: out,
    stderr: err,
    env: options.env ?? {},
    osUserName: () => options.osUser ?? "alice",
    isInteractive: () => options.interactive ?? false,
    prompt: async (question) => {
      prompts.push(question);
      return answers.shift() ?? "";
    },
    gateway: async () => {
      if (!options.gateway) throw new Error("this test gave no gateway");
      return options.gateway;
    },
    kubectl: () => {
      if (!options.kubectl) throw new Error("this test gave no kubectl");
      return options.kubectl;
    },
    openUrl: async (url) => {
      opened.push(url);
      return true;
    },
    runProgram: async (program, args) => {
      const respond = options.programs?.[program];
      if (!respond) return undefined;
      const answer = respond(args);
      return { code: answer.code ?? 0, stdout: answer.stdout ?? "", stderr: answer.stderr ?? "" };
    },
    readFile: (file) => options.files?.get(file),
    writeFile: (file, text) => {
      if (!options.files) throw new Error("this test gave no files");
      options.files.set(file, text);
    },
    renderBeta: options.renderBeta ?? (() => Promise.reject(new Error("this test gave no renderBeta"))),
    clock: {
      now: () => start + skipped,
      sleep: (ms) => {
        skipped += Math.max(0, ms);
        return new Promise((resolve) => setImmediate(resolve));
      },
    },
    workDir: options.workDir ?? tmpdir(),
  };
}

export async function runBeta(args: readonly string[], options: HarnessOptions = {}): Promise<HarnessResult> {
  const deps = fakeDeps(options);
  const code = await runCli(args, deps);
  return { code, stdout: deps.out.text, stderr: deps.err.text, prompts: deps.prompts, opened: deps.opened };
}

/** A kubectl stand-in: answers each call with `respond(args)` and records the calls. */
export class RecordingKubectl implements KubectlRunner {
  readonly calls: string[][] = [];
  readonly attached: string[][] = [];

  constructor(
    private readonly respond: (args: readonly string[]) => { code?: number; stdout?: string; stderr?: string } = () => ({}),
    private readonly attachCode = 0,
  ) {}

  async capture(args: readonly string[]) {
    this.calls.push([...args]);
    const answer = this.respond(args);
    return { code: answer.code ?? 0, stdout: answer.stdout ?? "", stderr: answer.stderr ?? "" };
  }

  async attach(args: readonly string[]) {
    this.attached.push([...args]);
    return this.attachCode;
  }
}
