/**
 * The uber router's nginx configuration, rendered from typed options by one pure function
 * (see "Routing" in the architecture). The text is nginx http-context (Lua module set-up, one
 * upstream, maps, server blocks) that the router image includes from `conf.d`; it never lists
 * Betas, so creating or destroying a Beta never changes or reloads the router.
 *
 * Per request, the one `upstream` block's balancer (Lua, router-lua.ts) hands nginx the address of
 * `<app>.beta-<name>.svc.<clusterDomain>` from its cache of cluster DNS answers, each kept no
 * longer than its TTL, and `keepalive` keeps idle connections to each app for the next request.
 * This is how ingress-nginx routes (see router-lua.ts for its sources). A Host the cache has no
 * answer for goes once through `@beta_lookup`, whose access phase asks the DNS.
 *
 * Unknown Beta or app down: NXDOMAIN (no namespace, so no Service) ends the request with
 * `$beta_state` "missing" -> 404 "no such Beta"; an address that refuses, resets or times out
 * ends in nginx's own 502/504 -> 503 "app down"; a DNS server that does not answer -> 503
 * "cannot look it up". `error_page` sends all of them to named locations.
 *
 * Only the nginx text is here: options and defaults are in router-options.ts, the host
 * patterns in router-hosts.ts, the page texts in router-pages.ts, the Lua in router-lua.ts.
 */
import { BETA_PREFIX } from "../lib/names";
import { hostPatterns, type RouterHostPatterns } from "./router-hosts";
import { routerInitLua } from "./router-lua";
import { MISDIRECTED_STATUS, betaErrorPages, misdirectedText } from "./router-pages";
import { resolveOptions, type ResolvedOptions, type RouterConfigOptions } from "./router-options";

// The public surface stays here, whichever file each part lives in.
export { RESOLV_CONF, type RouterConfigOptions } from "./router-options";
export { routerHostPatterns, type RouterHostPatterns } from "./router-hosts";
export { MISDIRECTED_STATUS } from "./router-pages";

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

/** The error-page locations for a Beta host whose app did not answer; `app` is a literal name or `$beta_app`. */
function errorPages(options: ResolvedOptions, app: string, isDefault: boolean): string[] {
  const pages = betaErrorPages(options, app, isDefault);
  const location = (name: string, type: string, missing: string, dns: string, down: string): string[] => [
    `location ${name} {`,
    "  # The page's own type, whatever extension the requested URI had.",
    "  types { }",
    `  default_type "${type}; charset=utf-8";`,
    "  # Never cache: the Beta or app may be up a few seconds later.",
    '  add_header Cache-Control "no-store" always;',
    "  # DNS said NXDOMAIN (or no address): no such Beta, or no such app in it.",
    '  if ($beta_state = "missing") {',
    `    return 404 ${quote(missing)};`,
    "  }",
    "  # The DNS server failed or did not answer: say so rather than guess (see the error log).",
    '  if ($beta_state = "dns") {',
    `    return 503 ${quote(dns)};`,
    "  }",
    "  # The name resolved but the connection was refused, reset or timed out: the app is down.",
    `  return 503 ${quote(down)};`,
    "}",
  ];
  return [
    ...location("@beta_html", "text/html", pages.missingHtml, pages.dnsHtml, pages.downHtml),
    ...location("@beta_text", "text/plain", pages.missingText, pages.dnsText, pages.downText),
  ];
}

/** Names of what router-lua.ts and the servers share. */
const UPSTREAM = "beta_apps";

/**
 * A new X-Request-ID: `<router pod>:<epoch seconds.ms>:<connection serial>:<request number on it>`.
 * nginx's `$hostname` is gethostname(), which in a pod is the pod's name
 * (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-hostname-and-subdomain-fields).
 */
const REQUEST_ID = "$hostname:$msec:$connection:$connection_requests";

/**
 * What `location /` and `@beta_lookup` both do: proxy to the balancer's address with the router's
 * header rules, and send nginx's own errors (no address, the app did not answer) to `$beta_next`.
 */
function proxyDirectives(options: ResolvedOptions): string[] {
  return [
    "# The balancer connects to the app's address. No URI part: the request URI passes as sent.",
    `proxy_pass http://${UPSTREAM};`,
    "# HTTP/1.1 to the app: needed for keepalive and WebSocket upgrades.",
    "proxy_http_version 1.1;",
    "# The normalised public host (lower case, no port), never the raw Host header.",
    "proxy_set_header Host $host;",
    "# Pass WebSocket upgrades on; otherwise no Connection header, so the connection stays pooled.",
    "proxy_set_header Upgrade $beta_upgrade;",
    "proxy_set_header Connection $beta_connection;",
    options.forwardedProto === "https" ? "# TLS ended at the load balancer, in front of this listener." : "# No TLS anywhere in front of this listener.",
    `proxy_set_header X-Forwarded-Proto ${options.forwardedProto};`,
    "proxy_set_header X-Forwarded-Host $host;",
    "# Replace, not append: the router is the first hop that knows the client's address.",
    "proxy_set_header X-Forwarded-For $remote_addr;",
    "proxy_set_header X-Real-IP $remote_addr;",
    "# What a client says about earlier hops is made up: drop it (empty = not sent).",
    'proxy_set_header Forwarded "";',
    'proxy_set_header X-Forwarded-Port "";',
    'proxy_set_header X-Forwarded-Prefix "";',
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
    "# nginx's own 500 (no cached address) and 502/504 (the app did not answer) go to the lookup or a page; an app's own errors pass.",
    "error_page 500 502 504 = $beta_next;",
  ];
}

function betaServer(options: ResolvedOptions, pattern: string, isDefault: boolean): string[] {
  const app = isDefault ? options.defaultApp : "$beta_app";
  const luaApp = isDefault ? `"${options.defaultApp}"` : "ngx.var.beta_app";
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
      "# $beta_state and $beta_peer are set only where needed; read unset they are empty, logged only if this is on (ngx_http_rewrite_module.c lines 188-215).",
      "uninitialized_variable_warn off;",
      "",
      ...HEALTHZ,
      "",
      `# The balancer takes ${app}.${BETA_PREFIX}<name>.svc.${options.clusterDomain}'s address from its DNS cache; a Host it has none for goes through @beta_lookup.`,
      "location / {",
      ...indent([
        ...proxyDirectives(options),
        "# So that @beta_lookup's own errors still become pages (nginx release-1.22.1 src/http/ngx_http_special_response.c lines 456-466).",
        "recursive_error_pages on;",
      ]),
      "}",
      "",
      "# Once per Host, TTL and worker: ask the cluster DNS, then proxy as location / does.",
      "location @beta_lookup {",
      ...indent([
        "# Why no connection was made, for the page locations: \"missing\" or \"dns\", set by Lua.",
        'set $beta_state "";',
        "# The address found, for the balancer when the answer's TTL was 0.",
        'set $beta_peer "";',
        `# Look up ${app}.${BETA_PREFIX}<name>.svc.${options.clusterDomain} and cache it per its TTL; no address ends here.`,
        `access_by_lua_block { require("beta_router").route(${luaApp}) }`,
        ...proxyDirectives(options),
      ]),
      "}",
      "",
      ...errorPages(options, app, isDefault),
    ]),
    "}",
  ];
}

/** Upstream keepalive limits per worker: pool size and requests per connection as ingress-nginx's defaults, a shorter idle time (see upstreamBlock). */
export const UPSTREAM_KEEPALIVE = { connections: 320, requests: 10000, idleSeconds: 4 } as const;

/**
 * The one upstream every Beta request goes through (ingress-nginx's `upstream_balancer`,
 * rootfs/etc/nginx/template/nginx.tmpl lines 518-539): the server line is a placeholder the balancer replaces.
 */
function upstreamBlock(): string[] {
  return [
    `upstream ${UPSTREAM} {`,
    ...indent([
      "# Placeholder, never dialled: the balancer sets the peer of every request.",
      "server 0.0.0.1;",
      'balancer_by_lua_block { require("beta_router").balance() }',
      "# Idle connections kept per worker, shared by all apps, least recently used dropped first;",
      "# pool size, requests and lifetime as ingress-nginx's defaults (internal/ingress/controller/config/config.go lines 888-891).",
      `keepalive ${UPSTREAM_KEEPALIVE.connections};`,
      `keepalive_requests ${UPSTREAM_KEEPALIVE.requests};`,
      "keepalive_time 1h;",
      "# Shorter than Node.js's 5 s server keepAliveTimeout (https://nodejs.org/api/http.html#serverkeepalivetimeout),",
      "# so the router, not the app, closes an idle connection and never reuses one the app just closed.",
      `keepalive_timeout ${UPSTREAM_KEEPALIVE.idleSeconds}s;`,
    ]),
    "}",
  ];
}

function defaultServer(options: ResolvedOptions, port: number, withHealthz: boolean): string[] {
  const body = misdirectedText(options);
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
    "# The router's Lua: DNS lookups with a TTL-bound cache, and the balancer (router-lua.ts).",
    "init_by_lua_block {",
    ...indent(routerInitLua(resolved)),
    "}",
    "",
    ...upstreamBlock(),
    "",
    "# Only WebSocket upgrades are passed on (an h2c upgrade would tunnel past the router); without",
    "# one, no Connection header at all, so the upstream connection goes back to the pool.",
    "map $http_upgrade $beta_connection {",
    '  "~*^websocket$" upgrade;',
    '  default "";',
    "}",
    "map $http_upgrade $beta_upgrade {",
    '  "~*^websocket$" $http_upgrade;',
    '  default "";',
    "}",
    "",
    "# Reuse a caller's request id when it looks like one, else a new one: the router pod's name,",
    "# the time, then nginx's connection serial (counted in shared memory by all workers: nginx",
    "# release-1.22.1 src/event/ngx_event.c, ngx_event_module_init) and the request's number on it.",
    "# Unique without a random draw per request ($request_id takes 16 bytes from OpenSSL's RAND_bytes",
    "# for every request: src/http/ngx_http_variables.c, ngx_http_variable_request_id).",
    "map $http_x_request_id $beta_request_id {",
    '  "~^[A-Za-z0-9._:-]{1,128}$" $http_x_request_id;',
    `  default "${REQUEST_ID}";`,
    "}",
    "",
    "# Browsers get the HTML error pages, everything else (curl, scripts) plain text.",
    "map $http_accept $beta_error_page {",
    '  "~*text/html" @beta_html;',
    "  default @beta_text;",
    "}",
    "",
    "# Where nginx's own errors go: a Host the balancer had no answer for to the lookup, the rest to a page.",
    "map $beta_state $beta_next {",
    "  # Read afresh each time, since the lookup changes $beta_state; otherwise a map's value is kept per request (ngx_http_map_module.c lines 286-288).",
    "  volatile;",
    '  "lookup" @beta_lookup;',
    "  default $beta_error_page;",
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
