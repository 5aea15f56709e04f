/**
 * Secret-bearing config (beta:appSecrets, beta:cluster.kubeconfig): refusals name the key and
 * the expected shape, never the value; plain text where a secret belongs is refused with the
 * `pulumi config set --secret` command to use.
 */
import { describe, expect, it } from "vitest";
import { minifyKubeconfig } from "../../lib/kubeconfig";
import { parsePlatformConfig } from "../../lib/platform-config";
import { assertSecretsAreSecret } from "../../lib/secret-config";
import { kubeconfigPlatformConfig } from "../support/program";

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+=:@{}[]\"' ";
function secretValue(next: () => number): string {
  const length = 12 + Math.floor(next() * 40);
  // A fixed prefix keeps it from being a substring of any message text by chance.
  return `s3cr3t-${Array.from({ length }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join("")}`;
}

const kubeconfigWith = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ apiVersion: "v1", kind: "Config", "current-context": "c", clusters: [{ name: "k", cluster: { server: "https://k8s.example.com" } }], contexts: [{ name: "c", context: { cluster: "k", user: "u" } }], users: [{ name: "u", user }], ...extra });

/** Bad secret-bearing config, each with the secret somewhere in it. */
const MISTAKES: { why: string; config: (secret: string) => Record<string, unknown>; secretKeys?: string[] }[] = [
  { why: "an app secret that is a number-keyed object", config: (s) => ({ appSecrets: { DATABASE_URL: { value: s } } }) },
  { why: "an app secret that is a list", config: (s) => ({ appSecrets: { TOKEN: [s] } }) },
  { why: "an app secret under a bad variable name", config: (s) => ({ appSecrets: { "1-BAD": s } }) },
  { why: "appSecrets that is a plain string", config: (s) => ({ appSecrets: s }) },
  { why: "appSecrets stored as plain text", config: (s) => ({ appSecrets: { TOKEN: s } }), secretKeys: [] },
  { why: "a kubeconfig that is not YAML", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: `users: [ {token: ${s}\n  - ]]` } }) },
  { why: "a kubeconfig with no contexts", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: JSON.stringify({ users: [{ name: "u", user: { token: s } }] }) } }) },
  { why: "a kubeconfig that is a list", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: JSON.stringify([{ token: s }]) } }) },
  { why: "a kubeconfig whose context names no cluster", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: kubeconfigWith({ token: s }, { clusters: [] }) } }) },
  { why: "a kubeconfig whose cluster CA is a file", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: kubeconfigWith({ token: s }, { clusters: [{ name: "k", cluster: { server: "https://k8s.example.com", "certificate-authority": "/home/a/ca.pem" } }] }) } }) },
  { why: "a kubeconfig without the named context", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: kubeconfigWith({ token: s }), context: "prod" } }) },
  { why: "a kubeconfig whose current context is not a name", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: kubeconfigWith({ token: s }, { "current-context": { token: s } }) } }) },
  { why: "a kubeconfig that is an object, not text", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: { users: [{ token: s }] } } }) },
  { why: "an empty kubeconfig provider with an extra key", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: kubeconfigWith({ token: s }), token: "x" } }) },
  { why: "a cluster without a provider", config: (s) => ({ cluster: { kubeconfig: kubeconfigWith({ token: s }) } }) },
  { why: "an EKS cluster given a kubeconfig", config: (s) => ({ cluster: { provider: "eks", kubeconfig: kubeconfigWith({ token: s }) } }) },
  { why: "a kubeconfig stored as plain text", config: (s) => ({ cluster: { provider: "kubeconfig", kubeconfig: kubeconfigWith({ token: s }) } }), secretKeys: [] },
];

/** What the program does with the platform's config before declaring anything. */
function validate(config: Record<string, unknown>, secretKeys: readonly string[]): void {
  assertSecretsAreSecret(config, new Set(secretKeys));
  const parsed = parsePlatformConfig(config);
  if (parsed.cluster.provider === "kubeconfig" && parsed.cluster.kubeconfig) minifyKubeconfig(parsed.cluster.kubeconfig, parsed.cluster.context);
}

function refusal(config: Record<string, unknown>, secretKeys: readonly string[]): string {
  try {
    validate(config, secretKeys);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("refusals never contain a secret value", () => {
  it.each(MISTAKES)("$why: 20 random secrets, none in the message, which names the key", ({ config, secretKeys }) => {
    const next = random(MISTAKES.length * 7919);
    for (let i = 0; i < 20; i++) {
      const secret = secretValue(next);
      const input = kubeconfigPlatformConfig(config(secret));
      const message = refusal(input, secretKeys ?? ["appSecrets", "cluster"]);
      expect(message).toMatch(/beta:(appSecrets|cluster)/);
      expect(message).not.toContain(secret);
      expect(message).not.toContain(secret.slice(0, 16));
    }
  });
});

describe("a secret stored as plain text", () => {
  it("appSecrets: refused with the pulumi config set --secret command per key", () => {
    const message = refusal(kubeconfigPlatformConfig({ appSecrets: { DATABASE_URL: "postgres://u:pw@db/x", API_KEY: "k" } }), ["cluster"]);
    expect(message.split("\n")).toEqual([
      "beta:appSecrets is stored as plain text, so it would be readable in the stack file and the stack's state; it must be a secret. Store it encrypted (this replaces the plain value):",
      "  pulumi config set --secret --path 'beta:appSecrets.DATABASE_URL' '<value>'",
      "  pulumi config set --secret --path 'beta:appSecrets.API_KEY' '<value>'",
    ]);
  });

  it("cluster.kubeconfig: refused with the command that stores it encrypted", () => {
    const message = refusal(kubeconfigPlatformConfig(), []);
    expect(message).toContain(`pulumi config set --secret --path 'beta:cluster.kubeconfig' "$(kubectl config view --minify --flatten --context <context>)"`);
  });

  it("secret values pass", () => {
    expect(() => validate(kubeconfigPlatformConfig({ appSecrets: { TOKEN: "x" } }), ["appSecrets", "cluster"])).not.toThrow();
  });
});
