/**
 * Reading Automation API errors without importing it, so the fleet logic runs on any gateway.
 */

/** Texts Pulumi prints when another update of the stack holds it (service and DIY backends). */
const IN_PROGRESS_TEXTS = ["[409] Conflict", "Another update is currently in progress", "the stack is currently locked by"];

/** True when the stack is busy with another update: worth retrying later. */
export function isUpdateInProgress(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === "ConcurrentUpdateError" || IN_PROGRESS_TEXTS.some((text) => error.message.includes(text));
}

/**
 * One short line for a table: the first `error:` line Pulumi printed, else the last non-empty
 * line of the message. A `CommandError`'s message is the whole command output.
 */
export function summariseError(error: unknown, maxLength = 240): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^(code:|stdout:|stderr:|err\?:)\s*$/.test(line));
  const errorLine = lines.find((line) => /^(stderr:\s*)?error:/i.test(line))?.replace(/^stderr:\s*/, "");
  const chosen = errorLine ?? lines.filter((line) => !/^err\?:/.test(line)).at(-1) ?? message;
  return chosen.length > maxLength ? `${chosen.slice(0, maxLength - 3)}...` : chosen;
}
