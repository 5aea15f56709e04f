/**
 * What the Beta router costs, measured with wrk on loopback (run: `npx tsx bench/router.ts`).
 *
 * Same run, same app (an nginx answering `return 200` on its own loopback address, port 80),
 * the targets measured interleaved (three rounds, every other one in reverse order), so a slow
 * moment of the machine hits all of them alike:
 *   direct  wrk -> app
 *   static  wrk -> nginx with a static `upstream` block and keepalive -> app (the reference)
 *   static + router's headers: the same static nginx, its location block the router's own with
 *           the routing taken out (the router's maps and header rules, unbuffered responses; no
 *           Lua, no regex server names, no request id generation): what the router's non-routing
 *           work costs, so the routing's own share is the difference from it
 *   router  wrk -> the Beta router (renderRouterConfig: Lua DNS lookup per request, cached per
 *           TTL, one keepalive upstream) resolving through dnsmasq -> app
 * Before timing, the router is checked to route by Host and tell 404 from 503. For each run it
 * counts the app's new TCP connections (the app's stub_status). After the rounds, a Beta is
 * created and destroyed in DNS while the router runs, and the router's master pid, worker pids
 * and config files are compared with those before the first request: the run fails if any
 * changed. Then requests spread over 1 to 1,000 Betas show config size and memory stay flat.
 * Prints figures only, the ratio of medians last; nothing here asserts on timing.
 *
 * Goals (the performance issue): router >= 0.9x static throughput at 32 connections, < 1 ms p50
 * added over static, <= 1 app connection per 100 requests.
 *
 * Environment: BENCH_SECONDS (default 5), BENCH_THREADS (2), BENCH_CONNECTIONS (32), BENCH_ROUNDS (3).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import http from "node:http";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderRouterConfig } from "../components/router-config";
import { startDnsmasq, type Dnsmasq } from "../test/support/dnsmasq";
import { startNginx, type Nginx } from "../test/support/nginx";
import { freePort, httpRequest, isListening, randomLoopbackAddress, unusedLoopbackAddress } from "../test/support/router-net";
import { startUpstream, type UpstreamEcho } from "../test/support/upstream";
import { staticProxyConfig, staticWithRouterHeaders } from "./support/router-references";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DOMAIN = "beta.example.com";
const SCALES = [1, 100, 1000];

interface WrkResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: string;
}

function toMs(value: string, unit: string): number {
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
  return Number(value) * (factor[unit] ?? NaN);
}

function wrk(url: string, options: { host?: string; script?: string; seconds?: number }): WrkResult {
  const seconds = options.seconds ?? SECONDS;
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${seconds}s`, "--latency", "--timeout", "5s"];
  if (options.host) args.push("-H", `Host: ${options.host}`);
  if (options.script) args.push("-s", options.script);
  args.push(url);
  const result = spawnSync("wrk", args, { encoding: "utf8", timeout: (seconds + 30) * 1000 });
  if (result.status !== 0) throw new Error(`wrk ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  const out = result.stdout;
  const latency = (percent: string): number => {
    const match = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(out);
    return match ? toMs(match[1], match[2]) : NaN;
  };
  const problems = [/Socket errors:.*$/m.exec(out)?.[0], /Non-2xx or 3xx responses:.*$/m.exec(out)?.[0]].filter(Boolean);
  return {
    requests: Number(/^\s*(\d+) requests in/m.exec(out)?.[1] ?? NaN),
    requestsPerSecond: Number(/^Requests\/sec:\s+([\d.]+)/m.exec(out)?.[1] ?? NaN),
    p50Ms: latency("50"),
    p99Ms: latency("99"),
    errors: problems.join("; "),
  };
}

/** A wrk script sending each request to the next of `count` Betas (dev0 ... dev<count-1>). */
function spreadScript(dir: string, count: number): string {
  const file = path.join(dir, `spread-${count}.lua`);
  writeFileSync(
    file,
    [
      `local count = ${count}`,
      "local i = math.random(0, count - 1)",
      "request = function()",
      "  i = (i + 1) % count",
      `  return wrk.format("GET", "/", { Host = "dev" .. i .. ".${DOMAIN}" })`,
      "end",
      "",
    ].join("\n"),
  );
  return file;
}

const pad = (text: string | number, width: number): string => String(text).padStart(width);
const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * The router's answers before anything is timed: each Host reaches its own app (which sees the
 * public Host), an unknown Beta gets the 404 page, a Beta whose app is down the 503 page, an
 * app's own 503 passes as is, a foreign Host gets 421.
 */
async function checkRouting(port: number, web: string, api: string): Promise<void> {
  const checks: { what: string; host: string; target?: string; expect: (status: number, body: string) => boolean }[] = [
    {
      what: "alice.<domain> -> alice's web app",
      host: "alice.beta.example.com",
      expect: (status, body) => status === 200 && (JSON.parse(body) as UpstreamEcho).upstream === web && (JSON.parse(body) as UpstreamEcho).headers.host === "alice.beta.example.com",
    },
    { what: "api--alice.<domain> -> alice's api app", host: "api--alice.beta.example.com", expect: (status, body) => status === 200 && (JSON.parse(body) as UpstreamEcho).upstream === api },
    { what: "unknown Beta -> 404 page", host: "nobody.beta.example.com", expect: (status, body) => status === 404 && body.includes("no Beta named nobody") },
    { what: "app down -> 503 page", host: "down.beta.example.com", expect: (status, body) => status === 503 && body.includes("Beta down exists") },
    { what: "app's own 503 passes as is", host: "alice.beta.example.com", target: "/status/503", expect: (status, body) => status === 503 && body.includes(`${web} answered 503 itself`) },
    { what: "foreign Host -> 421", host: "alice.example.org", expect: (status) => status === 421 },
  ];
  const failures: string[] = [];
  for (const check of checks) {
    const response = await httpRequest(port, { host: check.host, target: check.target });
    const ok = check.expect(response.status, response.body);
    if (!ok) failures.push(`${check.what}: ${response.status} ${response.body.slice(0, 300)}`);
  }
  if (failures.length > 0) throw new Error(`routing check failed:\n${failures.join("\n")}`);
  console.log(`Routing check before timing: ${checks.length} cases ok (Host routing, 404, 503, app's own 503, 421)`);
}

/** What a reload or a config change would alter: master and worker pids, config files' mtime and content. */
function identity(nginx: Nginx): { text: string; summary: string } {
  const files = [nginx.prefix.configFile, path.join(nginx.prefix.dir, "conf.d", "router.conf")].map((file) => ({
    file: path.basename(file),
    mtimeMs: statSync(file).mtimeMs,
    sha256: createHash("sha256").update(readFileSync(file)).digest("hex").slice(0, 12),
  }));
  const state = { master: nginx.pid, workers: nginx.workerPids(), files };
  return {
    text: JSON.stringify(state),
    summary: `master ${state.master}, workers ${state.workers.join(",")}, ${files.map((f) => `${f.file} sha256 ${f.sha256} mtime ${new Date(f.mtimeMs).toISOString()}`).join(", ")}`,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "beta-bench-"));
  const running: { stop(): Promise<void> }[] = [];
  try {
    // The app: nginx answering 200 from its own loopback address, port 80 (where the router dials).
    let appIp = randomLoopbackAddress();
    while (await isListening(appIp, 80)) appIp = randomLoopbackAddress();
    const app = await startNginx({
      httpConfig: [
        "server {",
        `  listen ${appIp}:80 backlog=4096;`,
        "  access_log off;",
        "  keepalive_requests 1000000;",
        '  location / { return 200 "ok\\n"; }',
        "  # Connections accepted so far: shows which proxies reuse connections to the app.",
        "  location = /bench-status { stub_status; }",
        "}",
      ].join("\n"),
      ports: [{ host: appIp, port: 80 }],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(app);

    const staticPort = await freePort();
    const staticProxy = await startNginx({
      httpConfig: staticProxyConfig(appIp, staticPort),
      ports: [staticPort],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(staticProxy);

    const betaNames = Array.from({ length: Math.max(...SCALES) }, (_, i) => `dev${i}`);
    // For the correctness check before timing: alice's two apps answer with their own names.
    const aliceWeb = await startUpstream("alice-web");
    running.push({ stop: () => aliceWeb.close() });
    const aliceApi = await startUpstream("alice-api");
    running.push({ stop: () => aliceApi.close() });
    const dns: Dnsmasq = await startDnsmasq({
      addresses: {
        ...Object.fromEntries(betaNames.map((name) => [`web.beta-${name}.svc.cluster.local`, appIp])),
        "web.beta-alice.svc.cluster.local": aliceWeb.ip,
        "api.beta-alice.svc.cluster.local": aliceApi.ip,
        // A Beta whose app is down: the name resolves, nothing listens.
        "web.beta-down.svc.cluster.local": await unusedLoopbackAddress(),
      },
      localDomains: ["cluster.local"],
      // Logging every query would make dnsmasq the slowest part of the run.
      logQueries: false,
    });
    running.push(dns);
    const routerPort = await freePort();
    const routerOptions = { domain: DOMAIN, resolver: dns.address, listenPort: routerPort, listenAddress: "127.0.0.1", defaultApp: "web" };
    const router: Nginx = await startNginx({ httpConfig: renderRouterConfig(routerOptions), ports: [routerPort], errorLogLevel: "warn", accessLog: false });
    running.push(router);
    const staticHeadersPort = await freePort();
    const staticHeaders = await startNginx({
      httpConfig: staticWithRouterHeaders(renderRouterConfig(routerOptions), appIp, staticHeadersPort),
      ports: [staticHeadersPort],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(staticHeaders);
    const headersSet = (config: string): string[] => [...config.matchAll(/^\s*proxy_set_header (\S+)/gm)].map((match) => match[1]);
    const staticHeaderNames = headersSet(staticProxyConfig(appIp, staticPort));
    const extraHeaders = headersSet(renderRouterConfig(routerOptions).split("\n\n").find((block) => block.includes("proxy_pass http://beta_apps;")) ?? "").filter((name) => !staticHeaderNames.includes(name));
    console.log(`The router sets or drops ${extraHeaders.length} request headers the plain static proxy passes as they come (${extraHeaders.join(", ")}) and does not buffer responses; "static + router's headers" does both without routing.`);
    await checkRouting(routerPort, aliceWeb.name, aliceApi.name);
    // After the first requests, so the worker has surely started.
    const routerBefore = identity(router);

    const appAccepts = async (): Promise<number> => {
      const status = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: appIp, port: 80, path: "/bench-status", agent: false }, (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString()));
            response.on("end", () => resolve(body));
          })
          .on("error", reject);
      });
      // "server accepts handled requests\n <accepts> <handled> <requests>"
      return Number(/^\s*(\d+)\s+\d+\s+\d+\s*$/m.exec(status)?.[1] ?? NaN);
    };

    interface Measured extends WrkResult {
      appConnsPer100: number;
      /** CPU the proxy's processes used per request: what proxying costs, however busy the machine is. */
      proxyCpuUs: number;
    }
    interface Target {
      label: string;
      url: string;
      host?: string;
      proxy?: Nginx;
      results: Measured[];
    }
    // Static and router next to each other in every round: their ratio is the goal.
    const targets: Target[] = [
      { label: "direct (wrk -> app)", url: `http://${appIp}:80/`, results: [] },
      { label: "static + router's headers", url: `http://127.0.0.1:${staticHeadersPort}/`, host: "dev0.beta.example.com", proxy: staticHeaders, results: [] },
      { label: "static (nginx, keepalive upstream)", url: `http://127.0.0.1:${staticPort}/`, host: "alice.beta.example.com", proxy: staticProxy, results: [] },
      { label: "router (Beta router, Lua + keepalive)", url: `http://127.0.0.1:${routerPort}/`, host: "dev0.beta.example.com", proxy: router, results: [] },
    ];
    const [direct, sameHeaders, reference, beta] = targets;

    console.log(`\nwrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s --latency, ${ROUNDS} rounds interleaved (loopback; every nginx has 1 worker)`);
    console.log(`${"round".padEnd(6)}${"target".padEnd(40)} ${pad("req/s", 9)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)} ${pad("app conns (/100 req)", 21)} ${pad("proxy CPU us/req", 17)}  errors`);
    for (let round = 1; round <= ROUNDS; round++) {
      // Every other round in reverse order, so a machine that speeds up or slows down during a round favours no target.
      for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
        wrk(target.url, { host: target.host, seconds: 1 }); // warm-up: connections, DNS cache
        const accepts = await appAccepts();
        const cpu = target.proxy?.cpuSeconds() ?? 0;
        const r = wrk(target.url, { host: target.host });
        const proxyCpuUs = target.proxy ? ((target.proxy.cpuSeconds() - cpu) * 1e6) / r.requests : NaN;
        // Minus the status request itself.
        const newConns = (await appAccepts()) - accepts - 1;
        const result = { ...r, appConnsPer100: (newConns * 100) / r.requests, proxyCpuUs };
        target.results.push(result);
        console.log(
          `${String(round).padEnd(6)}${target.label.padEnd(40)} ${pad(fixed(r.requestsPerSecond, 0), 9)} ${pad(fixed(r.p50Ms, 3), 8)} ${pad(fixed(r.p99Ms, 3), 8)} ${pad(`${newConns} (${fixed(result.appConnsPer100, 4)})`, 21)} ${pad(fixed(proxyCpuUs, 1), 17)}  ${r.errors}`,
        );
      }
    }

    // Betas come and go while the router runs: no reload, no config change, same processes.
    const dave = "web.beta-dave.svc.cluster.local";
    const daveStatus = async (): Promise<number> => (await httpRequest(routerPort, { host: "dave.beta.example.com" })).status;
    const before = await daveStatus();
    await dns.setHosts({ [dave]: appIp });
    const created = await daveStatus();
    await dns.setHosts({});
    const started = Date.now();
    let destroyed = await daveStatus();
    while (destroyed !== 404 && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      destroyed = await daveStatus();
    }
    const goneMs = Date.now() - started;
    const routerAfter = identity(router);
    console.log(`\nBeta dave in DNS at runtime (dnsmasq SIGHUP): before ${before}, created ${created}, destroyed ${destroyed} after ${goneMs} ms (TTL 5 s)`);
    if (before !== 404 || created !== 200 || destroyed !== 404) throw new Error("the router did not follow DNS as expected");
    if (routerAfter.text !== routerBefore.text) {
      throw new Error(`the router changed while it ran:\nbefore: ${routerBefore.summary}\nafter:  ${routerAfter.summary}`);
    }
    if (/signal 1 \(SIGHUP\)|reconfiguring/.test(router.errorLog())) throw new Error("the router's error log shows a reload");
    console.log(`No reload, checked: the same before timing and after everything (${routerAfter.summary}); no SIGHUP in the error log.`);

    console.log(`\nThe same router, requests spread over N Betas, wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s:`);
    console.log(`${pad("Betas", 6)} ${pad("config bytes", 13)} ${pad("RSS kB", 10)} ${pad("req/s", 9)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)}  errors`);
    for (const count of SCALES) {
      // The config does not depend on the Betas; rendering it again shows the size is the same.
      const bytes = Buffer.byteLength(renderRouterConfig(routerOptions));
      const script = spreadScript(dir, count);
      wrk(`http://127.0.0.1:${routerPort}/`, { script, seconds: 1 });
      const r = wrk(`http://127.0.0.1:${routerPort}/`, { script });
      console.log(`${pad(count, 6)} ${pad(bytes, 13)} ${pad(router.rssKb(), 10)} ${pad(fixed(r.requestsPerSecond, 0), 9)} ${pad(fixed(r.p50Ms, 3), 8)} ${pad(fixed(r.p99Ms, 3), 8)}  ${r.errors}`);
    }

    const med = (target: Target, pick: (r: Measured) => number): number => median(target.results.map(pick));
    const ratio = med(beta, (r) => r.requestsPerSecond) / med(reference, (r) => r.requestsPerSecond);
    console.log(`\nMedians of ${ROUNDS} rounds (goal in brackets):`);
    console.log(`  direct ${fixed(med(direct, (r) => r.requestsPerSecond), 0)} req/s, static ${fixed(med(reference, (r) => r.requestsPerSecond), 0)} req/s, router ${fixed(med(beta, (r) => r.requestsPerSecond), 0)} req/s`);
    console.log(`  router p50 added over static: ${fixed(med(beta, (r) => r.p50Ms) - med(reference, (r) => r.p50Ms), 3)} ms (< 1 ms)`);
    console.log(`  router app connections per 100 requests: ${fixed(med(beta, (r) => r.appConnsPer100), 4)} (<= 1); static: ${fixed(med(reference, (r) => r.appConnsPer100), 4)}`);
    const cpu = (target: Target): number => med(target, (r) => r.proxyCpuUs);
    console.log(`  proxy CPU per request: router ${fixed(cpu(beta), 1)} us, static ${fixed(cpu(reference), 1)} us (router/static ${fixed(cpu(beta) / cpu(reference))})`);
    console.log(
      `  the router's non-routing work (its header rules, unbuffered responses) on a static nginx: ${fixed(cpu(sameHeaders), 1)} us (/static ${fixed(cpu(sameHeaders) / cpu(reference))}; router/it ${fixed(cpu(beta) / cpu(sameHeaders))}), ${fixed(med(sameHeaders, (r) => r.requestsPerSecond), 0)} req/s (router/it ${fixed(med(beta, (r) => r.requestsPerSecond) / med(sameHeaders, (r) => r.requestsPerSecond))})`,
    );
    // The same ratio taken within each round, where both ran under the same conditions.
    const perRound = beta.results.map((r, i) => r.requestsPerSecond / reference.results[i].requestsPerSecond);
    console.log(`  router/static throughput in each round: ${perRound.map((each) => fixed(each)).join(", ")} (median ${fixed(median(perRound))})`);
    console.log(`router/static throughput, ratio of medians: ${fixed(ratio)} (>= 0.9)`);
  } finally {
    for (const each of running.reverse()) await each.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
