/** Small pieces every verb uses: help examples, the Beta name, progress, number options. */
import { Command, InvalidArgumentError } from "commander";
import { NameError, betaStackName } from "../lib/names";
import type { CliDeps, OperationProgress } from "./deps";
import { resolveBetaName } from "./default-name";
import { CliError, UsageError } from "./errors";
import type { Writer } from "./output";

/** Adds an "Examples:" section (after an optional paragraph of notes) to the verb's --help. */
export function withExamples(command: Command, examples: readonly string[], notes?: string): Command {
  const before = notes ? `\n${notes.trim()}\n` : "";
  return command.addHelpText("after", `${before}\nExamples:\n${examples.map((e) => `  $ ${e}`).join("\n")}\n`);
}

/**
 * Runs a Pulumi operation so that Ctrl-C cancels it cleanly: Pulumi, in the same process
 * group, gets the interrupt and stops at a safe point (leaving no stack locked), so the first
 * Ctrl-C only says so and waits; a second one quits at once.
 */
export async function cancellable<T>(stderr: Writer, operation: () => Promise<T>): Promise<T> {
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      stderr.write("\nCancelling: waiting for Pulumi to stop cleanly (Ctrl-C again to quit now, which may leave the stack locked).\n");
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onInterrupt);
  try {
    return await operation();
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

/** The Beta a verb works on: the given name, `$BETA_NAME` or the OS user (saying so on stderr). */
export function chooseBeta(given: string | undefined, deps: CliDeps, verb: string): { name: string; stack: string } {
  const resolved = asUsageError(() => resolveBetaName(given, deps, verb));
  if (resolved.note) deps.stderr.write(`${resolved.note}\n`);
  return { name: resolved.name, stack: betaStackName(resolved.name) };
}

/** Streams Pulumi's own display to `writer` (stderr), as `pulumi up` would print it. */
export function pulumiDisplay(writer: Writer): (progress: OperationProgress) => void {
  return (progress) => {
    if (progress.kind === "output") writer.write(progress.text);
  };
}

/** commander parser for a whole number in [min, max]. */
export function intOption(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}, got ${JSON.stringify(value)}.`);
    }
    return n;
  };
}

/** Runs `check` on what was typed; a bad name or value becomes a usage error (exit 2). */
export function asUsageError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof NameError) throw new UsageError(error.message);
    if (error instanceof CliError && !(error instanceof UsageError)) throw new UsageError(error.message, error.hint);
    throw error;
  }
}
