/**
 * Without a configured resolver, the router asks the nameserver of its own /etc/resolv.conf, as
 * read when nginx starts (in a pod: kube-dns's ClusterIP). Here: this machine's resolv.conf.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderRouterConfig } from "../../components/router-config";
import { startNginx, type Nginx } from "../support/nginx";
import { freePort, httpRequest } from "../support/router-net";

const firstNameserver = /^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/m.exec(readFileSync("/etc/resolv.conf", "utf8"))?.[1];

describe.skipIf(firstNameserver === undefined)("resolver \"resolv.conf\"", () => {
  let nginx: Nginx;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const config = renderRouterConfig({ domain: "beta.example.com", resolver: "resolv.conf", listenPort: port, listenAddress: "127.0.0.1", defaultApp: "web" });
    nginx = await startNginx({ httpConfig: config, ports: [port], errorLogLevel: "notice" });
  });

  afterAll(async () => {
    await nginx?.stop();
  });

  it("starts, takes the first IPv4 nameserver of /etc/resolv.conf, and serves /healthz", async () => {
    expect((await httpRequest(port, { host: "alice.beta.example.com", target: "/healthz" })).status).toBe(200);
    expect(nginx.errorLog()).toContain(`DNS server from /etc/resolv.conf: ${firstNameserver}`);
  });
});
