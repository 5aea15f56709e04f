/**
 * What the Beta router costs, measured with wrk on loopback (run: `npx tsx bench/router.ts`).
 *
 * Same run, same upstream (an nginx answering `return 200` on its own loopback address, port 80):
 *   (a) wrk -> upstream
 *   (b) wrk -> nginx with a static `upstream` block and keepalive -> upstream
 *   (c) wrk -> Beta router (renderRouterConfig, names resolved per request via dnsmasq) -> upstream
 * then the router with 1, 10, 100 and 1,000 Betas in DNS and requests spread over them, to show
 * that config size and nginx memory stay flat. Prints figures only; nothing here asserts on timing.
 *
 * Environment: BENCH_SECONDS (default 5), BENCH_THREADS (2), BENCH_CONNECTIONS (32).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderRouterConfig } from "../components/router-config";
import { startDnsmasq, type Dnsmasq } from "../test/support/dnsmasq";
import { startNginx, type Nginx } from "../test/support/nginx";
import { freePort, randomLoopbackAddress, isListening } from "../test/support/router-net";

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
    const dns: Dnsmasq = await startDnsmasq({
      addresses: Object.fromEntries(betaNames.map((name) => [`web.beta-${name}.svc.cluster.local`, upstreamIp])),
      localDomains: ["cluster.local"],
      // Logging every query would make dnsmasq the slowest part of the run.
      logQueries: false,
    });
    running.push(dns);
    const routerPort = await freePort();
    const routerConfig = renderRouterConfig({
      domain: DOMAIN,
      resolver: dns.address,
      listenPort: routerPort,
      listenAddress: "127.0.0.1",
      defaultApp: "web",
    });
    const router: Nginx = await startNginx({ httpConfig: routerConfig, ports: [routerPort], errorLogLevel: "warn", accessLog: false });
    running.push(router);

    interface Target {
      label: string;
      url: string;
      host?: string;
      /** The nginx in the middle, whose CPU per request is the cost of proxying. */
      proxy?: Nginx;
    }
    const targets: Target[] = [
      { label: "(a) upstream direct", url: `http://${upstreamIp}:80/` },
      { label: "(b) nginx, static upstream + keepalive", url: `http://127.0.0.1:${staticPort}/`, host: "alice.beta.example.com", proxy: staticProxy },
      { label: "(b2) nginx, static upstream, no keepalive", url: `http://127.0.0.1:${staticNoKeepalivePort}/`, host: "alice.beta.example.com", proxy: staticNoKeepalive },
      { label: "(c) Beta router (per-request DNS)", url: `http://127.0.0.1:${routerPort}/`, host: "dev0.beta.example.com", proxy: router },
    ];
    const perRequestUs = (cpuSeconds: number, r: WrkResult, seconds: number): string =>
      fixed((cpuSeconds * 1e6) / (r.requestsPerSecond * seconds), 1);
    for (const [threads, connections] of [
      [THREADS, CONNECTIONS],
      [1, 1],
    ]) {
      console.log(`\nwrk -t${threads} -c${connections} -d${SECONDS}s --latency (loopback; every nginx has 1 worker)`);
      console.log(
        `${"target".padEnd(42)} ${pad("req/s", 8)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)} ${pad("proxy CPU us/req", 17)} ${pad("app CPU us/req", 15)}  errors`,
      );
      const results: WrkResult[] = [];
      for (const target of targets) {
        wrk(target.url, { host: target.host, seconds: 1, threads, connections }); // warm-up: connections, resolver cache
        const proxyCpu = target.proxy?.cpuSeconds() ?? 0;
        const upstreamCpu = upstream.cpuSeconds();
        const r = wrk(target.url, { host: target.host, threads, connections });
        results.push(r);
        const proxyUs = target.proxy ? perRequestUs(target.proxy.cpuSeconds() - proxyCpu, r, SECONDS) : "-";
        const upstreamUs = perRequestUs(upstream.cpuSeconds() - upstreamCpu, r, SECONDS);
        console.log(
          `${target.label.padEnd(42)} ${pad(fixed(r.requestsPerSecond, 0), 8)} ${pad(fixed(r.p50Ms, 3), 8)} ${pad(fixed(r.p99Ms, 3), 8)} ${pad(proxyUs, 17)} ${pad(upstreamUs, 15)}  ${r.errors}`,
        );
      }
      const [a, b, , c] = results;
      console.log(
        `c/b throughput ${fixed(c.requestsPerSecond / b.requestsPerSecond)}, b/a throughput ${fixed(b.requestsPerSecond / a.requestsPerSecond)}, ` +
          `router adds p50 ${fixed(c.p50Ms - b.p50Ms, 3)} ms, p99 ${fixed(c.p99Ms - b.p99Ms, 3)} ms over (b)`,
      );
    }

    console.log(`\nThe same router process throughout (master pid ${router.pid}, never reloaded), requests spread over N Betas,`);
    console.log(`wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s:`);
    console.log(`${pad("Betas", 6)} ${pad("config bytes", 13)} ${pad("nginx RSS kB", 13)} ${pad("req/s", 10)} ${pad("p50 ms", 8)} ${pad("p99 ms", 8)}  errors`);
    for (const count of SCALES) {
      // The config does not depend on the Betas; rendering it again shows the size is the same.
      const bytes = Buffer.byteLength(
        renderRouterConfig({ domain: DOMAIN, resolver: dns.address, listenPort: routerPort, listenAddress: "127.0.0.1", defaultApp: "web" }),
      );
      const script = spreadScript(dir, count);
      wrk(`http://127.0.0.1:${routerPort}/`, { script, seconds: 1 });
      const r = wrk(`http://127.0.0.1:${routerPort}/`, { script });
      console.log(
        `${pad(count, 6)} ${pad(bytes, 13)} ${pad(router.rssKb(), 13)} ${pad(fixed(r.requestsPerSecond, 0), 10)} ${pad(fixed(r.p50Ms, 3), 8)} ${pad(fixed(r.p99Ms, 3), 8)}  ${r.errors}`,
      );
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
