/**
 * Kubeconfig handling for adopted clusters: the platform exports one self-contained
 * kubeconfig (one context, its cluster and user) for developer stacks to deploy with.
 */
import { parse, stringify } from "yaml";
import { ConfigError } from "./config-error";

interface Named<T> { name: string; [key: string]: unknown; value?: T }
interface KubeconfigDoc {
  "current-context"?: string;
  contexts?: { name: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
  clusters?: Named<unknown>[];
  users?: Named<unknown>[];
  [key: string]: unknown;
}

/**
 * The kubeconfig reduced to one context (`context`, else its current context), like
 * `kubectl config view --minify --flatten`. Throws, naming the context, when it is missing.
 */
export function minifyKubeconfig(text: string, context?: string): string {
  let doc: KubeconfigDoc;
  try {
    doc = parse(text) as KubeconfigDoc;
  } catch (error) {
    // The parser's message quotes the offending line, which may hold a token: give only where.
    const at = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
    throw new ConfigError(`beta:cluster.kubeconfig is not valid YAML or JSON${at ? ` (line ${at.line}, column ${at.col})` : ""}; expected a kubeconfig file's contents (apiVersion, clusters, contexts, users)`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || !Array.isArray(doc.contexts)) {
    throw new ConfigError("beta:cluster.kubeconfig has no contexts; give a kubeconfig file's contents");
  }
  const wanted = context ?? doc["current-context"];
  const entry = doc.contexts.find((c) => c.name === wanted);
  if (!entry) {
    const known = doc.contexts.map((c) => nameText(c?.name, false)).join(", ") || "none";
    throw new ConfigError(`beta:cluster.context ${nameText(wanted ?? "")} is not a context of the kubeconfig (contexts: ${known})`);
  }
  const cluster = (doc.clusters ?? []).find((c) => c.name === entry.context?.cluster);
  const user = (doc.users ?? []).find((u) => u.name === entry.context?.user);
  if (!cluster) throw new ConfigError(`beta:cluster.kubeconfig: context ${nameText(entry.name)} names cluster ${nameText(entry.context?.cluster)}, which the kubeconfig does not define`);
  const fileFields = [
    ...fileReferences(cluster.cluster, ["certificate-authority"]),
    ...fileReferences(user?.user, ["client-certificate", "client-key", "tokenFile"]),
  ];
  if (fileFields.length > 0) {
    throw new ConfigError(
      `beta:cluster.kubeconfig: context ${nameText(entry.name)} points at local files (${fileFields.join(", ")}), which developer stacks cannot read. ` +
        `Export it with the files inlined: kubectl config view --minify --flatten --context ${nameText(entry.name, false)}, and set that as beta:cluster.kubeconfig`,
    );
  }
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": entry.name,
    contexts: [entry],
    clusters: [cluster],
    users: user ? [user] : [],
  });
}

/** A name from the kubeconfig, quoted; anything that is not a short name is described, not shown. */
function nameText(value: unknown, quote = true): string {
  if (typeof value !== "string" || !/^[\w.@:/-]{1,253}$/.test(value)) return "(not a valid name)";
  return quote ? JSON.stringify(value) : value;
}

function fileReferences(section: unknown, fields: readonly string[]): string[] {
  if (!section || typeof section !== "object") return [];
  return fields.filter((field) => typeof (section as Record<string, unknown>)[field] === "string");
}

interface ExecUser { name: string; user?: { exec?: { command?: string; args?: string[] } } }

/**
 * An EKS kubeconfig whose `aws eks get-token` calls assume `roleArn`, so whoever deploys a
 * Beta does it as the deployer role, not as their own identity.
 */
export function assumeRoleInKubeconfig(kubeconfigJson: string, roleArn: string): string {
  const doc = JSON.parse(kubeconfigJson) as { users?: ExecUser[] };
  for (const entry of doc.users ?? []) {
    const exec = entry.user?.exec;
    if (!exec?.args?.includes("get-token")) continue;
    const args = exec.args.filter((arg, index, all) => arg !== "--role-arn" && all[index - 1] !== "--role-arn");
    exec.args = [...args, "--role-arn", roleArn];
  }
  return JSON.stringify(doc);
}
