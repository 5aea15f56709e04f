import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SharedService } from "../lib/catalog";
import { isIPv4 } from "../lib/config-rules";

export interface SharedBackendArgs {
  /** The Beta's namespace. */
  namespace: pulumi.Input<string>;
  /** The backend all Betas share: `{ name, host, port }`. */
  service: SharedService;
}

/**
 * Makes a shared backend reachable as `<name>` inside a Beta: an ExternalName Service for a
 * host name, or a selector-less Service with an EndpointSlice for an IP address.
 */
export class SharedBackend extends pulumi.ComponentResource {
  readonly service: k8s.core.v1.Service;
  readonly endpointSlice?: k8s.discovery.v1.EndpointSlice;

  constructor(name: string, args: SharedBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:SharedBackend", name, {}, opts);
    const { namespace, service } = args;
    const labels = { "app.kubernetes.io/name": service.name, "app.kubernetes.io/part-of": "beta" };
    const childOpts = { parent: this, deleteBeforeReplace: true };
    const ports = [{ name: "tcp", port: service.port, protocol: "TCP" }];

    if (isIPv4(service.host)) {
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
    } else {
      this.service = new k8s.core.v1.Service(
        `${name}-service`,
        { metadata: { name: service.name, namespace, labels }, spec: { type: "ExternalName", externalName: service.host, ports } },
        childOpts,
      );
    }
    this.registerOutputs({ service: this.service });
  }
}
