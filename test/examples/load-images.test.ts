/**
 * examples/load-images.sh with stand-ins for docker and kind on PATH: each missing piece
 * gets one message naming it and the command that fixes it, before anything is built; a
 * good run builds both images with the tag as their VERSION and loads them into the cluster.
 */
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const script = path.join(repo, "examples/load-images.sh");

interface World {
  docker?: "missing" | "daemon-down" | "ok";
  kind?: "missing" | "no-cluster" | "ok";
}

/** A PATH with only the tools the script needs, plus docker and kind stand-ins that log their arguments. */
function stage(world: World): { env: NodeJS.ProcessEnv; log: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "load-images-"));
  const bin = path.join(dir, "bin");
  const log = path.join(dir, "calls.log");
  mkdirSync(bin);
  for (const tool of ["bash", "dirname", "grep"]) {
    const found = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find((p) => existsSync(p));
    if (!found) throw new Error(`${tool} not found`);
    symlinkSync(found, path.join(bin, tool));
  }
  const stub = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!${path.join(bin, "bash")}\necho "${name} $*" >> ${JSON.stringify(log)}\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  if (world.docker !== "missing") stub("docker", world.docker === "daemon-down" ? '[ "$1" = info ] && exit 1; exit 0' : "exit 0");
  if (world.kind !== "missing") stub("kind", world.kind === "no-cluster" ? '[ "$1" = get ] && echo kind; exit 0' : '[ "$1" = get ] && printf "kind\\nbeta\\n"; exit 0');
  return { env: { PATH: bin, HOME: dir }, log };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(path.join(env.PATH!, "bash"), [script, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const calls = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []);

describe("examples/load-images.sh refuses, naming the problem and the fix, before building anything", () => {
  const cases: { why: string; world: World; args?: string[]; message: RegExp }[] = [
    { why: "no docker on PATH", world: { docker: "missing", kind: "ok" }, message: /docker is not installed.*install Docker/ },
    { why: "docker's daemon is not running", world: { docker: "daemon-down", kind: "ok" }, message: /daemon does not answer.*start Docker/ },
    { why: "no kind on PATH", world: { docker: "ok", kind: "missing" }, message: /kind is not installed.*v0\.24\.0 or newer/ },
    { why: "no kind cluster named beta", world: { docker: "ok", kind: "no-cluster" }, message: /no kind cluster "beta".*kind create cluster --config examples\/kind\.yaml/ },
    { why: "a tag docker would refuse", world: { docker: "ok", kind: "ok" }, args: ["local/2"], message: /"local\/2" is not an image tag/ },
  ];
  it.each(cases)("$why", async ({ world, args, message }) => {
    const { env, log } = stage(world);
    const result = await run(args ?? [], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(calls(log).filter((call) => / (build|load) /.test(call))).toEqual([]);
  });
});

describe("examples/load-images.sh with docker and a kind cluster", () => {
  it("builds the apps', the echo backend's and the QA suite's images with the tag as their VERSION and loads each into cluster beta", async () => {
    const { env, log } = stage({ docker: "ok", kind: "ok" });
    const result = await run(["local-2"], env);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const work = calls(log).filter((call) => / (build|load) /.test(call));
    expect(work).toEqual([
      `docker build --quiet --build-arg VERSION=local-2 --tag beta-examples/web:local-2 ${path.join(repo, "examples/web")}`,
      "kind load docker-image --name beta beta-examples/web:local-2",
      `docker build --quiet --build-arg VERSION=local-2 --tag beta-examples/api:local-2 ${path.join(repo, "examples/api")}`,
      "kind load docker-image --name beta beta-examples/api:local-2",
      `docker build --quiet --build-arg VERSION=local-2 --tag beta-examples/echo:local-2 ${path.join(repo, "examples/echo")}`,
      "kind load docker-image --name beta beta-examples/echo:local-2",
      `docker build --quiet --build-arg VERSION=local-2 --tag beta-examples/qa:local-2 ${path.join(repo, "examples/qa")}`,
      "kind load docker-image --name beta beta-examples/qa:local-2",
    ]);
  });

  it("defaults to the tag of Pulumi.local.yaml", async () => {
    const { env, log } = stage({ docker: "ok", kind: "ok" });
    expect((await run([], env)).code).toBe(0);
    const releaseTag = /^\s*beta:releaseTag: (\S+)$/m.exec(readFileSync(path.join(repo, "Pulumi.local.yaml"), "utf8"))?.[1];
    expect(calls(log)).toContain(`kind load docker-image --name beta beta-examples/web:${releaseTag}`);
  });
});
