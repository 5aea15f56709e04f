/**
 * The attacks of issue "Tenancy: a Beta's owner can break only their own Beta", each as Pulumi
 * would declare it (type token + inputs) and run through the whole pack as the policy server
 * runs it: every hostile resource is flagged by the policy named in its row, with a message
 * that names the object and the field; every resource the tenancy model declares passes.
 */
import { describe, expect, it } from "vitest";
import { packConfigFor } from "../../policy/pack-config";
import { policies } from "../../policy/policies";
import {
  ALICE,
  PLATFORM,
  Declared,
  clusterRole,
  clusterRoleBinding,
  configMap,
  firstContainer,
  group,
  namespace,
  object,
  roleBinding,
  service,
  tenantNamespace,
  user,
  workload,
} from "./manifests";
import { reportedByPack } from "./pack-harness";

/** The dev platform's shared services (Pulumi.dev.yaml): billing by host name, postgres by IP. */
const CONFIG = packConfigFor({
  sharedServices: [
    { name: "billing", host: "billing.internal.example.com", port: 8080 },
    { name: "postgres", host: "10.0.12.34", port: 5432 },
  ],
  clusterDomain: "cluster.local",
});

interface Attack {
  attack: string;
  /** The stack that declares it; alice's Beta unless said. */
  stack?: string;
  declared: Declared;
  /** The policy that must flag it. */
  policy: string;
  /** What its message must say (object, field, value). */
  says: RegExp;
}

/** A pod spec edit on a Deployment in alice's Beta. */
const deployment = (edit: (pod: Record<string, unknown>) => void) => workload("Deployment", edit);
const securityContext = (settings: Record<string, unknown>) => deployment((pod) => {
  firstContainer(pod).securityContext = { allowPrivilegeEscalation: false, ...settings };
});
const SHARED = "shared";

const attacks: Attack[] = [
  {
    attack: "a privileged ephemeral container",
    declared: workload("Pod", (pod) => {
      pod.ephemeralContainers = [{ name: "debug", image: "busybox:1.36", securityContext: { privileged: true } }];
    }),
    policy: "non-root-containers",
    says: /Pod beta-alice\/web: spec\.ephemeralContainers\[0\]\.securityContext\.privileged \(ephemeralContainer "debug"\) is true/,
  },
  {
    attack: "a hostPort opens a port on the node",
    declared: deployment((pod) => {
      firstContainer(pod).ports = [{ containerPort: 3000, hostPort: 80 }];
    }),
    policy: "no-host-access",
    says: /Deployment beta-alice\/web: spec\.template\.spec\.containers\[0\]\.ports\[0\]\.hostPort \(container "web"\) is 80/,
  },
  {
    attack: "an added SYS_ADMIN capability",
    declared: securityContext({ capabilities: { add: ["SYS_ADMIN"] } }),
    policy: "pod-security",
    says: /containers\[0\]\.securityContext\.capabilities\.add\[0\] \(container "web"\) is "SYS_ADMIN"/,
  },
  {
    attack: "an added NET_RAW capability on an initContainer",
    declared: deployment((pod) => {
      pod.initContainers = [{ ...firstContainer(pod), name: "init", securityContext: { capabilities: { add: ["NET_BIND_SERVICE", "NET_RAW"] } } }];
    }),
    policy: "pod-security",
    says: /initContainers\[0\]\.securityContext\.capabilities\.add\[1\] \(initContainer "init"\) is "NET_RAW"/,
  },
  {
    attack: "an Unconfined seccomp profile on the pod",
    declared: deployment((pod) => {
      pod.securityContext = { runAsNonRoot: true, seccompProfile: { type: "Unconfined" } };
    }),
    policy: "pod-security",
    says: /spec\.template\.spec\.securityContext\.seccompProfile\.type is "Unconfined"/,
  },
  {
    attack: "an Unconfined seccomp profile on a container",
    declared: securityContext({ seccompProfile: { type: "Unconfined" } }),
    policy: "pod-security",
    says: /containers\[0\]\.securityContext\.seccompProfile\.type \(container "web"\) is "Unconfined"/,
  },
  {
    attack: "an unsafe sysctl",
    declared: deployment((pod) => {
      pod.securityContext = { runAsNonRoot: true, sysctls: [{ name: "kernel.shm_rmid_forced", value: "1" }, { name: "kernel.core_pattern", value: "|/x" }] };
    }),
    policy: "pod-security",
    says: /spec\.template\.spec\.securityContext\.sysctls\[1\]\.name is "kernel\.core_pattern", which is not a safe sysctl/,
  },
  {
    attack: "AppArmor unconfined by field",
    declared: securityContext({ appArmorProfile: { type: "Unconfined" } }),
    policy: "pod-security",
    says: /containers\[0\]\.securityContext\.appArmorProfile\.type \(container "web"\) is "Unconfined"/,
  },
  {
    attack: "AppArmor unconfined by annotation",
    declared: (() => {
      const declared = deployment(() => {});
      const template = (declared.props.spec as { template: { metadata: Record<string, unknown> } }).template;
      template.metadata.annotations = { "container.apparmor.security.beta.kubernetes.io/web": "unconfined" };
      return declared;
    })(),
    policy: "pod-security",
    says: /spec\.template\.metadata\.annotations\["container\.apparmor\.security\.beta\.kubernetes\.io\/web"\] is "unconfined"/,
  },
  {
    attack: "an Unmasked /proc",
    declared: securityContext({ procMount: "Unmasked" }),
    policy: "pod-security",
    says: /containers\[0\]\.securityContext\.procMount \(container "web"\) is "Unmasked"/,
  },
  {
    attack: "hostNetwork",
    declared: deployment((pod) => {
      pod.hostNetwork = true;
    }),
    policy: "no-host-access",
    says: /spec\.template\.spec\.hostNetwork is true/,
  },
  {
    attack: "hostPID",
    declared: deployment((pod) => {
      pod.hostPID = true;
    }),
    policy: "no-host-access",
    says: /spec\.template\.spec\.hostPID is true/,
  },
  {
    attack: "hostIPC",
    declared: deployment((pod) => {
      pod.hostIPC = true;
    }),
    policy: "no-host-access",
    says: /spec\.template\.spec\.hostIPC is true/,
  },
  {
    attack: "a hostPath volume on the container runtime's socket",
    declared: deployment((pod) => {
      pod.volumes = [{ name: "runtime", hostPath: { path: "/run/containerd/containerd.sock" } }];
    }),
    policy: "no-host-access",
    says: /spec\.template\.spec\.volumes\[0\]\.hostPath is set \(volume "runtime"\)/,
  },
  {
    attack: "a privileged container",
    declared: securityContext({ privileged: true }),
    policy: "non-root-containers",
    says: /containers\[0\]\.securityContext\.privileged \(container "web"\) is true/,
  },
  {
    attack: "allowPrivilegeEscalation",
    declared: securityContext({ allowPrivilegeEscalation: true }),
    policy: "non-root-containers",
    says: /containers\[0\]\.securityContext\.allowPrivilegeEscalation \(container "web"\) is true/,
  },
  {
    attack: "runAsUser 0",
    declared: securityContext({ runAsUser: 0 }),
    policy: "non-root-containers",
    says: /containers\[0\]\.securityContext\.runAsUser \(container "web"\) is 0 \(root\)/,
  },
  {
    attack: "a RoleBinding to system:authenticated",
    stack: PLATFORM,
    declared: roleBinding(SHARED, "view", [group("system:authenticated")]),
    policy: "safe-rbac",
    says: /RoleBinding shared\/tenant: subjects\[0\] is Group "system:authenticated", every user with any valid credential/,
  },
  {
    attack: "a ClusterRoleBinding to system:unauthenticated",
    stack: PLATFORM,
    declared: clusterRoleBinding([group("system:unauthenticated")]),
    policy: "safe-rbac",
    says: /ClusterRoleBinding beta-view: subjects\[0\] is Group "system:unauthenticated", every anonymous request/,
  },
  {
    attack: "a RoleBinding to system:anonymous",
    stack: PLATFORM,
    declared: roleBinding(SHARED, "view", [user("system:anonymous")]),
    policy: "safe-rbac",
    says: /subjects\[0\] is User "system:anonymous", every anonymous request/,
  },
  {
    attack: "a ClusterRoleBinding to system:masters",
    stack: PLATFORM,
    declared: clusterRoleBinding([group("system:masters")]),
    policy: "safe-rbac",
    says: /subjects\[0\] is Group "system:masters", the superuser group/,
  },
  {
    attack: "a cluster-admin ClusterRoleBinding declared by the platform",
    stack: PLATFORM,
    declared: (() => {
      const declared = clusterRoleBinding([group("platform-ops")]);
      declared.props.roleRef = { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" };
      return declared;
    })(),
    policy: "safe-rbac",
    says: /ClusterRoleBinding beta-view: roleRef\.name is "cluster-admin", which can do anything/,
  },
  {
    attack: "a ClusterRole with every verb",
    stack: PLATFORM,
    declared: clusterRole("ops", [{ apiGroups: [""], resources: ["pods"], verbs: ["*"] }]),
    policy: "safe-rbac",
    says: /ClusterRole ops: rules\[0\]\.verbs has "\*"/,
  },
  {
    attack: "a Role on every resource",
    stack: PLATFORM,
    declared: object("rbac.authorization.k8s.io/v1", "Role", "ops", SHARED, { rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["get"] }] }),
    policy: "safe-rbac",
    says: /Role shared\/ops: rules\[0\]\.resources has "\*"/,
  },
  ...(["escalate", "bind", "impersonate"] as const).map(
    (verb): Attack => ({
      attack: `a ClusterRole that may ${verb}`,
      stack: PLATFORM,
      declared: clusterRole("lifter", [{ apiGroups: ["rbac.authorization.k8s.io", ""], resources: ["clusterroles", "users"], verbs: ["get", verb] }]),
      policy: "safe-rbac",
      says: new RegExp(`ClusterRole lifter: rules\\[0\\]\\.verbs has "${verb}"`),
    }),
  ),
  {
    attack: "a RoleBinding in a tenant namespace that gives edit instead of beta-tenant",
    stack: PLATFORM,
    declared: roleBinding(ALICE, "edit", [user("alice")]),
    policy: "safe-rbac",
    says: /RoleBinding beta-alice\/tenant: roleRef is ClusterRole "edit"; a RoleBinding in a tenant namespace/,
  },
  {
    attack: "a RoleBinding that lets bob into alice's Beta",
    stack: PLATFORM,
    declared: roleBinding(ALICE, "beta-tenant", [user("alice"), group("beta-releasers"), user("bob")]),
    policy: "safe-rbac",
    says: /RoleBinding beta-alice\/tenant: subjects\[2\] is User "bob"/,
  },
  {
    attack: "a Helm Release",
    declared: { type: "kubernetes:helm.sh/v3:Release", props: { name: "redis", chart: "redis", namespace: ALICE } },
    policy: "no-opaque-bundles",
    says: /Release redis: type is kubernetes:helm\.sh\/v3:Release, a Helm release/,
  },
  {
    attack: "a Helm v4 Chart",
    declared: { type: "kubernetes:helm.sh/v4:Chart", props: { chart: "oci://registry.example.com/charts/redis", namespace: ALICE } },
    policy: "no-opaque-bundles",
    says: /Chart web: type is kubernetes:helm\.sh\/v4:Chart, a Helm chart/,
  },
  {
    attack: "a Helm v3 Chart on the platform",
    stack: PLATFORM,
    declared: { type: "kubernetes:helm.sh/v3:Chart", props: { chart: "ingress-nginx" } },
    policy: "no-opaque-bundles",
    says: /type is kubernetes:helm\.sh\/v3:Chart/,
  },
  {
    attack: "a yaml ConfigFile hides its objects",
    declared: { type: "kubernetes:yaml/v2:ConfigFile", props: { file: "extra.yaml" } },
    policy: "no-opaque-bundles",
    says: /ConfigFile web: type is kubernetes:yaml\/v2:ConfigFile, a YAML file of objects/,
  },
  {
    attack: "a yaml ConfigGroup hides its objects",
    declared: { type: "kubernetes:yaml/v2:ConfigGroup", props: { yaml: "apiVersion: v1\nkind: Pod\n" } },
    policy: "no-opaque-bundles",
    says: /ConfigGroup web: type is kubernetes:yaml\/v2:ConfigGroup/,
  },
  {
    attack: "a LoadBalancer Service in a Beta",
    declared: service({ type: "LoadBalancer", selector: { "app.kubernetes.io/name": "web" } }),
    policy: "service-exposure",
    says: /Service beta-alice\/web: spec\.type is "LoadBalancer"/,
  },
  {
    attack: "a NodePort Service in a Beta",
    declared: service({ type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] }),
    policy: "service-exposure",
    says: /Service beta-alice\/web: spec\.ports\[0\]\.nodePort is 30080/,
  },
  {
    attack: "externalIPs in a Beta",
    declared: service({ type: "ClusterIP", externalIPs: ["10.0.0.10"] }),
    policy: "service-exposure",
    says: /Service beta-alice\/web: spec\.externalIPs is \["10\.0\.0\.10"\]; no Service may set externalIPs/,
  },
  {
    attack: "externalIPs on the platform",
    stack: PLATFORM,
    declared: service({ externalIPs: ["203.0.113.7"] }, "uber", "router"),
    policy: "service-exposure",
    says: /Service uber\/router: spec\.externalIPs is \["203\.0\.113\.7"\]/,
  },
  {
    attack: "an ExternalName to a host that is not a shared service",
    declared: service({ type: "ExternalName", externalName: "internal-admin.example.com" }),
    policy: "service-exposure",
    says: /Service beta-alice\/web: spec\.externalName is "internal-admin\.example\.com", which is not a shared service/,
  },
  {
    attack: "an ExternalName that only looks like a shared service",
    declared: service({ type: "ExternalName", externalName: "billing.shared.svc.attacker.example" }),
    policy: "service-exposure",
    says: /spec\.externalName is "billing\.shared\.svc\.attacker\.example", which is not a shared service/,
  },
  {
    attack: "an Ingress in a Beta",
    declared: object("networking.k8s.io/v1", "Ingress", "web", ALICE, { spec: { rules: [{ host: "alice.example.com" }] } }),
    policy: "developer-stack-workload-only",
    says: /Ingress beta-alice\/web: kind is Ingress \(networking\.k8s\.io\/v1\)/,
  },
  {
    attack: "a Namespace declared by a developer stack, relabelled privileged",
    declared: (() => {
      const declared = namespace(ALICE);
      (declared.props.metadata as Record<string, unknown>).labels = { "pod-security.kubernetes.io/enforce": "privileged" };
      return declared;
    })(),
    policy: "developer-stack-workload-only",
    says: /Namespace beta-alice: kind is Namespace \(core\/v1\)/,
  },
  {
    attack: "a ResourceQuota declared by a developer stack",
    declared: object("v1", "ResourceQuota", "beta-quota", ALICE, { spec: { hard: { "limits.cpu": "64" } } }),
    policy: "developer-stack-workload-only",
    says: /ResourceQuota beta-alice\/beta-quota: kind is ResourceQuota/,
  },
  {
    attack: "a LimitRange declared by a developer stack",
    declared: object("v1", "LimitRange", "beta-limits", ALICE, { spec: { limits: [] } }),
    policy: "developer-stack-workload-only",
    says: /LimitRange beta-alice\/beta-limits: kind is LimitRange/,
  },
  {
    attack: "a NetworkPolicy declared by a developer stack",
    declared: object("networking.k8s.io/v1", "NetworkPolicy", "allow-all", ALICE, { spec: { podSelector: {}, egress: [{}] } }),
    policy: "developer-stack-workload-only",
    says: /NetworkPolicy beta-alice\/allow-all: kind is NetworkPolicy/,
  },
  {
    attack: "a RoleBinding declared by a developer stack",
    declared: roleBinding(ALICE, "edit", [user("mallory")]),
    policy: "developer-stack-workload-only",
    says: /RoleBinding beta-alice\/tenant: kind is RoleBinding/,
  },
  {
    attack: "a hand-made EndpointSlice behind a selector-less Service",
    declared: object("discovery.k8s.io/v1", "EndpointSlice", "web-1", ALICE, { addressType: "IPv4", endpoints: [{ addresses: ["10.0.0.5"] }] }),
    policy: "developer-stack-workload-only",
    says: /EndpointSlice beta-alice\/web-1: kind is EndpointSlice/,
  },
  {
    attack: "a ServiceAccount declared by a developer stack",
    declared: object("v1", "ServiceAccount", "robot", ALICE),
    policy: "developer-stack-workload-only",
    says: /ServiceAccount beta-alice\/robot: kind is ServiceAccount/,
  },
  {
    attack: "an image without a tag",
    declared: deployment((pod) => {
      firstContainer(pod).image = "registry.example.com/web";
    }),
    policy: "pinned-images",
    says: /containers\[0\]\.image \(container "web"\) is "registry\.example\.com\/web", which has no tag/,
  },
  {
    attack: "an image on :latest",
    declared: deployment((pod) => {
      firstContainer(pod).image = "registry.example.com/web:latest";
    }),
    policy: "pinned-images",
    says: /is "registry\.example\.com\/web:latest", which uses the mutable tag "latest"/,
  },
  {
    attack: "a workload without resource limits",
    declared: deployment((pod) => {
      firstContainer(pod).resources = { requests: { cpu: "100m", memory: "128Mi" } };
    }),
    policy: "container-resources",
    says: /containers\[0\]\.resources\.limits\.cpu \(container "web"\) is missing/,
  },
  {
    attack: "a tenant namespace the platform leaves at privileged",
    stack: PLATFORM,
    declared: (() => {
      const declared = tenantNamespace("alice");
      (declared.props.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"] = "privileged";
      return declared;
    })(),
    policy: "beta-namespace-isolation",
    says: /Namespace beta-alice: metadata\.labels\["pod-security\.kubernetes\.io\/enforce"\] is "privileged"/,
  },
  {
    attack: "a platform namespace that enforces privileged",
    stack: PLATFORM,
    declared: (() => {
      const declared = namespace("tools");
      (declared.props.metadata as Record<string, unknown>).labels = { "pod-security.kubernetes.io/enforce": "privileged" };
      return declared;
    })(),
    policy: "beta-namespace-isolation",
    says: /Namespace tools: metadata\.labels\["pod-security\.kubernetes\.io\/enforce"\] is "privileged"/,
  },
  {
    attack: "a platform workload inside a tenant namespace",
    stack: PLATFORM,
    declared: workload("Deployment", () => {}, ALICE),
    policy: "beta-namespace-isolation",
    says: /Deployment beta-alice\/web: metadata\.namespace is "beta-alice"; the platform stack "dev" puts only guard rails/,
  },
  {
    attack: "a Beta object in another developer's namespace",
    declared: configMap("beta-bob"),
    policy: "beta-namespace-isolation",
    says: /ConfigMap beta-bob\/web-env: metadata\.namespace is "beta-bob"/,
  },
];

/** One message as every rule writes it: `[policy] Kind namespace/name: field problem; requirement.` */
const MESSAGE = /^\[[a-z-]+\] [A-Za-z]+ \S+( \(no namespace\))?: \S+ .+; .+\.$/;

describe("the hostile battery", () => {
  it("has at least 30 attacks, each named once", () => {
    expect(attacks.length).toBeGreaterThanOrEqual(30);
    expect(new Set(attacks.map((a) => a.attack)).size).toBe(attacks.length);
  });

  it.each(attacks)("flags $attack ($policy)", async ({ stack, declared, policy, says }) => {
    const byPolicy = await reportedByPack(policies, declared, stack ?? ALICE, CONFIG);
    expect(byPolicy[policy] ?? [], JSON.stringify(byPolicy, null, 2)).toContainEqual(expect.stringMatching(says));
    for (const message of Object.values(byPolicy).flat()) expect(message).toMatch(MESSAGE);
  });
});

/** What a developer stack and the platform declare under the tenancy model. */
const legitimate: { what: string; stack?: string; declared: Declared }[] = [
  { what: "the Beta's app Deployment", declared: workload("Deployment") },
  { what: "a Job (a database clone) in the Beta", declared: workload("Job") },
  { what: "the Beta's app-secrets Secret", declared: object("v1", "Secret", "app-secrets", ALICE, { stringData: { TOKEN: "x" } }) },
  { what: "a ConfigMap in the Beta", declared: configMap(ALICE) },
  { what: "an app's ClusterIP Service on port 80", declared: service({ type: "ClusterIP", selector: { "app.kubernetes.io/name": "web" } }) },
  { what: "a Service with no type (ClusterIP)", declared: service({ selector: { "app.kubernetes.io/name": "web" } }) },
  {
    what: "a shared service by host name, as an ExternalName",
    declared: service({ type: "ExternalName", externalName: "billing.internal.example.com" }, ALICE, "billing"),
  },
  {
    what: "a shared service by IP, as an ExternalName to its Service in shared",
    declared: service({ type: "ExternalName", externalName: "postgres.shared.svc.cluster.local" }, ALICE, "postgres"),
  },
  { what: "the tenant namespace", stack: PLATFORM, declared: tenantNamespace("alice") },
  { what: "the tenant's ResourceQuota", stack: PLATFORM, declared: object("v1", "ResourceQuota", "beta-quota", ALICE, { spec: { hard: { "limits.cpu": "4" } } }) },
  { what: "the tenant's LimitRange", stack: PLATFORM, declared: object("v1", "LimitRange", "beta-limits", ALICE, { spec: { limits: [] } }) },
  {
    what: "the tenant's default-deny NetworkPolicy",
    stack: PLATFORM,
    declared: object("networking.k8s.io/v1", "NetworkPolicy", "default-deny", ALICE, { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }),
  },
  { what: "the tenant's RoleBinding", stack: PLATFORM, declared: roleBinding(ALICE, "beta-tenant", [user("alice"), group("beta-releasers")], "beta-tenant") },
  {
    what: "the beta-tenant ClusterRole",
    stack: PLATFORM,
    declared: clusterRole("beta-tenant", [
      { apiGroups: [""], resources: ["services", "secrets", "configmaps"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
      { apiGroups: [""], resources: ["pods", "pods/log", "events", "endpoints", "persistentvolumeclaims"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["pods/exec"], verbs: ["create", "get"] },
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
      { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
    ]),
  },
  {
    what: "the router's LoadBalancer Service in uber",
    stack: PLATFORM,
    declared: service({ type: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"] }, "uber", "router"),
  },
  { what: "a selector-less Service in shared for an IP backend", stack: PLATFORM, declared: service({ ports: [{ port: 5432 }] }, SHARED, "postgres") },
  {
    what: "its EndpointSlice in shared",
    stack: PLATFORM,
    declared: object("discovery.k8s.io/v1", "EndpointSlice", "postgres", SHARED, { addressType: "IPv4", endpoints: [{ addresses: ["10.0.12.34"] }] }),
  },
  {
    what: "the shared services' admission parameter",
    stack: PLATFORM,
    declared: object("v1", "ConfigMap", "beta-shared-services", SHARED, { data: { "billing.internal.example.com": "billing" } }),
  },
  { what: "a platform Group bound cluster-wide to view", stack: PLATFORM, declared: clusterRoleBinding([group("platform-ops")]) },
];

describe("what the tenancy model declares", () => {
  it.each(legitimate)("passes: $what", async ({ stack, declared }) => {
    expect(await reportedByPack(policies, declared, stack ?? ALICE, CONFIG)).toEqual({});
  });

  it("without the pack's config, an ExternalName to a shared service's host name is flagged: the host list is what allows it", async () => {
    const billing = service({ type: "ExternalName", externalName: "billing.internal.example.com" }, ALICE, "billing");
    expect(await reportedByPack(policies, billing, ALICE)).toEqual({
      "service-exposure": [expect.stringMatching(/spec\.externalName is "billing\.internal\.example\.com", which is not a shared service/)],
    });
  });

  it("takes the cluster domain from the config", async () => {
    const postgres = service({ type: "ExternalName", externalName: "postgres.shared.svc.beta.internal" }, ALICE, "postgres");
    expect(await reportedByPack(policies, postgres, ALICE, CONFIG)).not.toEqual({});
    const config = packConfigFor({ sharedServices: [], clusterDomain: "beta.internal" });
    expect(await reportedByPack(policies, postgres, ALICE, config)).toEqual({});
  });
});

describe("the pack's config from the platform's outputs", () => {
  it("lists the shared services given by host name, not by IP, and the cluster domain", () => {
    expect(CONFIG).toEqual({ "service-exposure": { sharedServiceHosts: ["billing.internal.example.com"], clusterDomain: "cluster.local" } });
  });
});
