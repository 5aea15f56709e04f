import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface SharedServiceAliasArgs {
  /** The Beta's namespace. */
  namespace: pulumi.Input<string>;
  /** The name apps call, `http://<name>`. */
  serviceName: string;
  /** The DNS name it stands for (see `sharedServiceTarget`); the tenant fence allows only these. */
  target: string;
  port: number;
}

/** Makes a shared service reachable as `<name>` inside a Beta: an ExternalName Service. */
export class SharedServiceAlias extends pulumi.ComponentResource {
  readonly service: k8s.core.v1.Service;

  constructor(name: string, args: SharedServiceAliasArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:SharedServiceAlias", name, {}, opts);
    const labels = { "app.kubernetes.io/name": args.serviceName, "app.kubernetes.io/part-of": "beta" };
    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name: args.serviceName, namespace: args.namespace, labels },
        spec: { type: "ExternalName", externalName: args.target, ports: [{ name: "tcp", port: args.port, protocol: "TCP" }] },
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({ service: this.service });
  }
}
