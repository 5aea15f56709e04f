import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "../lib/platform-config";
import { RELEASERS_GROUP } from "../lib/platform-names";
import { kubeconfigServer, withoutCredentials } from "../lib/kubeconfig";

export interface SharedClusterArgs {
  /** `{ provider: "eks", ... }` to create a cluster, `{ provider: "kubeconfig", ... }` to adopt one. */
  cluster: PlatformConfig["cluster"];
  /** People who may use the cluster; on EKS each principal becomes a Kubernetes user of that name. */
  developers: PlatformConfig["developers"];
  /** The AWS provider, required for `eks`. */
  awsProvider?: aws.Provider;
  /** For `kubeconfig`: the adopted cluster's kubeconfig, already reduced to one context. */
  adoptedKubeconfig?: string;
}

const EKS_NODE_POLICIES = [
  "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

/** https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html */
export const EKS_CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

/**
 * The one cluster every Beta runs in: an EKS cluster it creates, or an existing cluster it
 * adopts. Either way it yields the Kubernetes provider the platform uses and the kubeconfig
 * (no credentials in it) developer stacks sign in with as themselves.
 */
export class SharedCluster extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  /** Kubeconfig developer stacks use; a secret, though it holds no credentials. */
  readonly kubeconfig: pulumi.Output<string>;
  /** On EKS: the cluster's name, for `aws eks update-kubeconfig`. */
  readonly clusterName?: pulumi.Output<string>;
  /** The API server's URL. */
  readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: SharedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:SharedCluster", name, {}, opts);
    if (args.cluster.provider === "eks") {
      const made = this.createEks(name, args.cluster, args);
      this.provider = made.provider;
      this.kubeconfig = made.kubeconfig;
      this.clusterName = made.clusterName;
      this.endpoint = made.endpoint;
    } else {
      if (!args.adoptedKubeconfig) throw new Error("SharedCluster: an adopted cluster needs adoptedKubeconfig");
      this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: pulumi.secret(args.adoptedKubeconfig), enableServerSideApply: true }, { parent: this });
      // Developers sign in as themselves: the platform's own credentials never leave this stack.
      this.kubeconfig = pulumi.secret(withoutCredentials(args.adoptedKubeconfig));
      this.endpoint = pulumi.output(kubeconfigServer(args.adoptedKubeconfig) ?? "");
    }
    this.registerOutputs({ kubeconfig: this.kubeconfig });
  }

  private createEks(name: string, spec: Extract<PlatformConfig["cluster"], { provider: "eks" }>, args: SharedClusterArgs) {
    if (!args.awsProvider) throw new Error("SharedCluster: an EKS cluster needs awsProvider");
    const awsOpts = { parent: this, provider: args.awsProvider };
    // @pulumi/eks components are remote: the engine runs them in the eks plugin, which needs an
    // explicit provider of its own when default providers are disabled (pulumi/pulumi-eks#1508).
    const eksProvider = new eks.Provider(`${name}-eks-provider`, {}, { parent: this });
    // `provider` for the component itself, `providers` for what it makes inside (the SDK warns
    // when one provider stands in both: pulumi/pulumi#8799).
    const eksOpts = { parent: this, provider: eksProvider, providers: { aws: args.awsProvider } };
    const minSize = spec.minSize ?? 1;
    const maxSize = spec.maxSize ?? Math.max(4, minSize);
    const desiredSize = spec.desiredSize ?? Math.min(Math.max(2, minSize), maxSize);

    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }) },
      awsOpts,
    );
    EKS_NODE_POLICIES.forEach((policyArn, index) => {
      new aws.iam.RolePolicyAttachment(`${name}-node-policy-${index}`, { role: nodeRole.name, policyArn }, awsOpts);
    });

    const accessEntries: Record<string, eks.types.input.AccessEntryArgs> = {};
    (spec.admins ?? []).forEach((principalArn, index) => {
      accessEntries[`admin-${index}`] = {
        principalArn,
        accessPolicies: { admin: { policyArn: EKS_CLUSTER_ADMIN_POLICY, accessScope: { type: "cluster" } } },
      };
    });
    (spec.releasers ?? []).forEach((principalArn, index) => {
      // No access policy: rights come only from each tenant's RoleBinding of the group.
      accessEntries[`releaser-${index}`] = { principalArn, username: `beta-releaser-${index}`, kubernetesGroups: [RELEASERS_GROUP] };
    });
    for (const developer of args.developers) {
      // A user with no groups and no access policies: rights come only from RoleBindings.
      if (developer.principalArn) accessEntries[`developer-${developer.name}`] = { principalArn: developer.principalArn, username: developer.name };
    }

    const cluster = new eks.Cluster(
      `${name}-eks`,
      {
        authenticationMode: eks.AuthenticationMode.Api,
        accessEntries,
        createOidcProvider: true,
        skipDefaultNodeGroup: true,
        version: spec.version,
        vpcId: spec.vpcId,
        privateSubnetIds: spec.subnetIds,
        publicSubnetIds: spec.publicSubnetIds,
        nodeAssociatePublicIpAddress: false,
        // The default VPC CNI enforces no NetworkPolicy; the managed addon does once enabled
        // (https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html).
        useDefaultVpcCni: false,
        vpcCniOptions: { enableNetworkPolicy: true },
      },
      // Losing the cluster loses every Beta at once.
      { ...eksOpts, protect: true },
    );

    new eks.ManagedNodeGroup(
      `${name}-nodes`,
      {
        cluster,
        nodeRole,
        instanceTypes: [spec.instanceType ?? "t3.large"],
        scalingConfig: { minSize, maxSize, desiredSize },
        // Nodes only in private subnets: nothing reaches them but through the load balancer.
        subnetIds: spec.subnetIds,
      },
      eksOpts,
    );

    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true }, { parent: this });
    return { provider, kubeconfig: pulumi.secret(cluster.kubeconfigJson), clusterName: cluster.eksCluster.name, endpoint: cluster.eksCluster.endpoint };
  }
}
