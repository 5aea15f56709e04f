/**
 * The ValidatingAdmissionPolicy evaluator itself, on small hand-made policies: each row is one
 * behaviour of the API server the tenant fence's battery relies on.
 */
import { describe, expect, it } from "vitest";
import { admit, AdmissionAttributes, ClusterState, KubeObject } from "./admission";
import { createRequest, deleteRequest, developer, updateRequest } from "./admission-requests";
import { compile } from "./cel";

const cluster: ClusterState = {
  namespaces: [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a", labels: { tenant: "a", tier: "gold" } } },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "system" } },
  ],
  objects: [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "limits", namespace: "system", labels: { role: "limit" } }, data: { max: "3" } },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "limits-2", namespace: "system", labels: { role: "limit" } }, data: { max: "5" } },
  ],
};

interface PolicyParts {
  rules?: unknown[];
  namespaceSelector?: unknown;
  matchConditions?: { name: string; expression: string }[];
  validations: { expression: string; message?: string; messageExpression?: string }[];
  failurePolicy?: "Fail" | "Ignore";
  paramKind?: unknown;
  paramRef?: unknown;
  actions?: string[];
}
function policyAndBinding(parts: PolicyParts): KubeObject[] {
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: "p" },
      spec: {
        failurePolicy: parts.failurePolicy ?? "Fail",
        ...(parts.paramKind ? { paramKind: parts.paramKind } : {}),
        matchConstraints: {
          ...(parts.namespaceSelector ? { namespaceSelector: parts.namespaceSelector } : {}),
          resourceRules: parts.rules ?? [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE", "DELETE"], resources: ["configmaps"] }],
        },
        ...(parts.matchConditions ? { matchConditions: parts.matchConditions } : {}),
        validations: parts.validations,
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: "b" },
      spec: { policyName: "p", validationActions: parts.actions ?? ["Deny"], ...(parts.paramRef ? { paramRef: parts.paramRef } : {}) },
    },
  ];
}
const configMap = (data: Record<string, string> = {}, namespace = "team-a"): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace, labels: { app: "web" } }, data });
const alice = developer("alice");
const deny = { expression: "false", message: "no" };

describe("the admission evaluator follows the API server", () => {
  it.each<{ why: string; parts: PolicyParts; request: AdmissionAttributes; matched: boolean; allowed: boolean; message?: string }>([
    { why: "a namespaceSelector matches the request's namespace labels", parts: { namespaceSelector: { matchLabels: { tier: "gold" } }, validations: [deny] }, request: createRequest(configMap(), alice), matched: true, allowed: false },
    { why: "... and skips a namespace without them", parts: { namespaceSelector: { matchLabels: { tier: "gold" } }, validations: [deny] }, request: createRequest(configMap({}, "system"), alice), matched: false, allowed: true },
    { why: "NotIn holds for a namespace without the key", parts: { namespaceSelector: { matchExpressions: [{ key: "tenant", operator: "NotIn", values: ["b"] }] }, validations: [deny] }, request: createRequest(configMap({}, "system"), alice), matched: true, allowed: false },
    {
      why: "a Namespace request is matched by the labels it carries",
      parts: { namespaceSelector: { matchLabels: { tenant: "c" } }, rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["namespaces"] }], validations: [deny] },
      request: createRequest({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team-c", labels: { tenant: "c" } } }, alice),
      matched: true,
      allowed: false,
    },
    { why: "an operation the rule does not list is not matched", parts: { rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"] }], validations: [deny] }, request: deleteRequest(configMap(), alice), matched: false, allowed: true },
    { why: "a rule for `pods` does not match a subresource", parts: { rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["configmaps/status"] }], validations: [deny] }, request: createRequest(configMap(), alice), matched: false, allowed: true },
    { why: "resourceNames limit the rule to those names", parts: { rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["*"], resources: ["configmaps"], resourceNames: ["other"] }], validations: [deny] }, request: createRequest(configMap(), alice), matched: false, allowed: true },
    { why: "a false matchCondition skips the policy", parts: { matchConditions: [{ name: "only-web", expression: "object.metadata.labels.app == 'api'" }], validations: [deny] }, request: createRequest(configMap(), alice), matched: true, allowed: true },
    {
      why: "a false matchCondition wins over another that errs",
      parts: { matchConditions: [{ name: "errs", expression: "object.metadata.missing == 1" }, { name: "false", expression: "false" }], validations: [deny] },
      request: createRequest(configMap(), alice),
      matched: true,
      allowed: true,
    },
    { why: "an erring matchCondition denies under failurePolicy Fail", parts: { matchConditions: [{ name: "errs", expression: "object.metadata.missing == 1" }], validations: [deny] }, request: createRequest(configMap(), alice), matched: true, allowed: false, message: "resulted in error" },
    { why: "an absent field without has() is an error, which Fail turns into a denial", parts: { validations: [{ expression: "object.data.size() >= 0 && object.spec.x == 1" }] }, request: createRequest(configMap(), alice), matched: true, allowed: false, message: "resulted in error" },
    { why: "... and Ignore lets through", parts: { failurePolicy: "Ignore", validations: [{ expression: "object.spec.x == 1" }] }, request: createRequest(configMap(), alice), matched: true, allowed: true },
    { why: "messageExpression gives the message", parts: { validations: [{ expression: "false", messageExpression: "'bad ' + object.metadata.name", message: "fallback" }] }, request: createRequest(configMap(), alice), matched: true, allowed: false, message: "denied request: bad cm" },
    { why: "a non-string messageExpression falls back to message", parts: { validations: [{ expression: "false", messageExpression: "1 == 1", message: "fallback" }] }, request: createRequest(configMap(), alice), matched: true, allowed: false, message: "denied request: fallback" },
    { why: "without any message, the expression is quoted", parts: { validations: [{ expression: "1 == 2" }] }, request: createRequest(configMap(), alice), matched: true, allowed: false, message: "denied request: failed expression: 1 == 2" },
    { why: "Warn reports without denying", parts: { actions: ["Warn"], validations: [deny] }, request: createRequest(configMap(), alice), matched: true, allowed: true },
    {
      why: "request carries user, namespace, kind and operation; no subResource on a plain create",
      parts: { validations: [{ expression: "request.userInfo.username == 'alice' && 'system:authenticated' in request.userInfo.groups && request.namespace == 'team-a' && request.kind.kind == 'ConfigMap' && request.resource.resource == 'configmaps' && request.operation == 'CREATE' && !has(request.subResource) && oldObject == null" }] },
      request: createRequest(configMap(), alice),
      matched: true,
      allowed: true,
    },
    { why: "namespaceObject shows the namespace's labels, without its kind", parts: { validations: [{ expression: "namespaceObject.metadata.labels.tier == 'gold' && !has(namespaceObject.kind)" }] }, request: createRequest(configMap(), alice), matched: true, allowed: true },
    { why: "DELETE has a null object and the stored oldObject", parts: { validations: [{ expression: "object == null && oldObject.metadata.name == 'cm'" }] }, request: deleteRequest(configMap(), alice), matched: true, allowed: true },
    { why: "UPDATE has both", parts: { validations: [{ expression: "oldObject.data.a == '1' && object.data.a == '2'" }] }, request: updateRequest(configMap({ a: "1" }), configMap({ a: "2" }), alice), matched: true, allowed: true },
    { why: "whole numbers are CEL ints, as in unstructured objects", parts: { rules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"] }], validations: [{ expression: "type(object.spec.replicas) == int && object.spec.replicas + 1 == 3" }] }, request: createRequest({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d", namespace: "team-a" }, spec: { replicas: 2 } }, alice), matched: true, allowed: true },
    {
      why: "params by selector: every match is evaluated",
      parts: { paramKind: { apiVersion: "v1", kind: "ConfigMap" }, paramRef: { namespace: "system", selector: { matchLabels: { role: "limit" } }, parameterNotFoundAction: "Deny" }, validations: [{ expression: "params.data.max == '3'", messageExpression: "'over ' + params.data.max" }] },
      request: createRequest(configMap(), alice),
      matched: true,
      allowed: false,
      message: "denied request: over 5",
    },
    {
      why: "a missing param with Allow evaluates nothing",
      parts: { paramKind: { apiVersion: "v1", kind: "ConfigMap" }, paramRef: { namespace: "system", name: "absent", parameterNotFoundAction: "Allow" }, validations: [deny] },
      request: createRequest(configMap(), alice),
      matched: true,
      allowed: true,
    },
    {
      why: "a missing param with Deny refuses",
      parts: { paramKind: { apiVersion: "v1", kind: "ConfigMap" }, paramRef: { namespace: "system", name: "absent", parameterNotFoundAction: "Deny" }, validations: [{ expression: "true" }] },
      request: createRequest(configMap(), alice),
      matched: true,
      allowed: false,
      message: "failed to configure binding: no params found",
    },
  ])("$why", ({ parts, request, matched, allowed, message }) => {
    const verdict = admit(policyAndBinding(parts), cluster, request);
    expect(verdict.matched).toEqual(matched ? ["p/b"] : []);
    expect(verdict.allowed).toBe(allowed);
    if (message) expect(verdict.denials.map((d) => d.message).join("\n")).toContain(message);
    if (!allowed && !message) expect(verdict.denials).toHaveLength(1);
  });

  it("a Warn binding's message reaches the client as a warning", () => {
    const verdict = admit(policyAndBinding({ actions: ["Warn"], validations: [deny] }), cluster, createRequest(configMap(), alice));
    expect(verdict.warnings).toEqual(["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': no"]);
  });
});

describe("the CEL environment is the API server's", () => {
  it.each([
    { why: "mixed-type list literals (HomogeneousAggregateLiterals)", expression: "1 in [1, 'a']", message: /list literal mixes/ },
    { why: "functions outside the modelled libraries", expression: "quantity('1Gi').isGreaterThan(quantity('1Mi'))", message: /function 'quantity' is not in the modelled environment/ },
    { why: "the authorizer, which is not modelled", expression: "authorizer.group('').resource('pods').check('get').allowed()", message: /unknown variable 'authorizer'/ },
    { why: "syntax errors", expression: "object.metadata.name ==", message: /does not parse/ },
  ])("refuses $why", ({ expression, message }) => {
    expect(() => compile(expression)).toThrow(message);
  });

  it("a typo in any expression of a policy fails even when no request reaches it", () => {
    const objects = policyAndBinding({ validations: [{ expression: "true", messageExpression: "'x' +" }] });
    expect(() => admit(objects, cluster, createRequest(configMap({}, "system"), alice))).toThrow(/does not parse/);
  });
});
