/**
 * The Lua half of the router (router-config.ts renders the nginx half). The balancer hands nginx
 * the address of `<app>.beta-<name>.svc.<clusterDomain>` from a per-worker cache of DNS answers,
 * keyed by the request's Host and kept no longer than their TTL (and never longer than
 * `resolverValidSeconds`). This is ingress-nginx's design (kubernetes/ingress-nginx at dbb11b9):
 * one `upstream` whose peer `balancer_by_lua` picks per request, with `keepalive` pooling
 * connections (rootfs/etc/nginx/template/nginx.tmpl lines 518-539, `upstream upstream_balancer`;
 * rootfs/etc/nginx/lua/balancer.lua lines 337-361, `_M.balance` -> `ngx_balancer.set_current_peer`),
 * and its DNS cache is a per-worker lrucache holding each answer for its TTL
 * (rootfs/etc/nginx/lua/util/dns.lua lines 24 and 30-33). nginx's keepalive pool matches cached
 * connections by peer address (nginx src/http/modules/ngx_http_upstream_keepalive_module.c,
 * ngx_http_upstream_get_keepalive_peer), so each app keeps its own warm connections although
 * every request may go elsewhere.
 *
 * Unlike ingress-nginx, a request whose Host the cache answers runs one Lua phase, the balancer:
 * the DNS query needs a phase that can wait for the network (the access phase, a coroutine per
 * request), so only a Host the cache has no answer for takes that detour (`@beta_lookup`, once
 * per TTL, Host and worker). The balancer cannot wait, so it ends such a request with
 * `ngx.exit(ngx.ERROR)`, which lua-nginx-module returns to nginx as NGX_ERROR
 * (openresty/lua-nginx-module v0.10.23 src/ngx_http_lua_balancer.c, ngx_http_lua_balancer_get_peer)
 * and nginx answers with its own 500 before any connection is made (nginx release-1.22.1
 * src/http/ngx_http_upstream.c lines 1539-1548, ngx_http_upstream_connect); `error_page` turns
 * that 500 into the lookup, with the request's method and body (nginx changes the method only
 * for a URI, not a named location, and discards the body only when no error_page applies:
 * src/http/ngx_http_special_response.c lines 456-473 and 612-627).
 *
 * The outcome of a lookup decides the answer when no connection is made:
 * - NXDOMAIN or no address: no such Beta (or no such app in it) -> `$beta_state` "missing", 404 page;
 * - the DNS server failed or did not answer -> `$beta_state` "dns", 503 "cannot look it up";
 * - an address -> the balancer connects; refused, reset or timed out -> 503 "app down".
 */
import { RESOLV_CONF, type ResolvedOptions } from "./router-options";

/** A Lua string literal; the values put here are validated names and addresses. */
function luaString(text: string): string {
  if (!/^[A-Za-z0-9.:_-]*$/.test(text)) throw new Error(`${JSON.stringify(text)} cannot be written into the router's Lua as is`);
  return `"${text}"`;
}

/** `ip:port` or `ip` -> `{ "ip", port }`, as lua-resty-dns takes a nameserver (router-options.ts allows only these). */
function nameserver(address: string): string {
  const [host, port] = address.split(":");
  return `{ ${luaString(host)}, ${port ?? 53} }`;
}

/** The `init_by_lua_block` body: the module every phase calls as `package.loaded.beta_router`. */
export function routerInitLua(options: ResolvedOptions): string[] {
  const nameservers =
    options.resolver === RESOLV_CONF ? "resolv_conf_nameservers()" : `{ ${options.resolver.split(" ").map(nameserver).join(", ")} }`;
  return [
    "-- OpenResty ships the DNS client as resty.dns.resolver, Debian's lua-nginx-dns as nginx.dns.resolver.",
    'local found, dns = pcall(require, "resty.dns.resolver")',
    'if not found then dns = require("nginx.dns.resolver") end',
    'local lrucache = require("resty.lrucache")',
    'local semaphore = require("ngx.semaphore")',
    'local ngx_balancer = require("ngx.balancer")',
    "",
    "-- The pod's own nameservers, read once at start as ingress-nginx does (rootfs/etc/nginx/lua/util/resolv_conf.lua lines 55-68):",
    "-- kubelet writes the cluster DNS Service's IP there (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy).",
    "local function resolv_conf_nameservers()",
    '  local file = assert(io.open("/etc/resolv.conf"))',
    "  local servers = {}",
    "  for line in file:lines() do",
    '    local ip = line:match("^%s*nameserver%s+(%d+%.%d+%.%d+%.%d+)%s*$")',
    "    if ip then servers[#servers + 1] = { ip, 53 } end",
    "  end",
    "  file:close()",
    '  if #servers == 0 then error("no IPv4 nameserver in /etc/resolv.conf") end',
    '  ngx.log(ngx.NOTICE, "DNS server from /etc/resolv.conf: ", servers[1][1])',
    "  return servers",
    "end",
    "",
    `local NAMESERVERS = ${nameservers}`,
    `local CLUSTER_SUFFIX = ${luaString(`.svc.${options.clusterDomain}`)}`,
    "-- Upper bound on any cached answer, positive or negative (resolverValidSeconds).",
    `local MAX_TTL = ${options.resolverValidSeconds}`,
    "-- Two tries, each half of resolverTimeoutSeconds: one lost UDP packet does not fail the request.",
    `local TRY_TIMEOUT_MS = ${Math.ceil((options.resolverTimeoutSeconds * 1000) / 2)}`,
    "-- Hosts, not Betas: 10,000 covers every app of every Beta many times over.",
    "local CACHE_SIZE = 10000",
    "local NXDOMAIN = 3",
    "",
    "local cache = assert(lrucache.new(CACHE_SIZE))",
    "-- One query per Host at a time: requests arriving meanwhile wait for its answer.",
    "local pending = {}",
    "",
    "-- RFC 2308 section 5: a negative answer lives as long as its SOA's TTL and MINIMUM; without an SOA, not at all.",
    "local function negative_ttl(answers)",
    "  for _, record in ipairs(answers) do",
    "    -- lua-resty-dns 0.20 (Debian 12) spells the field \"mininum\".",
    "    if record.type == dns.TYPE_SOA then return math.min(record.ttl, record.minimum or record.mininum or 0) end",
    "  end",
    "  return 0",
    "end",
    "",
    "-- One DNS query: { state = \"found\", addresses } | { state = \"missing\" } | { state = \"dns\" }, and its TTL.",
    "local function query(name)",
    "  local client, err = dns:new({ nameservers = NAMESERVERS, retrans = 2, timeout = TRY_TIMEOUT_MS })",
    "  if not client then",
    '    ngx.log(ngx.ERR, "cannot create a DNS client: ", err)',
    '    return { state = "dns" }, 0',
    "  end",
    "  local answers, qerr = client:query(name, { qtype = dns.TYPE_A, authority_section = true })",
    "  if not answers then",
    '    ngx.log(ngx.ERR, "DNS query for ", name, " failed: ", qerr)',
    '    return { state = "dns" }, 0',
    "  end",
    "  if answers.errcode == NXDOMAIN then",
    '    ngx.log(ngx.INFO, name, " is NXDOMAIN")',
    '    return { state = "missing" }, negative_ttl(answers)',
    "  end",
    "  if answers.errcode then",
    '    ngx.log(ngx.ERR, "DNS server answered ", answers.errcode, " (", answers.errstr, ") for ", name)',
    '    return { state = "dns" }, 0',
    "  end",
    "  local addresses, ttl = {}, MAX_TTL",
    "  for _, record in ipairs(answers) do",
    "    if record.type == dns.TYPE_A and record.section == dns.SECTION_AN then",
    "      addresses[#addresses + 1] = record.address",
    "      ttl = math.min(ttl, record.ttl)",
    "    end",
    "  end",
    "  if #addresses == 0 then",
    '    ngx.log(ngx.INFO, name, " has no address")',
    '    return { state = "missing" }, negative_ttl(answers)',
    "  end",
    '  return { state = "found", addresses = addresses }, ttl',
    "end",
    "",
    "-- The answer for a Host (its app's DNS name is `name`): from the cache, or asked and cached.",
    "local function lookup(host, name)",
    "  local result = cache:get(host)",
    "  if result then return result end",
    "  local waiting = pending[host]",
    "  if waiting then",
    "    waiting.sema:wait(TRY_TIMEOUT_MS * 2 / 1000)",
    "    if waiting.result then return waiting.result end",
    "  end",
    "  local mine = { sema = semaphore.new() }",
    "  pending[host] = mine",
    "  local ttl",
    "  result, ttl = query(name)",
    "  ttl = math.min(ttl, MAX_TTL)",
    "  if ttl > 0 then cache:set(host, result, ttl) end",
    "  mine.result = result",
    "  if pending[host] == mine then pending[host] = nil end",
    "  local waiters = -mine.sema:count()",
    "  if waiters > 0 then mine.sema:post(waiters) end",
    "  return result",
    "end",
    "",
    "local function pick(addresses)",
    "  return addresses[#addresses == 1 and 1 or math.random(#addresses)]",
    "end",
    "",
    "local router = {}",
    "",
    "-- Access phase of @beta_lookup, for a Host the balancer had no answer for: ask the DNS (once per",
    "-- Host at a time), or end the request with the page that says why there is no address.",
    "function router.route(app)",
    '  local result = lookup(ngx.var.host, app .. ".beta-" .. ngx.var.beta_name .. CLUSTER_SUFFIX)',
    '  if result.state ~= "found" then',
    "    ngx.var.beta_state = result.state",
    "    -- error_page 502 sends it to the page locations, which read $beta_state.",
    "    return ngx.exit(ngx.HTTP_BAD_GATEWAY)",
    "  end",
    "  -- For the balancer when the answer's TTL was 0, so nothing was cached.",
    "  ngx.var.beta_peer = pick(result.addresses)",
    "end",
    "",
    "-- Balancer phase: the cached address for this Host, every app Service's port 80. Without a",
    "-- cached address, end with nginx's own 500, which error_page turns into @beta_lookup or a page.",
    "function router.balance()",
    "  local result = cache:get(ngx.var.host)",
    "  local peer",
    "  if result then",
    '    if result.state ~= "found" then',
    "      ngx.var.beta_state = result.state",
    "      return ngx.exit(ngx.ERROR)",
    "    end",
    "    peer = pick(result.addresses)",
    "  else",
    "    peer = ngx.var.beta_peer",
    '    if not peer or peer == "" then',
    '      ngx.var.beta_state = "lookup"',
    "      return ngx.exit(ngx.ERROR)",
    "    end",
    "  end",
    "  local ok, err = ngx_balancer.set_current_peer(peer, 80)",
    '  if not ok then error("cannot set the upstream peer: " .. tostring(err)) end',
    "end",
    "",
    'package.loaded["beta_router"] = router',
  ];
}
