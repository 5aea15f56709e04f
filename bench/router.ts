/**
 * What the Beta router costs, measured with wrk on loopback (run: `npx tsx bench/router.ts`).
 *
 * Same run, same upstream (an nginx answering `return 200` on its own loopback address, port 80):
 *   (a) wrk -> upstream
 *   (b) wrk -> nginx with a static `upstream` block and keepalive -> upstream
 *   (b2) wrk -> nginx proxying to the upstream's fixed address without keepalive -> upstream
 *   (c) wrk -> Beta router (renderRouterConfig, names resolved per request via dnsmasq) -> upstream
 *   (d) PROTOTYPE: wrk -> the same rendered router, its proxy_pass swapped for a static keepalive
 *       upstream -> HAProxy sidecar on 127.0.0.1 (resolves the name per request via the same
 *       dnsmasq, pools connections per app: bench/support/haproxy-sidecar.ts) -> upstream
 * Before timing, (c) and (d) are checked to route by Host and tell 404 from 503 alike. Then the
 * router with 1, 10, 100 and 1,000 Betas in DNS and requests spread over them, to show
 * that config size and nginx memory stay flat, for (c) and (d). Prints figures only; nothing
 * here asserts on timing. (d) needs haproxy (Debian 12: `apt-get install haproxy`, 2.6).
 *
 * Environment: BENCH_SECONDS (default 5), BENCH_THREADS (2), BENCH_CONNECTIONS (32).
 */
import { spawnSync } from "node:child_process";
import http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderRouterConfig } from "../components/router-config";
import { startDnsmasq, type Dnsmasq } from "../test/support/dnsmasq";
import { startNginx, type Nginx } from "../test/support/nginx";
import { freePort, randomLoopbackAddress, isListening, httpRequest, unusedLoopbackAddress } from "../test/support/router-net";
import { startUpstream, type UpstreamEcho } from "../test/support/upstream";
import { sidecarRouterConfig, startSidecar, type Sidecar } from "./support/haproxy-sidecar";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const THREADS = Number(process.env.BENCH_THREADS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const DOMAIN = "beta.example.com";
const SCALES = [1, 10, 100, 1000];

interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: string;
}

function toMs(value: string, unit: string): number {
  const factor: Record<string, number> = { us: 0.001, ms: 1, s: 1000 };
  return Number(value) * (factor[unit] ?? NaN);
}

function wrk(url: string, options: { host?: string; script?: string; seconds?: number; threads?: number; connections?: number }): WrkResult {
  const args = [`-t${options.threads ?? THREADS}`, `-c${options.connections ?? CONNECTIONS}`, `-d${options.seconds ?? SECONDS}s`, "--latency", "--timeout", "5s"];
  if (options.host) args.push("-H", `Host: ${options.host}`);
  if (options.script) args.push("-s", options.script);
  args.push(url);
  const result = spawnSync("wrk", args, { encoding: "utf8", timeout: ((options.seconds ?? SECONDS) + 30) * 1000 });
  if (result.status !== 0) throw new Error(`wrk ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  const out = result.stdout;
  const latency = (percent: string): number => {
    const match = new RegExp(`^\\s*${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(out);
    return match ? toMs(match[1], match[2]) : NaN;
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const problems = [/Socket errors:.*$/m.exec(out)?.[0], /Non-2xx or 3xx responses:.*$/m.exec(out)?.[0]].filter(Boolean);
  return { requestsPerSecond: rps ? Number(rps[1]) : NaN, p50Ms: latency("50"), p99Ms: latency("99"), errors: problems.join("; ") };
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

/**
 * Same answers from every router before anything is timed: each Host reaches its own app (and
 * the app sees the public Host, not the sidecar's header), an unknown Beta gets the 404 page, a
 * Beta whose app is down the 503 page, an app's own 503 passes as is, a foreign Host gets 421.
 */
async function checkRouting(routers: [string, number][], apps: { name: string }[]): Promise<void> {
  const [web, api] = apps;
  const checks: { what: string; host: string; target?: string; expect: (status: number, body: string) => boolean }[] = [
    {
      what: "alice.<domain> -> alice's web app",
      host: "alice.beta.example.com",
      expect: (status, body) => {
        if (status !== 200) return false;
        const echo = JSON.parse(body) as UpstreamEcho;
        return echo.upstream === web.name && echo.headers.host === "alice.beta.example.com" && !("x-beta-upstream" in echo.headers);
      },
    },
    {
      what: "api--alice.<domain> -> alice's api app",
      host: "api--alice.beta.example.com",
      expect: (status, body) => status === 200 && (JSON.parse(body) as UpstreamEcho).upstream === api.name,
    },
    { what: "unknown Beta -> 404 page", host: "nobody.beta.example.com", expect: (status, body) => status === 404 && body.includes("no Beta named nobody") },
    { what: "app down -> 503 page", host: "down.beta.example.com", expect: (status, body) => status === 503 && body.includes("Beta down exists") },
    {
      what: "app's own 503 passes as is",
      host: "alice.beta.example.com",
      target: "/status/503",
      expect: (status, body) => status === 503 && body.includes(`${web.name} answered 503 itself`),
    },
    { what: "foreign Host -> 421", host: "alice.example.org", expect: (status) => status === 421 },
  ];
  console.log(`Routing check before timing: ${routers.map(([label]) => label).join(", ")}`);
  const failures: string[] = [];
  for (const check of checks) {
    const cells: string[] = [];
    for (const [label, port] of routers) {
      const response = await httpRequest(port, { host: check.host, target: check.target });
      const ok = check.expect(response.status, response.body);
      cells.push(`${label} ${response.status} ${ok ? "ok" : "WRONG"}`);
      if (!ok) failures.push(`${label} ${check.what}: ${response.status} ${response.body.slice(0, 300)}`);
    }
    console.log(`  ${check.what.padEnd(40)} ${cells.join("   ")}`);
  }
  if (failures.length > 0) throw new Error(`routing check failed:\n${failures.join("\n")}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "beta-bench-"));
  const running: { stop(): Promise<void> }[] = [];
  try {
    // The app: nginx answering 200 from its own loopback address, port 80 (where the router dials).
    let upstreamIp = randomLoopbackAddress();
    while (await isListening(upstreamIp, 80)) upstreamIp = randomLoopbackAddress();
    const upstream = await startNginx({
      httpConfig: [
        "server {",
        `  listen ${upstreamIp}:80 backlog=4096;`,
        "  access_log off;",
        "  keepalive_requests 1000000;",
        '  location / { return 200 "ok\\n"; }',
        "  # Connections accepted so far: shows which proxies reuse connections to the app.",
        "  location = /bench-status { stub_status; }",
        "}",
      ].join("\n"),
      ports: [{ host: upstreamIp, port: 80 }],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(upstream);

    const staticPort = await freePort();
    const staticProxy = await startNginx({
      httpConfig: [
        "upstream app {",
        `  server ${upstreamIp}:80;`,
        "  keepalive 64;",
        "}",
        "server {",
        `  listen 127.0.0.1:${staticPort};`,
        "  location / {",
        "    proxy_pass http://app;",
        "    proxy_http_version 1.1;",
        '    proxy_set_header Connection "";',
        "    proxy_set_header Host $host;",
        "  }",
        "}",
      ].join("\n"),
      ports: [staticPort],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(staticProxy);

    const staticNoKeepalivePort = await freePort();
    const staticNoKeepalive = await startNginx({
      httpConfig: [
        "server {",
        `  listen 127.0.0.1:${staticNoKeepalivePort};`,
        "  location / {",
        `    proxy_pass http://${upstreamIp}:80;`,
        "    proxy_set_header Host $host;",
        "  }",
        "}",
      ].join("\n"),
      ports: [staticNoKeepalivePort],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(staticNoKeepalive);

    const betaNames = Array.from({ length: Math.max(...SCALES) }, (_, i) => `dev${i}`);
    // For the correctness check before timing: alice's two apps answer with their own names.
    const aliceWeb = await startUpstream("alice-web");
    running.push({ stop: () => aliceWeb.close() });
    const aliceApi = await startUpstream("alice-api");
    running.push({ stop: () => aliceApi.close() });
    const nobodyListens = await unusedLoopbackAddress();
    const dns: Dnsmasq = await startDnsmasq({
      addresses: {
        ...Object.fromEntries(betaNames.map((name) => [`web.beta-${name}.svc.cluster.local`, upstreamIp])),
        "web.beta-alice.svc.cluster.local": aliceWeb.ip,
        "api.beta-alice.svc.cluster.local": aliceApi.ip,
        // A Beta whose app is down: the name resolves, nothing listens.
        "web.beta-down.svc.cluster.local": nobodyListens,
      },
      localDomains: ["cluster.local"],
      // Logging every query would make dnsmasq the slowest part of the run.
      logQueries: false,
    });
    running.push(dns);
    const routerPort = await freePort();
    const routerOptions = {
      domain: DOMAIN,
      resolver: dns.address,
      listenPort: routerPort,
      listenAddress: "127.0.0.1",
      defaultApp: "web",
    };
    const routerConfig = renderRouterConfig(routerOptions);
    const router: Nginx = await startNginx({ httpConfig: routerConfig, ports: [routerPort], errorLogLevel: "warn", accessLog: false });
    running.push(router);

    // (d): the same rendered config (its own port), proxy_pass -> keepalive upstream -> HAProxy sidecar.
    const sidecarPort = await freePort();
    const sidecar: Sidecar = await startSidecar({ port: sidecarPort, resolver: dns.address });
    running.push(sidecar);
    const sidecarRouterPort = await freePort();
    const sidecarRouter: Nginx = await startNginx({
      httpConfig: sidecarRouterConfig(renderRouterConfig({ ...routerOptions, listenPort: sidecarRouterPort }), sidecarPort),
      ports: [sidecarRouterPort],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(sidecarRouter);

    await checkRouting(
      [
        ["(c)", routerPort],
        ["(d)", sidecarRouterPort],
      ],
      [aliceWeb, aliceApi],
    );

    const upstreamAccepts = async (): Promise<number> => {
      const status = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: upstreamIp, port: 80, path: "/bench-status", agent: false }, (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString()));
            response.on("end", () => resolve(body));
          })
          .on("error", reject);
      });
      // "server accepts handled requests\n <accepts> <handled> <requests>"
      return Number(/^\s*(\d+)\s+\d+\s+\d+\s*$/m.exec(status)?.[1] ?? NaN);
    };

    interface Target {
      label: string;
      url: string;
      host?: string;
      /** CPU seconds so far of the processes in the middle (the cost of proxying). */
      proxyCpu?: () => number;
    }
    const targets: Target[] = [
      { label: "(a) upstream direct", url: `http://${upstreamIp}:80/` },
      { label: "(b) nginx, static upstream + keepalive", url: `http://127.0.0.1:${staticPort}/`, host: "alice.beta.example.com", proxyCpu: () => staticProxy.cpuSeconds() },
      { label: "(b2) nginx, static upstream, no keepalive", url: `http://127.0.0.1:${staticNoKeepalivePort}/`, host: "alice.beta.example.com", proxyCpu: () => staticNoKeepalive.cpuSeconds() },
      { label: "(c) Beta router (per-request DNS)", url: `http://127.0.0.1:${routerPort}/`, host: "dev0.beta.example.com", proxyCpu: () => router.cpuSeconds() },
      {
        label: "(d) router -> keepalive -> HAProxy sidecar",
        url: `http://127.0.0.1:${sidecarRouterPort}/`,
        host: "dev0.beta.example.com",
        proxyCpu: () => sidecarRouter.cpuSeconds() + sidecar.cpuSeconds(),
      },
    ];
    const perRequestUs = (cpuSeconds: number, r: WrkResult, seconds: number): string =>
      fixed((cpuSeconds * 1e6) / (r.requestsPerSecond * seconds), 1);
    for (const [threads, connections] of [
      [THREADS, CONNECTIONS],
      [1, 1],
    ]) {
      console.log(`\nwrk -t${threads} -c${connections} -d${SECONDS}s --latency (loopback; every nginx has 1 worker, HAProxy 1 thread)`);
      console.log(
        `${"target".padEnd(42)} ${pad("req/s", 8)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)} ${pad("proxy CPU us/req", 17)} ${pad("app CPU us/req", 15)} ${pad("app conns/1k req", 17)}  errors`,
      );
      const results: WrkResult[] = [];
      for (const target of targets) {
        wrk(target.url, { host: target.host, seconds: 1, threads, connections }); // warm-up: connections, resolver cache
        const proxyCpu = target.proxyCpu?.() ?? 0;
        const upstreamCpu = upstream.cpuSeconds();
        const accepts = await upstreamAccepts();
        const r = wrk(target.url, { host: target.host, threads, connections });
        // Minus the status request itself.
        const newConns = (await upstreamAccepts()) - accepts - 1;
        results.push(r);
        const proxyUs = target.proxyCpu ? perRequestUs(target.proxyCpu() - proxyCpu, r, SECONDS) : "-";
        const upstreamUs = perRequestUs(upstream.cpuSeconds() - upstreamCpu, r, SECONDS);
        console.log(
          `${target.label.padEnd(42)} ${pad(fixed(r.requestsPerSecond, 0), 8)} ${pad(fixed(r.p50Ms, 3), 8)} ${pad(fixed(r.p99Ms, 3), 8)} ${pad(proxyUs, 17)} ${pad(upstreamUs, 15)} ${pad(fixed((newConns * 1000) / (r.requestsPerSecond * SECONDS), 1), 17)}  ${r.errors}`,
        );
      }
      const [a, b, , c, d] = results;
      console.log(
        `c/b throughput ${fixed(c.requestsPerSecond / b.requestsPerSecond)}, b/a throughput ${fixed(b.requestsPerSecond / a.requestsPerSecond)}, ` +
          `router adds p50 ${fixed(c.p50Ms - b.p50Ms, 3)} ms, p99 ${fixed(c.p99Ms - b.p99Ms, 3)} ms over (b)`,
      );
      console.log(
        `d/b throughput ${fixed(d.requestsPerSecond / b.requestsPerSecond)}, d/c throughput ${fixed(d.requestsPerSecond / c.requestsPerSecond)}, ` +
          `(d) adds p50 ${fixed(d.p50Ms - b.p50Ms, 3)} ms, p99 ${fixed(d.p99Ms - b.p99Ms, 3)} ms over (b)`,
      );
    }

    const scaled: { label: string; port: number; rssKb: () => number }[] = [
      { label: "(c)", port: routerPort, rssKb: () => router.rssKb() },
      { label: "(d)", port: sidecarRouterPort, rssKb: () => sidecarRouter.rssKb() + sidecar.rssKb() },
    ];
    console.log(`\nThe same processes throughout (router master pid ${router.pid}, (d) nginx ${sidecarRouter.pid} + HAProxy ${sidecar.pid}, never reloaded),`);
    console.log(`requests spread over N Betas, wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s ((d) RSS = nginx + HAProxy):`);
    console.log(`${pad("", 4)} ${pad("Betas", 6)} ${pad("config bytes", 13)} ${pad("RSS kB", 13)} ${pad("req/s", 10)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)}  errors`);
    for (const count of SCALES) {
      // The config does not depend on the Betas; rendering it again shows the size is the same.
      const bytes = Buffer.byteLength(renderRouterConfig(routerOptions));
      const script = spreadScript(dir, count);
      for (const each of scaled) {
        wrk(`http://127.0.0.1:${each.port}/`, { script, seconds: 1 });
        const r = wrk(`http://127.0.0.1:${each.port}/`, { script });
        console.log(
          `${pad(each.label, 4)} ${pad(count, 6)} ${pad(bytes, 13)} ${pad(each.rssKb(), 13)} ${pad(fixed(r.requestsPerSecond, 0), 10)} ${pad(fixed(r.p50Ms, 3), 8)} ${pad(fixed(r.p99Ms, 3), 8)}  ${r.errors}`,
        );
      }
    }
  } finally {
    for (const each of running.reverse()) await each.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
