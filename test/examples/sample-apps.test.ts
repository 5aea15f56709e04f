/**
 * The sample apps of examples/ (what "Beta on a laptop" and the e2e workflow run): their own
 * `node --test` suites pass, and each image agrees with the local platform's catalog in
 * Pulumi.local.yaml: the port it listens on, the directory `beta sync` writes to (and may
 * write: uid 1000 owns it), rsync inside, a pinned base image.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { APP_USER_ID } from "../../components/container-security";

const repo = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(repo, file), "utf8");

interface LocalApp {
  name: string;
  image: string;
  port: number;
  syncPath?: string;
  env?: Record<string, string>;
}
const localConfig = (parse(read("Pulumi.local.yaml")) as { config: Record<string, unknown> }).config;
const apps = localConfig["beta:apps"] as LocalApp[];

describe("the sample apps' own tests", () => {
  it("pass under node --test", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--test", "examples/web", "examples/api", "examples/echo", "examples/qa"], { cwd: repo, timeout: 60_000 });
    // node --test ends with TAP summary lines such as "# pass 12" and "# fail 0".
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(stdout)?.[1] ?? Number.NaN);
    expect(count("fail")).toBe(0);
    expect(count("pass")).toBeGreaterThanOrEqual(10);
  });
});

describe.each(apps.map((app) => [app.name, app] as const))("examples/%s", (name, app) => {
  const dockerfile = read(`examples/${name}/Dockerfile`);
  const instruction = (keyword: string) => [...dockerfile.matchAll(new RegExp(`^${keyword} (.+)$`, "gm"))].map((m) => m[1].trim());

  it("is the image the local platform runs it from", () => {
    expect(app.image).toBe(`beta-examples/${name}`);
    expect(read("examples/load-images.sh")).toContain("beta-examples/$app");
  });

  it("starts from a pinned Node.js 20 image", () => {
    expect(instruction("FROM")).toEqual([expect.stringMatching(/^node:20\.\d+\.\d+-alpine\d+\.\d+(@sha256:[0-9a-f]{64})?$/)]);
  });

  it("listens on the catalog's port", () => {
    expect(instruction("ENV")).toContain(`PORT=${app.port}`);
    expect(instruction("EXPOSE")).toEqual([String(app.port)]);
  });

  it("runs as the pods' uid from the directory beta sync writes to, which that uid owns, with rsync installed", () => {
    expect(instruction("USER")).toEqual([`${APP_USER_ID}:${APP_USER_ID}`]);
    expect(instruction("WORKDIR")).toEqual([app.syncPath ?? "/app"]);
    expect(dockerfile).toContain(`chown ${APP_USER_ID}:${APP_USER_ID} ${app.syncPath ?? "/app"}`);
    expect(instruction("RUN").some((run) => /\bapk add --no-cache rsync\b/.test(run))).toBe(true);
  });

  it("keeps the image's VERSION file out of beta sync, which would otherwise delete it", () => {
    expect(read(`examples/${name}/.betaignore`).split("\n")).toContain("VERSION");
  });
});

describe("the sample apps call each other and the shared backend by their Service names", () => {
  it("web calls api, api calls the shared echo service", () => {
    const byName = Object.fromEntries(apps.map((app) => [app.name, app]));
    const shared = (localConfig["beta:sharedServices"] as { name: string; port: number }[]).map((s) => s.name);
    expect(byName.web.env?.API_URL).toBe("http://api");
    expect(byName.api.env?.ECHO_URL).toBe("http://echo:8080");
    expect(shared).toContain("echo");
  });
});

describe("examples/echo, the shared backend a Beta may copy", () => {
  const echo = (localConfig["beta:sharedServices"] as { name: string; port: number; image?: string; syncPath?: string }[]).find((s) => s.name === "echo")!;
  const dockerfile = read("examples/echo/Dockerfile");
  const instruction = (keyword: string) => [...dockerfile.matchAll(new RegExp(`^${keyword} (.+)$`, "gm"))].map((m) => m[1].trim());

  it("is copyable from the image load-images.sh builds, which the shared one runs too", () => {
    expect(echo.image).toBe("beta-examples/echo");
    expect(read("examples/load-images.sh")).toMatch(/for app in [a-z ]*\becho\b/);
    expect(read("examples/shared/echo.yaml")).toContain("image: beta-examples/echo:");
  });

  it("serves the shared port as the pods' uid from the directory beta sync writes to, with rsync installed", () => {
    expect(instruction("FROM")).toEqual([expect.stringMatching(/^node:20\.\d+\.\d+-alpine\d+\.\d+(@sha256:[0-9a-f]{64})?$/)]);
    expect(instruction("ENV")).toContain(`PORT=${echo.port}`);
    expect(instruction("EXPOSE")).toEqual([String(echo.port)]);
    expect(instruction("USER")).toEqual([`${APP_USER_ID}:${APP_USER_ID}`]);
    expect(instruction("WORKDIR")).toEqual([echo.syncPath ?? "/app"]);
    expect(instruction("RUN").some((run) => /\bapk add --no-cache rsync\b/.test(run))).toBe(true);
  });
});

describe("examples/qa, the QA suite beta test runs", () => {
  const qa = localConfig["beta:qa"] as { image: string; command: string[]; reportPath: string };
  const dockerfile = read("examples/qa/Dockerfile");

  it("is the image and command of beta:qa, built by load-images.sh", () => {
    expect(qa.image).toBe("beta-examples/qa");
    expect(read("examples/load-images.sh")).toMatch(/for app in [a-z ]*\bqa\b/);
    expect(qa.command).toEqual(["node", "/qa/qa.js"]);
    expect(dockerfile).toMatch(/^WORKDIR \/qa$/m);
  });

  it("runs as the Job's uid and writes its report where that uid may write", () => {
    expect(dockerfile).toMatch(new RegExp(`^USER ${APP_USER_ID}:${APP_USER_ID}$`, "m"));
    expect(dockerfile).toContain(`chown ${APP_USER_ID}:${APP_USER_ID} ${path.dirname(qa.reportPath)}`);
    expect(read("examples/qa/qa.js")).toContain(`"${qa.reportPath}"`);
  });
});
