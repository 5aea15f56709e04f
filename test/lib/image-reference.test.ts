import { describe, expect, it } from "vitest";
import { imageReference, splitImageReference } from "../../lib/config-rules";

const digest = `sha256:${"0f".repeat(32)}`;

describe("an image reference of beta:services.<name>.image", () => {
  const parts: { reference: string; repository: string; tag?: string; digest?: string }[] = [
    { reference: "billing", repository: "billing" },
    { reference: "ghcr.io/alice/billing", repository: "ghcr.io/alice/billing" },
    { reference: "ghcr.io/alice/billing:wip-2", repository: "ghcr.io/alice/billing", tag: "wip-2" },
    // The registry's port is not a tag: a tag is after the last '/'.
    { reference: "localhost:5000/billing", repository: "localhost:5000/billing" },
    { reference: "localhost:5000/billing:v1.2", repository: "localhost:5000/billing", tag: "v1.2" },
    { reference: `ghcr.io/alice/billing@${digest}`, repository: "ghcr.io/alice/billing", digest },
    { reference: `ghcr.io/alice/billing:wip@${digest}`, repository: "ghcr.io/alice/billing", tag: "wip", digest },
  ];
  it.each(parts)("$reference splits into its repository, tag and digest, and is accepted", ({ reference, ...expected }) => {
    expect(splitImageReference(reference)).toEqual({ digest: undefined, ...expected });
    expect(imageReference.safeParse(reference).success).toBe(true);
  });

  const refused: { reference: string; rule: RegExp }[] = [
    { reference: "ghcr.io/alice/billing:latest", rule: /pin a build/ },
    { reference: "ghcr.io/alice/billing:-wip", rule: /an image tag is 1-128/ },
    { reference: "ghcr.io/alice/billing@sha256:abc", rule: /a digest is @sha256: and 64 lower-case hex digits/ },
    { reference: `ghcr.io/alice/billing@md5:${"0f".repeat(16)}`, rule: /a digest is @sha256:/ },
    { reference: "GHCR.io/Alice/billing", rule: /an image such as/ },
    { reference: "ghcr.io/alice/billing:", rule: /an image tag is 1-128/ },
    { reference: "", rule: /an image such as/ },
  ];
  it.each(refused)("$reference is refused: $rule", ({ reference, rule }) => {
    const result = imageReference.safeParse(reference);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join("\n")).toMatch(rule);
  });
});
