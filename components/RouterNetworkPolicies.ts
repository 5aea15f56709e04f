import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ROUTER_LABELS, TENANT_LABEL } from "../lib/platform-names";
import { CLUSTER_DNS_PEER } from "./BetaNetworkPolicies";
import { ROUTER_PORTS } from "./UberRouter";

export interface RouterNetworkPoliciesArgs {
  /** The router's namespace, `uber`. */
  namespace: pulumi.Input<string>;
  /** Who may send requests to the router (`router.allowedCidrs`). */
  allowedCidrs: string[];
}

/**
 * The router is the one thing the internet reaches, so it may reach almost nothing: requests
 * in from `allowedCidrs` (the health port from anywhere: kubelet and load-balancer checks);
 * out only to pods in tenant namespaces and to cluster DNS. A crafted Host header can at
 * worst reach another Beta's app, never the VPC, the cluster API or the cloud's metadata.
 */
export class RouterNetworkPolicies extends pulumi.ComponentResource {
  readonly policies: k8s.networking.v1.NetworkPolicy[];

  constructor(name: string, args: RouterNetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:RouterNetworkPolicies", name, {}, opts);
    const { namespace } = args;
    const childOpts = { parent: this, deleteBeforeReplace: true };
    const podSelector = { matchLabels: { ...ROUTER_LABELS } };
    const policy = (role: string, policyName: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
      new k8s.networking.v1.NetworkPolicy(`${name}-${role}`, { metadata: { name: policyName, namespace }, spec }, childOpts);

    this.policies = [
      policy("default-deny", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
      policy("allow-ingress", "allow-clients", {
        podSelector,
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: args.allowedCidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ports: [
              { protocol: "TCP", port: ROUTER_PORTS.https },
              { protocol: "TCP", port: ROUTER_PORTS.redirect },
            ],
          },
          { ports: [{ protocol: "TCP", port: ROUTER_PORTS.health }] },
        ],
      }),
      policy("allow-egress", "allow-tenants-and-dns", {
        podSelector,
        policyTypes: ["Egress"],
        egress: [
          { to: [{ namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] } }] },
          CLUSTER_DNS_PEER,
        ],
      }),
    ];
    this.registerOutputs({});
  }
}
