/**
 * The Lua half of the router (router-config.ts renders the nginx half): per request, the name
 * `<app>.beta-<name>.svc.<clusterDomain>` is looked up in the cluster DNS (answers cached per
 * worker no longer than their TTL, and never longer than `resolverValidSeconds`), and the
 * balancer hands nginx the address it found. This is ingress-nginx's design (kubernetes/ingress-nginx
 * at dbb11b9): one `upstream` whose peer `balancer_by_lua` picks per request, with `keepalive`
 * pooling connections (rootfs/etc/nginx/template/nginx.tmpl lines 518-539, `upstream
 * upstream_balancer`; rootfs/etc/nginx/lua/balancer.lua lines 337-361, `_M.balance` ->
 * `ngx_balancer.set_current_peer`), and its DNS cache is a per-worker lrucache holding each
 * answer for its TTL (rootfs/etc/nginx/lua/util/dns.lua lines 24 and 30-33).
 * nginx's keepalive pool matches cached connections by peer address (nginx
 * src/http/modules/ngx_http_upstream_keepalive_module.c, ngx_http_upstream_get_keepalive_peer),
 * so each app keeps its own warm connections although every request may go elsewhere.
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
    'local tohex = require("bit").tohex',
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
    "-- Names, not Betas: 10,000 covers every app of every Beta many times over.",
    "local CACHE_SIZE = 10000",
    "local NXDOMAIN = 3",
    "",
    "local cache = assert(lrucache.new(CACHE_SIZE))",
    "-- One query per name at a time: requests arriving meanwhile wait for its answer.",
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
    "local function lookup(name)",
    "  local result = cache:get(name)",
    "  if result then return result end",
    "  local waiting = pending[name]",
    "  if waiting then",
    "    waiting.sema:wait(TRY_TIMEOUT_MS * 2 / 1000)",
    "    if waiting.result then return waiting.result end",
    "  end",
    "  local mine = { sema = semaphore.new() }",
    "  pending[name] = mine",
    "  local ttl",
    "  result, ttl = query(name)",
    "  ttl = math.min(ttl, MAX_TTL)",
    "  if ttl > 0 then cache:set(name, result, ttl) end",
    "  mine.result = result",
    "  if pending[name] == mine then pending[name] = nil end",
    "  local waiters = -mine.sema:count()",
    "  if waiters > 0 then mine.sema:post(waiters) end",
    "  return result",
    "end",
    "",
    "local router = {}",
    "",
    "-- X-Request-ID for requests that bring none: 24 hex digits drawn per worker, then the worker's",
    "-- request count in 8 more (a new draw when the count runs out). Unique without a random draw per",
    "-- request: nginx's own $request_id takes 16 bytes from OpenSSL's RAND_bytes for every request (nginx",
    "-- release-1.22.1 src/http/ngx_http_variables.c lines 2182-2219, ngx_http_variable_request_id), the largest single cost per request the router had.",
    "local function draw_request_id_prefix()",
    '  local file = io.open("/dev/urandom", "rb")',
    "  local bytes = file and file:read(12)",
    "  if file then file:close() end",
    "  if not bytes or #bytes ~= 12 then",
    "    -- Never fail requests over an id: the time, the pid and Lua's generator are unique enough to tell workers apart.",
    '    ngx.log(ngx.WARN, "cannot read /dev/urandom; request ids drawn from the time and pid instead")',
    "    math.randomseed(ngx.now() * 1000 + ngx.worker.pid())",
    '    return string.format("%08x%08x%08x", math.random(0, 0xffffffff), ngx.worker.pid() % 0x100000000, math.floor(ngx.now() * 1000) % 0x100000000)',
    "  end",
    '  return (bytes:gsub(".", function(byte) return string.format("%02x", byte:byte()) end))',
    "end",
    "local request_id_prefix",
    "local request_count = 0",
    "",
    "-- Worker start: each worker draws its own prefix (init_by_lua runs once, before the workers fork).",
    "function router.init_worker()",
    "  request_id_prefix = draw_request_id_prefix()",
    "end",
    "",
    "-- Access phase: find the app's address, or end the request with the page that says why not.",
    "function router.route(app)",
    '  local result = lookup(app .. ".beta-" .. ngx.var.beta_name .. CLUSTER_SUFFIX)',
    '  if result.state ~= "found" then',
    "    ngx.var.beta_state = result.state",
    "    -- error_page 502 sends it to the page locations, which read $beta_state.",
    "    return ngx.exit(ngx.HTTP_BAD_GATEWAY)",
    "  end",
    "  local addresses = result.addresses",
    "  -- An nginx variable, not ngx.ctx: ngx.ctx makes a table per request, which measured dearer.",
    "  ngx.var.beta_peer = addresses[#addresses == 1 and 1 or math.random(#addresses)]",
    "  request_count = request_count + 1",
    "  if request_count > 0xffffffff then",
    "    request_count = 1",
    "    request_id_prefix = draw_request_id_prefix()",
    "  end",
    "  ngx.var.beta_new_request_id = request_id_prefix .. tohex(request_count, 8)",
    "end",
    "",
    "-- Balancer phase (also on a retry): the address route() found, every app Service's port 80.",
    "function router.balance()",
    "  local ok, err = ngx_balancer.set_current_peer(ngx.var.beta_peer, 80)",
    '  if not ok then error("cannot set the upstream peer: " .. tostring(err)) end',
    "end",
    "",
    'package.loaded["beta_router"] = router',
  ];
}
