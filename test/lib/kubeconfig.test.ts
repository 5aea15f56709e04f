import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hasUser, minifyKubeconfig, withLocalUser, withoutCredentials } from "../../lib/kubeconfig";
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

  it("refuses a cluster CA kept in a local file, which no developer stack could read", () => {
    const withFiles = JSON.stringify({
      contexts: [{ name: "c", context: { cluster: "k", user: "u" } }],
      clusters: [{ name: "k", cluster: { server: "https://k", "certificate-authority": "/home/me/.kube/ca.crt" } }],
      users: [{ name: "u", user: { "client-key": "/home/me/.kube/key.pem" } }],
    });
    expect(() => minifyKubeconfig(withFiles, "c")).toThrow(
      /points at local files \(certificate-authority\).*kubectl config view --minify --flatten --context c/,
    );
  });

  it("says so when the text is no kubeconfig", () => {
    expect(() => minifyKubeconfig("just: text")).toThrow(/has no contexts/);
  });
});

describe("developers sign in to the platform's cluster as themselves", () => {
  const eks = JSON.stringify({
    "current-context": "c",
    contexts: [{ name: "c", context: { cluster: "c", user: "u" } }],
    clusters: [{ name: "c", cluster: { server: "https://eks.example.com" } }],
    users: [{ name: "u", user: { exec: { command: "aws", args: ["eks", "get-token", "--cluster-name", "c"] } } }],
  });

  it("the platform exports no stored credential: a token user is dropped", () => {
    const exported = withoutCredentials(minifyKubeconfig(TEST_KUBECONFIG, "shared"));
    expect(exported).not.toContain("test-token");
    expect(parse(exported).users).toEqual([]);
    expect(hasUser(exported)).toBe(false);
  });

  it("an exec user (aws eks get-token) stays: it signs in as whoever runs it", () => {
    expect(parse(withoutCredentials(eks)).users).toEqual(JSON.parse(eks).users);
    expect(hasUser(withoutCredentials(eks))).toBe(true);
  });

  it("an adopted cluster's kubeconfig gets the user of the developer's own context for the same server", () => {
    const exported = withoutCredentials(minifyKubeconfig(TEST_KUBECONFIG, "shared"));
    const local = JSON.stringify({
      "current-context": "laptop",
      contexts: [
        { name: "laptop", context: { cluster: "elsewhere", user: "me-elsewhere" } },
        { name: "work", context: { cluster: "work", user: "alice" } },
      ],
      clusters: [
        { name: "elsewhere", cluster: { server: "https://other.example.com" } },
        { name: "work", cluster: { server: "https://k8s.example.com", "certificate-authority": "/tmp/other-ca" } },
      ],
      users: [
        { name: "me-elsewhere", user: { token: "wrong" } },
        { name: "alice", user: { token: "alice-token" } },
      ],
    });
    const signedIn = parse(withLocalUser(exported, local, "~/.kube/config"));
    expect(signedIn.users).toEqual([{ name: "alice", user: { token: "alice-token" } }]);
    // The cluster is still the platform's, never the local file's entry.
    expect(signedIn.clusters).toEqual([{ name: "shared", cluster: { server: "https://k8s.example.com" } }]);
    expect(signedIn.contexts[0].context.user).toBe("alice");
  });

  it("says what to do when no local context reaches that server", () => {
    const exported = withoutCredentials(minifyKubeconfig(TEST_KUBECONFIG, "shared"));
    expect(() => withLocalUser(exported, eks, "/home/me/.kube/config")).toThrow(
      /No context of your kubeconfig \/home\/me\/.kube\/config signs in to the platform's cluster https:\/\/k8s.example.com/,
    );
  });
});
