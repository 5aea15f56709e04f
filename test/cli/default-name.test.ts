import { describe, expect, it } from "vitest";
import { resolveBetaName } from "../../cli/default-name";
import { CliError } from "../../cli/errors";
import { NameError } from "../../lib/names";
import { runBeta } from "../support/cli-harness";

const inputs = (env: Record<string, string | undefined>, user: string | undefined) => ({ env, osUserName: () => user });

describe("which Beta a verb means", () => {
  const cases: { why: string; given?: string; env?: Record<string, string>; user?: string; name: string; source: string }[] = [
    { why: "a name on the command line wins over everything", given: "bob", env: { BETA_NAME: "carol" }, user: "dave", name: "bob", source: "argument" },
    { why: "$BETA_NAME comes next", env: { BETA_NAME: "carol" }, user: "dave", name: "carol", source: "BETA_NAME" },
    { why: "an empty $BETA_NAME counts as unset", env: { BETA_NAME: "" }, user: "dave", name: "dave", source: "os-user" },
    { why: "the OS user name is the last fallback", user: "alice", name: "alice", source: "os-user" },
    { why: "a login like Alice.Smith is normalised", user: "Alice.Smith", name: "alice-smith", source: "os-user" },
    { why: "a DOMAIN\\user login keeps its characters as dashes", user: "CORP\\Bob_Jones", name: "corp-bob-jones", source: "os-user" },
    { why: "a long login is cut to 30 characters", user: "a".repeat(40), name: "a".repeat(30), source: "os-user" },
  ];
  it.each(cases)("$why", ({ given, env, user, name, source }) => {
    const resolved = resolveBetaName(given, inputs(env ?? {}, user), "up");
    expect(resolved).toMatchObject({ name, source });
    if (source === "argument") expect(resolved.note).toBeUndefined();
    else expect(resolved.note).toContain(name);
  });

  const bad: { why: string; given?: string; env?: Record<string, string>; user?: string; error: new (...args: never[]) => Error; message: RegExp }[] = [
    { why: "a bad given name names the value and the rule", given: "Alice", error: NameError, message: /Developer name "Alice" is not valid: use lower-case letters/ },
    { why: "a reserved name is refused", given: "admin", error: NameError, message: /"admin" is not valid: it is reserved/ },
    { why: "'--' is refused: it separates app and name in host names", given: "a--b", error: NameError, message: /'--' is reserved/ },
    { why: "a bad $BETA_NAME says it came from $BETA_NAME", env: { BETA_NAME: "Bad_Name" }, error: CliError, message: /"Bad_Name" is not valid.*\(from \$BETA_NAME\)/ },
    { why: "an OS user that normalises to a reserved name asks for a name", user: "Admin", error: CliError, message: /OS user name "Admin" does not make a valid Beta name.*reserved/ },
    { why: "an OS user with nothing usable asks for a name", user: "___", error: CliError, message: /"___" does not make a valid Beta name/ },
    { why: "no OS user at all asks for a name", user: undefined, error: CliError, message: /OS user name is unknown/ },
  ];
  it.each(bad)("$why", ({ given, env, user, error, message }) => {
    const call = () => resolveBetaName(given, inputs(env ?? {}, user), "up");
    expect(call).toThrow(error);
    expect(call).toThrow(message);
  });

  it("the command tells the user which name it chose and why, on stderr", async () => {
    const result = await runBeta(["render", "--router"], { osUser: "Alice.Smith", renderBeta: async () => ({ platform: { stack: "dev", resources: [], outputs: {} }, beta: { stack: "beta-alice-smith", resources: [], outputs: {} }, kubernetesObjects: [], routerConfig: "server {}\n" }), workDir: process.cwd() });
    expect(result.stderr).toContain('Using Beta "alice-smith" from your OS user name "Alice.Smith"');
    expect(result.stdout).toBe("server {}\n");
  });

  it("a bad name is a usage error naming the value and the rule, exit 2, no stack trace", async () => {
    const result = await runBeta(["status", "Alice"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Error: Developer name "Alice" is not valid: use lower-case letters, digits and '-', starting and ending with a letter or digit\n`);
  });
});
