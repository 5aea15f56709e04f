/**
 * A namespace beta-alice as `beta test` sees it through kubectl: each call answered as the API
 * server would (the suite's pod, its exit code file, its report), recorded in order.
 */
import { readFileSync } from "node:fs";
import { tenantDatabaseJob } from "../../lib/database-jobs";
import { RecordingKubectl } from "./cli-harness";

export const REPORT = '<testsuite name="checkout" tests="3" failures="1"/>\n';

export interface ClusterOptions {
  /** The Job already exists (another run). */
  locked?: boolean;
  /** Polls before the pod shows up, then before the exit code is there. */
  pendingPolls?: number;
  runningPolls?: number;
  exitCode?: number;
  /** The pod ends on its own (no wrapper) with this status. */
  podPhase?: "Running" | "Succeeded" | "Failed";
  report?: string | null;
  /** Emit SIGINT when kubectl sees this call (by its verb). */
  interruptOn?: string;
  waitingReason?: string;
}

/** beta-alice with the suite's pod as `options` say; `created` are the manifests kubectl was given. */
export function qaCluster(options: ClusterOptions = {}) {
  const created: Record<string, unknown>[] = [];
  const order: string[] = [];
  let podPolls = 0;
  let codeReads = 0;
  const verb = (args: readonly string[]) => args.filter((a) => !a.startsWith("--request-timeout"))[0];
  const kubectl = new RecordingKubectl((args) => {
    const v = verb(args);
    if (options.interruptOn && v === options.interruptOn) process.emit("SIGINT");
    if (v === "create") {
      const manifest = JSON.parse(readFileSync(args[args.indexOf("-f") + 1], "utf8")) as Record<string, unknown> & { metadata: { name: string } };
      created.push(manifest);
      order.push(`create ${manifest.metadata.name}`);
      return {};
    }
    if (v === "get" && args.includes("beta-test") && args.includes("--ignore-not-found")) {
      return { stdout: options.locked ? JSON.stringify({ metadata: { name: "beta-test", labels: { "beta/test-run": "old1" }, creationTimestamp: "2025-06-01T11:50:00Z" } }) : "" };
    }
    if (v === "get" && args.includes("database-clone")) return { stdout: JSON.stringify(tenantDatabaseJob({ developer: "alice", action: "clone", settings: { image: "postgres:17.6-alpine", template: "beta_template", strategy: "FILE_COPY" } })) };
    if (v === "get" && args.includes("pods")) {
      podPolls += 1;
      if (podPolls <= (options.pendingPolls ?? 0)) return { stdout: JSON.stringify({ items: [] }) };
      const phase = options.podPhase ?? "Running";
      const state = options.waitingReason
        ? { waiting: { reason: options.waitingReason, message: "pull access denied" } }
        : phase === "Running" ? { running: {} } : { terminated: { exitCode: options.exitCode ?? 0 } };
      return { stdout: JSON.stringify({ items: [{ metadata: { name: "beta-test-x7k2p" }, status: { phase: options.waitingReason ? "Pending" : phase, containerStatuses: [{ name: "suite", state }] } }] }) };
    }
    if (v === "get" && args.includes("job")) {
      order.push("poll database job");
      return { stdout: JSON.stringify({ status: { conditions: [{ type: "Complete", status: "True" }] } }) };
    }
    if (v === "exec") {
      const command = args.slice(args.indexOf("--") + 1);
      if (command.join(" ") === "cat /beta-test/exit-code") {
        codeReads += 1;
        order.push("read exit code");
        return codeReads <= (options.runningPolls ?? 0) ? { code: 1, stderr: "cat: can't open '/beta-test/exit-code': No such file or directory" } : { stdout: `${options.exitCode ?? 0}\n` };
      }
      if (command[0] === "cat") {
        order.push("copy report");
        return options.report === null ? { code: 1, stderr: `cat: can't open '${command[1]}': No such file or directory` } : { stdout: options.report ?? REPORT };
      }
      if (command[0] === "sh") {
        order.push("mark done");
        return {};
      }
    }
    if (v === "logs") return { stdout: "1 passing\n" };
    if (v === "delete") {
      order.push(`delete ${args[2]}`);
      return {};
    }
    return { code: 1, stderr: `unexpected kubectl ${args.join(" ")}` };
  });
  return { kubectl, created, order };
}

