/**
 * The uber router's options: what `renderRouterConfig` accepts, validated and defaulted once
 * before any nginx text is rendered, so a bad value fails with a message naming the option,
 * the value and the rule instead of as a broken nginx config.
 */
import { ConfigError } from "../lib/config-error";
import { APP_NAME_MAX, DEVELOPER_NAME_MAX, HOST_SEPARATOR, appNameProblem } from "../lib/names";

/** Options of `renderRouterConfig` (router-config.ts). Every value is validated before any text is rendered. */
export interface RouterConfigOptions {
  /** Domain every Beta lives under, e.g. `beta.example.com` (lower-case, no trailing dot). */
  domain: string;
  /**
   * DNS server(s) the router asks: IPv4 `address[:port]`, several space-separated, such as the
   * kube-dns Service's ClusterIP; or {@link RESOLV_CONF}: the IPv4 nameservers of the router's own
   * /etc/resolv.conf when nginx starts (in a pod with the default DNS policy, kube-dns's ClusterIP).
   */
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
  /** Most seconds a DNS answer is cached, positive or negative (shorter when its TTL is): how long a new or deleted Beta may take to show; default 5. */
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

/** Every option validated, every default filled in. */
export interface ResolvedOptions {
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

/** `resolver` value: the nameservers of /etc/resolv.conf when nginx starts. */
export const RESOLV_CONF = "resolv.conf";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
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

/**
 * The router's Lua resolver dials its DNS servers by address (lua-resty-dns takes no names), and
 * a name would itself need DNS when the cluster DNS is down: so an IPv4 address, optionally
 * `:port`, such as the kube-dns Service's ClusterIP.
 */
function resolverAddressProblem(address: string): string | undefined {
  const hostPort = /^([^:]+)(?::(\d+))?$/.exec(address);
  if (!hostPort) return "write an IPv4 address, optionally with :port (IPv6 DNS servers are not supported)";
  const [, host, port] = hostPort;
  if (!IPV4.test(host)) {
    return `${JSON.stringify(host)} is not an IPv4 address; give the kube-dns Service's ClusterIP (kubectl -n kube-system get service kube-dns -o jsonpath='{.spec.clusterIP}'), not a name, or "${RESOLV_CONF}" alone`;
  }
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return `port ${port} is not from 1 to 65535`;
  return undefined;
}

/** Validates every option and fills in the defaults; throws a ConfigError on the first bad one. */
export function resolveOptions(options: RouterConfigOptions): ResolvedOptions {
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
  if (addresses.length === 0) fail("resolver", options.resolver, `give at least one DNS server as IPv4 address[:port], or "${RESOLV_CONF}"`);
  for (const address of addresses) {
    if (address === RESOLV_CONF && addresses.length === 1) continue;
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
