/** The `beta sync` engine: see session.ts for the entry point. */
export { startSync, syncOnce, validateRemotePath, type SyncDeps, type SyncOptions, type SyncOutcome, type SyncSession } from "./session";
export type { SyncEvent, SyncLogger } from "./events";
export { SyncError } from "./errors";
export { createReporter, type OutputStreams } from "./report";
export { kubectlPath } from "./kubectl";
export { systemClock, type Clock } from "./clock";
export { DEFAULT_RETRY, type RetryPolicy } from "./backoff";
