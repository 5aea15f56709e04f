/**
 * renderRouterConfig's options and host patterns, without nginx: bad options fail with a message
 * naming the option, the value and the rule; the host patterns agree with lib/names.ts.
 */
import { describe, expect, it } from "vitest";
import {
  renderRouterConfig,
  routerHostPatterns,
  type RouterConfigOptions,
} from "../../components/router-config";
import { ConfigError } from "../../lib/config-error";
import { appNameProblem, developerNameProblem } from "../../lib/names";

const BASE: RouterConfigOptions = {
  domain: "beta.example.com",
  resolver: "10.96.0.10",
  listenPort: 8080,
  defaultApp: "web",
};

describe("router options that are not valid fail before any nginx text is rendered", () => {
  const rows: { why: string; options: Partial<RouterConfigOptions>; message: RegExp }[] = [
    { why: "domains are lower case, like $host", options: { domain: "Beta.Example.com" }, message: /domain "Beta.Example.com".*lower case/ },
    { why: "a trailing dot would never match $host", options: { domain: "beta.example.com." }, message: /domain .*trailing dot/ },
    { why: "a bare label cannot hold a wildcard certificate", options: { domain: "beta" }, message: /domain "beta".*at least 2/ },
    { why: "no empty labels", options: { domain: "beta..example.com" }, message: /domain .*label ""/ },
    { why: "no underscores in host names", options: { domain: "my_beta.example.com" }, message: /label "my_beta"/ },
    { why: "labels do not start with '-'", options: { domain: "-beta.example.com" }, message: /label "-beta"/ },
    { why: "nothing that could close an nginx string or directive", options: { domain: 'beta.example.com"; evil' }, message: /domain / },
    { why: "<app>--<name>.<domain> must stay a valid DNS name", options: { domain: `${"a".repeat(50)}.${"b".repeat(50)}.${"c".repeat(50)}.${"d".repeat(50)}.com` }, message: /too long/ },
    { why: "the cluster domain is a DNS name too", options: { clusterDomain: "cluster.local;" }, message: /clusterDomain "cluster.local;"/ },
    { why: "a resolver is needed to find any Beta", options: { resolver: "  " }, message: /resolver "  ".*at least one/ },
    { why: "a resolver cannot smuggle directives", options: { resolver: "10.0.0.1; include /etc/passwd" }, message: /resolver .*"10.0.0.1;"/ },
    { why: "resolver ports are real ports", options: { resolver: "10.0.0.1:99999" }, message: /port 99999/ },
    { why: "a resolver is an IPv4 address", options: { resolver: "10.0.0.256" }, message: /"10.0.0.256" is not an IPv4 address/ },
    { why: "the Lua resolver dials addresses, and a name would need DNS itself", options: { resolver: "kube-dns.kube-system.svc.cluster.local" }, message: /not an IPv4 address; give the kube-dns Service's ClusterIP/ },
    { why: "IPv6 DNS servers are not supported", options: { resolver: "[fd00::a]:53" }, message: /IPv6 DNS servers are not supported/ },
    { why: "resolv.conf stands alone: it would hide the addresses beside it", options: { resolver: "resolv.conf 10.0.0.1" }, message: /"resolv.conf" alone/ },
    { why: "port 0 is not a port", options: { listenPort: 0 }, message: /listenPort 0.*1 to 65535/ },
    { why: "ports stop at 65535", options: { listenPort: 65536 }, message: /listenPort 65536/ },
    { why: "ports are whole numbers", options: { listenPort: 80.5 }, message: /listenPort 80.5/ },
    { why: "the redirect port cannot share the main port", options: { redirectPort: 8080 }, message: /redirectPort 8080.*differ/ },
    { why: "the health port cannot share the main port", options: { healthPort: 8080 }, message: /healthPort 8080.*differ/ },
    { why: "listen addresses are addresses", options: { listenAddress: "0.0.0.0 reuseport" }, message: /listenAddress "0.0.0.0 reuseport"/ },
    { why: "app names are lower case (lib/names.ts)", options: { defaultApp: "Web" }, message: /defaultApp "Web".*lower-case/ },
    { why: "app names start with a letter", options: { defaultApp: "1web" }, message: /defaultApp "1web"/ },
    { why: "'--' separates app and developer in host names", options: { defaultApp: "my--web" }, message: /defaultApp "my--web".*'--'/ },
    { why: "app names have at most 20 characters", options: { defaultApp: "a".repeat(21) }, message: /at most 20/ },
    { why: "an empty allow-list would route nothing", options: { apps: [] }, message: /apps \[\].*at least one/ },
    { why: "every allowed app is a valid app name", options: { apps: ["web", "API"] }, message: /apps\[1\] "API"/ },
    { why: "an app listed twice is a typo", options: { apps: ["web", "api", "web"] }, message: /apps\[2\] "web".*twice/ },
    { why: "the default app must be routable", options: { apps: ["api"] }, message: /defaultApp "web".*one of apps \(api\)/ },
    { why: "cache times are whole seconds", options: { resolverValidSeconds: 0.5 }, message: /resolverValidSeconds 0.5/ },
    { why: "a zero cache time would ask DNS on every request", options: { resolverValidSeconds: 0 }, message: /resolverValidSeconds 0/ },
    { why: "X-Forwarded-Proto is a scheme", options: { forwardedProto: "ftp" as "http" }, message: /forwardedProto "ftp".*"https" or "http"/ },
    { why: "a body limit of zero would mean no limit in nginx", options: { maxBodyMegabytes: 0 }, message: /maxBodyMegabytes 0/ },
  ];
  for (const { why, options, message } of rows) it(`rejects it: ${why}`, () => {
    const render = (): string => renderRouterConfig({ ...BASE, ...options });
    expect(render).toThrow(ConfigError);
    expect(render).toThrow(message);
    expect(render).toThrow(/^Router option /);
  });
});

describe("router options that are valid render", () => {
  const rows: { why: string; options: Partial<RouterConfigOptions> }[] = [
    { why: "the kube-dns Service IP", options: { resolver: "10.96.0.10" } },
    { why: "several resolvers with ports", options: { resolver: "10.96.0.10:53  10.96.0.11" } },
    { why: "the pod's own nameserver from /etc/resolv.conf", options: { resolver: "resolv.conf" } },
    { why: "an IPv6 listen address", options: { listenAddress: "[::]" } },
    { why: "another cluster domain", options: { clusterDomain: "k8s.internal" } },
    { why: "plain HTTP end to end (router tls: none)", options: { forwardedProto: "http" } },
    { why: "every option", options: { redirectPort: 8081, healthPort: 8082, apps: ["web", "api"], proxyProtocol: true, resolverValidSeconds: 30 } },
  ];
  for (const { why, options } of rows) it(`accepts ${why}`, () => {
    expect(renderRouterConfig({ ...BASE, ...options })).toContain("server {");
  });
});

describe("the rendered config", () => {
  it("is http-context text the router image includes from conf.d: no events, pid or http block", () => {
    const text = renderRouterConfig({ ...BASE, redirectPort: 8081 });
    expect(text).not.toMatch(/^\s*(events|pid|http|daemon|worker_processes)\b/m);
    // The Lua module's set-up is http-context too; nginx's own resolver is not used.
    expect(text).toMatch(/^init_by_lua_block \{$/m);
    expect(text).not.toMatch(/^\s*resolver\s/m);
  });

  it("is a pure function of its options", () => {
    const options: RouterConfigOptions = { ...BASE, apps: ["web", "api"], redirectPort: 8081 };
    expect(renderRouterConfig(options)).toBe(renderRouterConfig({ ...options, apps: ["web", "api"] }));
  });

  it("proxies every Beta host through one pooled upstream, never through a variable (which nginx cannot pool)", () => {
    const text = renderRouterConfig({ ...BASE, clusterDomain: "k8s.internal" });
    // location / and @beta_lookup, in each of the two Beta servers.
    expect(text.match(/^\s*proxy_pass http:\/\/beta_apps;$/gm)).toHaveLength(4);
    expect(text).not.toMatch(/proxy_pass\s+\S*\$/);
    expect(text).toMatch(/^upstream beta_apps \{\n(?:.*\n)*?\s*balancer_by_lua_block .*\n(?:.*\n)*?\s*keepalive \d+;/m);
    // The Lua builds <app>.beta-<name> + this suffix; routing.test.ts runs it.
    expect(text).toContain('local CLUSTER_SUFFIX = ".svc.k8s.internal"');
  });

  it("runs no Lua but the balancer for a request its DNS cache answers: location / has no Lua phase and no set, @beta_lookup has the lookup", () => {
    const text = renderRouterConfig(BASE);
    const blocks = (name: string): string[] => text.split(`  location ${name} {\n`).slice(1).map((rest) => rest.slice(0, rest.indexOf("\n  }\n")));
    // One of each in the two Beta servers; the default server's location / only answers 421.
    const hotPaths = blocks("/").filter((block) => block.includes("proxy_pass"));
    expect(hotPaths).toHaveLength(2);
    expect(blocks("@beta_lookup")).toHaveLength(2);
    for (const hot of hotPaths) {
      expect(hot).toContain("proxy_pass http://beta_apps;");
      expect(hot).not.toMatch(/_by_lua|^\s*set /m);
      expect(hot).toMatch(/^\s*error_page 500 502 504 = \$beta_next;$/m);
    }
    for (const lookup of blocks("@beta_lookup")) expect(lookup).toMatch(/^\s*access_by_lua_block \{ require\("beta_router"\)\.route\(.+\) \}$/m);
    // A Host without a cached answer is the only way into the lookup.
    expect(text).toMatch(/map \$beta_state \$beta_next \{\n[^}]*"lookup" @beta_lookup;/);
  });

  it("forwards the normalised $host and never the raw Host header", () => {
    const text = renderRouterConfig(BASE);
    expect(text).toContain("proxy_set_header Host $host;");
    expect(text).not.toContain("$http_host");
  });

  it("says why for every directive: each directive line in a block follows a comment or a sibling directive", () => {
    // Inside server blocks, a run of directives is introduced by a comment line.
    const lines = renderRouterConfig({ ...BASE, redirectPort: 8081, healthPort: 8082, proxyProtocol: true }).split("\n");
    // Lua is commented in Lua (router-lua.ts), not held to nginx's rule.
    const luaStart = lines.indexOf("init_by_lua_block {");
    const luaEnd = lines.indexOf("}", luaStart);
    expect(luaStart).toBeGreaterThanOrEqual(0);
    const uncommented = lines.filter((line, i) => {
      if (i > luaStart && i <= luaEnd) return false;
      const trimmed = line.trim();
      if (trimmed === "" || trimmed.startsWith("#") || trimmed === "}" || /^(server|upstream \S+|init_by_lua_block|location\b.*)\s*\{$/.test(trimmed)) return false;
      if (/^(listen|server_name|default|"|return 404;|if |map )/.test(trimmed)) return false;
      // Walk back over the directives of the same run to its comment.
      for (let j = i - 1; j >= 0; j--) {
        const previous = lines[j].trim();
        if (previous.startsWith("#") || previous.startsWith("if ")) return false;
        if (previous === "" || previous.endsWith("{") || previous === "}") return true;
      }
      return true;
    });
    expect(uncommented).toEqual([]);
  });
});

/** Names around every rule: lengths at the limits, dashes everywhere, reserved names, bad characters. */
function candidateNames(): string[] {
  const names = new Set<string>(["www", "shared", "uber", "router", "platform", "admin", "wwww", "admins", "uber-x", "x-uber"]);
  const alphabet = ["a", "z", "0", "9", "-", "_", "A"];
  const grow = (prefix: string, depth: number): void => {
    if (prefix !== "") names.add(prefix);
    if (depth === 0) return;
    for (const char of alphabet) grow(prefix + char, depth - 1);
  };
  grow("", 3);
  for (const length of [19, 20, 21, 29, 30, 31]) {
    names.add("a".repeat(length));
    names.add(`a${"-b".repeat(Math.floor((length - 1) / 2))}`.padEnd(length, "c"));
    names.add(`1${"a".repeat(length - 1)}`);
  }
  for (const name of ["a--b", "a---b", "-a", "a-", "a.b", "alice", "bob-2", "9lives", "x1-y2-z3"]) names.add(name);
  return [...names];
}

describe("the host patterns accept exactly the names lib/names.ts accepts", () => {
  const patterns = routerHostPatterns(BASE);
  const defaultHost = new RegExp(patterns.defaultApp);
  const namedHost = new RegExp(patterns.namedApp);
  const names = candidateNames();

  it(`<name>.beta.example.com routes exactly the valid developer names (${names.length} candidates)`, () => {
    const wrong = names.filter((name) => defaultHost.test(`${name}.beta.example.com`) !== (developerNameProblem(name) === undefined));
    expect(wrong).toEqual([]);
  });

  it("<app>--<name>.beta.example.com routes exactly the valid app and developer names", () => {
    const apps = names.filter((name) => name.length <= 3 || name.length >= 19);
    const wrong: string[] = [];
    for (const app of apps) {
      for (const name of ["alice", "a", "a".repeat(30), "a".repeat(31), "uber", "-x", "x-", "a--b"]) {
        const routable = appNameProblem(app) === undefined && developerNameProblem(name) === undefined;
        if (namedHost.test(`${app}--${name}.beta.example.com`) !== routable) wrong.push(`${app}--${name}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("captures the app and the developer name", () => {
    expect(namedHost.exec("api-v2--alice-2.beta.example.com")?.groups).toEqual({ beta_app: "api-v2", beta_name: "alice-2" });
    expect(defaultHost.exec("alice.beta.example.com")?.groups).toEqual({ beta_name: "alice" });
  });

  it("with an allow-list, only the listed apps are routable", () => {
    const allowed = new RegExp(routerHostPatterns({ ...BASE, apps: ["web", "api"] }).namedApp);
    expect(["web--alice", "api--alice"].filter((label) => allowed.test(`${label}.beta.example.com`))).toHaveLength(2);
    expect(["evil--alice", "apix--alice", "xapi--alice", "we--alice"].filter((label) => allowed.test(`${label}.beta.example.com`))).toEqual([]);
  });

  it("matches the domain literally: its dots are not wildcards", () => {
    expect(defaultHost.test("alice.betaxexample.com")).toBe(false);
    expect(defaultHost.test("alice.beta.example.com.evil.com")).toBe(false);
  });
});
