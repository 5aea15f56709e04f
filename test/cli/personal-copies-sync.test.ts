import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, describe, expect, it } from "vitest";
import { registerSyncCommand } from "../../cli/commands/sync";
import { personalCopyRunning } from "../../cli/personal-copy-label";
import { platformStackFromBetaFile, sharedServicesFromPlatformFile } from "../../cli/shared-services";
import type { SyncOptions, SyncSession } from "../../cli/sync";
import { fakeDeps, RecordingKubectl, runBeta } from "../support/cli-harness";

const workDir = mkdtempSync(join(tmpdir(), "beta-personal-sync-"));
writeFileSync(
  join(workDir, "Pulumi.dev.yaml"),
  `config:
  beta:apps:
    - { name: web, image: registry.example.com/web, port: 3000, default: true }
    - { name: api, image: registry.example.com/api, port: 4000 }
  beta:sharedServices:
    - { name: billing, host: billing.internal.example.com, port: 8080, cidrs: [10.0.8.0/24], image: registry.example.com/billing, syncPath: /srv/billing }
    - { name: ledger, host: ledger.internal.example.com, port: 7000, cidrs: [10.0.7.0/24], image: registry.example.com/ledger }
    - { name: postgres, host: 10.0.12.34, port: 5432 }
`,
);
writeFileSync(
  join(workDir, "Pulumi.local.yaml"),
  `config:
  beta:apps:
    - { name: web, image: beta-examples/web, port: 3000, default: true }
  beta:sharedServices:
    - { name: echo, host: echo.shared.svc.cluster.local, port: 80, cidrs: ["10.96.0.0/16"], image: beta-examples/echo }
`,
);
// bob's Beta follows the local platform.
writeFileSync(join(workDir, "Pulumi.beta-bob.yaml"), "config:\n  beta:platformStack: local\n");
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** A cluster where `copies` are the services namespace beta-<name> runs its own copy of. */
function cluster(copies: Record<string, string[]>) {
  return new RecordingKubectl((args) => {
    const namespace = args[args.indexOf("-n") + 1];
    const selector = args[args.indexOf("-l") + 1] ?? "";
    const service = /app\.kubernetes\.io\/name=([^,]+)/.exec(selector)?.[1];
    const running = selector.includes("beta/personal-copy=true") && (copies[namespace] ?? []).includes(service ?? "");
    return { stdout: JSON.stringify({ kind: "List", items: running ? [{ kind: "Deployment", metadata: { name: service } }] : [] }) };
  });
}

/** `beta sync <args>` wired as main.ts wires it, with the engine replaced by a recorder. */
async function sync(args: string[], kubectl: RecordingKubectl) {
  const deps = fakeDeps({ workDir, kubectl });
  const started: SyncOptions[] = [];
  let exitCode: number | undefined;
  // Wired as cli/main.ts wires it; only the engine is stubbed.
  const program = new Command("beta").exitOverride();
  registerSyncCommand(program, {
    env: {},
    userName: () => "alice",
    streams: { stdout: deps.stdout, stderr: deps.stderr },
    setExitCode: (code) => (exitCode = code),
    handleSignals: false,
    knownApps: async () => ["web", "api"],
    sharedServices: async (name) => (await sharedServicesFromPlatformFile(workDir, await platformStackFromBetaFile(workDir, `beta-${name}`))) ?? [],
    personalCopyRunning: (namespace, service, context) => personalCopyRunning(kubectl, namespace, service, context),
    start: (options: SyncOptions): SyncSession => {
      started.push(options);
      const done = Promise.resolve({ ok: true, runs: 1 });
      return { done, watching: Promise.resolve(false), stop: () => done };
    },
  });
  await program.parseAsync(["sync", ...args, "--path", workDir], { from: "user" });
  return { exitCode, started, stderr: deps.err.text };
}

describe("beta sync into a personal copy of a shared service", () => {
  it("syncs into alice's copy of billing, into billing's syncPath, as into an app", async () => {
    const kubectl = cluster({ "beta-alice": ["billing"] });
    const run = await sync(["alice", "billing", "--once"], kubectl);
    expect(run.exitCode).toBe(0);
    expect(run.started).toEqual([expect.objectContaining({ name: "alice", app: "billing", remotePath: "/srv/billing", once: true })]);
    expect(run.stderr).toContain('app "billing" (your personal copy of the shared service), namespace beta-alice');
    expect(kubectl.calls).toEqual([["--request-timeout=8s", "get", "deployments", "-n", "beta-alice", "-l", "app.kubernetes.io/name=billing,beta/personal-copy=true", "-o", "json"]]);
  });

  it("a service without syncPath is synced into /app; --remote-path still wins; --context reaches kubectl", async () => {
    const kubectl = cluster({ "beta-alice": ["ledger", "billing"] });
    expect((await sync(["alice", "ledger", "--once"], kubectl)).started[0]).toMatchObject({ app: "ledger", remotePath: "/app" });
    expect((await sync(["alice", "billing", "--once", "--remote-path", "/opt/src"], kubectl)).started[0]).toMatchObject({ remotePath: "/opt/src" });
    await sync(["alice", "billing", "--once", "--context", "kind-beta"], kubectl);
    expect(kubectl.calls.at(-1)?.slice(0, 3)).toEqual(["--request-timeout=8s", "--context", "kind-beta"]);
  });

  it("a Beta that follows another platform is looked up in that platform's shared services", async () => {
    const run = await sync(["bob", "echo", "--once"], cluster({ "beta-bob": ["echo"] }));
    expect(run.exitCode).toBe(0);
    expect(run.started[0]).toMatchObject({ name: "bob", app: "echo", remotePath: "/app" });
  });

  it("through runCli: billing still shared in alice's Beta is a clear error naming the fix; nothing starts", async () => {
    const kubectl = cluster({ "beta-bob": ["billing"] });
    const result = await runBeta(["sync", "alice", "billing", "--once"], { workDir, kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "beta sync: error: billing is a shared service, and Beta alice uses the shared one (no personal copy of it in beta-alice): run beta up alice --service billing first, then beta sync alice billing again",
    );
  });

  it("a shared service the platform does not let a Beta copy says so", async () => {
    const run = await sync(["alice", "postgres", "--once"], cluster({}));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("postgres is a shared service, and Beta alice uses the shared one");
    expect(run.stderr).toContain("the platform does not let a Beta copy it");
    expect(run.started).toEqual([]);
  });

  it("a typo suggests the closest app or shared service and lists both", async () => {
    const run = await sync(["alice", "biling", "--once"], cluster({}));
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('app "biling" is not an app of the platform; did you mean "billing"? (apps: web, api; shared services a Beta may copy: billing, ledger)');
    expect(run.started).toEqual([]);
  });
});
