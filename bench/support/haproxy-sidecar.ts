/**
 * PROTOTYPE (bench only): design (d) of the Beta router, "nginx + HAProxy resolving sidecar".
 *
 * Stock nginx cannot keep upstream connections alive when `proxy_pass` holds variables, so the
 * real router (components/router-config.ts) opens one TCP connection to the app per request.
 * Design (d) keeps the rendered nginx config (same Host patterns, default server, healthz,
 * headers, error pages) but points `proxy_pass` at a STATIC `upstream` with keepalive: a local
 * HAProxy on 127.0.0.1 in the same pod. nginx tells it the Service name in a request header;
 * HAProxy resolves that name per request against the same DNS server (`do-resolve`, answers
 * cached for `hold valid`), sends the request there (`set-dst`, `server 0.0.0.0:80`) and keeps
 * idle server connections per destination (`http-reuse always`). No Beta is ever listed in
 * either config, so creating or destroying a Beta still reloads nothing.
 *
 * 404 "no such Beta" vs 503 "app down": nginx's `$upstream_addr` is now always the sidecar, so
 * the sidecar says which it was with two status codes no app sends (nginx intercepts only these):
 *   590: the name did not resolve (NXDOMAIN, or no DNS answer)      -> nginx's 404 page
 *   591: HAProxy itself failed to reach the app (refused/timeout)   -> nginx's 503 page
 * An app's own 502/503/504 still passes through untouched (HAProxy marks responses that came
 * from a server and only rewrites the ones it generated itself).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stopChild, trackChild, waitForPort } from "../../test/support/router-net";

export const HAPROXY_BIN = "/usr/sbin/haproxy";
/** Header nginx sets to the Service name the request is for. */
export const UPSTREAM_HEADER = "X-Beta-Upstream";
export const NO_SUCH_NAME_STATUS = 590;
export const APP_DOWN_STATUS = 591;

export interface SidecarOptions {
  /** 127.0.0.1 port HAProxy listens on (nginx's static upstream). */
  port: number;
  /** DNS server, `address:port` (the kube-dns Service IP in a cluster). */
  resolver: string;
  /** Seconds a DNS answer (positive or negative) is reused, like nginx's `valid=`; default 5. */
  validSeconds?: number;
  connectTimeoutSeconds?: number;
  idleTimeoutSeconds?: number;
}

/** The HAProxy configuration of the sidecar. */
export function renderSidecarConfig(options: SidecarOptions): string {
  const valid = options.validSeconds ?? 5;
  const idle = options.idleTimeoutSeconds ?? 3600;
  return [
    "global",
    "  # One thread, like the one nginx worker it sits behind.",
    "  nbthread 1",
    "  maxconn 8192",
    "",
    "defaults",
    "  mode http",
    `  timeout connect ${options.connectTimeoutSeconds ?? 5}s`,
    "  # Connections from nginx's keepalive pool and to the apps; WebSockets/SSE stay idle long.",
    `  timeout client ${idle}s`,
    `  timeout server ${idle}s`,
    `  timeout tunnel ${idle}s`,
    "  # Longer than nginx's upstream keepalive_timeout, so nginx always closes an idle connection first.",
    "  timeout http-keep-alive 75s",
    "  timeout http-request 10s",
    "",
    "resolvers beta-dns",
    `  nameserver dns ${options.resolver}`,
    "  accepted_payload_size 8192",
    "  resolve_retries 2",
    "  timeout resolve 1s",
    "  timeout retry 1s",
    `  hold valid ${valid}s`,
    `  hold nx ${valid}s`,
    `  hold other ${valid}s`,
    `  hold refused ${valid}s`,
    `  hold timeout ${valid}s`,
    `  hold obsolete ${valid}s`,
    "",
    "frontend beta",
    `  bind 127.0.0.1:${options.port}`,
    "  # Only nginx (same pod, loopback) talks to this; it always sets the header to",
    "  # <app>.beta-<name>.svc.<clusterDomain>, built from a Host it already validated.",
    `  http-request do-resolve(txn.beta_dst,beta-dns,ipv4) hdr(${UPSTREAM_HEADER}),lower`,
    `  http-request return status ${NO_SUCH_NAME_STATUS} content-type text/plain string "no such name" unless { var(txn.beta_dst) -m found }`,
    "  http-request set-dst var(txn.beta_dst)",
    `  http-request del-header ${UPSTREAM_HEADER}`,
    "  default_backend apps",
    "",
    "backend apps",
    "  # Idle server connections are pooled per destination address and shared by all requests.",
    "  http-reuse always",
    "  retries 1",
    "  # Whatever address set-dst chose, port 80 (every app Service listens on 80).",
    "  server app 0.0.0.0:80",
    "  # Responses that came from an app pass as they are; HAProxy's own 502/503/504 become 591.",
    "  http-response set-var(txn.beta_answered) bool(1)",
    `  http-after-response set-status ${APP_DOWN_STATUS} if { status 502:504 } !{ var(txn.beta_answered) -m found }`,
    "",
  ].join("\n");
}

/**
 * The router config for design (d): the real rendered text with the variable `proxy_pass`
 * swapped for the static keepalive upstream, upstream Connection "" (keepalive) for plain
 * requests, and the 404/503 decision taken from the sidecar's status instead of `$upstream_addr`.
 * Throws if the rendered text no longer has the lines this relies on.
 */
export function sidecarRouterConfig(rendered: string, sidecarPort: number): string {
  const replace = (text: string, pattern: RegExp | string, by: string | ((...groups: string[]) => string), expected: number): string => {
    const global = typeof pattern === "string" ? new RegExp(pattern, "g") : new RegExp(pattern.source, `${pattern.flags}g`);
    const count = (text.match(global) ?? []).length;
    if (count !== expected) throw new Error(`sidecarRouterConfig: expected ${expected} match(es) of ${pattern}, found ${count}`);
    return text.replace(global, by as string);
  };
  let text = rendered;
  // Plain requests keep the upstream connection (to the sidecar) open; WebSockets still upgrade.
  text = replace(text, /(map \$http_upgrade \$beta_connection \{\n(?:.*\n)*?\s*default) close;/, "$1 \"\";", 1);
  text = replace(
    text,
    /^(\s*)proxy_pass http:\/\/([^;]+):80;$/m,
    (_match, pad: string, name: string) =>
      `${pad}# PROTOTYPE (d): the name goes to the HAProxy sidecar, which resolves it per request.\n` +
      `${pad}proxy_set_header ${UPSTREAM_HEADER} ${name};\n` +
      `${pad}proxy_pass http://beta_sidecar;`,
    2,
  );
  // Only the sidecar's own two codes are intercepted: an app's own 502/504 passes untouched.
  text = replace(
    text,
    /^(\s*)error_page 502 504 = \$beta_error_page;$/m,
    (_match, pad: string) => `${pad}proxy_intercept_errors on;\n${pad}error_page ${NO_SUCH_NAME_STATUS} ${APP_DOWN_STATUS} = $beta_error_page;`,
    2,
  );
  text = replace(text, /if \(\$upstream_addr = ""\)/, `if ($upstream_status = ${NO_SUCH_NAME_STATUS})`, 4);
  const upstream = [
    "# PROTOTYPE (d): the HAProxy sidecar in the same pod; nginx keeps connections to it open.",
    "upstream beta_sidecar {",
    `  server 127.0.0.1:${sidecarPort};`,
    "  keepalive 64;",
    "  keepalive_timeout 60s;",
    "}",
    "",
  ].join("\n");
  return upstream + text;
}

/** A running HAProxy sidecar. */
export interface Sidecar {
  readonly pid: number;
  readonly config: string;
  /** CPU time (user + system) so far, in seconds, from /proc. */
  cpuSeconds(): number;
  rssKb(): number;
  stop(): Promise<void>;
}

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Checks the config (`haproxy -c`), starts HAProxy in the foreground and waits for its port. */
export async function startSidecar(options: SidecarOptions): Promise<Sidecar> {
  const dir = mkdtempSync(path.join(tmpdir(), "beta-haproxy-"));
  const configFile = path.join(dir, "haproxy.cfg");
  const config = renderSidecarConfig(options);
  writeFileSync(configFile, config);
  const check = spawnSync(HAPROXY_BIN, ["-c", "-q", "-f", configFile], { encoding: "utf8", timeout: 10_000 });
  if (check.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`haproxy -c failed:\n${check.stdout}${check.stderr}\n${config}`);
  }
  let stderr = "";
  // -db: foreground, no daemon; a single process (no master), so its pid carries all the CPU.
  const child: ChildProcess = spawn(HAPROXY_BIN, ["-db", "-f", configFile], { stdio: ["ignore", "ignore", "pipe"] });
  trackChild(child);
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort("127.0.0.1", options.port, { child, timeoutMs: 10_000 });
  } catch (error) {
    await stopChild(child, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`haproxy did not start: ${(error as Error).message}\n${stderr}`);
  }
  const pid = child.pid ?? 0;
  const stat = (): string[] => {
    const text = read(`/proc/${pid}/stat`);
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  };
  return {
    pid,
    config,
    cpuSeconds: () => {
      const fields = stat();
      return (Number(fields[11]) + Number(fields[12])) / 100 || 0;
    },
    rssKb: () => Number(/^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`))?.[1] ?? 0),
    async stop() {
      await stopChild(child, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
