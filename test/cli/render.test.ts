import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { manifestFileName } from "../../cli/commands/render";
import type { RenderBeta } from "../../cli/deps";
import { renderBeta } from "../../offline/render-beta";
import { runBeta } from "../support/cli-harness";
import { validateManifest } from "../support/kubernetes-schema";

const repo = path.resolve(__dirname, "../..");
const releaseTag = (parse(readFileSync(path.join(repo, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, string> }).config["beta:releaseTag"];

/** The real renderer, run once per distinct input. */
const cache = new Map<string, ReturnType<RenderBeta>>();
const cachedRender: RenderBeta = (options) => {
  const key = JSON.stringify(options);
  if (!cache.has(key)) cache.set(key, renderBeta(options));
  return cache.get(key)!;
};

const render = (args: string[]) => runBeta(["render", ...args], { renderBeta: cachedRender, workDir: repo });

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> };

describe("beta render: a Beta's Kubernetes objects, offline, on a fresh machine", () => {
  it("`beta render alice` against the repo's Pulumi.dev.yaml prints YAML whose every object is a valid Kubernetes object", async () => {
    const result = await render(["alice"]);
    expect(result.code, result.stderr).toBe(0);
    const docs = parseAllDocuments(result.stdout);
    for (const doc of docs) expect(doc.errors).toEqual([]);
    const objects = docs.map((doc) => doc.toJS() as Manifest);
    expect(objects.length).toBeGreaterThan(3);
    for (const object of objects) validateManifest(object as unknown as Record<string, unknown>);

    const kinds = objects.map((o) => o.kind);
    expect(kinds).toContain("Deployment");
    expect(kinds).toContain("Service");
    // The tenant namespace and its guard rails are the platform's; the Beta lives inside it.
    expect(kinds).not.toContain("Namespace");
    for (const object of objects) expect(object.metadata.namespace).toBe("beta-alice");
    // The Deployments run the platform's release tag.
    const images = objects.filter((o) => o.kind === "Deployment").map((o) => JSON.stringify(o.spec));
    for (const spec of images) expect(spec).toContain(`:${releaseTag}`);
  });

  it("ends with the router's nginx config as a comment block, so the stream stays valid YAML", async () => {
    const result = await render(["alice"]);
    const marker = result.stdout.indexOf("# ---- Router config");
    expect(marker).toBeGreaterThan(0);
    const block = result.stdout.slice(marker).trimEnd().split("\n");
    expect(block.every((line) => line.startsWith("#"))).toBe(true);
    expect(block.join("\n")).toMatch(/# server \{/);
  });

  it("--router prints the nginx config alone, the same text", async () => {
    const full = await render(["alice"]);
    const router = await render(["alice", "--router"]);
    expect(router.code).toBe(0);
    expect(router.stdout).toMatch(/server \{/);
    expect(router.stdout).not.toMatch(/apiVersion:/);
    const commented = router.stdout.trimEnd().split("\n").map((l) => (l ? `# ${l}` : "#")).join("\n");
    expect(full.stdout).toContain(commented);
  });

  it("--out writes NN-kind-name.yaml per object plus router.conf", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "beta-render-"));
    const result = await render(["alice", "--out", dir]);
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(dir).filter((f) => f !== ".beta-render").sort();
    expect(files).toContain("router.conf");
    const yamlFiles = files.filter((f) => f.endsWith(".yaml"));
    expect(yamlFiles[0]).toBe("01-secret-app-secrets.yaml");
    for (const file of yamlFiles) {
      expect(file).toMatch(/^\d{2}-[a-z]+-[a-z0-9.-]+\.yaml$/);
      const object = parse(readFileSync(path.join(dir, file), "utf8")) as Record<string, unknown>;
      validateManifest(object);
    }
    expect(result.stdout.trim().split("\n")).toHaveLength(files.length);
  });

  it("--json parses: { objects, routerConfig }", async () => {
    const result = await render(["alice", "--json"]);
    const parsed = JSON.parse(result.stdout) as { name: string; objects: Manifest[]; routerConfig: string };
    expect(parsed.name).toBe("alice");
    expect(parsed.objects.length).toBeGreaterThan(3);
    expect(parsed.routerConfig).toContain("server {");
  });

  it("--branch renders the Beta pinned to the branch build", async () => {
    const result = await render(["alice", "--branch", "feature/login", "--json"]);
    const parsed = JSON.parse(result.stdout) as { objects: Manifest[] };
    const deployments = parsed.objects.filter((o) => o.kind === "Deployment").map((o) => JSON.stringify(o.spec));
    expect(deployments.length).toBeGreaterThan(0);
    for (const spec of deployments) expect(spec).toContain(":branch-feature-login");
  });

  it("a missing platform file says how to pass one", async () => {
    const result = await render(["alice", "--platform", "/nowhere/Pulumi.dev.yaml"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Platform config /nowhere/Pulumi.dev.yaml not found.");
    expect(result.stderr).toContain("--platform <file>");
  });

  it("--out, --router and --json do not mix", async () => {
    const result = await render(["alice", "--router", "--json"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Choose one of --out, --router and --json.");
  });

  it("file names are ordered, kind and name, safe on any file system", () => {
    expect(manifestFileName({ kind: "ClusterRole", metadata: { name: "beta:edit" } }, 2, 15)).toBe("03-clusterrole-beta-edit.yaml");
    expect(manifestFileName({ kind: "Service", metadata: { name: "web" } }, 99, 120)).toBe("100-service-web.yaml");
    expect(manifestFileName({ kind: "Service", metadata: { name: "web" } }, 0, 120)).toBe("001-service-web.yaml");
  });
});

describe("beta render --out: only into an empty or previously rendered directory", () => {
  const fresh = () => mkdtempSync(path.join(tmpdir(), "beta-out-"));

  it("a re-render removes the files of the render before (no stale objects)", async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, ".beta-render"), "99-deployment-gone.yaml\nrouter.conf\n");
    writeFileSync(path.join(dir, "99-deployment-gone.yaml"), "kind: Deployment\n");
    const result = await render(["alice", "--out", dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(dir)).not.toContain("99-deployment-gone.yaml");
    const again = await render(["alice", "--out", dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(dir).length).toBe(readFileSync(path.join(dir, ".beta-render"), "utf8").trim().split("\n").length + 1);
  });

  it("a directory with files it did not write is refused, and nothing in it is touched", async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, "notes.txt"), "mine");
    const result = await render(["alice", "--out", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr.split("\n").find((l) => l.startsWith("Error:"))).toBe(`Error: --out ${dir} is not empty and was not written by beta render (no .beta-render file).`);
    expect(readdirSync(dir)).toEqual(["notes.txt"]);
  });

  it("an existing file as --out is a plain message, not EEXIST and a bug line", async () => {
    const file = path.join(fresh(), "out.yaml");
    writeFileSync(file, "x");
    const result = await render(["alice", "--out", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: --out ${file} exists and is not a directory.`);
    expect(result.stderr).not.toContain("bug");
  });

  it("a path that cannot be created is reported plainly, without hanging", async () => {
    const parent = fresh();
    writeFileSync(path.join(parent, "file"), "x");
    const result = await render(["alice", "--out", path.join(parent, "file", "sub")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error: Cannot read ${path.join(parent, "file", "sub")}: a parent is not a directory.`);
  });

  it("/proc is refused at once (not empty, not a render)", async () => {
    const result = await render(["alice", "--out", "/proc/self"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Error: --out /proc/self is not empty and was not written by beta render");
  });

  it("a new nested directory is created", async () => {
    const dir = path.join(fresh(), "a", "b");
    mkdirSync(path.dirname(dir), { recursive: true });
    const result = await render(["alice", "--out", dir]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(dir)).toContain("router.conf");
  });
});
