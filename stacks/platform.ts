/**
 * The platform stack (`dev` by default): the shared cluster, the uber router, the wildcard
 * certificate and record, shared-service wiring and the release tag every Beta reads.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseTenants } from "../components/DatabaseTenants";
import { ImagePrePuller } from "../components/ImagePrePuller";
import { RouterNetworkPolicies } from "../components/RouterNetworkPolicies";
import { SharedBackend } from "../components/SharedBackend";
import { Tenant } from "../components/Tenant";
import { TenantFence } from "../components/TenantFence";
import { PlatformAccess } from "../components/PlatformAccess";
import { SharedCluster } from "../components/SharedCluster";
import { UberRouter, kubeDnsAddress, uberRouterConfig } from "../components/UberRouter";
import { WildcardCertificate } from "../components/WildcardCertificate";
import { WildcardDomain, hostedZoneId } from "../components/WildcardDomain";
import { defaultApp } from "../lib/catalog";
import { isIPv4 } from "../lib/config-rules";
import { DatabasePlan, planDatabases } from "../lib/database-config";
import { betaNamespace } from "../lib/names";
import { parsePlatformConfig } from "../lib/platform-config";
import { PlatformOutputs } from "../lib/platform-outputs";
import { QaConfig } from "../lib/qa-config";
import { sharedServiceTargets } from "../lib/tenant-fence";
import { SHARED_NAMESPACE } from "../lib/platform-names";
import { adoptedKubeconfig } from "./adopted-kubeconfig";
import { readStackConfig } from "./stack-config";

/** Stack outputs: what developer stacks read, plus where the edge is and which cluster. */
export type PlatformStackOutputs = { [K in keyof PlatformOutputs]: pulumi.Input<PlatformOutputs[K]> } & {
  routerHostname: pulumi.Output<string>;
  /** The API server's URL. */
  clusterEndpoint: pulumi.Input<string>;
  /** On EKS: the cluster's name, for `aws eks update-kubeconfig`. */
  clusterName?: pulumi.Output<string>;
  /** Isolated databases: server, template and Job image (never the admin credentials). */
  databases?: DatabasePlan;
  /** The QA suite `beta test` runs (beta:qa); absent when none is configured. */
  qa?: QaConfig;
};

/** Stands in for the kube-dns address while the router options are checked up front. */
const RESOLVER_TO_CHECK = "10.96.0.10";

export async function platformProgram(): Promise<PlatformStackOutputs> {
  const config = parsePlatformConfig(readStackConfig());
  const databases = config.databases ? planDatabases(config.databases, config.developers.map((d) => d.name)) : undefined;
  const kubeconfig = adoptedKubeconfig(config.cluster);
  const routerConfigFor = (resolver: string) =>
    uberRouterConfig({
      domain: config.domain,
      clusterDomain: config.clusterDomain,
      resolver,
      defaultApp: defaultApp(config.apps).name,
      apps: config.apps.map((app) => app.name),
      router: config.router,
    });
  // Bad router options fail here, before anything is declared.
  routerConfigFor(config.router.resolver ?? RESOLVER_TO_CHECK);

  const needsAws = config.cluster.provider === "eks" || config.hostedZone !== undefined;
  const region = new pulumi.Config("aws").get("region");
  const awsProvider = needsAws ? new aws.Provider("aws", { region }) : undefined;

  const cluster = new SharedCluster("cluster", {
    cluster: config.cluster,
    developers: config.developers,
    awsProvider,
    adoptedKubeconfig: kubeconfig,
  });
  const k8sOpts = { provider: cluster.provider };

  const zoneId = config.hostedZone && awsProvider ? hostedZoneId(config.hostedZone, awsProvider) : undefined;
  const certificate =
    zoneId && config.router.tls === "acm"
      ? new WildcardCertificate("edge", { domain: config.domain, zoneId }, { provider: awsProvider })
      : undefined;

  const resolver = config.router.resolver ? pulumi.output(config.router.resolver) : kubeDnsAddress(cluster.provider);
  const router = new UberRouter(
    "router",
    { router: config.router, configText: resolver.apply(routerConfigFor), certificateArn: certificate?.certificateArn },
    k8sOpts,
  );
  new RouterNetworkPolicies("router-network", { namespace: router.namespace.metadata.name, allowedCidrs: config.router.allowedCidrs }, k8sOpts);

  if (zoneId && !config.router.nodePort) {
    new WildcardDomain(
      "edge",
      { domain: config.domain, zoneId, loadBalancerHostname: router.loadBalancerHostname },
      { provider: awsProvider },
    );
  }

  const shared = new k8s.core.v1.Namespace(
    "shared-namespace",
    { metadata: { name: SHARED_NAMESPACE, labels: { "app.kubernetes.io/part-of": "beta", "pod-security.kubernetes.io/enforce": "baseline" } } },
    k8sOpts,
  );
  const backendAddresses = new Map<string, pulumi.Output<string>>();
  for (const service of config.sharedServices.filter((s) => isIPv4(s.host))) {
    const backend = new SharedBackend(`shared-${service.name}`, { namespace: shared.metadata.name, service }, k8sOpts);
    backendAddresses.set(service.name, backend.service.spec.clusterIP);
  }

  new ImagePrePuller(
    "prepuller",
    {
      namespace: shared.metadata.name,
      // Betas run these at the release tag: every app, and the shared services a Beta may copy.
      images: [
        ...config.apps.map((app) => ({ name: app.name, image: `${app.image}:${config.releaseTag}` })),
        ...config.sharedServices.filter((service) => service.copyable).map((service) => ({ name: service.name, image: `${service.image}:${config.releaseTag}` })),
      ],
    },
    k8sOpts,
  );

  // What RBAC cannot say: Service types, ExternalName targets, host ports, capabilities.
  const fence = new TenantFence(
    "tenant-fence",
    { sharedServiceTargets: sharedServiceTargets(config.sharedServices, config.clusterDomain), sharedNamespace: shared.metadata.name },
    k8sOpts,
  );
  const access = new PlatformAccess(
    "access",
    { sharedNamespace: shared.metadata.name, developers: config.developers.map((developer) => developer.name) },
    k8sOpts,
  );
  // The VPC CNI matches egress on the address a pod dialled, before the Service's translation
  // (test/reality/vpc-cni.ts): an IP backend is reached through its ClusterIP in shared.
  const egress = config.sharedServices.map((service) => {
    const clusterIp = backendAddresses.get(service.name);
    return { cidrs: clusterIp ? [...service.cidrs, pulumi.interpolate`${clusterIp}/32`] : service.cidrs, port: service.port };
  });
  const tenants = config.developers.map(
    (developer) =>
      new Tenant(
        `tenant-${developer.name}`,
        { developer: developer.name, quota: developer.quota, containerDefaults: config.quota.container, egress },
        // A tenant is usable only once its role and its fence are in place.
        { ...k8sOpts, dependsOn: [access, fence] },
      ),
  );

  if (config.databases && databases) {
    new DatabaseTenants(
      "databases",
      {
        plan: databases,
        adminUser: config.databases.adminUser,
        adminPassword: pulumi.secret(config.databases.adminPassword),
        tenants: Object.fromEntries(config.developers.map((d) => [d.name, betaNamespace(d.name)])),
      },
      // Each tenant's `database` Secret goes into its namespace.
      { ...k8sOpts, dependsOn: tenants },
    );
  }

  return {
    domain: config.domain,
    kubeconfig: cluster.kubeconfig,
    releaseTag: config.releaseTag,
    apps: config.apps,
    sharedServices: config.sharedServices,
    clusterDomain: config.clusterDomain,
    appSecrets: pulumi.secret(config.appSecrets),
    developers: config.developers.map((developer) => developer.name),
    quota: config.quota,
    routerHostname: router.loadBalancerHostname,
    clusterEndpoint: cluster.endpoint,
    ...(cluster.clusterName ? { clusterName: cluster.clusterName } : {}),
    ...(databases ? { databases } : {}),
    ...(config.qa ? { qa: config.qa } : {}),
  };
}
