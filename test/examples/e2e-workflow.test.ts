/**
 * .github/workflows/e2e-kind.yml cannot run here (no Docker, no kind), so what would break it
 * is checked here: it runs on pull requests and on master; every `npx beta` call is a verb
 * with options `beta` has; every script and every examples/e2e.sh check it runs exists; it
 * takes every step of the end-to-end story, in order; and the pieces it strings together
 * agree (the kind cluster, its port mapping, the local platform stack, the image tags).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main";
import { fakeDeps } from "../support/cli-harness";
import { bashFiles, betaInvocations, githubJobs, obj, read, repo, stepIndex } from "../support/ci-workflows";

const FILE = ".github/workflows/e2e-kind.yml";
const workflow = obj(parse(read(FILE)));
const [job] = githubJobs(FILE);
const scripts = job.steps.flatMap((step) => (step.script ? [step.script] : []));
const allText = scripts.join("\n");
const program = buildProgram(fakeDeps());

const kind = obj(parse(read("examples/kind.yaml")));
const local = obj(obj(parse(read("Pulumi.local.yaml"))).config);
const e2eScript = read("examples/e2e.sh");

/** The checks examples/e2e.sh has: the words of its final `case`. */
const e2eChecks = [...e2eScript.matchAll(/^ {2}([a-z-]+)\) /gm)].map((m) => m[1]);
/** `bash examples/e2e.sh <check> <args...>` calls in a script. */
const e2eCalls = (script: string) => [...script.matchAll(/bash examples\/e2e\.sh ([a-z-]+)([^\n)]*)/g)].map((m) => [m[1], ...m[2].trim().split(/\s+/).filter(Boolean)]);

describe(FILE, () => {
  it("runs on every pull request and on pushes to master, on GitHub's Ubuntu runner, with a time limit", () => {
    const on = obj(workflow.on);
    expect(on).toHaveProperty("pull_request");
    expect(obj(on.push).branches).toEqual(["master"]);
    expect(job.raw["runs-on"]).toBe("ubuntu-latest");
    expect(job.raw["timeout-minutes"]).toEqual(expect.any(Number));
  });

  it("calls only verbs and options `beta` has", () => {
    const calls = scripts.flatMap(betaInvocations);
    expect(calls.map(([verb]) => verb)).toEqual(["up", "up", "sync", "up", "status", "test", "up", "release", "destroy"]);
    for (const [verb, ...args] of calls) {
      const command = program.commands.find((c) => c.name() === verb);
      expect(command, `beta ${verb}`).toBeDefined();
      const known = command!.options.flatMap((o) => [o.long, o.short]);
      for (const option of args.filter((a) => a.startsWith("-"))) expect(known, `beta ${verb} ${option}`).toContain(option.split("=")[0]);
    }
  });

  it("runs only scripts the repository has, and only checks examples/e2e.sh has", () => {
    const files = [...new Set(scripts.flatMap(bashFiles))];
    expect(files.sort()).toEqual(["examples/e2e.sh", "examples/load-images.sh"]);
    for (const file of files) expect(existsSync(path.join(repo, file)), file).toBe(true);
    const called = scripts.flatMap(e2eCalls).map(([check]) => check);
    expect(e2eChecks.length).toBeGreaterThan(0);
    for (const check of called) expect(e2eChecks, `examples/e2e.sh ${check}`).toContain(check);
    // Every check the script has is used: a check nobody runs proves nothing.
    expect(new Set(called)).toEqual(new Set(e2eChecks));
  });

  // Each step of the end-to-end story, as the command that takes it, in this order.
  const story: [string, RegExp][] = [
    ["create the kind cluster from examples/kind.yaml", /kind create cluster --config examples\/kind\.yaml\b/],
    ["install the Pulumi CLI", /get\.pulumi\.com \| sh -s -- --version "\$PULUMI_VERSION"/],
    ["log in to a local Pulumi backend", /^pulumi login --local$/m],
    ["build the sample images and load them into kind", /bash examples\/load-images\.sh local-1\b/],
    ["deploy the local platform", /pulumi up --stack local --yes\b/],
    ["start the shared backend", /kubectl --context "\$KUBE_CONTEXT" apply -f examples\/shared\/echo\.yaml/],
    ["bring up beta-alice with beta up", /npx beta up alice\b/],
    ["bring up beta-bob with beta up", /npx beta up bob\b/],
    ["each Beta's default app and api--<name> answer with their own namespace", /bash examples\/e2e\.sh routes alice bob\b/],
    ["an unknown Beta gets the 404 page", /bash examples\/e2e\.sh not-found\b/],
    ["a stopped app gets the 503 page", /bash examples\/e2e\.sh stopped alice api\b/],
    ["alice cannot reach bob's pods", /bash examples\/e2e\.sh isolation alice bob\b/],
    ["beta sync --once changes what web serves", /npx beta sync alice web --path "\$edit" --once\b[^\n]*\n\s*bash examples\/e2e\.sh synced alice bob\b/],
    ["alice runs her own copy of the shared echo; bob's api still reaches the shared one", /npx beta up alice --service echo\n\s*bash examples\/e2e\.sh personal-copy alice bob\b/],
    ["the QA suite runs in alice's Beta with beta test, its report copied out", /npx beta test alice --report\b/],
    ["alice goes back to the shared echo", /npx beta up alice --unshare echo\n\s*E2E_VERSION=local-1 bash examples\/e2e\.sh routes alice bob\b/],
    ["a new tag is built and loaded", /bash examples\/load-images\.sh local-2\b/],
    ["beta release to the new tag", /npx beta release local-2 --platform-stack local\b/],
    ["both Betas roll to it", /E2E_VERSION=local-2 bash examples\/e2e\.sh routes alice bob\b/],
    ["beta destroy leaves nothing behind and keeps the namespace", /npx beta destroy alice --yes\n\s*bash examples\/e2e\.sh destroyed alice\b/],
  ];

  it("takes every step of the end-to-end story, in order", () => {
    let last = -1;
    for (const [step, pattern] of story) {
      const at = allText.search(pattern);
      expect(at, step).toBeGreaterThan(last);
      last = at;
    }
  });

  it("copies only a service the local platform makes copyable, and runs beta test against a platform with a QA suite", () => {
    const copied = [...allText.matchAll(/npx beta up \w+ --service (\w+)/g)].map((m) => m[1]);
    const services = local["beta:sharedServices"] as { name: string; image?: string; copyable?: boolean }[];
    for (const name of copied) expect(services.find((s) => s.name === name && s.image !== undefined && s.copyable !== false), name).toBeDefined();
    expect(obj(local["beta:qa"]).reportPath).toEqual(expect.any(String));
  });

  it("sets up what its tools need before using them: node modules, kind, a logged-in Pulumi with a passphrase", () => {
    const firstBeta = stepIndex(job, /npx beta /);
    expect(stepIndex(job, /^npm ci$/), "npm ci").toBeGreaterThanOrEqual(0);
    expect(stepIndex(job, /^npm ci$/)).toBeLessThan(firstBeta);
    expect(stepIndex(job, /pulumi login --local/)).toBeLessThan(stepIndex(job, /pulumi up --stack local/));
    expect(stepIndex(job, /kind-linux-amd64/)).toBeLessThan(stepIndex(job, /kind create cluster/));
    expect(obj(job.raw.env).PULUMI_CONFIG_PASSPHRASE).toEqual(expect.any(String));
    expect(job.steps.find((step) => /actions\/setup-node/.test(step.uses ?? ""))).toBeDefined();
  });

  it("pins kind to a release that enforces NetworkPolicy, and the Pulumi CLI to the SDK's release", () => {
    const env = obj(workflow.env);
    const [major, minor] = String(env.KIND_VERSION).replace(/^v/, "").split(".").map(Number);
    expect(String(env.KIND_VERSION)).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(major > 0 || minor >= 24, "kind v0.24.0 or newer").toBe(true);
    const sdk = (JSON.parse(read("package.json")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];
    expect(String(env.PULUMI_VERSION)).toMatch(/^\d+\.\d+\.\d+$/);
    expect(String(env.PULUMI_VERSION).split(".").slice(0, 2)).toEqual(sdk.replace(/^[~^]/, "").split(".").slice(0, 2));
  });

  it("points every developer stack at the local platform before beta up", () => {
    const up = stepIndex(job, /npx beta up alice/);
    for (const name of ["alice", "bob"]) {
      expect(job.steps[up].script).toMatch(/pulumi config set --stack "beta-\$name" beta:platformStack local/);
      expect((local["beta:developers"] as { name: string }[]).map((d) => d.name)).toContain(name);
    }
  });

  it("first loads the images of the platform's release tag, and loads the new tag before releasing it", () => {
    expect(allText).toContain(`bash examples/load-images.sh ${String(local["beta:releaseTag"])}`);
    expect(allText).toContain(`E2E_VERSION=${String(local["beta:releaseTag"])} bash examples/e2e.sh routes`);
    expect(allText.indexOf("load-images.sh local-2")).toBeLessThan(allText.indexOf("npx beta release local-2"));
  });
});

describe("the kind cluster, the local platform and the checks agree", () => {
  const [node] = (kind.nodes as { extraPortMappings?: { containerPort: number; hostPort: number; listenAddress?: string }[] }[]) ?? [];
  const mapping = node?.extraPortMappings?.[0];
  const router = obj(local["beta:router"]);

  it("the platform adopts the cluster kind makes: context kind-<name>", () => {
    expect(obj(local["beta:cluster"])).toEqual({ provider: "kubeconfig", context: `kind-${String(kind.name)}` });
    expect(e2eScript).toContain(`E2E_CONTEXT:-kind-${String(kind.name)}`);
    expect(read("examples/load-images.sh")).toContain(`KIND_CLUSTER:-${String(kind.name)}`);
  });

  it("kind publishes the router's NodePort on the port the checks and the README use, on loopback only", () => {
    expect(mapping?.containerPort).toBe(router.nodePort);
    expect(mapping?.listenAddress).toBe("127.0.0.1");
    expect(e2eScript).toContain(`E2E_PORT:-${mapping?.hostPort}`);
    expect(e2eScript).toContain(`E2E_DOMAIN:-${String(local["beta:domain"])}`);
  });

  it("the router speaks plain HTTP and the domain is under .localhost, so no DNS and no certificate are needed", () => {
    expect(router.tls).toBe("none");
    expect(String(local["beta:domain"])).toMatch(/\.localhost$/);
    expect(local["beta:hostedZone"]).toBeUndefined();
  });
});

describe("README: Beta on a laptop", () => {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("## Beta on a laptop"), readme.indexOf("\n## ", readme.indexOf("## Beta on a laptop") + 1));
  // The shell blocks, without their trailing comments.
  const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\s+#.*$/gm, "")).join("\n");

  it("calls only verbs and options `beta` has", () => {
    const calls = betaInvocations(commands);
    expect(calls.map(([verb]) => verb)).toEqual(["up", "sync", "up", "test", "up", "release", "destroy"]);
    for (const [verb, ...args] of calls) {
      const command = program.commands.find((c) => c.name() === verb)!;
      const known = command.options.flatMap((o) => [o.long, o.short]);
      for (const option of args.filter((a) => a.startsWith("-"))) expect(known, `beta ${verb} ${option}`).toContain(option);
    }
  });

  it("names only files the repository has, and takes the workflow's steps", () => {
    for (const file of new Set([...commands.matchAll(/\b(examples\/[\w./-]+\.(?:sh|yaml))\b/g)].map((m) => m[1]))) {
      expect(existsSync(path.join(repo, file)), file).toBe(true);
    }
    for (const step of ["kind create cluster --config examples/kind.yaml", "bash examples/load-images.sh", "pulumi login --local", "pulumi up --stack local", "apply -f examples/shared/echo.yaml", "beta:platformStack local", "npx beta up alice"]) {
      expect(commands, step).toContain(step);
      expect(allText, step).toContain(step);
    }
  });
});
