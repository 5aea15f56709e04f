/**
 * Image tags `beta up` pins a Beta to. Convention: CI builds master as `master-<short sha>`;
 * whoever builds a branch tags it `branch-<branch, sanitised>`, where sanitised means:
 * lower-cased; every run of characters other than a-z, 0-9, '_', '.', '-' replaced by one
 * '-'; leading and trailing '.' and '-' removed; cut to 121 characters (so the tag fits
 * Docker's 128); e.g. `feature/Login_Page` → `branch-feature-login_page`.
 */
import { BETA_CONFIG_SCHEMAS } from "../lib/beta-config";
import { parseConfigValue } from "../lib/config-error";
import { CliError } from "./errors";

export const BRANCH_TAG_PREFIX = "branch-";
const DOCKER_TAG_MAX = 128;

export function branchImageTag(branch: string): string {
  const trimEnds = (text: string) => text.replace(/^[.-]+/, "").replace(/[.-]+$/, "");
  const body = trimEnds(trimEnds(branch.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-")).slice(0, DOCKER_TAG_MAX - BRANCH_TAG_PREFIX.length));
  if (body === "") {
    throw new CliError(`Branch name ${JSON.stringify(branch)} leaves nothing for an image tag.`, "Pass the tag itself with --image-tag.");
  }
  return BRANCH_TAG_PREFIX + body;
}

/** The tag from `--image-tag` or `--branch` (not both), validated like `beta:imageTag`. */
export function imageTagFromOptions(options: { imageTag?: string; branch?: string }): string | undefined {
  if (options.imageTag !== undefined && options.branch !== undefined) {
    throw new CliError("Give --image-tag or --branch, not both.", "--branch feature/x is short for --image-tag branch-feature-x.");
  }
  const tag = options.branch !== undefined ? branchImageTag(options.branch) : options.imageTag;
  return tag === undefined ? undefined : parseConfigValue("beta:imageTag", BETA_CONFIG_SCHEMAS.imageTag, tag);
}
