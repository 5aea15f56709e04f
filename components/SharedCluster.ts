import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assumeRoleInKubeconfig } from "../lib/kubeconfig";
import { PlatformConfig } from "../lib/platform-config";
import { DEPLOYER_GROUP } from "../lib/platform-names";

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

/**
 * The one cluster every Beta runs in: an EKS cluster it creates, or an existing cluster it
 * adopts. Either way it yields the Kubernetes provider the platform uses and the
 * kubeconfig (secret) developer stacks deploy with.
 */
export class SharedCluster extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  /** Kubeconfig developer stacks deploy with; a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** On EKS: the IAM role developer stacks assume to deploy (bound to `beta-deployers`). */
  readonly deployerRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: SharedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:SharedCluster", name, {}, opts);
    if (args.cluster.provider === "eks") {
      const made = this.createEks(name, args.cluster, args);
      this.provider = made.provider;
      this.kubeconfig = made.kubeconfig;
      this.deployerRoleArn = made.deployerRoleArn;
    } else {
      if (!args.adoptedKubeconfig) throw new Error("SharedCluster: an adopted cluster needs adoptedKubeconfig");
      const kubeconfig = pulumi.secret(args.adoptedKubeconfig);
      this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig, enableServerSideApply: true }, { parent: this });
      this.kubeconfig = kubeconfig;
    }
    this.registerOutputs({ kubeconfig: this.kubeconfig });
  }

  private createEks(name: string, spec: Extract<PlatformConfig["cluster"], { provider: "eks" }>, args: SharedClusterArgs) {
    if (!args.awsProvider) throw new Error("SharedCluster: an EKS cluster needs awsProvider");
    const awsOpts = { parent: this, provider: args.awsProvider };
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

    // Developer stacks deploy as this role; its trust is left to the account's IAM policies.
    const account = aws.getCallerIdentityOutput({}, { parent: this, provider: args.awsProvider });
    const deployerRole = new aws.iam.Role(
      `${name}-deployer`,
      { assumeRolePolicy: account.accountId.apply((id) => JSON.stringify(aws.iam.assumeRolePolicyForPrincipal({ AWS: `arn:aws:iam::${id}:root` }))) },
      awsOpts,
    );

    const accessEntries: Record<string, eks.types.input.AccessEntryArgs> = {
      deployer: { principalArn: deployerRole.arn, username: "beta-deployer", kubernetesGroups: [DEPLOYER_GROUP] },
    };
    for (const developer of args.developers) {
      // A user with no groups and no access policies: rights come only from RoleBindings.
      accessEntries[`developer-${developer.name}`] = { principalArn: developer.principalArn, username: developer.name };
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
        subnetIds: spec.subnetIds,
      },
      // Losing the cluster loses every Beta at once.
      { parent: this, providers: { aws: args.awsProvider }, protect: true },
    );

    new eks.ManagedNodeGroup(
      `${name}-nodes`,
      {
        cluster,
        nodeRole,
        instanceTypes: [spec.instanceType ?? "t3.large"],
        scalingConfig: { minSize, maxSize, desiredSize },
        subnetIds: spec.subnetIds,
      },
      { parent: this, providers: { aws: args.awsProvider } },
    );

    const provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: cluster.kubeconfigJson, enableServerSideApply: true }, { parent: this });
    const kubeconfig = pulumi.secret(
      pulumi.all([cluster.kubeconfigJson, deployerRole.arn]).apply(([json, roleArn]) => assumeRoleInKubeconfig(json, roleArn)),
    );
    return { provider, kubeconfig, deployerRoleArn: deployerRole.arn };
  }
}
