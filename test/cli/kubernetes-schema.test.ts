import { describe, expect, it } from "vitest";
import { validateManifest } from "../support/kubernetes-schema";

const meta = { name: "x", namespace: "beta-alice" };

describe("validateManifest: every group Beta uses maps to its schema", () => {
  const valid: [string, Record<string, unknown>][] = [
    ["core/v1 Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "beta-alice" } }],
    ["core/v1 Service", { apiVersion: "v1", kind: "Service", metadata: meta, spec: { ports: [{ port: 80, targetPort: 3000 }] } }],
    ["apps/v1 Deployment", { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ name: "web", image: "web:1" }] } } } }],
    ["networking.k8s.io/v1 NetworkPolicy", { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta, spec: { podSelector: {} } }],
    ["policy/v1 PodDisruptionBudget", { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: meta, spec: { maxUnavailable: 1 } }],
    ["rbac.authorization.k8s.io/v1 RoleBinding", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: meta, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" }, subjects: [{ kind: "User", name: "alice" }] }],
    ["discovery.k8s.io/v1 EndpointSlice", { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: meta, addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.1"] }] }],
  ];
  it.each(valid)("accepts a valid %s", (_why, manifest) => {
    expect(() => validateManifest(manifest)).not.toThrow();
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ["a container without a name", { apiVersion: "apps/v1", kind: "Deployment", metadata: meta, spec: { selector: {}, template: { spec: { containers: [{ image: "web:1" }] } } } }, /Deployment x is not valid.*name/],
    ["a port that is a string", { apiVersion: "v1", kind: "Service", metadata: meta, spec: { ports: [{ port: "80" }] } }, /Service x is not valid/],
    ["an unknown kind", { apiVersion: "v1", kind: "Gizmo", metadata: meta }, /No Kubernetes schema for v1 Gizmo/],
    ["a nested type posing as a kind", { apiVersion: "v1", kind: "ServiceSpec" }, /No Kubernetes schema/],
    ["a kind in the wrong group", { apiVersion: "v1", kind: "Deployment", metadata: meta }, /No Kubernetes schema/],
    ["no apiVersion", { kind: "Service" }, /Not a Kubernetes object/],
  ];
  it.each(invalid)("rejects %s", (_why, manifest, message) => {
    expect(() => validateManifest(manifest)).toThrow(message);
  });
});
