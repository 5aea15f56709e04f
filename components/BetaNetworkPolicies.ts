import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SharedService } from "../lib/catalog";
import { isIPv4 } from "../lib/config-rules";
import { ROUTER_NAMESPACE, SHARED_NAMESPACE } from "../lib/platform-names";

export interface BetaNetworkPoliciesArgs {
  /** The Beta's namespace. */
  namespace: pulumi.Input<string>;
  /** Backends the Beta's apps may reach outside the cluster. */
  sharedServices: readonly SharedService[];
}

const byName = (namespace: pulumi.Input<string>) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } });

/**
 * Default-deny, then: ingress only from the router and the Beta itself; egress only to the
 * Beta itself, cluster DNS, the `shared` namespace and the shared backends. One Beta can
 * never reach another: the other Beta's ingress rules refuse it even where egress allows.
 */
export class BetaNetworkPolicies extends pulumi.ComponentResource {
  readonly policies: k8s.networking.v1.NetworkPolicy[];

  constructor(name: string, args: BetaNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:BetaNetworkPolicies", name, {}, opts);
    const { namespace, sharedServices } = args;
    const childOpts = { parent: this, deleteBeforeReplace: true };
    const policy = (role: string, policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(`${name}-${role}`, { metadata: { name: policyName, namespace }, spec }, childOpts);

    const backendRules = sharedServices.map((service) => ({
      // NetworkPolicy cannot name hosts: a DNS-named backend is allowed by port only.
      to: [{ ipBlock: { cidr: isIPv4(service.host) ? `${service.host}/32` : "0.0.0.0/0" } }],
      ports: [{ protocol: "TCP", port: service.port }],
    }));

    this.policies = [
      policy("default-deny", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
      policy("allow-ingress", "allow-router-and-own-namespace", {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [byName(ROUTER_NAMESPACE), byName(namespace)] }],
      }),
      policy("allow-egress", "allow-own-namespace-dns-and-shared", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          { to: [byName(namespace), byName(SHARED_NAMESPACE)] },
          {
            to: [{ ...byName("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
          },
          ...backendRules,
        ],
      }),
    ];
    this.registerOutputs({});
  }
}
