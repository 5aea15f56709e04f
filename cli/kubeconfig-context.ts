/**
 * `beta kubeconfig`: a kubectl context for a developer's namespace on the platform's cluster,
 * built from the platform stack's `kubeconfig` output (which carries no credentials: on EKS an
 * exec user running `aws eks get-token` as the caller; on an adopted cluster none at all).
 * Pure: reads and returns kubeconfig documents as values. Messages never quote a
 * kubeconfig's text, only names and servers.
 */
import { parse } from "yaml";
import { CliError } from "./errors";

interface Entry {
  name: string;
  [field: string]: unknown;
}

export interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  "current-context"?: string;
  clusters?: Entry[];
  contexts?: Entry[];
  users?: Entry[];
  [field: string]: unknown;
}

/** Parses a kubeconfig (YAML or JSON) without echoing its text in an error. */
export function parseKubeconfig(text: string, what: string): KubeconfigDoc {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new CliError(`${what} is not valid YAML${line ? ` (line ${line})` : ""}.`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new CliError(`${what} is not a kubeconfig (expected a YAML mapping with clusters, contexts and users).`);
  return doc as KubeconfigDoc;
}

const entries = (list: unknown): Entry[] => (Array.isArray(list) ? list.filter((e): e is Entry => typeof (e as Entry)?.name === "string") : []);
const field = (entry: Entry | undefined, section: string): Record<string, unknown> =>
  entry && typeof entry[section] === "object" && entry[section] !== null ? (entry[section] as Record<string, unknown>) : {};

/** The server of a cluster entry, or undefined. */
export function serverOf(cluster: Entry | undefined): string | undefined {
  const server = field(cluster, "cluster").server;
  return typeof server === "string" ? server : undefined;
}

/** The platform kubeconfig's current context: its cluster entry and user entry. */
export function platformClusterAndUser(doc: KubeconfigDoc): { cluster: Entry; user?: Entry } {
  const contexts = entries(doc.contexts);
  const context = contexts.find((c) => c.name === doc["current-context"]) ?? contexts[0];
  const clusterName = field(context, "context").cluster;
  const userName = field(context, "context").user;
  const clusters = entries(doc.clusters);
  const cluster = clusters.find((c) => c.name === clusterName) ?? (clusters.length === 1 ? clusters[0] : undefined);
  if (!cluster || !serverOf(cluster)) {
    throw new CliError("The platform's kubeconfig output names no cluster server.", "Ask a platform engineer to run `pulumi up` on the platform stack.");
  }
  return { cluster, user: entries(doc.users).find((u) => u.name === userName) };
}

/** True when a user entry can authenticate by itself: an exec plugin (aws eks get-token) or inline credentials. */
export function userHasCredentials(user: Entry | undefined): boolean {
  const u = field(user, "user");
  return ["exec", "token", "client-certificate-data", "auth-provider", "tokenFile", "client-certificate", "username"].some((key) => u[key] !== undefined);
}

/** A local context whose cluster's server is `server`, with the user it uses. */
export function localContextFor(doc: KubeconfigDoc, server: string): { context: string; user: string } | undefined {
  const norm = (url: string) => url.replace(/\/+$/, "");
  const clusters = entries(doc.clusters).filter((c) => serverOf(c) && norm(serverOf(c)!) === norm(server)).map((c) => c.name);
  for (const context of entries(doc.contexts)) {
    const ctx = field(context, "context");
    if (typeof ctx.cluster === "string" && clusters.includes(ctx.cluster) && typeof ctx.user === "string" && ctx.user !== "") {
      return { context: context.name, user: ctx.user };
    }
  }
  return undefined;
}

export interface BetaContext {
  /** `beta-<name>`: the context's name, and the namespace it points at. */
  contextName: string;
  namespace: string;
  cluster: Entry;
  /** The user entry to add (EKS: the exec user); undefined when an existing local user is reused. */
  user?: Entry;
  userName: string;
  /** Set when the user of an existing local context is reused. */
  reusedFrom?: string;
}

/** Where the context's credentials come from, when none could be found. */
export function noCredentialsHint(name: string, server: string): string {
  return (
    `Ask a platform engineer for credentials to ${server} as Kubernetes user "${name}" (they add you to beta:developers, ` +
    `which binds role beta-tenant in namespace beta-${name}), add them with \`kubectl config set-credentials\` and a ` +
    `context for that server (\`kubectl config set-context\`), then run \`beta kubeconfig ${name}\` again.`
  );
}

/**
 * The context for `beta-<name>`: the platform's cluster, its exec user on EKS, else the user
 * of a local context that already reaches the same server.
 */
export function betaContext(platform: KubeconfigDoc, local: KubeconfigDoc, name: string, options: { clusterName?: string }): BetaContext {
  const { cluster: platformCluster, user: platformUser } = platformClusterAndUser(platform);
  const contextName = `beta-${name}`;
  const clusterEntry: Entry = { ...platformCluster, name: options.clusterName ? `beta-${options.clusterName}` : `beta-cluster` };
  if (userHasCredentials(platformUser)) {
    const userName = `${clusterEntry.name}-${name}`;
    return { contextName, namespace: contextName, cluster: clusterEntry, user: { ...platformUser!, name: userName }, userName };
  }
  const server = serverOf(platformCluster)!;
  const found = localContextFor(local, server);
  if (!found) throw new CliError(`No context of your kubeconfig reaches the platform's cluster ${server}, and the platform's kubeconfig carries no credentials.`, noCredentialsHint(name, server));
  return { contextName, namespace: contextName, cluster: clusterEntry, userName: found.user, reusedFrom: found.context };
}

function upsert(list: Entry[] | undefined, entry: Entry): Entry[] {
  const rest = entries(list).filter((e) => e.name !== entry.name);
  return [...rest, entry];
}

/** `local` with the Beta's cluster, user and context added (replacing same-named ones) and made current. */
export function mergeBetaContext(local: KubeconfigDoc, context: BetaContext): KubeconfigDoc {
  return {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    ...local,
    clusters: upsert(local.clusters, context.cluster),
    users: context.user ? upsert(local.users, context.user) : entries(local.users),
    contexts: upsert(local.contexts, { name: context.contextName, context: { cluster: context.cluster.name, user: context.userName, namespace: context.namespace } }),
    "current-context": context.contextName,
  };
}

/** A kubeconfig holding the Beta's context alone (`--print`), with the reused local user copied in. */
export function standaloneBetaKubeconfig(local: KubeconfigDoc, context: BetaContext): KubeconfigDoc {
  const user = context.user ?? entries(local.users).find((u) => u.name === context.userName);
  return mergeBetaContext({ apiVersion: "v1", kind: "Config", clusters: [], contexts: [], users: user ? [user] : [] }, { ...context, user });
}

/** The file kubectl writes to: the first of $KUBECONFIG, else ~/.kube/config. */
export function kubeconfigFile(env: Readonly<Record<string, string | undefined>>): string {
  const first = (env.KUBECONFIG ?? "").split(process.platform === "win32" ? ";" : ":").find((part) => part !== "");
  if (first) return first;
  const home = env.HOME ?? env.USERPROFILE;
  if (!home) throw new CliError("Neither KUBECONFIG nor HOME is set: cannot tell where your kubeconfig is.", "Set KUBECONFIG, or use --print.");
  return `${home}/.kube/config`;
}
