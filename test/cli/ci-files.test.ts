/**
 * The CI definitions a company copies, checked for what would break them: they parse; every
 * `npx beta <verb>` is a verb with options `beta` has; every script and npm script they run
 * exists (`npx tsx` files too); the test job runs as root (the router tests bind port 80 and
 * start dnsmasq) and then the policy pack over every rendered stack; every
 * job that runs `beta release` or `beta reap` has the Pulumi CLI and the AWS CLI (the EKS
 * kubeconfig runs `aws eks get-token`) before it; the release job commits Pulumi.dev.yaml
 * back, even when a Beta failed; releases wait for green tests and never overlap a reap.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse, parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../cli/main";
import { fakeDeps } from "../support/cli-harness";
import { bashFiles, betaInvocations, githubJobs, type Job, type Json, list, obj, read, repo, type Step, stepIndex } from "../support/ci-workflows";

/** The end-to-end run on kind (test/examples/e2e-workflow.test.ts): local mode, no AWS, no fleet to guard. */
const E2E_KIND = ".github/workflows/e2e-kind.yml";
const GITHUB = readdirSync(path.join(repo, ".github/workflows")).map((f) => `.github/workflows/${f}`);
/** The workflows that run the fleet in the company's cloud. */
const GITHUB_FLEET = GITHUB.filter((file) => file !== E2E_KIND);
const CIRCLECI = ".circleci/config.yml";
const files = [...GITHUB, CIRCLECI];

/** CircleCI steps with reusable `commands` expanded in place. */
function circleSteps(entries: unknown, commands: Json): Step[] {
  return list(entries).flatMap((entry): Step[] => {
    const [key, value] = typeof entry === "string" ? [entry, undefined] : (Object.entries(obj(entry))[0] ?? ["", undefined]);
    if (key in commands) return circleSteps(obj(commands[key]).steps, commands);
    if (key === "run") {
      return typeof value === "string" ? [{ script: value }] : [{ script: String(obj(value).command), when: obj(value).when as string | undefined }];
    }
    return [{ uses: key }];
  });
}

function jobsOf(file: string): Job[] {
  if (file !== CIRCLECI) return githubJobs(file);
  const doc = obj(parse(read(file)));
  return Object.entries(obj(doc.jobs)).map(([name, value]) => {
    const raw = obj(value);
    return { file, name, steps: circleSteps(raw.steps, obj(doc.commands)), raw };
  });
}

// The release flow is the fleet's; the e2e run releases only to its own throwaway cluster.
const allJobs = files.filter((file) => file !== E2E_KIND).flatMap(jobsOf);


const RUNS_BETA_FLEET = /npx beta (release|reap)\b/;
const INSTALLS_PULUMI = /get\.pulumi\.com/;
const INSTALLS_AWS_CLI = /awscli\.amazonaws\.com\/awscli-exe-linux/;
const CHECKS_AWS_CLI = /(^|\n)\s*aws --version\s*($|\n)/;
const RUNS_TESTS = /\bnpm (run )?test\b|\bbash \.ci\/run\b/;

/** TypeScript files a script runs with `npx tsx <file>`. */
const tsxFiles = (script: string) => [...script.matchAll(/\bnpx tsx ((?:[\w.-]+\/)*[\w.-]+\.ts)\b/g)].map((m) => m[1]);
const RUNS_POLICY_CHECK = /(^|\n)\s*npx tsx scripts\/check-policy\.ts\s*($|\n)/;

const program = buildProgram(fakeDeps());
const packageScripts = Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts);

describe.each(files)("%s", (file) => {
  const jobs = jobsOf(file);
  const scripts = jobs.flatMap((job) => job.steps.flatMap((s) => (s.script ? [s.script] : [])));

  it("is valid YAML", () => {
    expect(parseDocument(read(file)).errors).toEqual([]);
  });

  it("runs only verbs and options `beta` has", () => {
    const invocations = scripts.flatMap(betaInvocations);
    expect(invocations.length).toBeGreaterThan(0);
    for (const [verb, ...args] of invocations) {
      const command = program.commands.find((c) => c.name() === verb);
      expect(command, `beta ${verb}`).toBeDefined();
      const known = command!.options.map((o) => o.long);
      for (const option of args.filter((a) => a.startsWith("--"))) expect(known, `beta ${verb} ${option}`).toContain(option.split("=")[0]);
    }
  });

  it("runs only files the repository has, and only npm scripts package.json has (also inside those files)", () => {
    const shellFiles = new Set(scripts.flatMap(bashFiles));
    for (const shellFile of shellFiles) expect(existsSync(path.join(repo, shellFile)), shellFile).toBe(true);
    for (const tsFile of scripts.flatMap(tsxFiles)) expect(existsSync(path.join(repo, tsFile)), tsFile).toBe(true);
    const texts = [...scripts, ...[...shellFiles].filter((f) => existsSync(path.join(repo, f))).map(read)];
    const called = texts.flatMap((text) => [...text.matchAll(/\bnpm (?:run(?:-script)?\s+([\w:-]+)|(test|start|stop|restart)\b)/g)].map((m) => m[1] ?? m[2]));
    for (const name of called) expect(packageScripts, `npm script ${name}`).toContain(name);
  });

  it.skipIf(file === E2E_KIND)("every job that runs beta release or beta reap installs the Pulumi CLI and has the AWS CLI first", () => {
    const fleetJobs = jobs.filter((job) => stepIndex(job, RUNS_BETA_FLEET) >= 0);
    expect(fleetJobs.length).toBeGreaterThan(0);
    for (const job of fleetJobs) {
      const beta = stepIndex(job, RUNS_BETA_FLEET);
      const pulumi = stepIndex(job, INSTALLS_PULUMI);
      expect(pulumi, `${job.name}: installs Pulumi`).toBeGreaterThanOrEqual(0);
      expect(pulumi, `${job.name}: Pulumi before beta`).toBeLessThan(beta);
      const install = stepIndex(job, INSTALLS_AWS_CLI);
      const check = stepIndex(job, CHECKS_AWS_CLI);
      const aws = install >= 0 ? install : check;
      expect(aws, `${job.name}: the AWS CLI (aws eks get-token)`).toBeGreaterThanOrEqual(0);
      expect(aws, `${job.name}: the AWS CLI before beta`).toBeLessThan(beta);
      // Only checking (not installing) is enough only where the image ships it: GitHub's ubuntu runners.
      if (install < 0) expect(String(job.raw["runs-on"]), `${job.name}: aws --version alone needs a runner that has it`).toMatch(/^ubuntu-/);
    }
  });
});

/** The files with a test job (on every push), which gates the images and the release. */
describe.each([".github/workflows/beta-release.yml", CIRCLECI])("%s", (file) => {
  it("runs the policy pack over every rendered stack in the test job, after the tests", () => {
    const testJob = jobsOf(file).find((job) => stepIndex(job, RUNS_TESTS) >= 0)!;
    const check = stepIndex(testJob, RUNS_POLICY_CHECK);
    expect(check, "npx tsx scripts/check-policy.ts").toBeGreaterThan(stepIndex(testJob, RUNS_TESTS));
    expect(testJob.steps[check].if ?? testJob.steps[check].when, "runs unconditionally").toBeUndefined();
  });

  it("runs the tests as root, through the repository's test entry", () => {
    const testSteps = jobsOf(file).flatMap((job) => job.steps.filter((s) => s.script !== undefined && RUNS_TESTS.test(s.script)));
    expect(testSteps.length).toBeGreaterThan(0);
    for (const step of testSteps) {
      expect(step.script, "as root").toMatch(/^sudo -E env "PATH=\$PATH" /);
      expect(step.script, "the whole entry: setup, typecheck, lint, test").toMatch(/\bbash \.ci\/run\b/);
    }
  });
});

describe("the release flow", () => {
  const releaseJobs = allJobs.filter((job) => stepIndex(job, /npx beta release\b/) >= 0);

  it("GitHub and CircleCI each have one release job", () => {
    expect(releaseJobs.map((job) => job.file).sort()).toEqual([".circleci/config.yml", ".github/workflows/beta-release.yml"]);
  });

  it.each(releaseJobs.map((job) => [job.file, job] as const))("%s: commits Pulumi.dev.yaml from the release's report, also when a Beta failed", (_file, job) => {
    const release = stepIndex(job, /npx beta release\b/);
    const [, ...args] = betaInvocations(job.steps[release].script!).find(([verb]) => verb === "release")!;
    const report = args[args.indexOf("--report") + 1];
    expect(args, "writes a report").toContain("--report");
    const commit = stepIndex(job, /\bbash \.github\/scripts\/commit-release-tag\.sh\b/);
    expect(commit, "commits after releasing").toBeGreaterThan(release);
    expect(job.steps[commit].script).toMatch(new RegExp(`commit-release-tag\\.sh ${report.replace(/\./g, "\\.")}\\b`));
    const step = job.steps[commit];
    if (job.file === CIRCLECI) expect(step.when).toBe("always");
    else expect(step.if).toMatch(/\balways\(\)/);
  });

  it("GitHub: the release job may push (contents: write); on push to master, after green tests and the images", () => {
    const file = ".github/workflows/beta-release.yml";
    expect(obj(obj(obj(parse(read(file))).on).push).branches).toEqual(["master"]);
    const jobs = Object.fromEntries(jobsOf(file).map((job) => [job.name, job]));
    const needs = (name: string) => [jobs[name].raw.needs].flat();
    const release = releaseJobs.find((job) => job.file === file)!;
    expect(obj(release.raw.permissions).contents).toBe("write");
    expect(needs(release.name)).toContain("images");
    expect(needs("images")).toContain("test");
    expect(stepIndex(jobs.test, RUNS_TESTS)).toBeGreaterThanOrEqual(0);
  });

  it("GitHub: releases and reaps share one concurrency group and never cancel each other", () => {
    const groups = GITHUB_FLEET.map((file) => obj(obj(parse(read(file))).concurrency));
    expect(new Set(groups.map((g) => g.group)).size).toBe(1);
    for (const group of groups) expect(group["cancel-in-progress"]).toBe(false);
  });

  it("CircleCI: every workflow job is defined; release only on master after test and images; release and reap in one serial group; reap on a schedule", () => {
    const config = obj(parse(read(CIRCLECI)));
    expect(config.version).toBe(2.1);
    const defined = Object.keys(obj(config.jobs));
    const entries = Object.fromEntries(
      Object.values(obj(config.workflows)).flatMap((workflow) =>
        list(obj(workflow).jobs).map((entry) => (typeof entry === "string" ? [entry, {}] : Object.entries(obj(entry))[0])),
      ),
    ) as Record<string, Json>;
    for (const name of Object.keys(entries)) expect(defined).toContain(name);
    expect(obj(entries.release.filters).branches).toEqual({ only: "master" });
    expect(entries.release.requires).toContain("images");
    expect(entries.images.requires).toContain("test");
    expect(entries.release["serial-group"]).toBeDefined();
    expect(entries.reap["serial-group"]).toBe(entries.release["serial-group"]);
    const [trigger] = list(obj(obj(config.workflows)["beta-reap"]).triggers);
    expect(obj(obj(trigger).schedule).cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });

  it("GitHub: the reaper runs on a schedule", () => {
    const workflow = obj(parse(read(".github/workflows/beta-reap.yml")));
    expect(list(obj(workflow.on).schedule).map((s) => obj(s).cron)[0]).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });
});
