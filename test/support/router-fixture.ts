/**
 * The router under test, running for real: the rendered config in nginx, resolving through
 * dnsmasq, proxying to upstream apps on their own loopback addresses.
 *
 * The cluster it pretends to be:
 * - Beta `alice`: apps `web` (default) and `api`, both up.
 * - Beta `bob`: `web` up; `api` has a Service (resolves) but nothing answers (the app is down).
 * - No other Beta: any other `<app>.beta-<name>.svc.cluster.local` is NXDOMAIN.
 * - A canary app behind names an attacker would like to reach ({@link CANARY_NAMES}); it must
 *   never receive a request.
 */
import { renderRouterConfig, type RouterConfigOptions } from "../../components/router-config";
import { startDnsmasq, type Dnsmasq } from "./dnsmasq";
import { startNginx, type Nginx } from "./nginx";
import { freePort, httpRequest, unusedLoopbackAddress, type HttpRequestOptions, type RawResponse } from "./router-net";
import { startUpstream, type Upstream, type UpstreamEcho } from "./upstream";

export const DOMAIN = "beta.example.com";
export const CLUSTER_DOMAIN = "cluster.local";

/**
 * Names that resolve to the canary. dnsmasq's `--address=/name/` also covers subdomains, so
 * `example.com` catches any proxying to a public Beta host, and `evil.com` anything under it.
 */
export const CANARY_NAMES: readonly string[] = [
  "kubernetes.default.svc.cluster.local",
  "kubernetes.default",
  "kubernetes",
  "metadata",
  "metadata.google.internal",
  "instance-data.ec2.internal",
  "localhost",
  "evil.beta-alice.svc.cluster.local",
  "evil.com",
  "example.com",
  "example.org",
  "web.beta-www.svc.cluster.local",
  "web.beta-uber.svc.cluster.local",
  "web.beta-admin.svc.cluster.local",
  "web.beta-router.svc.cluster.local",
  "web.beta-al--ice.svc.cluster.local",
  "web.uber.svc.cluster.local",
  "router.uber.svc.cluster.local",
  "web.shared.svc.cluster.local",
  "web.alice.svc.cluster.local",
];

/** Options of {@link startRouterFixture}. */
export interface RouterFixtureOptions {
  /** Router options on top of the fixture's (domain, resolver, ports, 127.0.0.1, default app `web`). */
  config?: Partial<RouterConfigOptions>;
  /** Also listen on a redirect port. */
  redirectPort?: boolean;
  /** Also listen on a plain health port. */
  healthPort?: boolean;
  /** TTL of the DNS answers; default dnsmasq's (5 s, as CoreDNS). */
  dnsTtlSeconds?: number;
}

/** A running router with its DNS and apps. */
export interface RouterFixture {
  readonly port: number;
  readonly redirectPort: number | undefined;
  readonly healthPort: number | undefined;
  readonly config: string;
  readonly dns: Dnsmasq;
  readonly nginx: Nginx;
  readonly aliceWeb: Upstream;
  readonly aliceApi: Upstream;
  readonly bobWeb: Upstream;
  readonly canary: Upstream;
  /** Every upstream, canary included. */
  readonly upstreams: readonly Upstream[];
  /** What dnsmasq answers now (name → address). */
  readonly dnsAddresses: Record<string, string>;
  /** A raw request to the main port (see {@link httpRequest}). */
  request(options: HttpRequestOptions): Promise<RawResponse>;
  /** GET `target` with Host `host` on the main port. */
  get(host: string | null, target?: string, headers?: Record<string, string>): Promise<RawResponse>;
  /** Error log and DNS query log, for failure messages. */
  diagnostics(): string;
  stop(): Promise<void>;
}

/** The app's view of a proxied request, from an upstream's JSON answer. */
export function echoOf(response: RawResponse): UpstreamEcho {
  if (response.status !== 200) throw new Error(`expected a 200 from an upstream, got:\n${response.raw}`);
  return JSON.parse(response.body) as UpstreamEcho;
}

/** `<app>.beta-<name>.svc.cluster.local`, the name the router resolves. */
export function serviceName(app: string, beta: string): string {
  return `${app}.beta-${beta}.svc.${CLUSTER_DOMAIN}`;
}

/** Starts everything (in parallel where possible); `stop()` in afterAll stops what did start. */
export async function startRouterFixture(options: RouterFixtureOptions = {}): Promise<RouterFixture> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, "stopping the router fixture failed");
  };
  try {
    const [aliceWeb, aliceApi, bobWeb, canary] = await Promise.all(
      ["alice-web", "alice-api", "bob-web", "canary"].map((name) => startUpstream(name)),
    );
    for (const upstream of [aliceWeb, aliceApi, bobWeb, canary]) stops.push(() => upstream.close());
    const dnsAddresses: Record<string, string> = {
      [serviceName("web", "alice")]: aliceWeb.ip,
      [serviceName("api", "alice")]: aliceApi.ip,
      [serviceName("web", "bob")]: bobWeb.ip,
      [serviceName("api", "bob")]: await unusedLoopbackAddress(),
      ...Object.fromEntries(CANARY_NAMES.map((name) => [name, canary.ip])),
    };
    const dns = await startDnsmasq({ addresses: dnsAddresses, localDomains: [CLUSTER_DOMAIN], ttlSeconds: options.dnsTtlSeconds });
    stops.push(() => dns.stop());

    const port = await freePort();
    const redirectPort = options.redirectPort ? await freePort() : undefined;
    const healthPort = options.healthPort ? await freePort() : undefined;
    const config = renderRouterConfig({
      domain: DOMAIN,
      resolver: dns.address,
      listenPort: port,
      listenAddress: "127.0.0.1",
      defaultApp: "web",
      redirectPort,
      healthPort,
      ...options.config,
    });
    const ports = [port, redirectPort, healthPort].filter((each): each is number => each !== undefined);
    const nginx = await startNginx({ httpConfig: config, ports });
    stops.push(() => nginx.stop());

    const request = (requestOptions: HttpRequestOptions): Promise<RawResponse> => httpRequest(port, requestOptions);
    return {
      port,
      redirectPort,
      healthPort,
      config,
      dns,
      nginx,
      aliceWeb,
      aliceApi,
      bobWeb,
      canary,
      upstreams: [aliceWeb, aliceApi, bobWeb, canary],
      dnsAddresses,
      request,
      get: (host, target = "/", headers = {}) => request({ host, target, headers }),
      diagnostics: () => `--- nginx error log ---\n${nginx.errorLog()}\n--- dnsmasq log ---\n${dns.log()}`,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
