/**
 * A real nginx for router tests and the benchmark. The http-context text under test goes to
 * `<prefix>/conf.d/router.conf`, included from a minimal main `nginx.conf` (events, pid, temp
 * paths, logs, all under a temp prefix), the way the router image includes it.
 */
import { spawnSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stopChild, trackChild, waitForPort } from "./router-net";

export const NGINX_BIN = "/usr/sbin/nginx";
const MIME_TYPES = "/etc/nginx/mime.types";
/** Debian's dynamic modules (the Lua module among them), loaded the way its own nginx.conf does. */
const MODULES_ENABLED = "/etc/nginx/modules-enabled";
/** nginx's compiled-in prefix on Debian, which relative module paths are read against (`nginx -V`). */
const DEBIAN_PREFIX = "/usr/share/nginx";

/**
 * The `load_module` lines of modules-enabled, their relative paths made absolute: the tests run
 * nginx with their own `-p` prefix, against which `modules/x.so` would not be found.
 */
function enabledModules(): string[] {
  if (!existsSync(MODULES_ENABLED)) return [];
  return readdirSync(MODULES_ENABLED)
    .filter((file) => file.endsWith(".conf"))
    .sort()
    .flatMap((file) => readFileSync(path.join(MODULES_ENABLED, file), "utf8").split("\n"))
    .map((line) => line.trim())
    .filter((line) => line.startsWith("load_module "))
    .map((line) => line.replace(/^load_module\s+(?!\/)/, `load_module ${DEBIAN_PREFIX}/`));
}

/** Options of {@link writeNginxPrefix}, {@link nginxConfigTest} and {@link startNginx}. */
export interface NginxOptions {
  /** http-context text, e.g. `renderRouterConfig(...)`. */
  httpConfig: string;
  /** Default 1. */
  workerProcesses?: number;
  /** error_log level; default `info` (shows resolver and upstream errors). */
  errorLogLevel?: "debug" | "info" | "notice" | "warn" | "error";
  /** Write an access log; default true. */
  accessLog?: boolean;
  /** One process, no workers (`master_process off`), e.g. to run nginx under a profiler; default false. */
  singleProcess?: boolean;
}

/** A temp prefix holding nginx.conf, conf.d/router.conf, logs and temp dirs. */
export interface NginxPrefix {
  readonly dir: string;
  readonly configFile: string;
  readonly errorLogFile: string;
  readonly accessLogFile: string;
  remove(): void;
}

/** Writes the main config around `httpConfig` into a fresh temp prefix. */
export function writeNginxPrefix(options: NginxOptions): NginxPrefix {
  const dir = mkdtempSync(path.join(tmpdir(), "beta-nginx-"));
  for (const sub of ["conf.d", "logs", "tmp"]) mkdirSync(path.join(dir, sub));
  const configFile = path.join(dir, "nginx.conf");
  const errorLogFile = path.join(dir, "logs", "error.log");
  const accessLogFile = path.join(dir, "logs", "access.log");
  const temp = (name: string): string => path.join(dir, "tmp", name);
  const main = [
    "daemon off;",
    `master_process ${options.singleProcess ? "off" : "on"};`,
    `worker_processes ${options.workerProcesses ?? 1};`,
    `pid ${path.join(dir, "nginx.pid")};`,
    `error_log ${errorLogFile} ${options.errorLogLevel ?? "info"};`,
    // As the router image's own nginx.conf has it (openresty/docker-openresty nginx.conf line 23,
    // since release 1.19.3.1-0): regexes (the Beta host names) compiled to machine code.
    "pcre_jit on;",
    // Main context, before the http text: the router config uses the Lua module.
    ...enabledModules(),
    // As root, workers would become nobody and could not use the temp prefix.
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "events { worker_connections 4096; }",
    "http {",
    ...(existsSync(MIME_TYPES) ? [`  include ${MIME_TYPES};`] : []),
    "  default_type application/octet-stream;",
    options.accessLog === false ? "  access_log off;" : `  access_log ${accessLogFile};`,
    `  client_body_temp_path ${temp("body")};`,
    `  proxy_temp_path ${temp("proxy")};`,
    `  fastcgi_temp_path ${temp("fastcgi")};`,
    `  uwsgi_temp_path ${temp("uwsgi")};`,
    `  scgi_temp_path ${temp("scgi")};`,
    `  include ${path.join(dir, "conf.d")}/*.conf;`,
    "}",
    "",
  ].join("\n");
  writeFileSync(configFile, main);
  writeFileSync(path.join(dir, "conf.d", "router.conf"), options.httpConfig);
  return { dir, configFile, errorLogFile, accessLogFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function nginxArgs(prefix: NginxPrefix): string[] {
  return ["-p", prefix.dir, "-c", prefix.configFile, "-e", prefix.errorLogFile];
}

/** `nginx -t` on the wrapped config: ok and nginx's output (which names the bad line). */
export function nginxConfigTest(options: NginxOptions): { ok: boolean; output: string } {
  const prefix = writeNginxPrefix(options);
  try {
    const result = spawnSync(NGINX_BIN, ["-t", ...nginxArgs(prefix)], { encoding: "utf8", timeout: 10_000 });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
  } finally {
    prefix.remove();
  }
}

/** A running nginx. */
export interface Nginx {
  readonly prefix: NginxPrefix;
  /** The master process id. */
  readonly pid: number;
  /** Process ids of the workers now (a reload would replace them). */
  workerPids(): number[];
  errorLog(): string;
  accessLog(): string;
  /** Resident memory of master and workers, in kB, from /proc. */
  rssKb(): number;
  /** CPU time (user + system) used so far by master and workers, in seconds, from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Options of {@link startNginx}. */
export interface StartNginxOptions extends NginxOptions {
  /** Ports to wait for before returning: a number means 127.0.0.1. */
  ports: readonly (number | { host: string; port: number })[];
  /** A command to run nginx under, e.g. `["valgrind", "--tool=callgrind"]`; nginx's path and arguments follow it. */
  under?: readonly string[];
  /** How long to wait for the ports; default 10 s. */
  startTimeoutMs?: number;
}

function read(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(read(`/proc/${pid}/status`));
  return match ? Number(match[1]) : 0;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

function cpuOf(pid: number): number {
  const stat = read(`/proc/${pid}/stat`);
  // Fields 14 and 15 (utime, stime) counted from after the ")" that ends field 2.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ || 0;
}

function childrenOf(pid: number): number[] {
  const result: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    // Field 4 of /proc/<pid>/stat is the parent pid; the name in field 2 may hold spaces.
    const stat = read(`/proc/${entry}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[1]) === pid) result.push(Number(entry));
  }
  return result;
}

/** Runs `nginx -t`, starts nginx in the foreground and waits for `ports`; call `stop()` in afterAll. */
export async function startNginx(options: StartNginxOptions): Promise<Nginx> {
  const prefix = writeNginxPrefix(options);
  const test = spawnSync(NGINX_BIN, ["-t", ...nginxArgs(prefix)], { encoding: "utf8", timeout: 10_000 });
  if (test.status !== 0) {
    prefix.remove();
    throw new Error(`nginx -t failed:\n${test.stderr}`);
  }
  let stderr = "";
  const command = [...(options.under ?? []), NGINX_BIN, ...nginxArgs(prefix)];
  const child: ChildProcess = spawn(command[0], command.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
  trackChild(child);
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    for (const each of options.ports) {
      const { host, port } = typeof each === "number" ? { host: "127.0.0.1", port: each } : each;
      await waitForPort(host, port, { child, timeoutMs: options.startTimeoutMs ?? 10_000 });
    }
  } catch (error) {
    await stopChild(child, "SIGKILL");
    const log = read(prefix.errorLogFile);
    prefix.remove();
    throw new Error(`nginx did not start: ${(error as Error).message}\n${stderr}\n${log}`);
  }
  const pid = child.pid ?? 0;
  return {
    prefix,
    pid,
    workerPids: () => childrenOf(pid).sort((a, b) => a - b),
    errorLog: () => read(prefix.errorLogFile),
    accessLog: () => read(prefix.accessLogFile),
    rssKb: () => [pid, ...childrenOf(pid)].reduce((sum, each) => sum + rssOf(each), 0),
    cpuSeconds: () => [pid, ...childrenOf(pid)].reduce((sum, each) => sum + cpuOf(each), 0),
    async stop() {
      // SIGTERM: fast shutdown, open WebSockets or streams do not hold it up; SIGKILL after 5 s.
      await stopChild(child, "SIGTERM");
      prefix.remove();
    },
  };
}
