import { describe, expect, it } from "vitest";
import { appNameProblem, betaStackName, developerNameFromStack, developerNameProblem, normaliseDeveloperName } from "../../lib/names";

describe("developer names", () => {
  const valid: [string, string][] = [
    ["alice", "a plain name"],
    ["a", "one character is enough"],
    ["bob-2", "digits and a dash inside"],
    ["7eleven", "may start with a digit (a DNS label may)"],
    ["a".repeat(30), "exactly 30 characters"],
  ];
  for (const [name, why] of valid) it(`accepts ${name}: ${why}`, () => expect(developerNameProblem(name)).toBeUndefined());

  const invalid: [string, RegExp, string][] = [
    ["", /empty/, "nothing"],
    ["Alice", /lower-case/, "upper case"],
    ["-alice", /starting and ending/, "leading dash"],
    ["alice-", /starting and ending/, "trailing dash"],
    ["al--ice", /'--' is reserved/, "the app separator"],
    ["al.ice", /lower-case letters/, "a dot would add a DNS label"],
    ["a".repeat(31), /31 characters; at most 30/, "too long"],
    ["admin", /reserved/, "reserved"],
    ["shared", /reserved/, "the shared namespace"],
  ];
  for (const [name, message, why] of invalid) it(`rejects ${JSON.stringify(name)}: ${why}`, () => expect(developerNameProblem(name)).toMatch(message));
});

describe("app names", () => {
  const cases: [string, RegExp | undefined, string][] = [
    ["web", undefined, "a plain name"],
    ["api-v2", undefined, "dash and digit"],
    ["2web", /starting with a letter/, "apps start with a letter"],
    ["my--app", /'--' is reserved/, "the separator"],
    ["a".repeat(21), /at most 20/, "too long"],
  ];
  for (const [name, message, why] of cases) {
    it(`${name}: ${why}`, () => (message ? expect(appNameProblem(name)).toMatch(message) : expect(appNameProblem(name)).toBeUndefined()));
  }
});

describe("stack names", () => {
  it("beta-alice is developer alice's stack and namespace", () => {
    expect(developerNameFromStack("beta-alice")).toBe("alice");
    expect(betaStackName("alice")).toBe("beta-alice");
  });
  it("a stack that is not beta-* is refused as a developer stack, naming the rule", () => {
    expect(() => developerNameFromStack("dev")).toThrow(/Stack name "dev" is not valid: developer stacks are named 'beta-<name>'/);
  });
});

describe("normalising a login into a developer name", () => {
  const cases: [string, string | undefined, string][] = [
    ["Alice.Smith", "alice-smith", "dots and case"],
    ["bob__jones", "bob-jones", "runs of other characters become one dash"],
    ["--x--", "x", "dashes trimmed"],
    ["root", "root", "kept as is"],
    ["admin", undefined, "a reserved name cannot be chosen"],
    ["日本", undefined, "nothing valid left"],
  ];
  for (const [login, expected, why] of cases) it(`${login} → ${expected}: ${why}`, () => expect(normaliseDeveloperName(login)).toBe(expected));
});
