import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { assumeRoleInKubeconfig, minifyKubeconfig } from "../../lib/kubeconfig";
import { TEST_KUBECONFIG } from "../support/program";

describe("adopting a cluster from a kubeconfig", () => {
  it("keeps only the chosen context, its cluster and its user", () => {
    const doc = parse(minifyKubeconfig(TEST_KUBECONFIG, "other"));
    expect(doc["current-context"]).toBe("other");
    expect(doc.contexts.map((c: { name: string }) => c.name)).toEqual(["other"]);
    expect(doc.clusters).toEqual([{ name: "shared", cluster: { server: "https://k8s.example.com" } }]);
    expect(doc.users).toEqual([{ name: "admin", user: { token: "test-token" } }]);
  });

  it("uses the current context when none is named", () => {
    expect(parse(minifyKubeconfig(TEST_KUBECONFIG))["current-context"]).toBe("shared");
  });

  it("names the missing context and the ones there are", () => {
    expect(() => minifyKubeconfig(TEST_KUBECONFIG, "prod")).toThrow(/"prod" is not a context of the kubeconfig \(contexts: shared, other\)/);
  });

  it("refuses certificates and keys kept in local files, which no developer stack could read", () => {
    const withFiles = JSON.stringify({
      contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
      clusters: [{ name: "k", cluster: { server: "https://k", "certificate-authority": "/home/me/.kube/ca.crt" } }],
      users: [{ name: "u", user: { "client-key": "/home/me/.kube/key.pem" } }],
    });
    expect(() => minifyKubeconfig(withFiles, "c")).toThrow(
      /points at local files \(certificate-authority, client-key\).*kubectl config view --minify --flatten --context c/,
    );
  });

  it("says so when the text is no kubeconfig", () => {
    expect(() => minifyKubeconfig("just: text")).toThrow(/has no contexts/);
  });
});

describe("deploying to EKS as the deployer role", () => {
  const eks = JSON.stringify({
    users: [{ name: "u", user: { exec: { command: "aws", args: ["eks", "get-token", "--cluster-name", "c", "--role-arn", "arn:old"] } } }],
  });
  it("adds --role-arn to aws eks get-token, replacing any earlier one", () => {
    const args = JSON.parse(assumeRoleInKubeconfig(eks, "arn:aws:iam::1:role/deployer")).users[0].user.exec.args;
    expect(args).toEqual(["eks", "get-token", "--cluster-name", "c", "--role-arn", "arn:aws:iam::1:role/deployer"]);
  });
});
