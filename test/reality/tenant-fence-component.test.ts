/**
 * The TenantFence component declares exactly the objects the battery evaluates: the parameter
 * ConfigMap in `shared`, then each policy and binding, unchanged.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { TenantFence } from "../../components/TenantFence";
import { tenantFenceObjects } from "../../lib/tenant-fence";

interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}
const declared: Declared[] = [];
const args = { sharedServiceTargets: { "billing.internal.example.com": "billing", "postgres.shared.svc.cluster.local": "postgres" } };

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (resource) => {
        declared.push({ type: resource.type, name: resource.name, inputs: resource.inputs as Record<string, unknown> });
        return { id: `${resource.name}-id`, state: resource.inputs };
      },
      call: (call) => call.inputs,
    },
    "beta",
    "dev",
    false,
  );
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  new TenantFence("tenant-fence", args, { providers: { kubernetes: provider } });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> }).waitForRPCs();
});

describe("TenantFence", () => {
  const expected = tenantFenceObjects(args);
  const byType = (type: string) => declared.filter((d) => d.type === type);

  it("declares the parameter ConfigMap in shared with the allowed targets", () => {
    const [params] = byType("kubernetes:core/v1:ConfigMap");
    expect(params.name).toBe("tenant-fence-params");
    expect(params.inputs.metadata).toMatchObject({ name: "beta-shared-services", namespace: "shared" });
    expect(params.inputs.data).toEqual(args.sharedServiceTargets);
  });

  it("declares each policy and binding as the battery evaluates them", () => {
    // Registration order is not declaration order under the mock runtime: compare by name.
    const strip = (objects: Record<string, unknown>[]) =>
      objects.map((o) => ({ metadata: o.metadata as { name: string }, spec: o.spec })).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(strip(byType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((d) => d.inputs))).toEqual(strip(expected.policies));
    expect(strip(byType("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").map((d) => d.inputs))).toEqual(strip(expected.bindings));
    expect(declared.map((d) => d.name)).toEqual(
      expect.arrayContaining(["tenant-fence-services-policy", "tenant-fence-pods-policy", "tenant-fence-secrets-policy", "tenant-fence-services-binding", "tenant-fence-pods-binding", "tenant-fence-secrets-binding"]),
    );
  });
});
