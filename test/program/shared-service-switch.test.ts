/**
 * Switching a shared service between shared and personal must stay one Kubernetes object: the
 * Beta's `<service>` Service is the same resource in both modes and is deleted before any
 * replacement is created (see components/SharedServiceAlias.ts for why the provider may replace).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { SharedServiceAlias } from "../../components/SharedServiceAlias";
import { personalCopyLabels } from "../../lib/platform-names";

interface Child {
  type: string;
  name: string;
  deleteBeforeReplace?: boolean;
  spec: Record<string, unknown>;
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    { newResource: (resource) => ({ id: `${resource.name}-id`, state: resource.inputs }), call: (call) => call.inputs },
    "beta",
    "beta-alice",
    false,
  );
});

/** Declares billing's alias as one mode would and records its children's options. */
function declare(mode: "shared" | "personal", suffix: string): Child[] {
  const children: Child[] = [];
  const record: pulumi.ResourceTransformation = (args) => {
    // Transformations of a component see the component itself too.
    if (args.type === "beta:index:SharedServiceAlias") return undefined;
    children.push({ type: args.type, name: args.name, deleteBeforeReplace: (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace, spec: (args.props as { spec: Record<string, unknown> }).spec });
    return undefined;
  };
  const provider = new k8s.Provider(`k8s-${suffix}`, { kubeconfig: "{}" });
  new SharedServiceAlias(
    "beta-alice-shared-billing",
    {
      namespace: "beta-alice",
      serviceName: "billing",
      target: "billing.internal.example.com",
      port: 8080,
      personalCopyLabels: mode === "personal" ? personalCopyLabels("billing") : undefined,
    },
    { provider, transformations: [record] },
  );
  return children;
}

describe("billing's Service in a Beta, shared and personal", () => {
  it("is one Service resource of the same name in both modes, deleted before it is replaced", () => {
    const shared = declare("shared", "a");
    const personal = declare("personal", "b");
    for (const [mode, children] of [["shared", shared], ["personal", personal]] as const) {
      expect(children.map((c) => [c.type, c.name]), mode).toEqual([["kubernetes:core/v1:Service", "beta-alice-shared-billing-service"]]);
      expect(children[0].deleteBeforeReplace, mode).toBe(true);
    }
    expect(shared[0].spec.type).toBe("ExternalName");
    expect(personal[0].spec.type).toBe("ClusterIP");
  });
});
