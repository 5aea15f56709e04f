/**
 * The QA suite a Beta can run against itself (`beta:qa` on the platform stack, exported as
 * output `qa`; `beta test` reads it): an image built from the same green build as the apps.
 */
import { z } from "zod";
import { ConfigError, formatIssues } from "./config-error";
import { envMap, imageRepository, strictObject } from "./config-rules";
import { DEFAULT_QA_TIMEOUT_SECONDS } from "./qa-job";

export { DEFAULT_QA_TIMEOUT_SECONDS };
/** Bounds of the suite's own run time (its default is with the Job, lib/qa-job.ts). */
const MIN_QA_TIMEOUT_SECONDS = 60;
const MAX_QA_TIMEOUT_SECONDS = 6 * 3600;

/** Env `beta test` gives the suite: the Beta's public and in-cluster URLs and its name. */
export const QA_RESERVED_ENV = ["BETA_URL", "BETA_URLS", "BETA_SERVICE_URLS", "BETA_NAME"] as const;

export const qaConfig = strictObject({
  /** Repository without a tag: the suite runs tagged like the apps, with the release tag (or `beta test --tag`). */
  image: imageRepository,
  /** The suite's command; `beta test -- args` appends to it. Required with reportPath (the Job wraps it). */
  command: z.array(z.string().min(1, "a non-empty word")).min(1, "at least the program to run, e.g. [\"npm\", \"test\"]").optional(),
  env: envMap.optional(),
  timeoutSeconds: z
    .number({ error: "a whole number of seconds" })
    .int("a whole number of seconds")
    .min(MIN_QA_TIMEOUT_SECONDS, `at least ${MIN_QA_TIMEOUT_SECONDS} seconds`)
    .max(MAX_QA_TIMEOUT_SECONDS, `at most ${MAX_QA_TIMEOUT_SECONDS} seconds (6 hours)`)
    .optional(),
  /** Absolute path of the report the suite writes (e.g. JUnit XML), copied out by `beta test --report`. */
  reportPath: z
    .string()
    .regex(/^\/[A-Za-z0-9._\-/]*[A-Za-z0-9._-]$/, "an absolute file path such as /reports/junit.xml (letters, digits, '.', '_', '-', '/')")
    .refine((value) => !value.split("/").includes(".."), "no '..' segments")
    .optional(),
}).superRefine((qa, ctx) => {
  for (const name of Object.keys(qa.env ?? {}).filter((key) => (QA_RESERVED_ENV as readonly string[]).includes(key))) {
    ctx.addIssue({ code: "custom", path: ["env", name], message: `${name} is set by beta test itself (${QA_RESERVED_ENV.join(", ")})`, input: qa.env?.[name] });
  }
  if (qa.reportPath !== undefined && qa.command === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["reportPath"],
      message: "needs command: the Job runs the suite's command, then waits while beta test copies the report out",
      input: qa.reportPath,
    });
  }
});

export type QaConfig = z.output<typeof qaConfig>;

/** The platform's `qa` output, or undefined when the platform offers no suite. */
export function readQaOutput(platformStack: string, raw: unknown): QaConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const result = qaConfig.safeParse(raw, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(`The platform stack ${JSON.stringify(platformStack)} exports invalid data:\n${formatIssues(`${platformStack} output qa`, result.error.issues)}`);
  }
  return result.data;
}
