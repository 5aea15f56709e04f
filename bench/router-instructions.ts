/**
 * Where the router's CPU goes, counted rather than timed (run: `npx tsx bench/router-instructions.ts`;
 * needs valgrind). bench/router.ts times CPU per request, which on a shared machine swings with
 * whatever else runs; the number of instructions a proxy executes per request does not. Each of
 * the three proxies of bench/router.ts (static, static with the router's headers, the router)
 * runs as one nginx process under callgrind, with counting switched on only while wrk sends
 * requests through it (after a warm-up: connections, DNS cache, JIT-compiled Lua), and prints the
 * user-space instructions per request, the router's ratio last.
 *
 * Kernel time (the sockets) is not counted: it is about the same per request for all three (the
 * same system calls per request, checked with `strace -c`), so these ratios overstate the CPU
 * ratio that bench/router.ts measures. For a profile by function, run `callgrind_annotate
 * --inclusive=yes` on the files BENCH_KEEP=1 leaves in the temp directory it prints.
 *
 * Environment: BENCH_SECONDS (default 5, counted), BENCH_KEEP (keep the callgrind files).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderRouterConfig } from "../components/router-config";
import { startDnsmasq } from "../test/support/dnsmasq";
import { startNginx } from "../test/support/nginx";
import { freePort, isListening, randomLoopbackAddress, sleep } from "../test/support/router-net";
import { staticProxyConfig, staticWithRouterHeaders } from "./support/router-references";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const KEEP = process.env.BENCH_KEEP === "1";
const HOST = "dev0.beta.example.com";

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** wrk with one thread and 8 connections (the proxy under valgrind is the bottleneck either way): requests answered. */
function wrk(port: number, seconds: number): { requests: number; problems: string } {
  const out = run("wrk", ["-t1", "-c8", `-d${seconds}s`, "-H", `Host: ${HOST}`, `http://127.0.0.1:${port}/`]);
  const problems = [/Socket errors:.*$/m.exec(out)?.[0], /Non-2xx or 3xx responses:.*$/m.exec(out)?.[0]].filter(Boolean).join("; ");
  return { requests: Number(/^\s*(\d+) requests in/m.exec(out)?.[1] ?? NaN), problems };
}

async function main(): Promise<void> {
  if (spawnSync("valgrind", ["--version"]).status !== 0) throw new Error("valgrind is not installed (apt-get install --no-install-recommends valgrind)");
  const dir = mkdtempSync(path.join(tmpdir(), "beta-callgrind-"));
  const running: { stop(): Promise<void> }[] = [];
  try {
    let appIp = randomLoopbackAddress();
    while (await isListening(appIp, 80)) appIp = randomLoopbackAddress();
    const app = await startNginx({
      httpConfig: [`server {`, `  listen ${appIp}:80 backlog=4096;`, "  access_log off;", "  keepalive_requests 1000000;", '  location / { return 200 "ok\\n"; }', "}"].join("\n"),
      ports: [{ host: appIp, port: 80 }],
      errorLogLevel: "warn",
      accessLog: false,
    });
    running.push(app);
    const dns = await startDnsmasq({ addresses: { "web.beta-dev0.svc.cluster.local": appIp }, localDomains: ["cluster.local"], logQueries: false });
    running.push(dns);

    const routerConfig = (port: number): string =>
      renderRouterConfig({ domain: "beta.example.com", resolver: dns.address, listenPort: port, listenAddress: "127.0.0.1", defaultApp: "web" });
    const proxies: { label: string; config: (port: number) => string }[] = [
      { label: "static (nginx, keepalive upstream)", config: (port) => staticProxyConfig(appIp, port) },
      { label: "static + router's headers", config: (port) => staticWithRouterHeaders(routerConfig(port), appIp, port) },
      { label: "router (Beta router, Lua + keepalive)", config: routerConfig },
    ];

    console.log(`callgrind, wrk -t1 -c8 -d${SECONDS}s counted after a 3 s warm-up; one nginx process each`);
    const perRequest: number[] = [];
    for (const proxy of proxies) {
      const port = await freePort();
      const log = path.join(dir, `${proxy.label.split(" ")[0]}-${perRequest.length}.log`);
      const nginx = await startNginx({
        httpConfig: proxy.config(port),
        ports: [port],
        errorLogLevel: "warn",
        accessLog: false,
        singleProcess: true,
        // Counting starts switched off; callgrind_control switches it on for the counted run.
        under: ["valgrind", "--tool=callgrind", "--instr-atstart=no", `--log-file=${log}`, `--callgrind-out-file=${log.replace(/\.log$/, ".out")}`],
        startTimeoutMs: 60_000,
      });
      running.push(nginx);
      wrk(port, 3);
      run("callgrind_control", ["-i", "on", String(nginx.pid)]);
      const counted = wrk(port, SECONDS);
      run("callgrind_control", ["-i", "off", String(nginx.pid)]);
      // callgrind writes its totals as nginx exits, which can take longer than stop() waits before SIGKILL.
      process.kill(nginx.pid, "SIGTERM");
      const deadline = Date.now() + 60_000;
      while (!/Collected : \d+/.test(readFileSync(log, "utf8")) && Date.now() < deadline) await sleep(100);
      await nginx.stop();
      const collected = Number(/Collected : (\d+)/.exec(readFileSync(log, "utf8"))?.[1] ?? NaN);
      const instructions = collected / counted.requests;
      perRequest.push(instructions);
      console.log(`  ${proxy.label.padEnd(40)} ${String(Math.round(instructions)).padStart(7)} instructions/request (${counted.requests} requests)  ${counted.problems}`);
    }
    const [plain, sameHeaders, router] = perRequest;
    console.log(`router/(static + router's headers): ${(router / sameHeaders).toFixed(2)}; (static + router's headers)/static: ${(sameHeaders / plain).toFixed(2)}`);
    if (KEEP) console.log(`callgrind files kept in ${dir}`);
    console.log(`router/static instructions per request: ${(router / plain).toFixed(2)}`);
  } finally {
    for (const each of running.reverse()) await each.stop().catch(() => undefined);
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
