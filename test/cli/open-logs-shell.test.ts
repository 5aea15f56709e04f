import path from "node:path";
import { describe, expect, it } from "vitest";
import { RecordingKubectl, runBeta } from "../support/cli-harness";
import { clusterList } from "../support/cluster-json";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

const gateway = () => new ScriptedGateway([{ name: "beta-alice", outputs: betaOutputs("alice") }, { name: "beta-new" }]);

describe("beta open", () => {
  it("prints the default app's URL and opens it", async () => {
    const result = await runBeta(["open", "alice"], { gateway: gateway() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("https://alice.beta.example.com\n");
    expect(result.opened).toEqual(["https://alice.beta.example.com"]);
  });

  it("opens one app's URL; --print only prints", async () => {
    const result = await runBeta(["open", "alice", "api", "--print"], { gateway: gateway() });
    expect(result.stdout).toBe("https://api--alice.beta.example.com\n");
    expect(result.opened).toEqual([]);
  });

  it("an unknown app lists the apps there are", async () => {
    const result = await runBeta(["open", "alice", "admin"], { gateway: gateway() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Beta alice has no app "admin".');
    expect(result.stderr).toContain("Its apps: api, web.");
  });

  it("a Beta never deployed, or missing, says to run beta up", async () => {
    expect((await runBeta(["open", "new"], { gateway: gateway() })).stderr).toContain("beta up new");
    expect((await runBeta(["open", "zed"], { gateway: gateway() })).stderr).toContain("There is no Beta zed");
  });
});

describe("beta logs", () => {
  /** A cluster running web and api: what the quick read before streaming sees. */
  const running = (attachCode = 0) => new RecordingKubectl(() => ({ stdout: JSON.stringify(clusterList("beta-alice", [{ app: "web" }, { app: "api" }])) }), attachCode);

  it("streams one app's logs by its label", async () => {
    const kubectl = running();
    const result = await runBeta(["logs", "alice", "web", "-f", "--since", "10m"], { kubectl });
    expect(result.code).toBe(0);
    expect(kubectl.attached).toEqual([
      ["logs", "-n", "beta-alice", "-l", "app.kubernetes.io/name=web", "--all-containers", "--prefix", "--max-log-requests=20", "--tail=100", "--since=10m", "--follow"],
    ]);
  });

  it("without an app, every app of the Beta", async () => {
    const kubectl = running();
    await runBeta(["logs", "alice", "--tail", "5"], { kubectl });
    expect(kubectl.attached[0]).toContain("app.kubernetes.io/part-of=beta");
    expect(kubectl.attached[0]).toContain("--tail=5");
  });

  it("kubectl's exit code is the command's", async () => {
    const result = await runBeta(["logs", "alice", "web"], { kubectl: running(3) });
    expect(result.code).toBe(3);
  });

  it("a bad app name or --tail is refused before kubectl runs", async () => {
    const kubectl = new RecordingKubectl();
    expect((await runBeta(["logs", "alice", "Web"], { kubectl })).stderr).toContain('App name "Web" is not valid');
    expect((await runBeta(["logs", "alice", "--tail", "lots"], { kubectl })).stderr).toContain("expected a whole number");
    expect(kubectl.attached).toEqual([]);
  });

  it("a mistyped app is refused with did-you-mean before streaming, exit 2", async () => {
    const kubectl = running();
    const result = await runBeta(["logs", "alice", "wbe"], { kubectl });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('Error: Beta alice has no app "wbe"; did you mean "web"?');
    expect(kubectl.attached).toEqual([]);
  });

  it("beta logs api, where api is an app: says the first argument is the Beta, exit 2", async () => {
    const kubectl = running();
    const result = await runBeta(["logs", "api"], { kubectl, workDir: path.resolve(__dirname, "../..") });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe('Error: "api" is an app, not a Beta: the first argument of beta logs is the Beta\'s name.');
    expect(kubectl.calls).toEqual([]);
  });

  it("no reachable cluster fails at once with kubectl's reason, before streaming", async () => {
    const kubectl = new RecordingKubectl(() => ({ code: 1, stderr: "E1201 10:00:00.000000   123 memcache.go:265] couldn't get current server API group list: Get \"https://10.0.0.1:6443/api\": dial tcp 10.0.0.1:6443: i/o timeout\nUnable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout\n" }));
    const result = await runBeta(["logs", "alice", "web"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toMatch(/^Error: No cluster answered kubectl: couldn't get current server API group list: .*i\/o timeout$/);
    expect(kubectl.calls).toHaveLength(1);
    expect(kubectl.calls[0][0]).toBe("--request-timeout=8s");
    expect(kubectl.attached).toEqual([]);
  });
});

describe("beta shell", () => {
  const pods = (names: string[]) => JSON.stringify({ items: names.map((name) => ({ metadata: { name } })) });

  it("execs sh in a running pod of the app", async () => {
    const kubectl = new RecordingKubectl(() => ({ stdout: pods(["api-7d9f-0"]) }));
    const result = await runBeta(["shell", "alice", "api"], { kubectl });
    expect(result.code).toBe(0);
    expect(kubectl.calls[0]).toEqual(["--request-timeout=8s", "get", "pods", "-n", "beta-alice", "-l", "app.kubernetes.io/name=api", "--field-selector=status.phase=Running", "-o", "json"]);
    expect(kubectl.attached).toEqual([["exec", "-it", "-n", "beta-alice", "api-7d9f-0", "--", "sh"]]);
  });

  it("without an app, uses the platform's default app (Pulumi.dev.yaml)", async () => {
    const kubectl = new RecordingKubectl((args) =>
      args[2] === "deploy" ? { stdout: JSON.stringify(clusterList("beta-alice", [{ app: "web" }, { app: "api" }])) } : { stdout: pods(["web-1"]) },
    );
    const workDir = path.resolve(__dirname, "../..");
    const result = await runBeta(["shell", "alice", "--command", "bash"], { kubectl, workDir });
    expect(result.code).toBe(0);
    expect(kubectl.attached[0].slice(-3)).toEqual(["web-1", "--", "bash"]);
  });

  it("no running pod says where to look", async () => {
    const result = await runBeta(["shell", "alice", "api"], { kubectl: new RecordingKubectl(() => ({ stdout: pods([]) })) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("No running pod of app api in Beta alice.");
    expect(result.stderr).toContain("beta status alice");
  });
});

describe("beta sync: the app is checked before anything starts", () => {
  it("a mistyped app is refused at once with did-you-mean (no waiting for a pod)", async () => {
    const result = await runBeta(["sync", "alice", "wbe", "--once"], { workDir: path.resolve(__dirname, "../..") });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").find((l) => l.startsWith("beta sync: error:"))).toBe(
      'beta sync: error: app "wbe" is not an app of the platform; did you mean "web"? (apps: web, api)',
    );
  });
});
