/**
 * Kubeconfig handling for adopted clusters: the platform exports one self-contained
 * kubeconfig (one context, its cluster and user) for developer stacks to deploy with.
 */
import { parse, stringify } from "yaml";
import { ConfigError } from "./config-error";
import { kindClusterOfContext, missingContextFix } from "./kind";

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
    throw new ConfigError(`beta:cluster.context ${nameText(wanted ?? "")} is not a context of the kubeconfig (contexts: ${known}). ${missingContextFix(wanted)}`);
  }
  const cluster = (doc.clusters ?? []).find((c) => c.name === entry.context?.cluster);
  const user = (doc.users ?? []).find((u) => u.name === entry.context?.user);
  if (!cluster) throw new ConfigError(`beta:cluster.kubeconfig: context ${nameText(entry.name)} names cluster ${nameText(entry.context?.cluster)}, which the kubeconfig does not define`);
  // Developer stacks get this cluster entry, so its CA must travel inline; the user stays here.
  const fileFields = fileReferences(cluster.cluster, ["certificate-authority"]);
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

/** User fields that carry a credential of whoever wrote the kubeconfig. */
const CREDENTIAL_FIELDS = ["token", "tokenFile", "client-certificate", "client-certificate-data", "client-key", "client-key-data", "username", "password", "auth-provider"] as const;

function parseKubeconfig(text: string, what: string): KubeconfigDoc {
  let doc: KubeconfigDoc;
  try {
    doc = parse(text) as KubeconfigDoc;
  } catch {
    throw new ConfigError(`${what} is not valid YAML or JSON`);
  }
  if (!doc || typeof doc !== "object" || !Array.isArray(doc.contexts)) throw new ConfigError(`${what} has no contexts`);
  return doc;
}

/** The server URL of a one-context kubeconfig such as {@link minifyKubeconfig} returns. */
export function kubeconfigServer(text: string): string | undefined {
  const doc = parseKubeconfig(text, "the kubeconfig");
  const context = doc.contexts?.find((c) => c.name === doc["current-context"]) ?? doc.contexts?.[0];
  const cluster = (doc.clusters ?? []).find((c) => c.name === context?.context?.cluster) as { cluster?: { server?: string } } | undefined;
  return cluster?.cluster?.server;
}

/**
 * The one-context kubeconfig with every stored credential removed: what the platform may
 * hand to developer stacks. An exec user (e.g. `aws eks get-token`) stays: it carries no
 * secret and runs as whoever runs it.
 */
export function withoutCredentials(text: string): string {
  const doc = parseKubeconfig(text, "the kubeconfig");
  const users = (doc.users ?? []).flatMap((entry) => {
    const user = (entry.user ?? {}) as Record<string, unknown>;
    const exec = user.exec;
    return exec && CREDENTIAL_FIELDS.every((field) => user[field] === undefined) ? [{ name: entry.name, user: { exec } }] : [];
  });
  return stringify({ ...doc, users });
}

/** True when the kubeconfig's current context has a user who can sign in. */
export function hasUser(text: string): boolean {
  const doc = parseKubeconfig(text, "the kubeconfig");
  const context = doc.contexts?.find((c) => c.name === doc["current-context"]) ?? doc.contexts?.[0];
  return (doc.users ?? []).some((u) => u.name === context?.context?.user);
}

/**
 * The platform's credential-free kubeconfig signed in as the person running the stack: the
 * user of a context of their own kubeconfig that points at the same server (the current
 * context first). The cluster always comes from the platform, never from the local file.
 */
export function withLocalUser(platformKubeconfig: string, localKubeconfig: string, localFile: string): string {
  const server = kubeconfigServer(platformKubeconfig);
  const local = parseKubeconfig(localKubeconfig, `your kubeconfig ${localFile}`);
  const serverOf = (context: NonNullable<KubeconfigDoc["contexts"]>[number]) =>
    ((local.clusters ?? []).find((c) => c.name === context.context?.cluster) as { cluster?: { server?: string } } | undefined)?.cluster?.server;
  const candidates = (local.contexts ?? []).filter((c) => serverOf(c) === server);
  const chosen = candidates.find((c) => c.name === local["current-context"]) ?? candidates[0];
  const user = chosen && (local.users ?? []).find((u) => u.name === chosen.context?.user);
  if (!chosen || !user) {
    throw new ConfigError(
      `No context of your kubeconfig ${localFile} signs in to the platform's cluster ${server ?? "(no server)"}; ` +
        "ask a platform engineer for access to it, add that context, and run this again",
    );
  }
  const doc = parseKubeconfig(platformKubeconfig, "the platform's kubeconfig");
  const context = doc.contexts?.find((c) => c.name === doc["current-context"]) ?? doc.contexts![0];
  return stringify({
    ...doc,
    contexts: [{ name: context.name, context: { ...context.context, user: user.name } }],
    users: [user],
  });
}

/**
 * Why the kubeconfig cannot be read and what to run. A missing file next to a kind context
 * means the cluster was never created (`kind create cluster` writes the file); only the
 * error code is shown, never the file's content.
 */
export function unreadableKubeconfigMessage(file: string, code: string | undefined, context?: string): string {
  const problem = `The kubeconfig ${file} cannot be read (${code ?? "error"})`;
  if (code === "ENOENT" && kindClusterOfContext(context)) {
    return `${problem}, so it has no context ${context}. ${missingContextFix(context)} (it writes that file), or set KUBECONFIG to the file that has the context`;
  }
  return `${problem}; set KUBECONFIG to the file that signs you in to the cluster`;
}
