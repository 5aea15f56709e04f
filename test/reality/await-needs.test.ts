import { describe, expect, it } from "vitest";
import {
  DISCOVERY_URLS,
  grantedBySystemDiscovery,
  requiredAccess,
  requiredAccessForObjects,
  type ApiAccess,
  type Operation,
} from "./await-needs";

const NS = "beta-alice";

function keys(accesses: ApiAccess[]): string[] {
  return accesses.map((a) => `${a.verb} ${a.group || "core"}/${a.resource} ${a.namespace ?? "*"}${a.blocking ? " !" : ""}`);
}

describe("requiredAccess: what the provider asks the API server for", () => {
  const includes: {
    why: string;
    kind: string;
    apiVersion: string;
    op: Operation;
    ns?: string;
    expected: string[];
  }[] = [
    {
      why: "a Deployment create hangs without list/watch on PVCs (issue 10, defect 2)",
      kind: "Deployment", apiVersion: "apps/v1", op: "create", ns: NS,
      expected: [
        `create apps/deployments ${NS}`,
        `list apps/deployments ${NS} !`, `watch apps/deployments ${NS} !`,
        `list apps/replicasets ${NS} !`, `watch apps/replicasets ${NS} !`,
        `list core/pods ${NS} !`, `watch core/pods ${NS} !`,
        `list core/persistentvolumeclaims ${NS} !`, `watch core/persistentvolumeclaims ${NS} !`,
        `list core/events ${NS}`, `watch core/events ${NS}`,
      ],
    },
    {
      why: "an update reads the live object and applies a server-side PATCH, then awaits like a create",
      kind: "Deployment", apiVersion: "apps/v1", op: "update", ns: NS,
      expected: [`get apps/deployments ${NS}`, `patch apps/deployments ${NS}`, `watch core/persistentvolumeclaims ${NS} !`],
    },
    {
      why: "even an ExternalName Service create subscribes to Endpoints (service.go:147)",
      kind: "Service", apiVersion: "v1", op: "create", ns: NS,
      expected: [`create core/services ${NS}`, `list core/endpoints ${NS} !`, `watch core/endpoints ${NS} !`],
    },
    {
      why: "a Job's await watches its Pods",
      kind: "Job", apiVersion: "batch/v1", op: "create", ns: NS,
      expected: [`list core/pods ${NS} !`, `watch core/pods ${NS} !`, `watch batch/jobs ${NS} !`],
    },
    {
      why: "every delete waits through an informer on the object's own resource (#4580)",
      kind: "Secret", apiVersion: "v1", op: "delete", ns: NS,
      expected: [`delete core/secrets ${NS}`, `list core/secrets ${NS} !`, `watch core/secrets ${NS} !`, `get core/secrets ${NS}`],
    },
    {
      why: "deleting a Namespace watches namespaces cluster-wide",
      kind: "Namespace", apiVersion: "v1", op: "delete",
      expected: ["delete core/namespaces *", "list core/namespaces * !", "watch core/namespaces * !"],
    },
    {
      why: "a cluster-scoped object's events are listed in all namespaces",
      kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1", op: "create",
      expected: ["create rbac.authorization.k8s.io/clusterroles *", "list core/events *", "watch core/events *"],
    },
    {
      why: "refresh of a Deployment gets it and lists its ReplicaSets, Pods and PVCs, without blocking",
      kind: "Deployment", apiVersion: "apps/v1", op: "refresh", ns: NS,
      expected: [
        `get apps/deployments ${NS}`, `list apps/replicasets ${NS}`, `list core/pods ${NS}`,
        `list core/persistentvolumeclaims ${NS}`,
      ],
    },
    {
      why: "refresh of a Service lists Endpoints",
      kind: "Service", apiVersion: "v1", op: "refresh", ns: NS,
      expected: [`get core/services ${NS}`, `list core/endpoints ${NS}`],
    },
    {
      why: "a ResourceQuota create polls the quota until its status matches",
      kind: "ResourceQuota", apiVersion: "v1", op: "create", ns: NS,
      expected: [`create core/resourcequotas ${NS}`, `get core/resourcequotas ${NS} !`],
    },
    {
      why: "an admission policy binding is cluster-scoped",
      kind: "ValidatingAdmissionPolicyBinding", apiVersion: "admissionregistration.k8s.io/v1", op: "delete",
      expected: [
        "delete admissionregistration.k8s.io/validatingadmissionpolicybindings *",
        "watch admissionregistration.k8s.io/validatingadmissionpolicybindings * !",
      ],
    },
  ];
  it.each(includes)("$why", ({ kind, apiVersion, op, ns, expected }) => {
    expect(keys(requiredAccess(kind, apiVersion, op, ns))).toEqual(expect.arrayContaining(expected));
  });

  const excludes: { why: string; kind: string; apiVersion: string; op: Operation; ns?: string; absent: string[] }[] = [
    {
      why: "this provider version watches core Endpoints, not EndpointSlices, for a Service",
      kind: "Service", apiVersion: "v1", op: "create", ns: NS,
      absent: [`list discovery.k8s.io/endpointslices ${NS} !`, `watch core/pods ${NS} !`],
    },
    {
      why: "a plain Secret, ConfigMap or NetworkPolicy create has no blocking read",
      kind: "Secret", apiVersion: "v1", op: "create", ns: NS,
      absent: [`get core/secrets ${NS} !`, `list core/secrets ${NS} !`],
    },
    {
      why: "an update never POSTs",
      kind: "ConfigMap", apiVersion: "v1", op: "update", ns: NS,
      absent: [`create core/configmaps ${NS}`],
    },
  ];
  it.each(excludes)("$why", ({ kind, apiVersion, op, ns, absent }) => {
    const got = keys(requiredAccess(kind, apiVersion, op, ns));
    for (const a of absent) expect(got).not.toContain(a);
  });

  it("a create with no blocking reads: NetworkPolicy only needs create and (non-blocking) events", () => {
    const got = requiredAccess("NetworkPolicy", "networking.k8s.io/v1", "create", NS);
    expect(got.filter((a) => a.blocking)).toEqual([]);
    expect(keys(got)).toContain(`create networking.k8s.io/networkpolicies ${NS}`);
  });

  it("a service-account-token Secret is polled by GET until its data is filled", () => {
    const got = requiredAccess("Secret", "v1", "create", NS, { secretType: "kubernetes.io/service-account-token" });
    expect(keys(got)).toContain(`get core/secrets ${NS} !`);
  });

  it("with upsertExistingObjects a create is a server-side apply PATCH", () => {
    const got = keys(requiredAccess("ConfigMap", "v1", "create", NS, { upsertExistingObjects: true }));
    expect(got).toContain(`patch core/configmaps ${NS}`);
    expect(got).not.toContain(`create core/configmaps ${NS}`);
  });

  it.each([
    { why: "unknown kinds are refused, not answered with nothing", args: ["Gadget", "v1", "create", NS], msg: /unknown kind "Gadget"/ },
    { why: "a kind in the wrong group is refused", args: ["Deployment", "v1", "create", NS], msg: /apiVersion "v1"/ },
    { why: "a namespaced kind needs its namespace", args: ["Service", "v1", "create", undefined], msg: /namespaced/ },
  ] as const)("$why", ({ args, msg }) => {
    expect(() => requiredAccess(args[0], args[1], args[2], args[3])).toThrow(msg);
  });
});

describe("discovery reads are granted to every authenticated identity", () => {
  it.each(DISCOVERY_URLS.map((url) => ({ url })))("system:discovery covers $url", ({ url }) => {
    expect(grantedBySystemDiscovery(url.replace("*", "apps/v1"))).toBe(true);
  });
  it.each([
    { url: "/metrics", why: "metrics are not discovery" },
    { url: "/logs", why: "node logs are not discovery" },
  ])("system:discovery does not cover $url: $why", ({ url }) => {
    expect(grantedBySystemDiscovery(url)).toBe(false);
  });
});

describe("requiredAccessForObjects: one list for a whole stack", () => {
  const stack = [
    { apiVersion: "v1", kind: "Secret", metadata: { namespace: NS }, type: "Opaque" },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: NS } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { namespace: NS } },
    { apiVersion: "v1", kind: "Service", metadata: { namespace: NS } },
  ];
  it("a developer stack's `pulumi up` needs the union, each request once", () => {
    const got = keys(requiredAccessForObjects(stack, "create"));
    expect(got).toEqual(expect.arrayContaining([`create core/secrets ${NS}`, `watch core/persistentvolumeclaims ${NS} !`, `watch core/endpoints ${NS} !`]));
    expect(new Set(got).size).toBe(got.length);
  });
  it("its `pulumi destroy` watches every deleted resource", () => {
    const got = keys(requiredAccessForObjects(stack, "delete"));
    expect(got).toEqual(expect.arrayContaining([`watch core/secrets ${NS} !`, `watch apps/deployments ${NS} !`, `watch core/services ${NS} !`]));
  });
  it("an unknown kind in a stack is an error", () => {
    expect(() => requiredAccessForObjects([{ apiVersion: "example.com/v1", kind: "Widget", metadata: {} }], "create")).toThrow(/unknown kind/);
  });
});
