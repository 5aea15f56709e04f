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

/** A kubeconfig shaped like the one `@pulumi/eks` makes, with no credentials; offline only. */
export function fakeKubeconfig(server = "https://cluster.invalid"): string {
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
}

/** Pulumi mocks that record every resource and answer like the cloud would. */
export class MockCloud implements pulumi.runtime.Mocks {
  readonly resources: DeclaredResource[] = [];
  private readonly registrations = new Map<string, { urn: string; dependencies: string[] }>();

  constructor(private readonly options: MockCloudOptions = {}) {}

  /** What the engine would know of a registration beyond its inputs: URN and dependencies. */
  noteRegistration(type: string, name: string, urn: string, dependencies: string[]): void {
    this.registrations.set(`${type}::${name}`, { urn, dependencies });
  }

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const read = args.id !== undefined && args.id !== "";
    const inputs = revealSecrets(args.inputs) as Record<string, unknown>;
    const registration = this.registrations.get(`${args.type}::${args.name}`);
    this.resources.push({ type: args.type, name: args.name, inputs, custom: args.custom ?? true, provider: args.provider, read, ...registration });
    const id = args.id || `${args.name}-id`;
    return { id, state: { ...args.inputs, ...this.stateFor(args, id) } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
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
        if (inputs.spec?.type === "LoadBalancer") return { status: { loadBalancer: { ingress: [{ hostname: FAKE_LOAD_BALANCER }] } } };
        return {};
      case "eks:index:Cluster":
        return { kubeconfigJson: fakeKubeconfig(), kubeconfig: JSON.parse(fakeKubeconfig()) };
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
