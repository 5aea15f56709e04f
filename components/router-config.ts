/**
 * The uber router's nginx configuration, rendered from typed options by one pure function
 * (see "Routing" in the architecture). The text is nginx http-context (resolver, maps,
 * server blocks) that the router image includes from `conf.d`; it never lists Betas, so
 * creating or destroying a Beta never changes or reloads the router: every request resolves
 * `<app>.beta-<name>.svc.<clusterDomain>` through the cluster DNS.
 *
 * Unknown Beta or app down: either the name does not resolve (no namespace, so no Service:
 * NXDOMAIN) or it resolves and the connection is refused, reset or times out. Both end in
 * nginx's own 502/504, which `error_page` sends to a named location; `$upstream_addr` is empty
 * there only when no address was ever tried. Empty: 404 "no such Beta"; else: 503 "app down".
 *
 * Cost: stock nginx keeps no upstream keepalive for a proxy_pass with variables, so every request
 * opens a new connection to its app; bench/router.ts measures what that costs.
 */
import { ConfigError } from "../lib/config-error";
import {
  APP_NAME_MAX,
  BETA_PREFIX,
  DEVELOPER_NAME_MAX,
  HOST_SEPARATOR,
  RESERVED_DEVELOPER_NAMES,
  appNameProblem,
} from "../lib/names";

/** Options of {@link renderRouterConfig}. Every value is validated before any text is rendered. */
export interface RouterConfigOptions {
  /** Domain every Beta lives under, e.g. `beta.example.com` (lower-case, no trailing dot). */
  domain: string;
  /** DNS server(s) asked per request: `address[:port]`, several space-separated; in Kubernetes the kube-dns Service IP. */
  resolver: string;
  /** Port the load balancer sends (already decrypted) HTTPS traffic to; also serves `/healthz`. */
  listenPort: number;
  /** Address the listeners bind to, e.g. `127.0.0.1` in tests; default: every IPv4 address. */
  listenAddress?: string;
  /** Kubernetes cluster DNS domain; default `cluster.local`. */
  clusterDomain?: string;
  /** App served at `https://<name>.<domain>` (the app marked `default: true`). */
  defaultApp: string;
  /** Port for plain HTTP that answers 301 to `https://<host><uri>` for Beta hosts; default: no such port. */
  redirectPort?: number;
  /** Extra plain-HTTP port serving only `/healthz`, for kubelet probes that cannot speak PROXY; default: none. */
  healthPort?: number;
  /** Allow-list of routable app names; default: any valid app name. Must contain `defaultApp`. */
  apps?: readonly string[];
  /** Scheme clients used, sent as X-Forwarded-Proto and shown on pages: `https` when TLS ends at the load balancer (default), `http` without TLS. */
  forwardedProto?: "https" | "http";
  /** Listeners expect the PROXY protocol (e.g. from an AWS NLB) and forward the client address it carries; default false. */
  proxyProtocol?: boolean;
  /** Seconds nginx caches a DNS answer, positive or negative: how long a new or deleted Beta takes to show; default 5. */
  resolverValidSeconds?: number;
  /** Seconds to wait for the DNS server before giving up on a request; default 2. */
  resolverTimeoutSeconds?: number;
  /** Seconds to wait for an app to accept a connection before the 503 page; default 5. */
  connectTimeoutSeconds?: number;
  /** Seconds a proxied connection may stay idle (WebSockets, server-sent events, long polls); default 3600. */
  idleTimeoutSeconds?: number;
  /** Largest request body accepted, in megabytes; default 100. */
  maxBodyMegabytes?: number;
}

/** The two host forms a Beta answers, as PCRE (and JavaScript) patterns over nginx's `$host`. */
export interface RouterHostPatterns {
  /** `<name>.<domain>`; captures `beta_name`. */
  defaultApp: string;
  /** `<app>--<name>.<domain>`; captures `beta_app` and `beta_name`. */
  namedApp: string;
}

interface ResolvedOptions {
  domain: string;
  resolver: string;
  listenPort: number;
  listenAddress: string | undefined;
  clusterDomain: string;
  defaultApp: string;
  redirectPort: number | undefined;
  healthPort: number | undefined;
  apps: readonly string[] | undefined;
  forwardedProto: "https" | "http";
  proxyProtocol: boolean;
  resolverValidSeconds: number;
  resolverTimeoutSeconds: number;
  connectTimeoutSeconds: number;
  idleTimeoutSeconds: number;
  maxBodyMegabytes: number;
}

/** Status the default server answers for any Host that is not a Beta host. */
export const MISDIRECTED_STATUS = 421;

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*$/;
/** Longest Beta label: `<app>--<name>`. */
const LONGEST_LABEL = APP_NAME_MAX + HOST_SEPARATOR.length + DEVELOPER_NAME_MAX;

function fail(option: string, value: unknown, rule: string): never {
  throw new ConfigError(`Router option ${option} ${JSON.stringify(value)} is not valid: ${rule}`);
}

function dnsNameProblem(name: string, minLabels: number): string | undefined {
  if (name !== name.toLowerCase()) return "use lower case";
  if (name.endsWith(".")) return "leave out the trailing dot";
  const labels = name.split(".");
  if (labels.length < minLabels) return `it needs at least ${minLabels} dot-separated labels`;
  const bad = labels.find((label) => !DNS_LABEL.test(label));
  if (bad !== undefined) {
    return `label ${JSON.stringify(bad)} must be 1-63 letters, digits or '-', not starting or ending with '-'`;
  }
  return undefined;
}

function checkPort(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) fail(option, value, "use a whole number from 1 to 65535");
  return value;
}

function checkSeconds(option: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) fail(option, value, `use a whole number of seconds from 1 to ${max}`);
  return value;
}

function resolverAddressProblem(address: string): string | undefined {
  let host = address;
  let port: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) {
    host = bracketed[1];
    port = bracketed[2];
    if (!IPV6.test(host)) return `${JSON.stringify(host)} is not an IPv6 address`;
  } else {
    const hostPort = /^([^:]+):(\d+)$/.exec(address);
    if (hostPort) {
      host = hostPort[1];
      port = hostPort[2];
    }
    if (host.includes(":")) return "write an IPv6 address in brackets, e.g. [fd00::a]:53";
    if (!IPV4.test(host) && (/^[\d.]+$/.test(host) || dnsNameProblem(host, 1) !== undefined)) {
      return `${JSON.stringify(host)} is neither an IPv4 address nor a host name`;
    }
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is not from 1 to 65535`;
  return undefined;
}

function resolveOptions(options: RouterConfigOptions): ResolvedOptions {
  const domainProblem = dnsNameProblem(options.domain, 2);
  if (domainProblem) fail("domain", options.domain, domainProblem);
  // The longest Beta host must still be a valid DNS name (at most 253 characters).
  if (LONGEST_LABEL + 1 + options.domain.length > 253) {
    fail("domain", options.domain, `it is too long: <app>--<name>.<domain> must fit in 253 characters`);
  }

  const clusterDomain = options.clusterDomain ?? "cluster.local";
  const clusterProblem = dnsNameProblem(clusterDomain, 1);
  if (clusterProblem) fail("clusterDomain", clusterDomain, clusterProblem);

  const addresses = options.resolver.trim().split(/\s+/).filter((part) => part !== "");
  if (addresses.length === 0) fail("resolver", options.resolver, "give at least one DNS server as address[:port]");
  for (const address of addresses) {
    const problem = resolverAddressProblem(address);
    if (problem) fail("resolver", options.resolver, `${JSON.stringify(address)}: ${problem}`);
  }

  const listenPort = checkPort("listenPort", options.listenPort);
  const redirectPort = options.redirectPort === undefined ? undefined : checkPort("redirectPort", options.redirectPort);
  if (redirectPort === listenPort) fail("redirectPort", redirectPort, "it must differ from listenPort");
  const healthPort = options.healthPort === undefined ? undefined : checkPort("healthPort", options.healthPort);
  if (healthPort !== undefined && (healthPort === listenPort || healthPort === redirectPort)) {
    fail("healthPort", healthPort, "it must differ from listenPort and redirectPort");
  }

  const listenAddress = options.listenAddress;
  if (listenAddress !== undefined && !IPV4.test(listenAddress) && !/^\[[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\]$/.test(listenAddress)) {
    fail("listenAddress", listenAddress, "use an IPv4 address or an IPv6 address in brackets");
  }

  const defaultAppProblem = appNameProblem(options.defaultApp);
  if (defaultAppProblem) fail("defaultApp", options.defaultApp, defaultAppProblem);

  let apps: readonly string[] | undefined;
  if (options.apps !== undefined) {
    if (options.apps.length === 0) fail("apps", options.apps, "list at least one app, or leave apps out to route every app");
    options.apps.forEach((app, index) => {
      const problem = appNameProblem(app);
      if (problem) fail(`apps[${index}]`, app, problem);
      if (options.apps?.indexOf(app) !== index) fail(`apps[${index}]`, app, "it is listed twice");
    });
    if (!options.apps.includes(options.defaultApp)) {
      fail("defaultApp", options.defaultApp, `it must be one of apps (${options.apps.join(", ")})`);
    }
    apps = [...options.apps];
  }

  const forwardedProto = options.forwardedProto ?? "https";
  if (forwardedProto !== "https" && forwardedProto !== "http") fail("forwardedProto", forwardedProto, 'use "https" or "http"');

  const maxBodyMegabytes = options.maxBodyMegabytes ?? 100;
  if (!Number.isInteger(maxBodyMegabytes) || maxBodyMegabytes < 1 || maxBodyMegabytes > 10240) {
    fail("maxBodyMegabytes", maxBodyMegabytes, "use a whole number of megabytes from 1 to 10240");
  }

  return {
    domain: options.domain,
    resolver: addresses.join(" "),
    listenPort,
    listenAddress,
    clusterDomain,
    defaultApp: options.defaultApp,
    redirectPort,
    healthPort,
    apps,
    forwardedProto,
    proxyProtocol: options.proxyProtocol ?? false,
    resolverValidSeconds: checkSeconds("resolverValidSeconds", options.resolverValidSeconds ?? 5, 3600),
    resolverTimeoutSeconds: checkSeconds("resolverTimeoutSeconds", options.resolverTimeoutSeconds ?? 2, 60),
    connectTimeoutSeconds: checkSeconds("connectTimeoutSeconds", options.connectTimeoutSeconds ?? 5, 75),
    idleTimeoutSeconds: checkSeconds("idleTimeoutSeconds", options.idleTimeoutSeconds ?? 3600, 86400),
    maxBodyMegabytes,
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function hostPatterns(options: ResolvedOptions): RouterHostPatterns {
  const domain = escapeRegex(options.domain);
  // A name: letters/digits, single '-' only between them (so no '--', no leading/trailing '-').
  const reserved = RESERVED_DEVELOPER_NAMES.map(escapeRegex).join("|");
  const name = `(?=[a-z0-9-]{1,${DEVELOPER_NAME_MAX}}\\.)(?!(?:${reserved})\\.)(?<beta_name>[a-z0-9](?:-?[a-z0-9])*)`;
  const app = options.apps
    ? `(?<beta_app>${options.apps.map(escapeRegex).join("|")})`
    : `(?=[a-z0-9-]{1,${APP_NAME_MAX}}${HOST_SEPARATOR})(?<beta_app>[a-z](?:-?[a-z0-9])*)`;
  return {
    defaultApp: `^${name}\\.${domain}$`,
    namedApp: `^${app}${HOST_SEPARATOR}${name}\\.${domain}$`,
  };
}

/**
 * The patterns the router matches `$host` against, for tests and tools that need to agree
 * with the router. Validates `options` like {@link renderRouterConfig}.
 */
export function routerHostPatterns(options: RouterConfigOptions): RouterHostPatterns {
  return hostPatterns(resolveOptions(options));
}

/** An nginx double-quoted string: `"`, `\` and newlines escaped; `$var` stays a variable. */
function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, "\\$&").replace(/\n/g, "\\n")}"`;
}

/**
 * A quoted regex for server_name. nginx unescapes only `\"`, `\'`, `\\`, `\t`, `\r` and `\n` in
 * quoted strings; the patterns use none of them, so they are written as PCRE reads them.
 */
function quoteRegex(pattern: string): string {
  if (/["']|\\[\\"'trn]/.test(pattern)) throw new Error(`pattern ${pattern} cannot be quoted for nginx as is`);
  return `"~${pattern}"`;
}

function listen(options: ResolvedOptions, port: number, isDefault: boolean): string {
  const address = options.listenAddress ? `${options.listenAddress}:${port}` : `${port}`;
  const flags = [isDefault ? " default_server" : "", options.proxyProtocol ? " proxy_protocol" : ""].join("");
  return `listen ${address}${flags};`;
}

function realIp(options: ResolvedOptions): string[] {
  if (!options.proxyProtocol) return [];
  return [
    "# Only the load balancer reaches these listeners and it speaks PROXY: take the client address from it.",
    "set_real_ip_from 0.0.0.0/0;",
    "set_real_ip_from ::/0;",
    "real_ip_header proxy_protocol;",
  ];
}

const HEALTHZ = [
  "# Load balancer and kubelet probe: 200 for any Host, without reaching any Beta.",
  "location = /healthz {",
  "  # Probes every few seconds would drown the access log.",
  "  access_log off;",
  "  # No MIME guessing from the URI: the body is plain text.",
  "  types { }",
  "  default_type text/plain;",
  '  return 200 "ok\\n";',
  "}",
];

function indent(lines: readonly string[], depth = 1): string[] {
  const pad = "  ".repeat(depth);
  return lines.map((line) => (line === "" ? line : pad + line));
}

/** Pages for a Beta host whose app did not answer; `app` is a literal name or `$beta_app`. */
function errorPages(options: ResolvedOptions, app: string, isDefault: boolean): string[] {
  const host = `${options.forwardedProto}://$host/`;
  const beta = "${beta_name}";
  const ns = `${BETA_PREFIX}${beta}`;
  const appText = isDefault ? `its default app ${app}` : `app ${app}`;
  const orApp = isDefault ? "" : ` (or it has no app ${app})`;
  const create = `pulumi stack init ${ns} && pulumi up --stack ${ns}`;
  const missingText =
    `404 Not Found: there is no Beta named ${beta} at ${host}${orApp}.\n` +
    `Create it with: ${create}\n` +
    "A new Beta answers here a few seconds after its first pulumi up.\n";
  const downText =
    `503 Service Unavailable: Beta ${beta} exists, but ${appText} is not answering at ${host}.\n` +
    `It may be starting, crashed or scaled to zero; check with: kubectl -n ${ns} get pods -l app.kubernetes.io/name=${app}\n`;
  const page = (title: string, body: string): string =>
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body style="font-family:sans-serif;max-width:40em;margin:3em auto">${body}</body></html>\n`;
  const missingHtml = page(
    `No Beta ${beta}`,
    `<h1>No Beta named ${beta}</h1><p>There is no Beta named <b>${beta}</b> at ${host}${orApp}.</p>` +
      `<p>Create it with:</p><pre>pulumi stack init ${ns}\npulumi up --stack ${ns}</pre>` +
      "<p>A new Beta answers here a few seconds after its first <code>pulumi up</code>.</p>",
  );
  const downHtml = page(
    `${app} is not answering`,
    `<h1>${app} is not answering</h1><p>Beta <b>${beta}</b> exists, but ${appText} is not answering at ${host}.</p>` +
      `<p>It may be starting, crashed or scaled to zero. Check with:</p>` +
      `<pre>kubectl -n ${ns} get pods -l app.kubernetes.io/name=${app}</pre>`,
  );
  const location = (name: string, type: string, missing: string, down: string): string[] => [
    `location ${name} {`,
    "  # The page's own type, whatever extension the requested URI had.",
    "  types { }",
    `  default_type "${type}; charset=utf-8";`,
    "  # Never cache: the Beta or app may be up a few seconds later.",
    '  add_header Cache-Control "no-store" always;',
    "  # No upstream address: the name did not resolve, so no such Beta or app (or DNS is down; see the error log).",
    '  if ($upstream_addr = "") {',
    `    return 404 ${quote(missing)};`,
    "  }",
    "  # The name resolved but the connection was refused, reset or timed out: the app is down.",
    `  return 503 ${quote(down)};`,
    "}",
  ];
  return [
    ...location("@beta_html", "text/html", missingHtml, downHtml),
    ...location("@beta_text", "text/plain", missingText, downText),
  ];
}

function betaServer(options: ResolvedOptions, pattern: string, isDefault: boolean): string[] {
  const app = isDefault ? options.defaultApp : "$beta_app";
  const upstream = `http://${app}.${BETA_PREFIX}$beta_name.svc.${options.clusterDomain}:80`;
  const clientAddress = "$remote_addr";
  return [
    "server {",
    ...indent([
      listen(options, options.listenPort, false),
      isDefault ? `# https://<name>.${options.domain} -> ${options.defaultApp} in namespace ${BETA_PREFIX}<name>.` : `# https://<app>--<name>.${options.domain} -> <app> in namespace ${BETA_PREFIX}<name>.`,
      `server_name ${quoteRegex(pattern)};`,
      "# Don't advertise the nginx version.",
      "server_tokens off;",
      ...realIp(options),
      "# Uploads to apps under development can be large; nginx's 1m default is too small.",
      `client_max_body_size ${options.maxBodyMegabytes}m;`,
      "",
      ...HEALTHZ,
      "",
      "location / {",
      ...indent([
        "# A variable target makes nginx resolve the name per request (cached for valid=), so",
        "# Betas come and go without touching the router. No URI part: the request URI passes as sent.",
        `proxy_pass ${upstream};`,
        "# HTTP/1.1 to the app, needed for WebSocket upgrades.",
        "proxy_http_version 1.1;",
        "# The normalised public host (lower case, no port), never the raw Host header.",
        "proxy_set_header Host $host;",
        "# Pass WebSocket upgrades on; plain requests close (no keepalive to a per-request target).",
        "proxy_set_header Upgrade $beta_upgrade;",
        "proxy_set_header Connection $beta_connection;",
        options.forwardedProto === "https"
          ? "# TLS ended at the load balancer, in front of this listener."
          : "# No TLS anywhere in front of this listener.",
        `proxy_set_header X-Forwarded-Proto ${options.forwardedProto};`,
        "proxy_set_header X-Forwarded-Host $host;",
        "# Replace, not append: the router is the first hop that knows the client's address.",
        `proxy_set_header X-Forwarded-For ${clientAddress};`,
        "# One id follows the request through the app's logs.",
        "proxy_set_header X-Request-ID $beta_request_id;",
        "# httpoxy: a client's Proxy header must not become the app's HTTP_PROXY.",
        'proxy_set_header Proxy "";',
        "# Fail fast to the 503 page when an app does not accept connections.",
        `proxy_connect_timeout ${options.connectTimeoutSeconds}s;`,
        "# WebSockets, server-sent events and long polls stay idle for long stretches.",
        `proxy_read_timeout ${options.idleTimeoutSeconds}s;`,
        `proxy_send_timeout ${options.idleTimeoutSeconds}s;`,
        "# Stream responses as they come (server-sent events, progress output).",
        "proxy_buffering off;",
        "# Our own 502/504 (no such name, or the app did not answer) become the 404/503 pages.",
        "error_page 502 504 = $beta_error_page;",
      ]),
      "}",
      "",
      ...errorPages(options, app, isDefault),
    ]),
    "}",
  ];
}

function defaultServer(options: ResolvedOptions, port: number, withHealthz: boolean): string[] {
  const body =
    `${MISDIRECTED_STATUS} Misdirected Request: this router only serves ` +
    `https://<name>.${options.domain} and https://<app>--<name>.${options.domain}\n`;
  return [
    "server {",
    ...indent([
      "# Every Host that is not exactly a Beta host lands here and is never proxied.",
      listen(options, port, true),
      "# Don't advertise the nginx version.",
      "server_tokens off;",
      ...realIp(options),
      ...(withHealthz ? ["", ...HEALTHZ] : []),
      "",
      "location / {",
      "  # Plain text, whatever extension the requested URI had.",
      "  types { }",
      "  default_type text/plain;",
      `  return ${MISDIRECTED_STATUS} ${quote(body)};`,
      "}",
    ]),
    "}",
  ];
}

function redirectServer(options: ResolvedOptions, port: number, patterns: RouterHostPatterns): string[] {
  return [
    "server {",
    ...indent([
      "# Plain HTTP to a Beta host: send the browser to the same URL over HTTPS.",
      listen(options, port, false),
      `server_name ${quoteRegex(patterns.defaultApp)} ${quoteRegex(patterns.namedApp)};`,
      "# Don't advertise the nginx version.",
      "server_tokens off;",
      ...realIp(options),
      "return 301 https://$host$request_uri;",
    ]),
    "}",
  ];
}

function healthServer(options: ResolvedOptions, port: number): string[] {
  const address = options.listenAddress ? `${options.listenAddress}:${port}` : `${port}`;
  return [
    "server {",
    ...indent([
      "# Plain HTTP, no PROXY protocol: for kubelet probes; serves nothing but /healthz.",
      `listen ${address} default_server;`,
      "# Don't advertise the nginx version.",
      "server_tokens off;",
      "",
      ...HEALTHZ,
      "",
      "location / {",
      "  return 404;",
      "}",
    ]),
    "}",
  ];
}

/**
 * The router's nginx http-context configuration. Pure: same options, same text. Throws a
 * ConfigError naming the option, the value and the rule when an option is not valid.
 */
export function renderRouterConfig(options: RouterConfigOptions): string {
  const resolved = resolveOptions(options);
  const patterns = hostPatterns(resolved);
  const lines = [
    "# Beta uber router, rendered by components/router-config.ts; do not edit by hand.",
    `# https://<name>.${resolved.domain} and https://<app>--<name>.${resolved.domain} -> namespace ${BETA_PREFIX}<name>.`,
    "",
    `# Cluster DNS, asked per request; answers (also "no such name") are cached for valid=.`,
    "# ipv6=off: Services have IPv4 cluster IPs, so AAAA lookups would only double the queries.",
    `resolver ${resolved.resolver} valid=${resolved.resolverValidSeconds}s ipv6=off;`,
    "# Fail fast when the DNS server does not answer.",
    `resolver_timeout ${resolved.resolverTimeoutSeconds}s;`,
    "",
    "# Only WebSocket upgrades are passed on (an h2c upgrade would tunnel past the router);",
    "# anything else closes the upstream connection, which is per request anyway.",
    "map $http_upgrade $beta_connection {",
    '  "~*^websocket$" upgrade;',
    "  default close;",
    "}",
    "map $http_upgrade $beta_upgrade {",
    '  "~*^websocket$" $http_upgrade;',
    '  default "";',
    "}",
    "",
    "# Reuse a caller's request id when it looks like one, else nginx's own.",
    "map $http_x_request_id $beta_request_id {",
    '  "~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;',
    "  default $request_id;",
    "}",
    "",
    "# Browsers get the HTML error pages, everything else (curl, scripts) plain text.",
    "map $http_accept $beta_error_page {",
    '  "~*text/html" @beta_html;',
    "  default @beta_text;",
    "}",
    "",
    ...defaultServer(resolved, resolved.listenPort, true),
    "",
    ...betaServer(resolved, patterns.defaultApp, true),
    "",
    ...betaServer(resolved, patterns.namedApp, false),
  ];
  if (resolved.redirectPort !== undefined) {
    lines.push("", ...defaultServer(resolved, resolved.redirectPort, false), "", ...redirectServer(resolved, resolved.redirectPort, patterns));
  }
  if (resolved.healthPort !== undefined) lines.push("", ...healthServer(resolved, resolved.healthPort));
  return lines.join("\n") + "\n";
}
