import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ROUTER_NAMESPACE, SHARED_NAMESPACE, ROUTER_LABELS } from "../lib/platform-names";

/** Addresses a tenant's pods may connect to on one port: a shared service's CIDRs. */
export interface EgressTarget {
  cidrs: pulumi.Input<string>[];
  port: number;
}

export interface BetaNetworkPoliciesArgs {
  /** The tenant's namespace. */
  namespace: pulumi.Input<string>;
  /** Shared services outside the cluster (or kept in `shared`) the Beta's apps may reach. */
  egress: EgressTarget[];
}

const byName = (namespace: pulumi.Input<string>) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });

/** Cluster DNS: the kube-dns pods, which answer for the kube-dns Service. */
export const CLUSTER_DNS_PEER = {
  to: [{ ...byName("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
};

/**
 * Default-deny, then: ingress only from the router's pods and the Beta itself; egress only to
 * the Beta itself, cluster DNS, the `shared` namespace and the shared services' CIDRs on their
 * ports. One Beta can never reach another: neither egress nor the other's ingress allows it.
 */
export class BetaNetworkPolicies extends pulumi.ComponentResource {
  readonly policies: k8s.networking.v1.NetworkPolicy[];

  constructor(name: string, args: BetaNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:BetaNetworkPolicies", name, {}, opts);
    const { namespace, egress } = args;
    const childOpts = { parent: this, deleteBeforeReplace: true };
    const policy = (role: string, policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(`${name}-${role}`, { metadata: { name: policyName, namespace }, spec }, childOpts);

    this.policies = [
      policy("default-deny", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
      policy("allow-ingress", "allow-router-and-own-namespace", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ ...byName(ROUTER_NAMESPACE), podSelector: { matchLabels: ROUTER_LABELS } }, byName(namespace)] }],
      }),
      policy("allow-egress", "allow-own-namespace-dns-and-shared", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          { to: [byName(namespace), byName(SHARED_NAMESPACE)] },
          CLUSTER_DNS_PEER,
          ...egress.map((target) => ({
            to: target.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ports: [{ protocol: "TCP", port: target.port }],
          })),
        ],
      }),
    ];
    this.registerOutputs({});
  }
}
