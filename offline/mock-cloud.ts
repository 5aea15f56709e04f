/**
 * Stand-in answers for everything the programs ask the cloud: what a real `pulumi up` would
 * get back from AWS, EKS and Kubernetes, made up but shaped right, so the real program can
 * run with no account and no cluster (`beta render`, tests, benchmarks).
 */
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { DeclaredResource } from "./types";

export const FAKE_ACCOUNT_ID = "123456789012";
export const FAKE_ZONE_ID = "Z0FAKEZONE0123";
export const FAKE_NLB_ZONE_ID = "Z26RNL4JYFTOTI";
export const FAKE_LOAD_BALANCER = "router-0123456789.elb.us-east-1.amazonaws.com";

/** The API server of every stand-in cluster. */
export const OFFLINE_CLUSTER_SERVER = "https://cluster.invalid";

/** A kubeconfig shaped like the one `@pulumi/eks` makes, with no credentials; offline only. */
export function fakeKubeconfig(server = OFFLINE_CLUSTER_SERVER): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "offline",
    clusters: [{ name: "offline", cluster: { server } }],
    contexts: [{ name: "offline", context: { cluster: "offline", user: "offline" } }],
    users: [
      {
        name: "offline",
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: ["--region", "us-east-1", "eks", "get-token", "--cluster-name", "offline", "--output", "json"],
          },
        },
      },
    ],
  });
}

export interface MockCloudOptions {
  /** Outputs of referenced stacks, by the name the StackReference uses (`org/beta/dev`). */
  stackOutputs?: Record<string, { outputs: Record<string, unknown>; secretOutputNames?: string[] }>;
  /**
   * Answer as `pulumi preview` does for resources it would create: their inputs, and nothing
   * the cloud computes (ids, ARNs, statuses), which the SDK then treats as unknown.
   */
  preview?: boolean;
}

/** The kube-dns Service's ClusterIP the stand-in cluster reports (kind's and kubeadm's default). */
export const FAKE_KUBE_DNS_IP = "10.96.0.10";

/**
 * Pulumi's engine, with `pulumi:disable-default-providers: ["*"]`, refuses a custom resource,
 * a read, an invoke or a remote component that names no explicit provider of its own package:
 * pulumi/pulumi pkg/resource/deploy/source_eval.go:744 (Invoke), :1473 (Read), :2829 (remote
 * component) and step_generator.go:3119 (custom resource) @1b59498, with the message of
 * sdk/go/common/diag/errors.go:85. The stand-in cloud refuses them the same way, so an offline
 * run fails where `pulumi up` would.
 */
export function explicitProviderProblem(what: string, token: string, providerRef: string | undefined): string | undefined {
  const pkg = token.split(":")[0];
  // The engine's own resources (stack references, providers) need no provider.
  if (pkg === "pulumi") return undefined;
  // A provider reference is `<urn>::<id>`, and a URN `urn:pulumi:<stack>::<project>::<parent$...$type>::<name>`.
  const providerType = providerRef?.split("::")[2]?.split("$").pop();
  const providerPkg = providerType?.startsWith("pulumi:providers:") ? providerType.slice("pulumi:providers:".length) : undefined;
  if (providerPkg === pkg) return undefined;
  return `Default provider for '${pkg}' disabled. '${what}' must use an explicit provider.` + (providerPkg ? ` (it names a provider of '${providerPkg}')` : "");
}

/** A stable made-up ClusterIP in kind's default Service range 10.96.0.0/12. */
export function fakeClusterIp(id: string): string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return `10.96.${(hash >> 8) & 0xff}.${(hash & 0xff) || 1}`;
}

/** Pulumi mocks that record every resource and answer like the cloud would. */
export class MockCloud implements pulumi.runtime.Mocks {
  readonly resources: DeclaredResource[] = [];
  private readonly registrations = new Map<string, { urn: string; dependencies: string[]; remote: boolean }>();

  constructor(private readonly options: MockCloudOptions = {}) {}

  /** What the engine would know of a registration beyond its inputs: URN and dependencies. */
  noteRegistration(type: string, name: string, urn: string, dependencies: string[], remote: boolean): void {
    this.registrations.set(`${type}::${name}`, { urn, dependencies, remote });
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const read = args.id !== undefined && args.id !== "";
    const inputs = revealSecrets(args.inputs) as Record<string, unknown>;
    const registration = this.registrations.get(`${args.type}::${args.name}`);
    const custom = args.custom ?? true;
    if (custom || registration?.remote) {
      const problem = explicitProviderProblem(registration?.urn ?? args.type, args.type, args.provider);
      if (problem) throw new Error(problem);
    }
    this.resources.push({ type: args.type, name: args.name, inputs, custom, provider: args.provider, read, ...registration });
    const id = args.id || `${args.name}-id`;
    if (this.options.preview && !read && args.type !== "pulumi:pulumi:StackReference") return { id: undefined, state: { ...args.inputs } };
    return { id, state: { ...args.inputs, ...this.stateFor(args, id) } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const problem = explicitProviderProblem(args.token, args.token, args.provider);
    if (problem) throw new Error(`Invoke: ${problem}`);
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: FAKE_ACCOUNT_ID, arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:user/offline`, userId: "OFFLINE", id: FAKE_ACCOUNT_ID };
      case "aws:route53/getZone:getZone":
        return { zoneId: FAKE_ZONE_ID, id: FAKE_ZONE_ID, name: args.inputs.name };
      case "aws:lb/getHostedZoneId:getHostedZoneId":
        return { id: FAKE_NLB_ZONE_ID };
      default:
        return {};
    }
  }

  private stateFor(args: pulumi.runtime.MockResourceArgs, id: string): Record<string, unknown> {
    const inputs = args.inputs as { spec?: { type?: string }; domainName?: string; certificateArn?: string; name?: string };
    switch (args.type) {
      case "pulumi:pulumi:StackReference": {
        const stack = this.options.stackOutputs?.[id];
        if (!stack) return { name: id, outputs: {}, secretOutputNames: [] };
        return { name: id, outputs: stack.outputs, secretOutputNames: stack.secretOutputNames ?? [] };
      }
      case "kubernetes:core/v1:Service":
        if (id === "kube-system/kube-dns") return { spec: { type: "ClusterIP", clusterIP: FAKE_KUBE_DNS_IP } };
        if (inputs.spec?.type === "ClusterIP") return { spec: { ...inputs.spec, clusterIP: fakeClusterIp(id) } };
        if (inputs.spec?.type === "LoadBalancer") return { status: { loadBalancer: { ingress: [{ hostname: FAKE_LOAD_BALANCER }] } } };
        return {};
      case "eks:index:Cluster":
        // @pulumi/eks's outputs: kubeconfigJson (text) and the aws.eks.Cluster it made (by reference).
        return {
          kubeconfigJson: fakeKubeconfig(),
          kubeconfig: JSON.parse(fakeKubeconfig()),
          eksCluster: { name: `${args.name}-eksCluster`, endpoint: "https://0123456789ABCDEF.gr7.us-east-1.eks.amazonaws.com" },
        };
      case "aws:iam/role:Role":
        return { arn: `arn:aws:iam::${FAKE_ACCOUNT_ID}:role/${args.name}`, name: args.name };
      case "aws:acm/certificate:Certificate":
        return {
          arn: `arn:aws:acm:us-east-1:${FAKE_ACCOUNT_ID}:certificate/${args.name}`,
          domainValidationOptions: [
            {
              domainName: inputs.domainName,
              resourceRecordName: `_0123456789abcdef.${String(inputs.domainName).replace(/^\*\./, "")}.`,
              resourceRecordType: "CNAME",
              resourceRecordValue: "_fedcba9876543210.acm-validations.aws.",
            },
          ],
        };
      case "aws:acm/certificateValidation:CertificateValidation":
        return { certificateArn: inputs.certificateArn };
      case "aws:route53/record:Record":
        return { fqdn: inputs.name };
      default:
        return {};
    }
  }
}

/** Secret inputs arrive wrapped in Pulumi's wire format; record their plain values. */
function revealSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[specialSigKey] === specialSecretSig) return revealSecrets(record.value);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, revealSecrets(v)]));
  }
  return value;
}
