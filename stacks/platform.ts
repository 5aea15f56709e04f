/**
 * The platform stack (`dev` by default): the shared cluster, the uber router, the wildcard
 * certificate and record, shared-service wiring and the release tag every Beta reads.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseTenants } from "../components/DatabaseTenants";
import { ImagePrePuller } from "../components/ImagePrePuller";
import { PlatformAccess } from "../components/PlatformAccess";
import { SharedCluster } from "../components/SharedCluster";
import { UberRouter, uberRouterConfig } from "../components/UberRouter";
import { WildcardCertificate } from "../components/WildcardCertificate";
import { WildcardDomain, hostedZoneId } from "../components/WildcardDomain";
import { defaultApp } from "../lib/catalog";
import { DatabasePlan, planDatabases } from "../lib/database-config";
import { betaNamespace } from "../lib/names";
import { parsePlatformConfig } from "../lib/platform-config";
import { PlatformOutputs } from "../lib/platform-outputs";
import { SHARED_NAMESPACE } from "../lib/platform-names";
import { adoptedKubeconfig } from "./adopted-kubeconfig";
import { readStackConfig } from "./stack-config";

/** Stack outputs: what developer stacks read, plus where the edge is. */
export type PlatformStackOutputs = { [K in keyof PlatformOutputs]: pulumi.Input<PlatformOutputs[K]> } & {
  routerHostname: pulumi.Output<string>;
  /** On EKS: the IAM role developers and CI assume to deploy Betas. */
  deployerRoleArn?: pulumi.Output<string>;
  /** Isolated databases: server, template and Job image (never the admin credentials). */
  databases?: DatabasePlan;
};

export async function platformProgram(): Promise<PlatformStackOutputs> {
  const config = parsePlatformConfig(readStackConfig());
  const databases = config.databases ? planDatabases(config.databases, config.developers.map((d) => d.name)) : undefined;
  const kubeconfig = adoptedKubeconfig(config.cluster);
  const routerConfig = uberRouterConfig({
    domain: config.domain,
    clusterDomain: config.clusterDomain,
    defaultApp: defaultApp(config.apps).name,
    apps: config.apps.map((app) => app.name),
    router: config.router,
  });
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

  const router = new UberRouter("router", { router: config.router, configText: routerConfig, certificateArn: certificate?.certificateArn }, k8sOpts);

  if (zoneId) {
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

  new ImagePrePuller(
    "prepuller",
    {
      namespace: shared.metadata.name,
      images: config.apps.map((app) => ({ name: app.name, image: `${app.image}:${config.releaseTag}` })),
    },
    k8sOpts,
  );

  new PlatformAccess(
    "access",
    {
      sharedNamespace: shared.metadata.name,
      developers: config.developers.map((developer) => developer.name),
      deployerGroup: config.cluster.provider === "eks",
    },
    k8sOpts,
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
      k8sOpts,
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
    quota: config.quota,
    routerHostname: router.loadBalancerHostname,
    ...(cluster.deployerRoleArn ? { deployerRoleArn: cluster.deployerRoleArn } : {}),
    ...(databases ? { databases } : {}),
  };
}
