import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SharedService } from "../lib/catalog";

export interface SharedBackendArgs {
  /** The platform's shared namespace. */
  namespace: pulumi.Input<string>;
  /** A backend all Betas share, given by IPv4 address. */
  service: SharedService;
}

/**
 * A shared backend given by IP address, kept once in the shared namespace: a selector-less
 * Service and the EndpointSlice that points it at the address. Every Beta's `<name>` Service
 * is an ExternalName to it, so tenants never write endpoints themselves.
 */
export class SharedBackend extends pulumi.ComponentResource {
  readonly service: k8s.core.v1.Service;
  readonly endpointSlice: k8s.discovery.v1.EndpointSlice;

  constructor(name: string, args: SharedBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:SharedBackend", name, {}, opts);
    const { namespace, service } = args;
    const labels = { "app.kubernetes.io/name": service.name, "app.kubernetes.io/part-of": "beta" };
    const childOpts = { parent: this, deleteBeforeReplace: true };
    const ports = [{ name: "tcp", port: service.port, protocol: "TCP" }];

    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      { metadata: { name: service.name, namespace, labels }, spec: { type: "ClusterIP", ports: ports.map((p) => ({ ...p, targetPort: service.port })) } },
      childOpts,
    );
    this.endpointSlice = new k8s.discovery.v1.EndpointSlice(
      `${name}-endpoints`,
      {
        metadata: {
          name: `${service.name}-external`,
          namespace,
          // Ties the slice to the selector-less Service of the same name.
          labels: { ...labels, "kubernetes.io/service-name": service.name, "endpointslice.kubernetes.io/managed-by": "beta" },
        },
        addressType: "IPv4",
        endpoints: [{ addresses: [service.host], conditions: { ready: true } }],
        ports,
      },
      childOpts,
    );
    this.registerOutputs({ service: this.service });
  }
}
