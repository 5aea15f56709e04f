/**
 * The CI definitions a company copies: they parse, and every `npx beta <verb>` they run is a
 * verb of the command with options it has, and every npm script they call exists.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main";
import { fakeDeps } from "../support/cli-harness";

const repo = path.resolve(__dirname, "../..");
const read = (file: string) => readFileSync(path.join(repo, file), "utf8");
const files = [...readdirSync(path.join(repo, ".github/workflows")).map((f) => `.github/workflows/${f}`), ".circleci/config.yml"];

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value && typeof value === "object" ? (value as Json) : {});

/** Every shell script in a GitHub workflow or a CircleCI config. */
function scripts(file: string): string[] {
  const doc = obj(parse(read(file)));
  const found: string[] = [];
  const steps = (list: unknown) => {
    for (const step of Array.isArray(list) ? list : []) {
      const run = obj(step).run;
      if (typeof run === "string") found.push(run);
      else if (typeof obj(run).command === "string") found.push(obj(run).command as string);
    }
  };
  for (const job of Object.values(obj(doc.jobs))) steps(obj(job).steps);
  for (const command of Object.values(obj(doc.commands))) steps(obj(command).steps);
  return found;
}

/** `npx beta <verb> <args...>` invocations, args split as the shell would (quotes kept simple). */
function betaInvocations(script: string): string[][] {
  return [...script.matchAll(/npx beta ([^\n|;&]+)/g)].map((m) => m[1].trim().split(/\s+/).map((arg) => arg.replace(/^"(.*)"$/, "$1")));
}

const program = buildProgram(fakeDeps());
const packageScripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);

describe.each(files)("%s", (file) => {
  it("is valid YAML", () => {
    expect(parseDocument(read(file)).errors).toEqual([]);
  });

  it("runs only verbs and options `beta` has", () => {
    const invocations = scripts(file).flatMap(betaInvocations);
    expect(invocations.length).toBeGreaterThan(0);
    for (const [verb, ...args] of invocations) {
      const command = program.commands.find((c) => c.name() === verb);
      expect(command, `beta ${verb}`).toBeDefined();
      const known = command!.options.map((o) => o.long);
      for (const option of args.filter((a) => a.startsWith("--"))) expect(known, `beta ${verb} ${option}`).toContain(option.split("=")[0]);
    }
  });

  it("calls only npm scripts package.json has, and only scripts/ files the repository has", () => {
    for (const [, script] of scripts(file).join("\n").matchAll(/bash (scripts\/[\w.-]+|\.ci\/[\w.-]+)/g)) {
      expect(existsSync(path.join(repo, script)), script).toBe(true);
    }
    const called = scripts(file).flatMap((script) =>
      [...script.matchAll(/\bnpm (?:run(?:-script)?\s+([\w:-]+)|(test|start|stop|restart)\b)/g)].map((m) => m[1] ?? m[2]),
    );
    for (const name of called) expect(packageScripts, `npm script ${name}`).toContain(name);
  });
});

describe("the release flow", () => {
  it("GitHub: on push to master, npm ci and npm test, images tagged master-<short sha>, beta release with a report artifact", () => {
    const workflow = obj(parse(read(".github/workflows/beta-release.yml")));
    expect(obj(obj(workflow.on).push).branches).toEqual(["master"]);
    const all = scripts(".github/workflows/beta-release.yml").join("\n");
    expect(all).toContain("npm ci");
    expect(all).toContain("npm test");
    expect(all).toContain("master-${GITHUB_SHA::7}");
    expect(all).toMatch(/docker build --tag "\$image:\$TAG"/);
    expect(all).toMatch(/docker push "\$image:\$TAG"/);
    expect(all).toContain('npx beta release "${{ needs.images.outputs.tag }}" --report beta-release.json');
    const text = read(".github/workflows/beta-release.yml");
    for (const secret of ["PULUMI_ACCESS_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) expect(text).toContain(`secrets.${secret}`);
    expect(text).toContain("vars.BETA_REGISTRY");
    expect(text).toMatch(/upload-artifact@v4[\s\S]*if: always\(\)[\s\S]*path: beta-release\.json/);
  });

  it("GitHub: the reaper runs on a schedule with --idle-days 14 --yes", () => {
    const workflow = obj(parse(read(".github/workflows/beta-reap.yml")));
    expect(Array.isArray(obj(workflow.on).schedule)).toBe(true);
    expect(scripts(".github/workflows/beta-reap.yml").join("\n")).toContain("npx beta reap --idle-days 14 --yes");
  });

  it("CircleCI: the same jobs, every workflow job defined, release only on master", () => {
    const config = obj(parse(read(".circleci/config.yml")));
    expect(config.version).toBe(2.1);
    const jobs = Object.keys(obj(config.jobs));
    const workflows = obj(config.workflows);
    for (const workflow of Object.values(workflows)) {
      for (const entry of obj(workflow).jobs as unknown[]) {
        const name = typeof entry === "string" ? entry : Object.keys(obj(entry))[0];
        expect(jobs).toContain(name);
      }
    }
    const release = (obj(workflows["beta-release"]).jobs as unknown[]).map(obj).find((j) => "release" in j);
    expect(obj(obj(obj(release).release).filters).branches).toEqual({ only: "master" });
    const all = scripts(".circleci/config.yml").join("\n");
    expect(all).toContain('npx beta release "master-${CIRCLE_SHA1:0:7}" --report beta-release.json');
    expect(all).toContain("npx beta reap --idle-days 14 --yes");
    const [trigger] = obj(workflows["beta-reap"]).triggers as unknown[];
    expect(obj(obj(trigger).schedule).cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });
});
