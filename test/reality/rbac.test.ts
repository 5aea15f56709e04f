/**
 * The RBAC evaluator itself, on small hand-made RBAC: each row is one rule of Kubernetes'
 * authorizer that the platform's isolation tables rely on.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "./admission";
import { RbacModel, Subject } from "./rbac";

const RBAC = "rbac.authorization.k8s.io";
const clusterRole = (name: string, rules: unknown[], labels?: Record<string, string>, aggregationRule?: unknown): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: "ClusterRole",
  metadata: { name, ...(labels ? { labels } : {}) },
  ...(aggregationRule ? { aggregationRule } : { rules }),
});
const role = (namespace: string, name: string, rules: unknown[]): KubeObject => ({ apiVersion: `${RBAC}/v1`, kind: "Role", metadata: { name, namespace }, rules });
const user = (name: string) => ({ apiGroup: RBAC, kind: "User", name });
const group = (name: string) => ({ apiGroup: RBAC, kind: "Group", name });
const roleBinding = (namespace: string, name: string, roleRef: { kind: string; name: string }, subjects: unknown[]): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: "RoleBinding",
  metadata: { name, namespace },
  roleRef: { apiGroup: RBAC, ...roleRef },
  subjects,
});
const clusterRoleBinding = (name: string, roleRef: { kind: string; name: string }, subjects: unknown[]): KubeObject => ({
  apiVersion: `${RBAC}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name },
  roleRef: { apiGroup: RBAC, ...roleRef },
  subjects,
});

const manifests: KubeObject[] = [
  clusterRole("pod-reader", [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]),
  role("team-a", "config-writer", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["*"] }]),
  clusterRole("one-secret", [{ apiGroups: [""], resources: ["secrets"], resourceNames: ["token"], verbs: ["get"] }]),
  clusterRole("status-reader", [{ apiGroups: ["*"], resources: ["*/status"], verbs: ["get"] }]),
  clusterRole("deploy-reader-part", [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }], { "example.com/aggregate-to-reader": "true" }),
  clusterRole("reader", [], undefined, { clusterRoleSelectors: [{ matchLabels: { "example.com/aggregate-to-reader": "true" } }] }),
  roleBinding("team-a", "alice-pods", { kind: "ClusterRole", name: "pod-reader" }, [user("alice")]),
  roleBinding("team-a", "devs-config", { kind: "Role", name: "config-writer" }, [group("devs")]),
  roleBinding("team-a", "readers", { kind: "ClusterRole", name: "reader" }, [group("readers")]),
  roleBinding("team-b", "bob-admin", { kind: "ClusterRole", name: "admin" }, [user("bob")]),
  clusterRoleBinding("robot-token", { kind: "ClusterRole", name: "one-secret" }, [{ kind: "ServiceAccount", name: "robot", namespace: "team-a" }]),
  clusterRoleBinding("carol-edit", { kind: "ClusterRole", name: "edit" }, [user("carol")]),
  clusterRoleBinding("everyone-status", { kind: "ClusterRole", name: "status-reader" }, [group("system:authenticated")]),
  // Not RBAC: ignored.
  { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "team-a" } },
];
const model = new RbacModel(manifests);

const alice: Subject = { user: "alice" };
const dave: Subject = { user: "dave", groups: ["devs"] };
const robot: Subject = { user: "system:serviceaccount:team-a:robot" };
const otherRobot: Subject = { user: "system:serviceaccount:team-b:robot" };
const carol: Subject = { user: "carol" };
const bob: Subject = { user: "bob" };
const rita: Subject = { user: "rita", groups: ["readers"] };
const root: Subject = { user: "eve", groups: ["system:masters"] };
const anonymous: Subject = { user: "system:anonymous" };

describe("the RBAC evaluator follows Kubernetes' authorizer", () => {
  it.each<{ why: string; who: Subject; verb: string; resource: string; ns?: string; name?: string; allowed: boolean }>([
    { why: "a RoleBinding to a ClusterRole grants its rules in the binding's namespace", who: alice, verb: "get", resource: "core/pods", ns: "team-a", allowed: true },
    { why: "... and in no other namespace", who: alice, verb: "get", resource: "core/pods", ns: "team-b", allowed: false },
    { why: "... and not cluster-wide (a list across namespaces)", who: alice, verb: "list", resource: "core/pods", allowed: false },
    { why: "... and not cluster-scoped resources", who: alice, verb: "get", resource: "core/nodes", allowed: false },
    { why: "a verb the rule does not list is refused", who: alice, verb: "delete", resource: "core/pods", ns: "team-a", allowed: false },
    { why: "a subresource needs a rule of its own", who: alice, verb: "get", resource: "core/pods/log", ns: "team-a", allowed: false },
    { why: "the API group must match: pods are core, not apps", who: alice, verb: "get", resource: "apps/pods", ns: "team-a", allowed: false },
    { why: "the `/pods` spelling of the core group is the same resource", who: alice, verb: "get", resource: "/pods", ns: "team-a", allowed: true },
    { why: "a Group subject applies to its members; `*` is every verb", who: dave, verb: "deletecollection", resource: "core/configmaps", ns: "team-a", allowed: true },
    { why: "a Role grants nothing outside its own namespace", who: dave, verb: "get", resource: "core/configmaps", ns: "team-b", allowed: false },
    { why: "a ServiceAccount subject is `system:serviceaccount:<ns>:<name>`", who: robot, verb: "get", resource: "core/secrets", ns: "team-c", name: "token", allowed: true },
    { why: "... of that namespace only", who: otherRobot, verb: "get", resource: "core/secrets", ns: "team-c", name: "token", allowed: false },
    { why: "resourceNames limit a rule to those objects", who: robot, verb: "get", resource: "core/secrets", ns: "team-c", name: "other", allowed: false },
    { why: "resourceNames never match a request without a name (list)", who: robot, verb: "get", resource: "core/secrets", ns: "team-c", allowed: false },
    { why: "`*/status` matches the status subresource of any resource", who: { user: "mallory" }, verb: "get", resource: "apps/deployments/status", ns: "team-a", allowed: true },
    { why: "... but not the resource itself (implicit system:authenticated binding)", who: { user: "mallory" }, verb: "get", resource: "apps/deployments", ns: "team-a", allowed: false },
    { why: "every authenticated user is in system:authenticated", who: { user: "mallory" }, verb: "get", resource: "core/pods/status", ns: "team-a", allowed: true },
    { why: "the anonymous user is not", who: anonymous, verb: "get", resource: "core/pods/status", ns: "team-a", allowed: false },
    { why: "a ClusterRoleBinding to built-in `edit` grants it in every namespace", who: carol, verb: "create", resource: "apps/deployments", ns: "team-z", allowed: true },
    { why: "built-in `edit` includes `view` by aggregation", who: carol, verb: "list", resource: "discovery.k8s.io/endpointslices", ns: "team-z", allowed: true },
    { why: "built-in `edit` mints service account tokens", who: carol, verb: "create", resource: "core/serviceaccounts/token", ns: "team-z", allowed: true },
    { why: "built-in `edit` cannot touch RBAC", who: carol, verb: "create", resource: `${RBAC}/rolebindings`, ns: "team-z", allowed: false },
    { why: "built-in `edit` cannot change a namespace's quota", who: carol, verb: "update", resource: "core/resourcequotas", ns: "team-z", allowed: false },
    { why: "built-in `admin` adds RoleBindings, in its namespace", who: bob, verb: "create", resource: `${RBAC}/rolebindings`, ns: "team-b", allowed: true },
    { why: "built-in `admin` includes `edit`", who: bob, verb: "patch", resource: "core/services", ns: "team-b", allowed: true },
    { why: "built-in `admin` in one namespace is nothing in another", who: bob, verb: "get", resource: "core/pods", ns: "team-a", allowed: false },
    { why: "an aggregated ClusterRole has the rules of the roles its selector picks", who: rita, verb: "get", resource: "apps/deployments", ns: "team-a", allowed: true },
    { why: "system:masters is cluster-admin", who: root, verb: "delete", resource: "core/nodes", allowed: true },
  ])("$why", ({ who, verb, resource, ns, name, allowed }) => {
    expect(model.can(who, verb, resource, ns, name)).toBe(allowed);
  });

  it("says which binding allowed a request", () => {
    expect(model.allowedBy(alice, "get", "core/pods", "team-a")).toBe("RoleBinding team-a/alice-pods");
    expect(model.allowedBy(carol, "create", "apps/deployments", "x")).toBe("ClusterRoleBinding carol-edit");
  });

  it.each([
    { why: "a binding to a ClusterRole that exists nowhere", objects: [roleBinding("a", "b", { kind: "ClusterRole", name: "made-up" }, [user("x")])], message: /names ClusterRole made-up, which is neither built in/ },
    { why: "a binding to a Role of another namespace", objects: [role("a", "r", []), roleBinding("b", "rb", { kind: "Role", name: "r" }, [user("x")])], message: /names Role b\/r, which is not in the manifests/ },
    { why: "a manifest redefining a built-in role", objects: [clusterRole("edit", [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }])], message: /ClusterRole edit is built in/ },
  ])("refuses RBAC it cannot model: $why", ({ objects, message }) => {
    expect(() => new RbacModel(objects)).toThrow(message);
  });

  it("refuses a resource that is not group/resource", () => {
    expect(() => model.can(alice, "get", "pods")).toThrow(/is not "group\/resource\[\/subresource\]"/);
  });
});
