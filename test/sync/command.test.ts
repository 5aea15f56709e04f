/**
 * `beta sync [name] [app]` on the command line: argument parsing, defaults, validation
 * before anything runs, exit codes, and a real run through the kubectl stand-in.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_SYNC_APP, registerSyncCommand, type SyncCommandOptions } from "../../cli/commands/sync";
import type { SyncOptions, SyncOutcome, SyncSession } from "../../cli/sync";
import { snapshotTree, SyncFixture, writeFiles } from "../support/sync-fixture";

let fixture: SyncFixture;
beforeEach(async () => {
  fixture = await SyncFixture.create();
});
afterEach(async () => {
  await fixture.cleanup();
});

interface Run {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  started: SyncOptions[];
}

/** Runs `beta sync <args>` with a stubbed engine (or the real one with `real`). */
async function beta(args: string[], options: Partial<SyncCommandOptions> & { env?: NodeJS.ProcessEnv; real?: boolean } = {}): Promise<Run> {
  const run: Run = { exitCode: undefined, stdout: "", stderr: "", started: [] };
  const program = new Command("beta").exitOverride();
  const done: SyncOutcome = { ok: true, runs: 1 };
  registerSyncCommand(program, {
    env: options.env ?? {},
    userName: options.userName ?? (() => "alice"),
    defaultApp: options.defaultApp,
    streams: { stdout: { write: (t: string) => (run.stdout += t) }, stderr: { write: (t: string) => (run.stderr += t) } },
    setExitCode: (code) => (run.exitCode = code),
    handleSignals: false,
    ...(options.real
      ? {}
      : {
          start: (syncOptions: SyncOptions): SyncSession => {
            run.started.push(syncOptions);
            return { done: Promise.resolve(done), watching: Promise.resolve(false), stop: () => Promise.resolve(done) };
          },
        }),
  });
  await program.parseAsync(["sync", ...args], { from: "user" });
  return run;
}

describe("choosing the Beta and the app", () => {
  const cases: { why: string; args: string[]; env?: NodeJS.ProcessEnv; user?: string; defaultApp?: SyncCommandOptions["defaultApp"]; name: string; app: string; says: string }[] = [
    { why: "both given", args: ["bob", "api"], name: "bob", app: "api", says: 'Beta "bob" (given), app "api" (given), namespace beta-bob' },
    { why: "the name from $BETA_NAME", args: [], env: { BETA_NAME: "carol" }, name: "carol", app: DEFAULT_SYNC_APP, says: 'Beta "carol" (from $BETA_NAME), app "web" (the default app)' },
    { why: "the name from the OS user, normalised", args: [], user: "Alice.Smith", name: "alice-smith", app: "web", says: 'Beta "alice-smith" (from your OS user name "Alice.Smith")' },
    { why: "a given name beats $BETA_NAME", args: ["dave"], env: { BETA_NAME: "carol" }, name: "dave", app: "web", says: 'Beta "dave" (given)' },
    { why: "the platform's default app, when the CLI passes one", args: ["bob"], defaultApp: "storefront", name: "bob", app: "storefront", says: 'app "storefront" (the default app)' },
    { why: "a default app looked up at run time", args: ["bob"], defaultApp: async () => "admin-ui", name: "bob", app: "admin-ui", says: 'app "admin-ui" (the default app)' },
  ];
  it.each(cases)("$why", async ({ args, env, user, defaultApp, name, app, says }) => {
    const run = await beta([...args, "--path", fixture.local], { env, userName: user ? () => user : undefined, defaultApp });
    expect(run.exitCode).toBe(0);
    expect(run.started).toHaveLength(1);
    expect(run.started[0]).toMatchObject({ name, app, localPath: fixture.local, once: false, dryRun: false });
    expect(run.stderr).toContain(says);
  });

  it("--dry-run implies --once; --remote-path is normalised", async () => {
    const run = await beta(["bob", "web", "--path", fixture.local, "--dry-run", "--remote-path", "/srv/app/"]);
    expect(run.started[0]).toMatchObject({ once: true, dryRun: true, remotePath: "/srv/app" });
  });
});

describe("bad input is refused before anything runs, naming the value and the rule", () => {
  const cases: { why: string; args: string[]; env?: NodeJS.ProcessEnv; user?: string; message: RegExp }[] = [
    { why: "upper case in the name", args: ["Alice"], message: /Developer name "Alice" is not valid: use lower-case letters, digits and '-'/ },
    { why: "'--' in the name", args: ["a--b"], message: /Developer name "a--b" is not valid: '--' is reserved as the app separator/ },
    { why: "a reserved name", args: ["admin"], message: /Developer name "admin" is not valid: it is reserved/ },
    { why: "a name too long", args: ["a".repeat(31)], message: /is not valid: it has 31 characters; at most 30 are allowed/ },
    { why: "an app starting with a digit", args: ["alice", "1web"], message: /App name "1web" is not valid: use lower-case letters, digits and '-', starting with a letter/ },
    { why: "an app too long", args: ["alice", "a".repeat(21)], message: /App name "a{21}" is not valid: it has 21 characters; at most 20/ },
    { why: "a bad $BETA_NAME", args: [], env: { BETA_NAME: "Bad_Name" }, message: /Developer name "Bad_Name" is not valid: .* \(from \$BETA_NAME\)\. Fix BETA_NAME, or pass a name: beta sync <name>\./ },
    { why: "an OS user name with nothing usable", args: [], user: "___", message: /Your OS user name "___" does not make a valid Beta name: .* Pass a name \(beta sync <name>\) or set BETA_NAME\./ },
    { why: "a relative --remote-path", args: ["alice", "--remote-path", "app"], message: /--remote-path "app" is not valid: it must be an absolute path in the container, like \/app/ },
    { why: "the container's root as --remote-path", args: ["alice", "--remote-path", "/"], message: /--remote-path "\/" is the container's root: beta sync mirrors deletions and will not do that/ },
  ];
  it.each(cases)("$why", async ({ args, env, user, message }) => {
    const run = await beta([...args, "--path", fixture.local], { env, userName: user ? () => user : undefined });
    expect(run.exitCode).toBe(1);
    expect(run.started).toEqual([]);
    expect(run.stderr).toMatch(/^beta sync: error: /);
    expect(run.stderr).toMatch(message);
  });

  it("a --path that does not exist", async () => {
    const run = await beta(["alice", "--path", path.join(fixture.base, "nope")]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/--path ".*nope" does not exist \(.*\): pass the app's source directory, e.g. --path \.\/web/);
    expect(run.started).toEqual([]);
  });

  it("a --path that is a file", async () => {
    await writeFiles(fixture.local, { "file.txt": "x" });
    const run = await beta(["alice", "--path", path.join(fixture.local, "file.txt")]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/--path ".*file\.txt" is not a directory/);
  });
});

describe("help", () => {
  it("explains the command with examples", () => {
    const program = new Command("beta");
    registerSyncCommand(program);
    const sync = program.commands.find((c) => c.name() === "sync");
    let help = "";
    sync?.configureOutput({ writeOut: (t) => (help += t) });
    sync?.outputHelp();
    expect(help).toContain("Usage: beta sync [options] [name] [app]");
    for (const option of ["--path <dir>", "--remote-path <dir>", "--once", "--dry-run", "--json"]) expect(help).toContain(option);
    expect(help).toContain("$ beta sync alice web --path ./web");
    expect(help).not.toContain("--namespace");
  });
});

describe("a real run through the kubectl stand-in", () => {
  it("--dry-run prints the changes on stdout, status on stderr, exits 0 and changes nothing", async () => {
    const remote = await fixture.newRemote("a");
    await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
    await writeFiles(fixture.local, { "new.js": "n" });
    await writeFiles(remote, { "stale.js": "s" });
    const remoteBefore = await snapshotTree(remote);
    const run = await beta(["alice", "web", "--path", fixture.local, "--dry-run"], { env: fixture.env, real: true });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe("  delete  stale.js\n  create  new.js\n");
    expect(run.stderr).toMatch(/dry run: 1 created, 1 deleted would be made in web-abc:.*; nothing was changed/);
    expect(await snapshotTree(remote)).toEqual(remoteBefore);
  }, 30_000);

  it("--once --json prints one JSON event per line and a result", async () => {
    const remote = await fixture.newRemote("a");
    await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", remote)] });
    await writeFiles(fixture.local, { "a.js": "a" });
    const run = await beta(["alice", "--path", fixture.local, "--once", "--json"], { env: fixture.env, real: true });
    expect(run.exitCode, run.stderr).toBe(0);
    const events = run.stdout.trim().split("\n").map((line) => JSON.parse(line) as { type: string });
    expect(events.map((e) => e.type)).toEqual(["start", "target", "sync-start", "sync", "result"]);
    expect(await fs.readFile(path.join(remote, "a.js"), "utf8")).toBe("a");
  }, 30_000);

  it("no reachable cluster: --once exits 1 after one kubectl call, with kubectl's reason and what to do", async () => {
    await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", await fixture.newRemote("a"))], failGet: 100 });
    const run = await beta(["alice", "--path", fixture.local, "--once"], { env: fixture.env, real: true });
    expect(run.exitCode).toBe(1);
    expect(run.stderr.split("\n").find((line) => line.startsWith("beta sync: error:"))).toBe(
      "beta sync: error: no cluster answered kubectl: Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused. Check your cluster access with `beta doctor`; `beta kubeconfig` adds a context for the platform's cluster, then run beta sync again",
    );
    expect(run.stderr).not.toContain("retrying");
    expect((await fixture.calls()).map((c) => c.argv[0])).toEqual(["get"]);
  }, 30_000);

  it("a failure exits 1 with what to do next", async () => {
    await fixture.writeState({ pods: [fixture.pod("web-abc", "uid-1", await fixture.newRemote("a"))], noRsync: true });
    const run = await beta(["alice", "--path", fixture.local, "--once"], { env: fixture.env, real: true });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/beta sync: error: the container web of pod web-abc has no rsync.*apt-get install -y rsync/);
  }, 30_000);
});
