/**
 * `beta doctor` on the laptop platform: is the host port kind publishes the router on
 * (examples/kind.yaml, 127.0.0.1:8080) answered by Beta's router, by nothing yet, or by some
 * other program, which would also make `kind create cluster` fail with docker's "port is
 * already allocated"?
 */
import http from "node:http";
import path from "node:path";
import { parse } from "yaml";
import { MISDIRECTED_STATUS } from "../components/router-config";
import { EXAMPLES_KIND_CLUSTER, createKindClusterCommand } from "../lib/kind";
import type { CheckResult } from "./doctor-checks";

/** Where the host reaches the router: the first port mapping of examples/kind.yaml. */
export interface RouterAddress {
  address: string;
  port: number;
}

const DEFAULT_ADDRESS: RouterAddress = { address: "127.0.0.1", port: 8080 };

/** The router's host address from examples/kind.yaml (its text, when the clone has it). */
export function routerAddress(kindConfig: string | undefined): RouterAddress {
  if (!kindConfig) return DEFAULT_ADDRESS;
  try {
    const doc = parse(kindConfig) as { nodes?: { extraPortMappings?: { hostPort?: unknown; listenAddress?: unknown }[] }[] };
    const mapping = (doc?.nodes ?? []).flatMap((node) => node?.extraPortMappings ?? []).find((m) => typeof m?.hostPort === "number");
    if (!mapping) return DEFAULT_ADDRESS;
    // kind listens on every address when listenAddress is left out; loopback reaches it too.
    const address = typeof mapping.listenAddress === "string" && mapping.listenAddress !== "0.0.0.0" ? mapping.listenAddress : "127.0.0.1";
    return { address, port: mapping.hostPort as number };
  } catch {
    return DEFAULT_ADDRESS;
  }
}

/** What answered on the router's address. */
export type RouterProbe =
  | { kind: "router" }
  | { kind: "other"; status: number; server?: string }
  /** No HTTP answer: `code` is the socket error (ECONNREFUSED: nothing listens). */
  | { kind: "none"; code: string };

/**
 * Asks the address for `/` with a Host that is no Beta host: Beta's router answers that from
 * its default server, 421 with its own text (`misdirectedText` in components/router-pages.ts), which an unrelated
 * program would not. A Beta's own URL would not tell: its app may answer anything.
 */
export function probeRouter(target: RouterAddress, domain: string, timeoutMs = 3_000): Promise<RouterProbe> {
  return new Promise((resolve) => {
    const request = http.get(
      { host: target.address, port: target.port, path: "/", headers: { host: "localhost", accept: "text/plain" }, timeout: timeoutMs, agent: false },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          if (body.length < 4_096) body += chunk;
        });
        response.on("end", () => {
          const isRouter = response.statusCode === MISDIRECTED_STATUS && body.includes("Misdirected Request: this router only serves") && body.includes(`.${domain}`);
          const server = printable(String(response.headers.server ?? ""));
          resolve(isRouter ? { kind: "router" } : { kind: "other", status: response.statusCode ?? 0, ...(server ? { server } : {}) });
        });
        response.on("error", () => resolve({ kind: "none", code: "ECONNRESET" }));
      },
    );
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    request.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "none", code: error.code ?? "error" }));
  });
}

/** A header value fit for one line of output, or undefined. */
function printable(value: string | undefined): string | undefined {
  return value && /^[\x20-\x7e]{1,80}$/.test(value) ? value : undefined;
}

/** The doctor's line for the laptop router, from examples/kind.yaml in `workDir`. */
export async function checkLocalRouter(options: {
  readFile: (file: string) => string | undefined;
  workDir: string;
  domain: string;
  name: string;
}): Promise<CheckResult> {
  const target = routerAddress(options.readFile(path.join(options.workDir, "examples", "kind.yaml")));
  const where = `${target.address}:${target.port}`;
  const url = `http://${options.name}.${options.domain}:${target.port}`;
  const probe = await probeRouter(target, options.domain);
  const check = "Local router";
  if (probe.kind === "router") return { check, status: "ok", detail: `${where} is Beta's router (${url})` };
  if (probe.kind === "other") {
    return {
      check,
      status: "fail",
      detail: `${where} is held by a program that is not Beta's router (it answered HTTP ${probe.status}${probe.server ? `, Server: ${probe.server}` : ""}), so kind cannot publish the router there ("port is already allocated")`,
      fix:
        `Find it with \`lsof -nP -iTCP:${target.port} -sTCP:LISTEN\` and stop it, or set another hostPort in examples/kind.yaml, ` +
        `recreate the cluster (kind delete cluster --name ${EXAMPLES_KIND_CLUSTER} && ${createKindClusterCommand(EXAMPLES_KIND_CLUSTER)}) and use that port in the URLs.`,
    };
  }
  if (probe.code === "ECONNREFUSED") {
    return { check, status: "warn", detail: `nothing listens on ${where} yet`, fix: `${createKindClusterCommand(EXAMPLES_KIND_CLUSTER)} publishes the router there; then pulumi up --stack local.` };
  }
  return { check, status: "warn", detail: `${where} takes connections but no router answers (${probe.code})`, fix: "The router is not up: pulumi up --stack local, then kubectl --context kind-beta -n uber get pods." };
}
