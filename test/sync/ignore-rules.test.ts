import { promises as fs } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exactRsyncPattern, rulesForPaths, scanTree, translateIgnoreLine } from "../../cli/sync/ignore-rules";
import { SyncFixture, writeFiles } from "../support/sync-fixture";

describe("ignore rules (git semantics, evaluated by the ignore package)", () => {
  let fixture: SyncFixture;
  beforeEach(async () => {
    fixture = await SyncFixture.create();
    await writeFiles(fixture.local, {
      ".gitignore": "*.log\n/build/\ncache/\n.env*\n!.env.example\n",
      ".betaignore": "docs/\n!keep.log\n",
      "sub/.gitignore": "*.tmp\n!important.log\n",
      "sub/deeper/x.tmp": "",
    });
  });
  afterEach(() => fixture.cleanup());

  const cases: { why: string; path: string; dir?: boolean; ignored: boolean }[] = [
    { why: "a root pattern matches at any depth", path: "a/b/server.log", ignored: true },
    { why: "an anchored directory pattern matches only at the root", path: "build", dir: true, ignored: true },
    { why: "an anchored directory pattern does not match deeper", path: "src/build", dir: true, ignored: false },
    { why: "a directory-only pattern does not match a file", path: "cache", ignored: false },
    { why: "a directory-only pattern matches a directory anywhere", path: "src/cache", dir: true, ignored: true },
    { why: "a file inside an ignored directory is ignored", path: "src/cache/data.bin", ignored: true },
    { why: "git negation re-includes", path: ".env.example", ignored: false },
    { why: "the negated pattern still ignores the rest", path: ".env.local", ignored: true },
    { why: ".betaignore adds rules", path: "docs/guide.md", ignored: true },
    { why: ".betaignore can re-include what .gitignore ignores", path: "keep.log", ignored: false },
    { why: "a nested .gitignore applies below its directory", path: "sub/deeper/x.tmp", ignored: true },
    { why: "a nested .gitignore does not apply elsewhere", path: "other/x.tmp", ignored: false },
    { why: "a deeper file's negation wins over the root's pattern", path: "sub/important.log", ignored: false },
    { why: ".git is always ignored", path: ".git", dir: true, ignored: true },
    { why: "node_modules is always ignored, at any depth", path: "pkg/node_modules/x/index.js", ignored: true },
    { why: "ordinary source is synced", path: "src/index.ts", ignored: false },
  ];
  it.each(cases)("$why: $path → ignored=$ignored", async ({ path, dir, ignored }) => {
    const { rules } = await scanTree(fixture.local);
    expect(rules.isIgnored(path, dir ?? false)).toBe(ignored);
  });

  // The first sync from a release decides git's list of paths without a scan.
  it.each(cases)("read for that path alone, the ignore files above it decide the same: $path → ignored=$ignored", async ({ path, dir, ignored }) => {
    const rules = await rulesForPaths(fixture.local, [path]);
    expect(rules.isIgnored(path, dir ?? false)).toBe(ignored);
  });

  it("a scan lists ignored paths top-most only and never descends into them", async () => {
    await writeFiles(fixture.local, { "node_modules/a/b.js": "", "build/out.js": "", "src/app.log": "", "src/app.js": "" });
    await fs.mkdir(`${fixture.local}/.git`);
    const scan = await scanTree(fixture.local);
    expect(scan.hidden.sort()).toEqual([".git/", "build/", "node_modules/", "src/app.log", "sub/deeper/x.tmp"]);
  });
});

describe("translating ignore lines into rsync receiver rules", () => {
  const cases: { why: string; dir: string; line: string; rules: string[] }[] = [
    { why: "comments and blanks make no rule", dir: "", line: "# note", rules: [] },
    { why: "a bare name at the root matches at any depth", dir: "", line: "*.log", rules: ["P *.log"] },
    { why: "a bare name in a subdirectory matches at any depth below it", dir: "sub", line: "*.tmp", rules: ["P /sub/*.tmp", "P /sub/**/*.tmp"] },
    { why: "a leading slash anchors", dir: "", line: "/build/", rules: ["P /build/"] },
    { why: "an inner slash anchors to the file's directory", dir: "web", line: "src/gen", rules: ["P /web/src/gen"] },
    { why: "negation becomes a risk rule (deletable again)", dir: "", line: "!.env.example", rules: ["R .env.example"] },
    { why: "a leading **/ matches at any depth", dir: "", line: "**/tmp/", rules: ["P tmp/"] },
    { why: "a/**/b also matches a/b, which rsync's **/ would not", dir: "", line: "a/**/b", rules: ["P /a/**/b", "P /a/b"] },
    { why: "an escaped # is a pattern, not a comment", dir: "", line: "\\#file", rules: ["P #file"] },
    { why: "trailing spaces are dropped", dir: "", line: "x.txt   ", rules: ["P x.txt"] },
  ];
  it.each(cases)("$why: $line", ({ dir, line, rules }) => {
    expect(translateIgnoreLine(dir, line)).toEqual(rules);
  });

  it("exact paths escape rsync wildcards", () => {
    expect(exactRsyncPattern("plain/file.txt")).toBe("/plain/file.txt");
    expect(exactRsyncPattern("odd[1]*.txt")).toBe("/odd\\[1\\]\\*.txt");
  });
});
