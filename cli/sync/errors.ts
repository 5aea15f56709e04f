/**
 * The one error type of the sync engine. `retryable` separates what backoff may cure (a
 * flaky API server, a pod being replaced) from what it cannot (no rsync in the image, bad
 * arguments); every message ends with what to do next.
 */
export class SyncError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "SyncError";
  }
}

/** The first meaningful line of a child's stderr, for one-line status messages. */
export function summariseStderr(stderr: string, fallback: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  // kubectl's own diagnosis beats rsync's generic "connection unexpectedly closed".
  const kubectlLine = lines.find((line) => /^(error|Error from server|Unable to connect|The connection to the server)/.test(line));
  const chosen = kubectlLine ?? lines.find((line) => !/^rsync: connection unexpectedly closed/.test(line)) ?? lines[0];
  return chosen ?? fallback;
}
