/**
 * Beta on a laptop when something is off (README "Beta on a laptop", "When something is
 * off"): a kind cluster never created, a cluster that does not answer, images not loaded into
 * kind, and port 8080 held by another program. Each gives one line naming the problem and
 * the command that fixes it.
 */
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveOptions } from "../../components/router-options";
import { misdirectedText, MISDIRECTED_STATUS } from "../../components/router-pages";
import { buildProgram } from "../../cli/main";
import { ConfigError } from "../../lib/config-error";
import { minifyKubeconfig } from "../../lib/kubeconfig";
import { adoptedKubeconfig } from "../../stacks/adopted-kubeconfig";
import { RecordingKubectl, fakeDeps, runBeta } from "../support/cli-harness";
import { betaInvocations, read } from "../support/ci-workflows";
import { clusterList } from "../support/cluster-json";
import { freePort } from "../support/router-net";
import { ScriptedGateway } from "../support/scripted-gateway";

/** A kubeconfig with one other cluster in it, holding a token that must never be printed. */
const OTHER_KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  "current-context": "kind-kind",
  clusters: [{ name: "kind-kind", cluster: { server: "https://127.0.0.1:40001" } }],
  contexts: [{ name: "kind-kind", context: { cluster: "kind-kind", user: "kind-kind" } }],
  users: [{ name: "kind-kind", user: { token: "s3cret-token-value" } }],
});

const WORK_DIR = "/clone";
const KIND_YAML = path.join(WORK_DIR, "examples", "kind.yaml");
const kindYaml = (hostPort: number) =>
  `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nname: beta\nnodes:\n  - role: control-plane\n    extraPortMappings:\n      - containerPort: 30080\n        hostPort: ${hostPort}\n        listenAddress: 127.0.0.1\n`;

/** The local platform stack's outputs, as `pulumi up --stack local` leaves them. */
const localPlatform = () =>
  new ScriptedGateway([
    {
      name: "local",
      outputs: {
        domain: "beta.localhost",
        releaseTag: "local-1",
        apps: [],
        kubeconfig: JSON.stringify({
          apiVersion: "v1",
          kind: "Config",
          "current-context": "kind-beta",
          clusters: [{ name: "kind-beta", cluster: { server: "https://127.0.0.1:41234" } }],
          contexts: [{ name: "kind-beta", context: { cluster: "kind-beta" } }],
          users: [],
        }),
        clusterEndpoint: "https://127.0.0.1:41234",
      },
    },
  ]);

const tools = {
  pulumi: (args: readonly string[]) => (args[0] === "version" ? { stdout: "v3.248.0\n" } : { stdout: "User: alice\nBackend URL: file://~\n" }),
  rsync: () => ({ stdout: "rsync  version 3.2.7  protocol version 31\n" }),
};

const REFUSED = "The connection to the server 127.0.0.1:41234 was refused - did you specify the right host or port?";

/** kubectl whose current context is kind-beta; `cluster` answers `get --raw /version`. */
const kindKubectl = (cluster: { code?: number; stdout?: string; stderr?: string }) =>
  new RecordingKubectl((args) =>
    args.includes("view")
      ? { stdout: JSON.stringify({ "current-context": "kind-beta", clusters: [{ name: "kind-beta", cluster: { server: "https://127.0.0.1:41234" } }] }) }
      : args.includes("--raw")
        ? cluster
        : { code: 1, stderr: "unexpected call" },
  );

const line = (stdout: string, prefix: string) => stdout.split("\n").find((l) => l.startsWith(prefix));
const fixAfter = (stdout: string, prefix: string) => {
  const lines = stdout.split("\n");
  return lines[lines.findIndex((l) => l.startsWith(prefix)) + 1];
};

describe("a kubeconfig context that does not exist", () => {
  it("kind-beta missing (the kind cluster was never created): names it and the kind create command", () => {
    expect(() => minifyKubeconfig(OTHER_KUBECONFIG, "kind-beta")).toThrow(
      new ConfigError('beta:cluster.context "kind-beta" is not a context of the kubeconfig (contexts: kind-kind). The kind cluster "beta" does not exist; create it: kind create cluster --config examples/kind.yaml'),
    );
  });

  it("another kind cluster's context: creates that cluster by name", () => {
    expect(() => minifyKubeconfig(OTHER_KUBECONFIG, "kind-dev")).toThrow(/The kind cluster "dev" does not exist; create it: kind create cluster --name dev$/);
  });

  it("a context that is not kind's: how to list the contexts and choose one, and no credential in the message", () => {
    let message = "";
    try {
      minifyKubeconfig(OTHER_KUBECONFIG, "prod");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      'beta:cluster.context "prod" is not a context of the kubeconfig (contexts: kind-kind). List the contexts with `kubectl config get-contexts` and choose one: pulumi config set --path beta:cluster.context <context>',
    );
    expect(message).not.toContain("s3cret");
  });

  describe("the kubeconfig file itself is missing", () => {
    const saved = process.env.KUBECONFIG;
    afterEach(() => {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    });

    it("with context kind-beta: kind create cluster writes it", () => {
      const file = path.join(os.tmpdir(), `beta-no-kubeconfig-${process.pid}`, "config");
      process.env.KUBECONFIG = file;
      expect(() => adoptedKubeconfig({ provider: "kubeconfig", context: "kind-beta" })).toThrow(
        new ConfigError(
          `The kubeconfig ${file} cannot be read (ENOENT), so it has no context kind-beta. The kind cluster "beta" does not exist; create it: kind create cluster --config examples/kind.yaml (it writes that file), or set KUBECONFIG to the file that has the context`,
        ),
      );
    });

    it("a kubeconfig that is there but lacks kind-beta is read, and the context named", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "beta-kubeconfig-"));
      process.env.KUBECONFIG = path.join(dir, "config");
      fs.writeFileSync(process.env.KUBECONFIG, OTHER_KUBECONFIG);
      try {
        expect(() => adoptedKubeconfig({ provider: "kubeconfig", context: "kind-beta" })).toThrow(/^beta:cluster\.context "kind-beta" is not a context of the kubeconfig \(contexts: kind-kind\)\. The kind cluster "beta" does not exist; create it: kind create cluster --config examples\/kind\.yaml$/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe("a cluster that does not answer", () => {
  it("beta doctor: the kind cluster's node is stopped; FAIL naming docker start, exit 1", async () => {
    const closed = await freePort();
    const result = await runBeta(["doctor", "alice", "--platform-stack", "local"], {
      gateway: localPlatform(),
      kubectl: kindKubectl({ code: 1, stderr: `E1202 00:00:00.000000   1 memcache.go:265] couldn't get current server API group list: Get "https://127.0.0.1:41234/api": dial tcp 127.0.0.1:41234: connect: connection refused\n${REFUSED}\n` }),
      programs: tools,
      workDir: WORK_DIR,
      files: new Map([[KIND_YAML, kindYaml(closed)]]),
    });
    expect(result.code, result.stdout).toBe(1);
    expect(line(result.stdout, "FAIL")).toBe(
      'FAIL  Cluster: kind-beta does not answer: couldn\'t get current server API group list: Get "https://127.0.0.1:41234/api": dial tcp 127.0.0.1:41234: connect: connection refused',
    );
    expect(fixAfter(result.stdout, "FAIL")).toBe(
      '      → Start the kind cluster\'s node: docker start beta-control-plane (if `kind get clusters` does not list "beta": kind create cluster --config examples/kind.yaml)',
    );
  });

  it("beta doctor: a cluster that answers is ok, with its version", async () => {
    const closed = await freePort();
    const result = await runBeta(["doctor", "alice", "--platform-stack", "local"], {
      gateway: localPlatform(),
      kubectl: kindKubectl({ stdout: JSON.stringify({ major: "1", minor: "33", gitVersion: "v1.33.1" }) }),
      programs: tools,
      workDir: WORK_DIR,
      files: new Map([[KIND_YAML, kindYaml(closed)]]),
    });
    expect(line(result.stdout, "ok    Cluster")).toBe("ok    Cluster: kind-beta answers (Kubernetes v1.33.1)");
  });

  it("beta status --context kind-beta: one line naming the context and kubectl's reason, then docker start", async () => {
    const kubectl = new RecordingKubectl(() => ({ code: 1, stderr: `${REFUSED}\n` }));
    const result = await runBeta(["status", "alice", "--context", "kind-beta", "--no-urls"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").slice(0, 2)).toEqual([
      `Error: No cluster answered kubectl (context kind-beta): ${REFUSED}`,
      'Start the kind cluster\'s node: docker start beta-control-plane (if `kind get clusters` does not list "beta": kind create cluster --config examples/kind.yaml)',
    ]);
  });

  it("beta status with no --context and a loopback API server: the kind node of examples/kind.yaml", async () => {
    const kubectl = new RecordingKubectl(() => ({ code: 1, stderr: `${REFUSED}\n` }));
    const result = await runBeta(["status", "alice", "--no-urls"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").slice(0, 2)).toEqual([
      `Error: No cluster answered kubectl: ${REFUSED}`,
      'The cluster is on this machine and stopped. For kind, start the kind cluster\'s node: docker start beta-control-plane (if `kind get clusters` does not list "beta": kind create cluster --config examples/kind.yaml); `kubectl config current-context` names yours.',
    ]);
  });

  it("beta status with no kubeconfig at all (kubectl tried localhost:8080): create the cluster", async () => {
    const kubectl = new RecordingKubectl(() => ({ code: 1, stderr: "The connection to the server localhost:8080 was refused - did you specify the right host or port?\n" }));
    const result = await runBeta(["status", "alice", "--no-urls"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[1]).toBe(
      "kubectl has no cluster configured (no current context, so it tried localhost:8080): on a laptop, kind create cluster --config examples/kind.yaml; otherwise `beta kubeconfig` adds the platform's context.",
    );
  });

  it("beta status on a cloud context: check the network or VPN and the credentials", async () => {
    const kubectl = new RecordingKubectl(() => ({ code: 1, stderr: "Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout\n" }));
    const result = await runBeta(["status", "alice", "--context", "beta-eks", "--no-urls"], { kubectl });
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").slice(0, 2)).toEqual([
      "Error: No cluster answered kubectl (context beta-eks): Unable to connect to the server: dial tcp 10.0.0.1:443: i/o timeout",
      "Check your network or VPN and your credentials for that cluster (`kubectl cluster-info`), then run beta doctor",
    ]);
  });
});

describe("images not loaded into kind", () => {
  const status = (apps: Parameters<typeof clusterList>[1], args: string[] = []) =>
    runBeta(["status", "alice", "--no-urls", ...args], { kubectl: new RecordingKubectl(() => ({ stdout: JSON.stringify(clusterList("beta-alice", apps)) })) });

  it("a sample image on a kind node: load-images.sh with its tag is the first line; exit 1", async () => {
    const result = await status([
      { app: "web", image: "beta-examples/web:local-2", node: "beta-control-plane" },
      { app: "api", image: "beta-examples/api:local-2", ready: 0, waiting: "ErrImagePull", node: "beta-control-plane" },
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe('Image beta-examples/api:local-2 of app api is not in the kind cluster "beta" (ErrImagePull): load it with bash examples/load-images.sh local-2');
    expect(result.stderr).toContain("See why: beta logs alice api");
  });

  it("any other image on kind (known by the context): kind load docker-image", async () => {
    const result = await status([{ app: "web", image: "registry.example.com/web:pr-12", ready: 0, waiting: "ImagePullBackOff", node: "some-node" }], ["--context", "kind-beta"]);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe('Image registry.example.com/web:pr-12 of app web is not in the kind cluster "beta" (ImagePullBackOff): load it with kind load docker-image registry.example.com/web:pr-12 --name beta');
  });

  it("not kind: check the tag and the registry", async () => {
    const result = await status([{ app: "web", image: "registry.example.com/web:master-0000000", ready: 0, waiting: "ImagePullBackOff" }]);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe(
      "Image registry.example.com/web:master-0000000 of app web cannot be pulled (ImagePullBackOff): check that the tag exists in its registry and the cluster may pull from it (kubectl -n beta-alice describe pods -l app.kubernetes.io/name=web shows the registry's answer)",
    );
  });

  it("an app that crashes is not called an image problem", async () => {
    const result = await status([{ app: "web", image: "beta-examples/web:local-1", ready: 0, waiting: "CrashLoopBackOff", node: "beta-control-plane" }]);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n")[0]).toBe("1 of 1 apps not ready: web (CrashLoopBackOff).");
  });
});

describe("port 8080 held by another program", () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  /** A real listener on 127.0.0.1 (only), on a free port that kind.yaml then names. */
  async function listen(handler: http.RequestListener): Promise<number> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  const doctor = (port: number) =>
    runBeta(["doctor", "alice", "--platform-stack", "local"], {
      gateway: localPlatform(),
      kubectl: kindKubectl({ stdout: "{}" }),
      programs: tools,
      workDir: WORK_DIR,
      files: new Map([[KIND_YAML, kindYaml(port)]]),
    });

  it("another web server on the port: FAIL naming it, how to find it and how to move Beta's port; exit 1", async () => {
    const port = await listen((_req, res) => res.writeHead(200, { server: "SimpleHTTP/0.6 Python/3.12.3" }).end("<html>my other project</html>"));
    const result = await doctor(port);
    expect(result.code, result.stdout).toBe(1);
    expect(line(result.stdout, "FAIL")).toBe(
      `FAIL  Local router: 127.0.0.1:${port} is held by a program that is not Beta's router (it answered HTTP 200, Server: SimpleHTTP/0.6 Python/3.12.3), so kind cannot publish the router there ("port is already allocated")`,
    );
    expect(fixAfter(result.stdout, "FAIL")).toBe(
      `      → Find it with \`lsof -nP -iTCP:${port} -sTCP:LISTEN\` and stop it, or set another hostPort in examples/kind.yaml, recreate the cluster (kind delete cluster --name beta && kind create cluster --config examples/kind.yaml) and use that port in the URLs.`,
    );
  });

  it("Beta's router on the port (its 421 for a Host that is no Beta): ok, with the Beta's URL", async () => {
    const body = misdirectedText(resolveOptions({ domain: "beta.localhost", resolver: "127.0.0.1", listenPort: 8080, defaultApp: "web" }));
    const hosts: (string | undefined)[] = [];
    const port = await listen((req, res) => {
      hosts.push(req.headers.host);
      res.writeHead(MISDIRECTED_STATUS, { "content-type": "text/plain" }).end(body);
    });
    const result = await doctor(port);
    expect(result.code, result.stdout).toBe(0);
    expect(line(result.stdout, "ok    Local router")).toBe(`ok    Local router: 127.0.0.1:${port} is Beta's router (http://alice.beta.localhost:${port})`);
    expect(hosts).toEqual(["localhost"]);
  });

  it("nothing on the port yet (before kind create cluster): a warning that says what publishes it; exit 0", async () => {
    const port = await freePort();
    const result = await doctor(port);
    expect(result.code, result.stdout).toBe(0);
    expect(line(result.stdout, "warn  Local router")).toBe(`warn  Local router: nothing listens on 127.0.0.1:${port} yet`);
  });
});

describe("README: the laptop's troubleshooting table", () => {
  const readme = read("README.md");
  const start = readme.indexOf("When something is off:");
  const table = readme.slice(start, readme.indexOf("\n\n", readme.indexOf("| symptom |", start)));

  it("has a row for each of the four, with the command that fixes it", () => {
    for (const [symptom, fix] of [
      ["port is already allocated", "hostPort"],
      ["is not in the kind cluster", "bash examples/load-images.sh <tag>"],
      ["is not a context of the kubeconfig", "kind create cluster --config examples/kind.yaml"],
      ["does not answer", "docker start beta-control-plane"],
    ]) {
      const row = table.split("\n").find((l) => l.includes(symptom));
      expect(row, symptom).toBeDefined();
      expect(row, symptom).toContain(fix);
    }
  });

  it("calls only verbs and options `beta` has", () => {
    const program = buildProgram(fakeDeps());
    const calls = betaInvocations(table.replace(/`/g, "\n"));
    expect(calls.map(([verb]) => verb)).toEqual(expect.arrayContaining(["doctor", "status"]));
    for (const [verb, ...args] of calls) {
      const command = program.commands.find((c) => c.name() === verb);
      expect(command, `beta ${verb}`).toBeDefined();
      const known = command!.options.flatMap((o) => [o.long, o.short]);
      for (const option of args.filter((a) => a.startsWith("-"))) expect(known, `beta ${verb} ${option}`).toContain(option);
    }
  });
});
