import { describe, expect, it } from "vitest";
import { branchImageTag, imageTagFromOptions } from "../../cli/image-tag";

describe("branch builds are tagged branch-<sanitised branch>", () => {
  const cases: [why: string, branch: string, tag: string][] = [
    ["a plain branch keeps its name", "login", "branch-login"],
    ["slashes become dashes", "feature/login", "branch-feature-login"],
    ["upper case is lowered", "Feature/Login_Page", "branch-feature-login_page"],
    ["runs of other characters become one dash", "fix: #12 @ home", "branch-fix-12-home"],
    ["dots inside survive", "release/1.2.3", "branch-release-1.2.3"],
    ["leading and trailing dots and dashes go", "-.wip.-", "branch-wip"],
    ["a long branch is cut so the tag fits Docker's 128", `feature/${"x".repeat(200)}`, `branch-feature-${"x".repeat(121 - 8)}`],
    ["a cut that ends on a dash drops it", `${"a".repeat(120)}/b`, `branch-${"a".repeat(120)}`],
  ];
  it.each(cases)("%s", (_why, branch, tag) => {
    expect(branchImageTag(branch)).toBe(tag);
    expect(tag.length).toBeLessThanOrEqual(128);
  });

  it("a branch with nothing usable is refused", () => {
    expect(() => branchImageTag("///")).toThrow(/leaves nothing for an image tag/);
  });

  it("--image-tag is validated like beta:imageTag", () => {
    expect(imageTagFromOptions({ imageTag: "master-3f2c1ab" })).toBe("master-3f2c1ab");
    expect(() => imageTagFromOptions({ imageTag: "-bad" })).toThrow(/beta:imageTag: an image tag is 1-128 letters/);
    expect(() => imageTagFromOptions({ imageTag: "a", branch: "b" })).toThrow(/not both/);
    expect(imageTagFromOptions({})).toBeUndefined();
  });
});
