/**
 * Config mistakes end with the message alone (exit 1, no "bug" line, no stack trace), also
 * when the offline runner wraps them: `beta render` runs the real program against a platform
 * file written for each case.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { renderBeta } from "../../offline/render-beta";
import { readStackConfigFile } from "../../offline/stack-file";
import { runBeta } from "../support/cli-harness";
import { DEV_CONFIG_FILE } from "../support/program";

const dir = mkdtempSync(path.join(tmpdir(), "beta-mistakes-"));
const dev = readStackConfigFile(DEV_CONFIG_FILE);
const apps = dev.apps as Record<string, unknown>[];

/** A platform file: Pulumi.dev.yaml's config with `change` applied (undefined deletes a key). */
function platformFile(change: Record<string, unknown>, raw: Record<string, unknown> = {}): string {
  const config: Record<string, unknown> = { ...dev, ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete config[key];
  const file = path.join(dir, `Pulumi.case${Math.random().toString(36).slice(2)}.yaml`);
  const entries = Object.fromEntries(Object.entries({ ...config, ...raw }).map(([key, value]) => [`beta:${key}`, value]));
  writeFileSync(file, stringify({ config: entries }));
  return file;
}

const CASES: { why: string; change: Record<string, unknown>; raw?: Record<string, unknown>; beta?: Record<string, unknown>; first: string | RegExp }[] = [
  { why: "a misspelt key", change: { releaseTags: "x" }, first: /^Error: Unknown configuration beta:releaseTags on a platform stack/ },
  { why: "no release tag", change: { releaseTag: undefined }, first: "Error: Missing configuration beta:releaseTag; it is required on the platform stack (see the config reference in README.md)." },
  { why: "a port out of range", change: { apps: [{ ...apps[0], port: 70000 }, apps[1]] }, first: "Error: Invalid configuration:" },
  { why: "no default app", change: { apps: apps.map((app) => ({ ...app, default: false })) }, first: "Error: Invalid configuration:" },
  { why: "a quota default above the ceiling", change: { quota: { default: { pods: 90 } } }, first: "Error: Quota above the ceiling (ask a platform engineer to raise beta:quota.ceiling):" },
  { why: "releaseTag latest", change: { releaseTag: "latest" }, first: "Error: Invalid configuration:" },
  { why: "plain appSecrets", change: {}, raw: { appSecrets: { DATABASE_URL: "postgres://app:pw@db/app" } }, first: /^Error: beta:appSecrets is stored as plain text/ },
  { why: "a bad developer config (imageTag latest)", change: {}, beta: { imageTag: "latest" }, first: "Error: Invalid configuration:" },
];

describe("config mistakes print their message alone", () => {
  it.each(CASES)("$why: exit 1, the message, no bug line", async ({ change, raw, beta, first }) => {
    const file = platformFile(change, raw);
    const args = ["render", "alice", "--platform", file];
    if (beta) {
      const betaFile = path.join(dir, `Pulumi.beta-alice-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(betaFile, stringify({ config: Object.fromEntries(Object.entries(beta).map(([k, v]) => [`beta:${k}`, v])) }));
      args.push("--config", betaFile);
    }
    const result = await runBeta(args, { renderBeta });
    const lines = result.stderr.split("\n").filter((line) => !line.startsWith("Rendering "));
    expect(result.code, result.stderr).toBe(1);
    if (typeof first === "string") expect(lines[0]).toBe(first);
    else expect(lines[0]).toMatch(first);
    expect(result.stderr).not.toContain("looks like a bug");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("plain appSecrets: the message gives the pulumi config set --secret command and never the value", async () => {
    const result = await runBeta(["render", "alice", "--platform", platformFile({}, { appSecrets: { DATABASE_URL: "postgres://app:pw@db/app" } })], { renderBeta });
    expect(result.stderr).toContain("pulumi config set --secret --path 'beta:appSecrets.DATABASE_URL' '<value>'");
    expect(result.stderr).not.toContain("postgres://app:pw@db/app");
  });

  it("encrypted appSecrets render, as placeholders", async () => {
    const result = await runBeta(["render", "alice", "--platform", platformFile({}, { appSecrets: { DATABASE_URL: { secure: "v1:abc" } } })], { renderBeta });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("kind: Secret");
  });
});
