/**
 * Reading CI definitions as they run, for the tests that check them: jobs and their steps,
 * the `npx beta` calls in a step's script, the shell files it runs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

export const repo = path.resolve(__dirname, "../..");
export const read = (file: string) => readFileSync(path.join(repo, file), "utf8");

export type Json = Record<string, unknown>;
export const obj = (value: unknown): Json => (value && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {});
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** One step as it runs: its shell script (if any), and when it runs. */
export interface Step {
  /** GitHub `name:`. */
  name?: string;
  script?: string;
  /** GitHub `uses:` or a CircleCI built-in step (`checkout`, `setup_remote_docker`, ...). */
  uses?: string;
  /** GitHub `if:`. */
  if?: string;
  /** CircleCI `when:`. */
  when?: string;
}

export interface Job {
  file: string;
  name: string;
  steps: Step[];
  raw: Json;
}

/** The jobs of a GitHub Actions workflow file. */
export function githubJobs(file: string): Job[] {
  const doc = obj(parse(read(file)));
  return Object.entries(obj(doc.jobs)).map(([name, value]) => {
    const raw = obj(value);
    const steps = list(raw.steps).map(
      (s): Step => ({ name: obj(s).name as string | undefined, script: obj(s).run as string | undefined, uses: obj(s).uses as string | undefined, if: obj(s).if as string | undefined }),
    );
    return { file, name, steps, raw };
  });
}

/** `npx beta <verb> <args...>` invocations, args split as the shell would (quotes kept simple). */
export function betaInvocations(script: string): string[][] {
  return [...script.matchAll(/npx beta ([^\n|;&]+)/g)].map((m) => m[1].trim().split(/\s+/).map((arg) => arg.replace(/^"(.*)"$/, "$1")));
}

/** Index of the first step whose script matches, or -1. */
export const stepIndex = (job: Job, pattern: RegExp) => job.steps.findIndex((s) => s.script !== undefined && pattern.test(s.script));

/** Shell files a script runs with `bash <file>`, relative to the repository. */
export const bashFiles = (script: string) => [...script.matchAll(/\bbash ((?:[\w.-]+\/)+[\w.-]+)/g)].map((m) => m[1]);
