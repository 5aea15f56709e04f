import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appLabels } from "../lib/platform-names";

export interface SharedServiceAliasArgs {
  /** The Beta's namespace. */
  namespace: pulumi.Input<string>;
  /** The name apps call, `http://<name>`. */
  serviceName: string;
  /** The DNS name it stands for (see `sharedServiceTarget`); the tenant fence allows only these. */
  target: string;
  port: number;
  /**
   * The labels of this Beta's personal copy's pods (PersonalCopy), when it runs one: the Service
   * then selects them on the same port instead of pointing at `target`.
   */
  personalCopyLabels?: Record<string, string>;
}

/**
 * Makes a shared service reachable as `<name>` inside a Beta: an ExternalName Service to the
 * shared backend, or a ClusterIP Service to the Beta's personal copy of it.
 *
 * One Pulumi resource (one URN) in both modes, so switching is an update or a replacement of one
 * object: a second resource with the same Kubernetes name would be created before the first is
 * deleted, which the API server refuses ("already exists"). The type switch itself is an update:
 * pulumi-kubernetes replaces a Service only when `.spec.clusterIP` differs (its forceNew table,
 * `var core`, "Service": ".spec.clusterIP", pulumi/pulumi-kubernetes
 * provider/pkg/provider/diff.go at cafe8c4ac4de), which
 * this program never sets, and the API server allocates a cluster IP on ExternalName -> ClusterIP
 * and releases it on ClusterIP -> ExternalName (dropTypeDependentFields, kubernetes/kubernetes
 * pkg/registry/core/service/strategy.go). Should a diff still see the allocated address change
 * and replace, deleteBeforeReplace frees the name first, in both directions.
 */
export class SharedServiceAlias extends pulumi.ComponentResource {
  readonly service: k8s.core.v1.Service;

  constructor(name: string, args: SharedServiceAliasArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:SharedServiceAlias", name, {}, opts);
    const copy = args.personalCopyLabels;
    const spec: k8s.types.input.core.v1.ServiceSpec = copy
      ? { type: "ClusterIP", selector: copy, ports: [{ name: "http", port: args.port, targetPort: "http", protocol: "TCP" }] }
      : { type: "ExternalName", externalName: args.target, ports: [{ name: "tcp", port: args.port, protocol: "TCP" }] };
    this.service = new k8s.core.v1.Service(
      `${name}-service`,
      { metadata: { name: args.serviceName, namespace: args.namespace, labels: copy ?? appLabels(args.serviceName) }, spec },
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({ service: this.service });
  }
}
