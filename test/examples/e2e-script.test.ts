/**
 * examples/e2e.sh, the assertions of the e2e workflow, run here against the real sample apps
 * behind a stand-in router that routes by Host as the uber router does (`<name>.beta.localhost`
 * → web of beta-<name>, `api--<name>.beta.localhost` → its api, anything else → 404 naming the
 * Beta). The checks pass on a correct setup and fail, saying why, on a broken one: a router
 * that crosses Betas, a stale version, an unknown Beta answered, a sync that did not land.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const script = path.join(repo, "examples/e2e.sh");

type AppFactory = (options: { env: Record<string, string>; dir: string }) => http.Server;
const importApp = async (file: string, name: string): Promise<AppFactory> =>
  ((await import(pathToFileURL(path.join(repo, file)).href)) as Record<string, AppFactory>)[name];

const servers: http.Server[] = [];
async function listen(server: http.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Where each Beta's apps listen, and how the stand-in router behaves. */
interface Router {
  port: number;
  backends: Record<string, { web: number; api: number }>;
  /** Send each Beta's hosts to another Beta's apps. */
  crossed: boolean;
  /** Answer unknown Betas from alice's web instead of the 404 page. */
  catchAll: boolean;
}

function route(router: Router, host: string): number | undefined {
  const match = /^(?:([a-z0-9-]+)--)?([a-z0-9-]+)\.beta\.localhost(?::\d+)?$/.exec(host);
  if (!match) return undefined;
  const [, app = "web", name] = match;
  const names = Object.keys(router.backends);
  const target = router.crossed ? names[(names.indexOf(name) + 1) % names.length] : name;
  const beta = router.backends[target] ?? (router.catchAll ? router.backends.alice : undefined);
  return beta?.[app as "web" | "api"];
}

async function startRouter(router: Omit<Router, "port">): Promise<Router> {
  const state = { ...router, port: 0 };
  state.port = await listen(
    http.createServer((req, res) => {
      const host = req.headers.host ?? "";
      const port = route(state, host);
      if (port === undefined) {
        const name = /^(?:[a-z0-9-]+--)?([a-z0-9-]+)\./.exec(host)?.[1] ?? host;
        res.writeHead(404, { "content-type": "text/html" }).end(`<h1>No Beta named ${name}</h1>`);
        return;
      }
      const upstream = http.request({ host: "127.0.0.1", port, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on("error", () => res.writeHead(503).end("is not answering"));
      req.pipe(upstream);
    }),
  );
  return state;
}

function runE2e(args: string[], router: Router, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "bash",
      [script, ...args],
      {
        env: { PATH: process.env.PATH, E2E_PORT: String(router.port), E2E_ADDRESS: "127.0.0.1", E2E_ATTEMPTS: "2", E2E_INTERVAL: "0", ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("examples/e2e.sh against the sample apps behind a stand-in router", () => {
  let backends: Router["backends"];
  let edited: string;

  beforeAll(async () => {
    const createWeb = await importApp("examples/web/server.js", "createWeb");
    const createApi = await importApp("examples/api/server.js", "createApi");
    const createEcho = await importApp("examples/echo/server.js", "createEcho");
    // The shared echo, and dave's personal copy of it (as after `beta up dave --service echo`).
    const echo = await listen(createEcho({ env: {}, dir: "" }));
    const daveEcho = await listen(createEcho({ env: { BETA_NAMESPACE: "beta-dave" }, dir: "" }));
    edited = mkdtempSync(path.join(os.tmpdir(), "e2e-edit-"));
    const made = await new Promise<string>((resolve, reject) =>
      execFile("bash", [script, "edit-web", edited], (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
    );
    expect(made).toBe(edited);
    backends = {};
    for (const name of ["alice", "bob", "carol", "dave"]) {
      const env = { BETA_NAMESPACE: `beta-${name}`, APP_VERSION: "local-1", ECHO_URL: `http://127.0.0.1:${name === "dave" ? daveEcho : echo}` };
      const api = await listen(createApi({ env, dir: path.join(repo, "examples/api") }));
      // carol's web runs the edited copy, as after `beta sync carol web --path <edited>`.
      const webDir = name === "carol" ? edited : path.join(repo, "examples/web");
      const web = await listen(createWeb({ env: { ...env, API_URL: `http://127.0.0.1:${api}` }, dir: webDir }));
      backends[name] = { web, api };
    }
  });
  afterAll(() => servers.forEach((server) => server.close()));

  it("routes: passes when every Beta's default app and api--<name> answer from its own namespace, with the shared backend", async () => {
    const router = await startRouter({ backends, crossed: false, catchAll: false });
    const result = await runE2e(["routes", "alice", "bob"], router, { E2E_VERSION: "local-1" });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      `ok: http://alice.beta.localhost:${router.port}/ answers 200`,
      `ok: http://api--alice.beta.localhost:${router.port}/ answers 200`,
      `ok: http://bob.beta.localhost:${router.port}/ answers 200`,
      `ok: http://api--bob.beta.localhost:${router.port}/ answers 200`,
    ]);
  });

  it("routes: fails, naming the host and what it got, when the router sends one Beta's host to another Beta", async () => {
    const router = await startRouter({ backends, crossed: true, catchAll: false });
    const result = await runE2e(["routes", "alice", "bob"], router);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^FAIL: http:\/\/alice\.beta\.localhost:\d+\/ \(after 2 attempts\): no "<code id=\\?"namespace\\?">beta-alice<\/code>" in the answer/);
    expect(result.stderr).toContain("beta-bob");
  });

  it("routes: fails when the apps still show another version than the release", async () => {
    const router = await startRouter({ backends, crossed: false, catchAll: false });
    const result = await runE2e(["routes", "alice"], router, { E2E_VERSION: "local-2" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no "<code id="version">local-2</code>" in the answer');
  });

  it("not-found: passes on the router's 404 page, fails when an unknown Beta is answered by an app", async () => {
    const good = await runE2e(["not-found"], await startRouter({ backends, crossed: false, catchAll: false }));
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    const bad = await runE2e(["not-found"], await startRouter({ backends, crossed: false, catchAll: true }));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/FAIL: http:\/\/nobody-\d+\.beta\.localhost:\d+\/ .*status 200, not 404/);
  });

  it("synced: passes when only the synced Beta serves the edited page, fails for one that was not synced", async () => {
    const router = await startRouter({ backends, crossed: false, catchAll: false });
    const good = await runE2e(["synced", "carol", "alice", "bob"], router);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    const bad = await runE2e(["synced", "alice"], router);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no "Hello from a synced edit" in the answer');
  });

  it("personal-copy: passes when only that Beta's api reaches its own echo, fails when it still reaches the shared one or another Beta does not", async () => {
    const router = await startRouter({ backends, crossed: false, catchAll: false });
    const good = await runE2e(["personal-copy", "dave", "alice", "bob"], router);
    expect(good.stderr).toBe("");
    expect(good.code).toBe(0);
    expect(good.stdout).toContain(`ok: http://api--dave.beta.localhost:${router.port}/ answers 200`);
    const stillShared = await runE2e(["personal-copy", "alice", "bob"], router);
    expect(stillShared.code).toBe(1);
    expect(stillShared.stderr).toContain('no ""says": "hello from echo, the personal copy in beta-alice"" in the answer');
    // A Beta named as sharing echo whose api reaches a personal copy fails too.
    const leaked = await runE2e(["personal-copy", "dave", "dave"], router);
    expect(leaked.code).toBe(1);
    expect(leaked.stderr).toMatch(/FAIL: http:\/\/api--dave\.beta\.localhost:\d+\/ \(after 2 attempts\): no ""says": "hello from the shared echo service"" in the answer/);
  });

  it("names the checks it has when given another", async () => {
    const result = await runE2e(["route"], await startRouter({ backends, crossed: false, catchAll: false }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown check "route"; one of: routes, not-found, stopped, isolation, edit-web, synced, personal-copy, destroyed');
  });
});
