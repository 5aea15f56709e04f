/**
 * .github/scripts/commit-release-tag.sh, which both CI definitions run after `beta release`,
 * against real git: a bare "GitHub" repository, a shallow CI checkout like actions/checkout's,
 * and a developer who pushes while the release runs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const script = path.resolve(__dirname, "../../.github/scripts/commit-release-tag.sh");
// No global or system git config: the script must work on a CI machine with no identity set.
const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
const person = ["-c", "user.name=Dev", "-c", "user.email=dev@example.com"];
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: "pipe" }).trim();
const platformFile = (tag: string) => `# The platform stack.\nconfig:\n  beta:domain: beta.example.com\n  beta:releaseTag: ${tag}\n`;

/** origin (bare), a CI checkout of master at depth 1, then a developer's push to master. */
function repositories(): { origin: string; ci: string; dev: string } {
  const root = mkdtempSync(path.join(tmpdir(), "commit-release-tag-"));
  const origin = path.join(root, "origin.git");
  const dev = path.join(root, "dev");
  const ci = path.join(root, "ci");
  git(root, "init", "--quiet", "--bare", "--initial-branch=master", origin);
  git(root, "clone", "--quiet", origin, dev);
  writeFileSync(path.join(dev, "Pulumi.dev.yaml"), platformFile("master-0000000"));
  writeFileSync(path.join(dev, "notes.txt"), "one\n");
  writeFileSync(path.join(dev, "other.txt"), "as committed\n");
  git(dev, "add", ".");
  git(dev, ...person, "commit", "--quiet", "-m", "Start");
  git(dev, "push", "--quiet", "origin", "HEAD:master");
  git(root, "clone", "--quiet", "--depth", "1", `file://${origin}`, ci);
  writeFileSync(path.join(dev, "notes.txt"), "one\ntwo\n");
  git(dev, ...person, "commit", "--quiet", "-am", "A developer's change, pushed during the release");
  git(dev, "push", "--quiet", "origin", "HEAD:master");
  return { origin, ci, dev };
}

function report(ci: string, platform: "updated" | "failed", tag = "master-1234567", platformStack = "dev"): string {
  const file = path.join(ci, "beta-release.json");
  writeFileSync(file, JSON.stringify({ releaseTag: tag, platformStack, ok: platform === "updated", platform: { stack: platformStack, result: platform } }));
  return file;
}

const run = (ci: string, reportFile: string) => spawnSync("bash", [script, reportFile], { cwd: ci, env, encoding: "utf8" });

describe("commit-release-tag.sh: CI commits the release tag back to master", () => {
  it("commits only Pulumi.dev.yaml, on top of what was pushed meanwhile, with [skip ci]", () => {
    const { origin, ci } = repositories();
    writeFileSync(path.join(ci, "Pulumi.dev.yaml"), platformFile("master-1234567")); // what beta release's setConfig did
    writeFileSync(path.join(ci, "other.txt"), "a stray local edit\n"); // must be neither committed nor lost
    const result = run(ci, report(ci, "updated"));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("committed Pulumi.dev.yaml (beta:releaseTag master-1234567) to master");
    expect(git(origin, "log", "--format=%s", "master")).toBe(["beta release master-1234567 [skip ci]", "A developer's change, pushed during the release", "Start"].join("\n"));
    expect(git(origin, "show", "--name-only", "--format=", "master")).toBe("Pulumi.dev.yaml");
    expect(git(origin, "show", "master:Pulumi.dev.yaml")).toContain("beta:releaseTag: master-1234567");
    expect(git(origin, "show", "master:Pulumi.dev.yaml")).toContain("# The platform stack.");
    expect(git(origin, "show", "master:notes.txt")).toBe("one\ntwo");
    expect(git(origin, "show", "master:other.txt")).toBe("as committed");
    expect(readFileSync(path.join(ci, "other.txt"), "utf8")).toBe("a stray local edit\n");
  });

  it("a fully qualified platform stack (acme/beta/dev) is still Pulumi.dev.yaml", () => {
    const { origin, ci } = repositories();
    writeFileSync(path.join(ci, "Pulumi.dev.yaml"), platformFile("master-7654321"));
    const result = run(ci, report(ci, "updated", "master-7654321", "acme/beta/dev"));
    expect(result.status, result.stderr).toBe(0);
    expect(git(origin, "log", "-1", "--format=%s", "master")).toBe("beta release master-7654321 [skip ci]");
  });

  it("commits nothing when the platform was not updated", () => {
    const { origin, ci } = repositories();
    writeFileSync(path.join(ci, "Pulumi.dev.yaml"), platformFile("master-1234567"));
    const result = run(ci, report(ci, "failed"));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("the platform stack was not updated (failed); nothing to commit");
    expect(git(origin, "log", "-1", "--format=%s", "master")).toBe("A developer's change, pushed during the release");
  });

  it("commits nothing when the file already has the tag (a re-run)", () => {
    const { ci } = repositories();
    const result = run(ci, report(ci, "updated", "master-0000000"));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Pulumi.dev.yaml already sets beta:releaseTag master-0000000; nothing to commit");
  });

  it("without a report it fails and says what to do", () => {
    const { ci } = repositories();
    const result = run(ci, path.join(ci, "missing.json"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("cannot tell whether the platform was updated");
  });

  it("a conflicting change to the tag on master stops it with a clear error, pushing nothing", () => {
    const { origin, ci, dev } = repositories();
    writeFileSync(path.join(dev, "Pulumi.dev.yaml"), platformFile("master-fffffff"));
    git(dev, ...person, "commit", "--quiet", "-am", "Someone set the tag by hand");
    git(dev, "push", "--quiet", "origin", "HEAD:master");
    writeFileSync(path.join(ci, "Pulumi.dev.yaml"), platformFile("master-1234567"));
    const result = run(ci, report(ci, "updated"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("set beta:releaseTag to master-1234567 there by hand");
    expect(git(origin, "log", "-1", "--format=%s", "master")).toBe("Someone set the tag by hand");
  });
});
