/**
 * Errors the `beta` command expects. Anything thrown as a CliError is printed as its message
 * (plus what to do next) with no stack trace; anything else is a bug and says so.
 */
import { ConfigError } from "../lib/config-error";
import { NameError } from "../lib/names";
import { summariseError } from "./fleet/pulumi-errors";

/** Automation API errors (by name, so this file does not load the Automation API). */
const PULUMI_COMMAND_ERRORS = ["CommandError", "ConcurrentUpdateError", "StackNotFoundError", "StackAlreadyExistsError"];

/**
 * An expected failure: `message` says what went wrong, `hint` what to do next. `cause` is the
 * error it was made from (e.g. the Automation API's, whose message is Pulumi's whole output):
 * `BETA_DEBUG=1` prints it.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CliError";
  }
}

/** The underlying error in full, for BETA_DEBUG: Pulumi's output for a Pulumi error, else the stack trace. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  if (PULUMI_COMMAND_ERRORS.includes(cause.name)) return `${cause.name}: Pulumi's output:\n${cause.message.trimEnd()}`;
  return (cause.stack ?? `${cause.name}: ${cause.message}`).trimEnd();
}

/** Exit code of a command line that cannot run as typed (unknown verb, bad option or argument). */
export const USAGE_EXIT_CODE = 2;

/** A mistake in what was typed: printed like any CliError, exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, hint, USAGE_EXIT_CODE);
    this.name = "UsageError";
  }
}

/**
 * Pulumi's RunError: what a program throws for a message the user should see alone (index.ts
 * turns ConfigError and NameError into one). Matched by its marker, as the SDK's own
 * `RunError.isInstance` does (@pulumi/pulumi errors.ts), so this file does not load Pulumi.
 */
const isPulumiRunError = (error: Error) => (error as { __pulumiRunError?: unknown }).__pulumiRunError === true;

/**
 * The user's mistake inside `error`, if it is one: a ConfigError or NameError, or the RunError
 * the program made of one, also when the offline runner wrapped it (`OfflineRunError`,
 * matched by name for the same reason). Undefined for anything else.
 */
export function userMistake(error: unknown): Error | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof ConfigError || current instanceof NameError) return current;
    if (current.name === "ConfigError" || current.name === "NameError") return current;
    if (current.name !== "OfflineRunError") return depth > 0 && isPulumiRunError(current) ? current : undefined;
  }
  return undefined;
}

/**
 * Ends the command with `exitCode` without printing anything more: the command has already
 * said why (e.g. `beta status` printed the table with the app that is not ready).
 */
export class SilentExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = "SilentExit";
  }
}

/** The text and exit code `beta` prints for an error that ends a command. */
export function describeFailure(error: unknown, debug = false): { text: string; exitCode: number } {
  if (error instanceof SilentExit) return { text: "", exitCode: error.exitCode };
  if (error instanceof CliError) {
    const cause = debug && error.cause !== undefined ? `\nCaused by ${describeCause(error.cause)}\n` : "";
    return { text: `Error: ${error.message}${error.hint ? `\n${error.hint}` : ""}\n${cause}`, exitCode: error.exitCode };
  }
  const mistake = userMistake(error);
  if (mistake) return { text: `Error: ${mistake.message}\n`, exitCode: 1 };
  if (error instanceof Error && PULUMI_COMMAND_ERRORS.includes(error.name)) {
    return {
      text:
        `Error: the Pulumi CLI failed: ${summariseError(error)}\n` +
        (debug ? `${error.message}\n` : "Check `pulumi whoami` (logged in to the right backend?); BETA_DEBUG=1 prints Pulumi's full output.\n"),
      exitCode: 1,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : "";
  return {
    text:
      `Error: ${message}${stack}\n` +
      (debug ? "" : "This looks like a bug in beta; re-run with BETA_DEBUG=1 for a stack trace and report it.\n"),
    exitCode: 1,
  };
}
