/**
 * Zod building blocks shared by the platform config, the developer config and the platform
 * outputs, so one rule has one wording everywhere.
 */
import { z } from "zod";
import { appNameProblem, developerNameProblem } from "./names";

/** A strict object whose "unknown key" message lists the keys that are allowed. */
export function strictObject<Shape extends z.ZodRawShape>(shape: Shape) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(", ")} (allowed keys: ${allowed})`
        : undefined,
  });
}

function ruleFrom(problem: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const why = problem(value);
    if (why) ctx.addIssue({ code: "custom", message: why, input: value });
  });
}

export const appName = ruleFrom(appNameProblem);
export const developerName = ruleFrom(developerNameProblem);

export const port = z
  .number({ error: "must be a whole number from 1 to 65535" })
  .int("must be a whole number from 1 to 65535")
  .min(1, "must be a whole number from 1 to 65535")
  .max(65535, "must be a whole number from 1 to 65535");

/** Docker tag grammar. */
export const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "an image tag is 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
  // Images are pinned (the router's image rule too): "latest" moves under a running Beta.
  .refine((value) => value !== "latest", "pin a build such as master-3f2c1ab; \"latest\" changes under a running Beta");

/**
 * An image repository without tag or digest (`registry.example.com:5000/team/web`); Beta adds
 * the tag, so a tag here would be ambiguous.
 */
export const imageRepository = z.string().superRefine((value, ctx) => {
  const lastSegment = value.slice(value.lastIndexOf("/") + 1);
  let why: string | undefined;
  if (value.includes("@")) why = "give the repository without a digest; Beta adds the tag";
  else if (lastSegment.includes(":")) why = "give the repository without a tag; Beta adds the release tag";
  else if (!/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/.test(value)) {
    why = "an image repository is lower-case path components separated by '/', optionally after a registry host";
  }
  if (why) ctx.addIssue({ code: "custom", message: why, input: value });
});

/**
 * A whole image reference for a personal copy: a repository (the rule above), optionally with a
 * `:tag` (the tag rule) or an `@sha256:` digest. Without either, Beta adds the tag.
 */
export const imageReference = z.string().superRefine((value, ctx) => {
  const problem = imageReferenceProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
});

/** An image reference split into its parts; `tag` and `digest` only when the text gives them. */
export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

export function splitImageReference(value: string): ImageReference {
  const at = value.indexOf("@");
  const named = at === -1 ? value : value.slice(0, at);
  const digest = at === -1 ? undefined : value.slice(at + 1);
  const lastSlash = named.lastIndexOf("/");
  const colon = named.indexOf(":", lastSlash + 1);
  return colon === -1 ? { repository: named, digest } : { repository: named.slice(0, colon), tag: named.slice(colon + 1), digest };
}

function imageReferenceProblem(value: string): string | undefined {
  const { repository, tag, digest } = splitImageReference(value);
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) return "a digest is @sha256: and 64 lower-case hex digits";
  const repositoryCheck = imageRepository.safeParse(repository);
  if (!repositoryCheck.success) return "an image such as registry.example.com/team/billing, with an optional :tag or @sha256: digest";
  if (tag !== undefined) {
    const tagCheck = imageTag.safeParse(tag);
    if (!tagCheck.success) return tagCheck.error.issues[0].message;
  }
  return undefined;
}

export const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name is letters, digits and '_', not starting with a digit");

export const envMap = z.record(envName, z.string({ error: "environment values are strings" }));

/** Kubernetes resource quantity (`500m`, `1.5`, `256Mi`, `2G`). */
export const quantity = z
  .string({ error: "a quantity is a string such as \"500m\" or \"256Mi\"" })
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, "a Kubernetes quantity such as \"500m\", \"2\" or \"256Mi\"");

export const cpuAndMemory = strictObject({
  /** CPU, e.g. "250m". */
  cpu: quantity.optional(),
  /** Memory, e.g. "512Mi". */
  memory: quantity.optional(),
});

export const replicas = z.number().int("must be a whole number").min(0, "must be 0 or more").max(20, "at most 20 replicas per app");

/** A DNS host name or an IPv4 address, as a shared backend's `host`. */
export const backendHost = z
  .string()
  .refine(
    (value) =>
      isIPv4(value) ||
      (value.length <= 253 &&
        value.split(".").every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label))),
    "a DNS name (e.g. billing.internal.example.com) or an IPv4 address",
  );

export function isIPv4(value: string): boolean {
  const parts = value.split(".");
  return parts.length === 4 && parts.every((part) => /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/.test(part));
}

/** A DNS domain such as `beta.example.com`: at least two labels, lower case. */
export const domainName = z
  .string()
  .refine(
    (value) =>
      value.length <= 200 &&
      value.split(".").length >= 2 &&
      value.split(".").every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)),
    "a lower-case DNS domain with at least two labels, e.g. beta.example.com",
  )
  // A numeric last label is an IP address, which no wildcard record or certificate can cover.
  .refine((value) => !/^[0-9]+$/.test(value.split(".").at(-1) ?? ""), "a DNS domain, not an IP address (its last label is a name, e.g. beta.example.com)");

/** An IPv4 CIDR block such as `10.0.0.0/16`. */
export const cidr = z.string().refine((value) => {
  const [address, bits, ...rest] = value.split("/");
  return rest.length === 0 && isIPv4(address) && bits !== undefined && /^([0-9]|[12][0-9]|3[0-2])$/.test(bits);
}, "an IPv4 CIDR such as 203.0.113.0/24");
