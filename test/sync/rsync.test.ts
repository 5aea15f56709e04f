import { describe, expect, it } from "vitest";
import { classifyRsyncExit, rshCommand, rsyncArgs, type RsyncRequest } from "../../cli/sync/rsync";
import { formatChangeList, parseItemized, parseStats } from "../../cli/sync/itemize";

const request: RsyncRequest = {
  localRoot: "/home/alice/web",
  target: { namespace: "beta-alice", name: "web-abc", uid: "1", container: "web" },
  remotePath: "/app",
  filterRules: [],
  dryRun: false,
};

describe("rsync arguments", () => {
  it("mirror the whole tree into the remote directory, deletions included, through kubectl exec", () => {
    const args = rsyncArgs(request, { filterFile: "/tmp/f" }, "/repo/cli/sync/kubectl-rsh.sh");
    expect(args).toEqual(expect.arrayContaining(["--recursive", "--delete", "--blocking-io", "--protect-args", "--filter=merge /tmp/f", "--from0"]));
    expect(args).toContain("--rsh=sh '/repo/cli/sync/kubectl-rsh.sh'");
    // Source relative to the working directory (the local root), destination the remote dir.
    expect(args.slice(-2)).toEqual(["./", "beta:/app/"]);
    expect(args).not.toContain("--delete-excluded");
    expect(args).not.toContain("--dry-run");
  });

  it("find changed files in whole-tree runs by size and nanosecond mtime, like plain rsync -a plus the nanoseconds", () => {
    const args = rsyncArgs(request, { filterFile: "/tmp/f" });
    expect(args).toContain("--modify-window=-1");
    expect(args).not.toContain("--checksum");
  });

  it("compare checksums in the background verification, which meets an image's copy with other mtimes", () => {
    const args = rsyncArgs({ ...request, checksum: true }, { filterFile: "/tmp/f" });
    expect(args).toContain("--checksum");
    expect(args).not.toContain("--modify-window=-1");
  });

  it("name only the changed paths in watch runs, deleting the ones that are gone, comparing their content", () => {
    const args = rsyncArgs({ ...request, paths: ["src/a.js"] }, { filterFile: "/tmp/f", listFile: "/tmp/l" });
    expect(args).toEqual(expect.arrayContaining(["--files-from=/tmp/l", "--delete-missing-args", "--checksum"]));
    expect(args.slice(-2)).toEqual([".", "beta:/app/"]);
  });

  it("add --dry-run for a dry run", () => {
    expect(rsyncArgs({ ...request, dryRun: true }, { filterFile: "/tmp/f" })).toContain("--dry-run");
  });

  it("quote the rsh script path for rsync's own -e parser", () => {
    expect(rshCommand("/a b/x.sh")).toBe("sh '/a b/x.sh'");
    expect(rshCommand("/it's/x.sh")).toBe("sh '/it''s/x.sh'");
  });
});

describe("what an rsync exit means", () => {
  const cases: { why: string; code: number | null; stderr: string; status: string }[] = [
    { why: "success", code: 0, stderr: "", status: "ok" },
    { why: "files vanished while sending is fine", code: 24, stderr: "rsync warning: some files vanished", status: "ok" },
    { why: "containerd: no rsync in the image", code: 12, stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "rsync": executable file not found in $PATH: unknown', status: "missing-remote-rsync" },
    { why: "a shell in the container says not found", code: 127, stderr: "sh: rsync: not found", status: "missing-remote-rsync" },
    { why: "exit 127 is rsync's 'remote command not found'", code: 127, stderr: "rsync error: remote command not found (code 127)", status: "missing-remote-rsync" },
    { why: "the connection broke: retry", code: 12, stderr: "error: unable to upgrade connection: pod does not exist\nrsync: connection unexpectedly closed", status: "transient" },
    { why: "rsh died: retry", code: 255, stderr: "", status: "transient" },
    { why: "I/O timeout: retry", code: 30, stderr: "rsync error: timeout in data send/receive (code 30)", status: "transient" },
    { why: "permission denied on some files: partial", code: 23, stderr: 'rsync: [receiver] mkstemp "/app/.x.abc" failed: Permission denied (13)', status: "partial" },
    { why: "usage errors are not retried", code: 1, stderr: "rsync: --bogus: unknown option", status: "fatal" },
  ];
  it.each(cases)("$why (exit $code) → $status", ({ code, stderr, status }) => {
    expect(classifyRsyncExit(code, "", stderr, "kubectl").status).toBe(status);
  });

  it("a missing kubectl inside the rsh is not blamed on the container", () => {
    expect(classifyRsyncExit(127, "", "kubectl-rsh.sh: 14: exec: /opt/kubectl: not found", "/opt/kubectl").status).toBe("fatal");
  });
});

describe("itemized changes and stats", () => {
  const stdout = [
    "*deleting   old/gone.txt",
    "cd+++++++++ src/new/",
    "<f+++++++++ src/new/a.js",
    "<f.st...... src/app.js",
    ".f..t...... README.md",
    ".d..t...... ./",
    "",
    "Number of files: 12 (reg: 9, dir: 3)",
    "Number of regular files transferred: 2",
    "Total bytes sent: 4321",
    "Total bytes received: 99",
  ].join("\n");

  it("parses each kind of change, skipping the root", () => {
    expect(parseItemized(stdout).map((c) => [c.kind, c.path])).toEqual([
      ["delete", "old/gone.txt"],
      ["create", "src/new/"],
      ["create", "src/new/a.js"],
      ["update", "src/app.js"],
      ["attributes", "README.md"],
    ]);
  });

  it("parses the byte counts", () => {
    expect(parseStats(stdout)).toEqual({ bytesSent: 4321, bytesReceived: 99, filesTransferred: 2, filesConsidered: 12 });
  });

  it("lists content changes for people, counting metadata-only ones", () => {
    expect(formatChangeList(parseItemized(stdout))).toEqual([
      "  delete  old/gone.txt",
      "  create  src/new/",
      "  create  src/new/a.js",
      "  update  src/app.js",
      "  (and 1 metadata-only change: times or permissions)",
    ]);
  });
});
