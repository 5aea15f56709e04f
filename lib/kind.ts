/**
 * What a kind cluster looks like from outside, and the commands that repair the laptop
 * platform (README "Beta on a laptop"). Pure: used by the stacks' config errors and by `beta`.
 */

/** The cluster of examples/kind.yaml, which Pulumi.local.yaml adopts as context kind-beta. */
export const EXAMPLES_KIND_CLUSTER = "beta";

/**
 * The kind cluster a kubeconfig context belongs to: kind names it "kind-" + the cluster name
 * (kubernetes-sigs/kind pkg/cluster/internal/kubeconfig/internal/kubeconfig/helpers.go,
 * `KINDClusterKey`). Undefined for any other context.
 */
export function kindClusterOfContext(context: string | undefined): string | undefined {
  // kind's own rule for cluster names, so nothing else from a kubeconfig reaches a message.
  const match = /^kind-([a-z0-9][a-z0-9.-]{0,62})$/.exec(context ?? "");
  return match?.[1];
}

/**
 * The kind cluster a node belongs to: kind names nodes `<cluster>-<role><n>`, role
 * `control-plane` or `worker` (kubernetes-sigs/kind pkg/cluster/internal/providers/common/namer.go,
 * `MakeNodeNamer`). Other clusters can name nodes that way too, so this is a strong hint, not proof.
 */
export function kindClusterOfNode(node: string | undefined): string | undefined {
  const match = /^([a-z0-9][a-z0-9.-]{0,62})-(control-plane|worker)\d*$/.exec(node ?? "");
  return match?.[1];
}

/** The command that creates the kind cluster `cluster`: the examples' config for Beta's own. */
export function createKindClusterCommand(cluster: string): string {
  return cluster === EXAMPLES_KIND_CLUSTER ? "kind create cluster --config examples/kind.yaml" : `kind create cluster --name ${cluster}`;
}

/** What to run when the kubeconfig has no context `context`. */
export function missingContextFix(context: string | undefined): string {
  const cluster = kindClusterOfContext(context);
  if (cluster) return `The kind cluster "${cluster}" does not exist; create it: ${createKindClusterCommand(cluster)}`;
  return "List the contexts with `kubectl config get-contexts` and choose one: pulumi config set --path beta:cluster.context <context>";
}

/** What to run when the cluster of context `context` does not answer. */
export function unreachableClusterFix(context: string | undefined): string {
  const cluster = kindClusterOfContext(context);
  if (cluster) {
    return `Start the kind cluster's node: docker start ${cluster}-control-plane (if \`kind get clusters\` does not list "${cluster}": ${createKindClusterCommand(cluster)})`;
  }
  return "Check your network or VPN and your credentials for that cluster (`kubectl cluster-info`), then run beta doctor";
}
