/**
 * What the Amazon VPC CNI's NetworkPolicy enforcement needs and how it behaves, as far as
 * AWS documents it, and a checker for the documented rules that can be checked from the
 * objects a stack declares.
 *
 * Main source: https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html
 * ("Considerations"; awsdocs/amazon-eks-user-guide latest/ug/networking/cni-network-policy.adoc
 * @ 4670bd1) and cni-network-policy-configure.html. Behaviour read from source names the file.
 * A statement marked GUESS is not documented and not read from source.
 */

/** Facts, each with where it comes from. */
export const VPC_CNI_NETWORK_POLICY_FACTS = {
  offByDefault: {
    fact: "NetworkPolicy enforcement is off until the vpc-cni add-on gets configuration `enableNetworkPolicy: \"true\"`.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html; https://aws.github.io/amazon-vpc-cni-k8s/docs/network-policy-faq.html",
  },
  pulumiEksOption: {
    fact:
      "@pulumi/eks: `new eks.Cluster(name, { vpcCniOptions: { enableNetworkPolicy: true } })` creates the " +
      "`vpc-cni` aws.eks.Addon with configurationValues {\"enableNetworkPolicy\":\"true\", ...}: the boolean is " +
      "stringified unless configurationValues already has the key. The add-on is created unless " +
      "`useDefaultVpcCni: true` (or Auto Mode without useDefaultVpcCni), in which case the option does nothing.",
    source:
      "pulumi/pulumi-eks @ 7bf0c1b nodejs/eks/addons/cni-addon.ts:83, :278-308, :539-550; " +
      "nodejs/eks/cluster/cluster.ts:1091-1098; @pulumi/eks 4.3.0 vpcCniAddon.d.ts:71",
  },
  minimumVersions: {
    fact: "EKS 1.25+, VPC CNI 1.14+ (1.21+ for admin network policies), Linux kernel 5.10+ on the nodes; EC2 Linux nodes only (not Fargate, not Windows).",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations; cni-network-policy-configure.html (Prerequisites)",
  },
  servicePortEqualsContainerPort: {
    fact:
      "For any Service, the service port must be the same as the container port; with a named targetPort " +
      "the service port must carry the same name.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations",
  },
  matchedBeforeServiceTranslation: {
    fact:
      "Egress is matched at the pod's host-side veth by eBPF, i.e. on the address the pod dialled: a Service " +
      "ClusterIP, before kube-proxy rewrites it to a pod IP. The network policy controller therefore adds the " +
      "ClusterIPs of Services whose selector matches the policy's selected pods to the PolicyEndpoint; a " +
      "Service whose selector differs, or a selector-less Service (such as the shared IP backend's), is not " +
      "translated, so egress to its ClusterIP is dropped unless an ipBlock covers the ClusterIP. (Documented " +
      "only as the port rule above; the rest is read from source and issue reports, partly GUESS.)",
    source:
      "aws/aws-network-policy-agent @ c8619c0 README.md:7 (eBPF on the pod's host veth); " +
      "aws/amazon-network-policy-controller-k8s#222 (PolicyEndpoint lacks the ClusterIP → drops), #224 " +
      "(Service selector differing from the policy's podSelector → not applied); " +
      "https://kubernetes.io/docs/concepts/services-networking/network-policies/ (ipBlock and Service IP rewriting are implementation-defined)",
  },
  nodeTrafficAllowed: {
    fact: "Traffic from the pod's own node is always allowed in, so kubelet probes pass whatever the ingress policy says.",
    source: "aws/aws-network-policy-agent @ c8619c0 pkg/fwruleprocessor/fw_rule_processor.go:81-82, :293-303",
  },
  externalNameAndIpBlock: {
    fact:
      "An ExternalName Service is only a DNS CNAME: the pod connects to whatever address the name resolves " +
      "to, so egress must allow that address (ipBlock for addresses outside the cluster, the backing pods or " +
      "ClusterIP for an in-cluster name). ipBlock egress is matched on the destination the pod dialled, " +
      "before the CNI's SNAT to the node address for destinations outside the VPC.",
    source:
      "https://kubernetes.io/docs/concepts/services-networking/service/#externalname; " +
      "https://docs.aws.amazon.com/eks/latest/userguide/external-snat.html; eBPF at the pod veth (agent README.md:7). " +
      "Ordering relative to SNAT: GUESS from where the program is attached.",
  },
  onlyOwnedPods: {
    fact: "Policies apply only to pods with metadata.ownerReferences (e.g. from a Deployment); standalone pods are not policed.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations",
  },
  portCombinationLimit: {
    fact: "At most 24 unique port combinations per protocol in each ingress or egress rule.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations",
  },
  oneIpFamily: {
    fact: "An IPv4 cluster ignores IPv6 rules and an IPv6 cluster ignores IPv4 rules.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations",
  },
  imds: {
    fact: "Policies can block the EC2 instance metadata service; pods using IRSA or Pod Identity do not need it.",
    source: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations",
  },
} as const;

/** The part of `eks.Cluster` arguments that decides the CNI add-on. */
export interface EksClusterCniArgs {
  vpcCniOptions?: { enableNetworkPolicy?: boolean; configurationValues?: Record<string, unknown> };
  useDefaultVpcCni?: boolean;
  autoMode?: { enabled?: boolean };
}

/** Whether an `eks.Cluster` declared with these arguments enforces NetworkPolicies (see pulumiEksOption). */
export function eksClusterEnforcesNetworkPolicy(args: EksClusterCniArgs): boolean {
  const addonCreated = args.useDefaultVpcCni !== undefined ? !args.useDefaultVpcCni : !args.autoMode?.enabled;
  if (!addonCreated) return false;
  const explicit = args.vpcCniOptions?.configurationValues?.enableNetworkPolicy;
  if (explicit !== undefined) return explicit === "true";
  return args.vpcCniOptions?.enableNetworkPolicy === true;
}

/** Whether a `vpc-cni` add-on's configurationValues (JSON text or object) turn enforcement on. */
export function addonEnablesNetworkPolicy(configurationValues: string | Record<string, unknown> | undefined): boolean {
  if (configurationValues === undefined) return false;
  const config = typeof configurationValues === "string" ? (JSON.parse(configurationValues) as Record<string, unknown>) : configurationValues;
  // The add-on schema takes the string "true" (what pulumi-eks writes); a JSON boolean is a GUESS-level risk, refuse it.
  return config.enableNetworkPolicy === "true";
}

// ----- the checker -----

interface PolicyPort { protocol?: string; port?: number | string; endPort?: number }
interface PolicyPeer { ipBlock?: { cidr: string; except?: string[] } }
interface PolicyRule { ports?: PolicyPort[]; to?: PolicyPeer[]; from?: PolicyPeer[] }
export interface NetworkPolicy {
  metadata: { name: string; namespace?: string };
  spec: { ingress?: PolicyRule[]; egress?: PolicyRule[] };
}
export interface ServiceObject {
  metadata: { name: string; namespace?: string };
  spec: {
    type?: string;
    selector?: Record<string, string>;
    ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
  };
}

/** A workload (Deployment, DaemonSet, Job, Pod, ...) as rendered; used to resolve named target ports. */
export interface WorkloadObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: {
    containers?: PodContainer[];
    template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: PodContainer[] } };
  };
}
interface PodContainer { name: string; ports?: { name?: string; containerPort: number }[] }

function podsOf(workloads: WorkloadObject[], namespace: string | undefined, selector: Record<string, string>) {
  return workloads
    .map((w) => w.kind === "Pod"
      ? { ns: w.metadata.namespace, labels: w.metadata.labels ?? {}, containers: w.spec?.containers ?? [] }
      : { ns: w.metadata.namespace, labels: w.spec?.template?.metadata?.labels ?? {}, containers: w.spec?.template?.spec?.containers ?? [] })
    .filter((p) => p.ns === namespace && Object.entries(selector).every(([k, v]) => p.labels[k] === v));
}

export interface CniProblem {
  rule: "service-port-differs" | "too-many-ports" | "ip-family-ignored";
  object: string;
  path: string;
  detail: string;
  source: string;
}

const CONSIDERATIONS = "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html#cni-network-policy-considerations";

/**
 * The documented VPC CNI considerations that can be checked from declared objects:
 * service port = container port, at most 24 port combinations per protocol per rule, and
 * ipBlocks of the cluster's IP family. Needs `enableNetworkPolicy` to matter at all.
 */
export function vpcCniPolicyProblems(
  policies: NetworkPolicy[],
  services: ServiceObject[],
  options: {
    ipFamily?: "IPv4" | "IPv6";
    /** Rendered workloads, to resolve a named targetPort to its container port. */
    workloads?: WorkloadObject[];
  } = {},
): CniProblem[] {
  const problems: CniProblem[] = [];
  const family = options.ipFamily ?? "IPv4";

  for (const svc of services) {
    // The rule is about the container port behind a selector; ExternalName and selector-less
    // Services have none.
    if (svc.spec.type === "ExternalName" || !svc.spec.selector || Object.keys(svc.spec.selector).length === 0) continue;
    const id = `Service ${svc.metadata.namespace ?? ""}/${svc.metadata.name}`;
    const pods = podsOf(options.workloads ?? [], svc.metadata.namespace, svc.spec.selector);
    (svc.spec.ports ?? []).forEach((p, i) => {
      const target = p.targetPort ?? p.port;
      const report = (detail: string) =>
        problems.push({ rule: "service-port-differs", object: id, path: `spec.ports[${i}]`, source: CONSIDERATIONS, detail });
      if (typeof target === "number") {
        if (target !== p.port) report(`port ${p.port} forwards to container port ${target}; the VPC CNI needs them equal`);
        return;
      }
      if (p.name !== target) {
        report(`targetPort "${target}" is named but the service port is named "${p.name ?? ""}"; the names must match`);
        return;
      }
      // A named port must still resolve to a container port equal to the service port.
      const resolved = new Set<number>();
      for (const pod of pods) {
        for (const c of pod.containers) {
          for (const cp of c.ports ?? []) if (cp.name === target) resolved.add(cp.containerPort);
        }
      }
      const differing = [...resolved].filter((n) => n !== p.port);
      if (differing.length > 0) {
        report(`port ${p.port} ("${target}") resolves to container port ${differing.join(", ")}; the VPC CNI needs them equal`);
      }
    });
  }

  for (const pol of policies) {
    const id = `NetworkPolicy ${pol.metadata.namespace ?? ""}/${pol.metadata.name}`;
    for (const direction of ["ingress", "egress"] as const) {
      (pol.spec[direction] ?? []).forEach((rule, r) => {
        const perProtocol = new Map<string, Set<string>>();
        for (const port of rule.ports ?? []) {
          const proto = port.protocol ?? "TCP";
          const set = perProtocol.get(proto) ?? new Set<string>();
          set.add(`${port.port ?? "*"}-${port.endPort ?? ""}`);
          perProtocol.set(proto, set);
        }
        for (const [proto, set] of perProtocol) {
          if (set.size > 24) {
            problems.push({
              rule: "too-many-ports", object: id, path: `spec.${direction}[${r}].ports`, source: CONSIDERATIONS,
              detail: `${set.size} ${proto} port combinations; the VPC CNI handles at most 24`,
            });
          }
        }
        const peers = direction === "egress" ? rule.to : rule.from;
        (peers ?? []).forEach((peer, p) => {
          const cidr = peer.ipBlock?.cidr;
          if (!cidr) return;
          const v6 = cidr.includes(":");
          if (v6 !== (family === "IPv6")) {
            problems.push({
              rule: "ip-family-ignored", object: id,
              path: `spec.${direction}[${r}].${direction === "egress" ? "to" : "from"}[${p}].ipBlock.cidr`,
              source: CONSIDERATIONS,
              detail: `${cidr} is ${v6 ? "IPv6" : "IPv4"} but the cluster is ${family}; the rule is ignored`,
            });
          }
        });
      });
    }
  }
  return problems;
}
