/**
 * Every variant of the rendered config passes `nginx -t` in a real nginx. `nginx -t` parses the
 * Lua blocks but runs none of them: the tests that start nginx run the Lua.
 */
import { describe, expect, it } from "vitest";
import { renderRouterConfig, type RouterConfigOptions } from "../../components/router-config";
import { nginxConfigTest } from "../support/nginx";

const BASE: RouterConfigOptions = {
  domain: "beta.example.com",
  resolver: "127.0.0.1:5353",
  listenPort: 8080,
  listenAddress: "127.0.0.1",
  defaultApp: "web",
};

describe("nginx accepts every rendered variant (nginx -t)", () => {
  const variants: { why: string; options: Partial<RouterConfigOptions> }[] = [
    { why: "the minimal platform: domain, resolver, port, default app", options: {} },
    { why: "listening on every address, as in the router pod", options: { listenAddress: undefined } },
    { why: "an allow-list of apps", options: { apps: ["web", "api", "admin-ui"] } },
    { why: "a single allowed app", options: { apps: ["web"] } },
    { why: "a plain-HTTP redirect port", options: { redirectPort: 8081 } },
    { why: "PROXY protocol from the load balancer, with a plain health port", options: { proxyProtocol: true, healthPort: 8082 } },
    { why: "PROXY protocol on the redirect port too", options: { proxyProtocol: true, redirectPort: 8081 } },
    { why: "another cluster domain", options: { clusterDomain: "k8s.internal" } },
    { why: "plain HTTP end to end (no TLS at the load balancer)", options: { forwardedProto: "http" } },
    { why: "several resolvers, with and without a port", options: { resolver: "127.0.0.1:5353 127.0.0.2" } },
    { why: "the nameservers of /etc/resolv.conf, read when nginx starts", options: { resolver: "resolv.conf" } },
    { why: "a deep, long domain", options: { domain: "dev-environments.eu-west-1.platform.example.co.uk" } },
    { why: "every timeout and limit changed", options: { resolverValidSeconds: 60, resolverTimeoutSeconds: 5, connectTimeoutSeconds: 2, idleTimeoutSeconds: 86400, maxBodyMegabytes: 1024 } },
    {
      why: "everything at once",
      options: { apps: ["web", "api"], redirectPort: 8081, healthPort: 8082, proxyProtocol: true, clusterDomain: "k8s.internal", resolverValidSeconds: 1 },
    },
  ];
  for (const { why, options } of variants) it(why, () => {
    const result = nginxConfigTest({ httpConfig: renderRouterConfig({ ...BASE, ...options }) });
    expect(result.output).toContain("test is successful");
    expect(result.ok).toBe(true);
  });

  it("and nginx -t itself catches a broken config (the check is real)", () => {
    const result = nginxConfigTest({ httpConfig: renderRouterConfig(BASE).replace("proxy_buffering off;", "proxy_buffering sideways;") });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/invalid value "sideways"/);
  });
});
