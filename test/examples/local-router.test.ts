/**
 * The local platform's router config in a real nginx, resolving through a real dnsmasq, in
 * front of the real sample apps (alice's and bob's web and api on their own loopback
 * addresses, port 80, as their Services would be), checked by examples/e2e.sh itself: the
 * e2e workflow's routing checks, run here with everything but the cluster real.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderRouterConfig } from "../../components/router-config";
import { defaultApp } from "../../lib/catalog";
import { parsePlatformConfig } from "../../lib/platform-config";
import { readStackConfigFile } from "../../offline/stack-file";
import { startDnsmasq } from "../support/dnsmasq";
import { startNginx } from "../support/nginx";
import { freePort, unusedLoopbackAddress } from "../support/router-net";

const repo = path.resolve(__dirname, "../..");
const local = parsePlatformConfig(readStackConfigFile(path.join(repo, "Pulumi.local.yaml")));

type AppFactory = (options: { env: Record<string, string>; dir: string }) => http.Server;
const importApp = async (file: string, name: string): Promise<AppFactory> =>
  ((await import(pathToFileURL(path.join(repo, file)).href)) as Record<string, AppFactory>)[name];

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

function runE2e(args: string[], routerPort: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [path.join(repo, "examples/e2e.sh"), ...args],
      {
        env: { PATH: process.env.PATH, E2E_PORT: String(routerPort), E2E_ADDRESS: "127.0.0.1", E2E_ATTEMPTS: "3", E2E_INTERVAL: "1", E2E_VERSION: local.releaseTag },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("the local stack's router in real nginx, in front of the sample apps", () => {
  const stops: (() => Promise<void> | void)[] = [];
  let routerPort = 0;
  let diagnostics = (): string => "";

  beforeAll(async () => {
    const createWeb = await importApp("examples/web/server.js", "createWeb");
    const createApi = await importApp("examples/api/server.js", "createApi");
    const echo = http.createServer((_req, res) => res.end("hello from the shared echo service\n"));
    await listen(echo, 0, "127.0.0.1");
    stops.push(() => void echo.close());
    const echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;

    // Each app on port 80 of its own loopback address, which dnsmasq gives its Service name.
    const addresses: Record<string, string> = {};
    for (const name of local.developers.map((d) => d.name)) {
      const env = { BETA_NAMESPACE: `beta-${name}`, APP_VERSION: local.releaseTag, ECHO_URL: echoUrl };
      // api first: web calls it (in the cluster as http://api, here at its address).
      for (const [app, create] of [["api", createApi], ["web", createWeb]] as const) {
        const ip = await unusedLoopbackAddress();
        const apiUrl = `http://${addresses[`api.beta-${name}.svc.${local.clusterDomain}`]}`;
        const server = create({ env: app === "web" ? { ...env, API_URL: apiUrl } : env, dir: path.join(repo, `examples/${app}`) });
        await listen(server, 80, ip);
        stops.push(() => void server.close());
        addresses[`${app}.beta-${name}.svc.${local.clusterDomain}`] = ip;
      }
    }
    const dns = await startDnsmasq({ addresses, localDomains: [local.clusterDomain] });
    stops.push(() => dns.stop());

    routerPort = await freePort();
    // As the platform renders it for beta:router.tls "none" (components/UberRouter.ts), on a test port.
    const config = renderRouterConfig({
      domain: local.domain,
      resolver: dns.address,
      listenPort: routerPort,
      listenAddress: "127.0.0.1",
      forwardedProto: "http",
      clusterDomain: local.clusterDomain,
      defaultApp: defaultApp(local.apps).name,
      apps: local.apps.map((app) => app.name),
    });
    const nginx = await startNginx({ httpConfig: config, ports: [routerPort] });
    stops.push(() => nginx.stop());
    diagnostics = () => `--- nginx error log ---\n${nginx.errorLog()}\n--- dnsmasq log ---\n${dns.log()}`;
  }, 60_000);

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it("routes: each Beta's default app and api--<name> answer from their own namespace, through the shared backend", async () => {
    const result = await runE2e(["routes", "alice", "bob"], routerPort);
    expect(result.stderr, diagnostics()).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`ok: http://api--bob.beta.localhost:${routerPort}/ answers 200`);
  });

  it("not-found: an unknown Beta gets the router's 404 page", async () => {
    const result = await runE2e(["not-found"], routerPort);
    expect(result.stderr, diagnostics()).toBe("");
    expect(result.code).toBe(0);
  });
});
