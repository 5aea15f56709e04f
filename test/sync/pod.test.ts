import { describe, expect, it } from "vitest";
import { choosePod, describeReplacement, samePodInstance, type PodTarget } from "../../cli/sync/pod";
import { SyncError } from "../../cli/sync/errors";

interface PodSpec {
  name: string;
  created: string;
  ready?: boolean;
  terminating?: boolean;
  phase?: string;
  containers?: { name: string; workingDir?: string }[];
}

function list(...pods: PodSpec[]): string {
  return JSON.stringify({
    items: pods.map((p) => ({
      metadata: { name: p.name, uid: `uid-${p.name}`, creationTimestamp: p.created, ...(p.terminating ? { deletionTimestamp: p.created } : {}) },
      spec: { containers: p.containers ?? [{ name: "web", workingDir: "/app" }] },
      status: {
        phase: p.phase ?? "Running",
        conditions: [{ type: "Ready", status: p.ready === false ? "False" : "True" }],
        containerStatuses: (p.containers ?? [{ name: "web" }]).map((c) => ({ name: c.name, containerID: `containerd://${p.name}-${c.name}` })),
      },
    })),
  });
}

describe("choosing the pod to sync into", () => {
  it("picks the newest Ready pod", () => {
    const pod = choosePod(list({ name: "web-old", created: "2025-01-01T00:00:00Z" }, { name: "web-new", created: "2025-01-02T00:00:00Z" }), "beta-alice", "web");
    expect(pod).toMatchObject({ name: "web-new", uid: "uid-web-new", container: "web", workingDir: "/app", namespace: "beta-alice" });
  });

  it("skips terminating and not-ready pods, even newer ones", () => {
    const pod = choosePod(
      list(
        { name: "web-a", created: "2025-01-01T00:00:00Z" },
        { name: "web-b", created: "2025-01-02T00:00:00Z", terminating: true },
        { name: "web-c", created: "2025-01-03T00:00:00Z", ready: false },
      ),
      "beta-alice",
      "web",
    );
    expect(pod.name).toBe("web-a");
  });

  it("takes the container named after the app, else the first", () => {
    const containers = [{ name: "proxy", workingDir: "/proxy" }, { name: "web", workingDir: "/srv/web" }];
    expect(choosePod(list({ name: "web-a", created: "2025-01-01T00:00:00Z", containers }), "beta-alice", "web")).toMatchObject({ container: "web", workingDir: "/srv/web" });
    expect(choosePod(list({ name: "api-a", created: "2025-01-01T00:00:00Z", containers }), "beta-alice", "api")).toMatchObject({ container: "proxy", workingDir: "/proxy" });
  });

  const problems: { why: string; json: string; message: RegExp; retryable: boolean }[] = [
    { why: "no pod at all: wrong app or Beta not up", json: list(), message: /no pod of app "web" in namespace beta-alice \(label app\.kubernetes\.io\/name=web\).*kubectl get pods -n beta-alice/, retryable: true },
    { why: "pods exist but none is Ready: a rollout", json: list({ name: "web-x", created: "2025-01-01T00:00:00Z", ready: false }, { name: "web-y", created: "2025-01-01T00:00:00Z", terminating: true }), message: /no Ready pod .*web-x: not ready, web-y: terminating/, retryable: true },
    { why: "not JSON", json: "<html>", message: /could not be read/, retryable: true },
  ];
  it.each(problems)("$why", ({ json, message, retryable }) => {
    let error: unknown;
    try {
      choosePod(json, "beta-alice", "web");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyncError);
    expect((error as SyncError).message).toMatch(message);
    expect((error as SyncError).retryable).toBe(retryable);
  });

  it("tells a replaced pod from a restarted container", () => {
    const a: PodTarget = { namespace: "beta-alice", name: "web-abc", uid: "1", container: "web", containerId: "c1" };
    expect(samePodInstance(a, { ...a })).toBe(true);
    expect(describeReplacement(a, { ...a, name: "web-def", uid: "2" })).toBe("pod web-abc replaced by web-def");
    expect(samePodInstance(a, { ...a, containerId: "c2" })).toBe(false);
    expect(describeReplacement(a, { ...a, containerId: "c2" })).toBe("container web in pod web-abc restarted");
  });
});
