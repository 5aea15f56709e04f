/**
 * The Kubernetes API calls Pulumi's Kubernetes provider makes to create, update, delete and
 * refresh an object, including the reads its await logic performs while it waits.
 *
 * Read from pulumi/pulumi-kubernetes @ 9497796 (provider v4). References below are
 * `path:line` in that commit unless they name another repository.
 *
 * Why this matters: the await logic watches through client-go informers
 * (provider/pkg/await/informers/factory.go:99-145). `Subscribe` starts the informer and then
 * blocks in `cache.WaitForCacheSync(f.ctx.Done(), ...)` (factory.go:142), where `f.ctx` is the
 * provider's lifetime context, not the operation's timeout. A forbidden list or watch makes the
 * reflector retry silently, so the cache never syncs and the operation hangs instead of failing
 * (pulumi/pulumi-kubernetes#4580, "Deleted.Range() hangs forever and never surfaces an error
 * when the client lacks watch/list RBAC on the resource"). Accesses marked `blocking` are
 * those: missing one hangs `pulumi up`/`destroy`. Non-blocking ones only lose information
 * (warning events, refresh detail) when forbidden.
 */

export type Operation = "create" | "update" | "delete" | "refresh";
export type Verb = "get" | "list" | "watch" | "create" | "patch" | "update" | "delete";

/** One resource request the provider makes, in RBAC's terms. */
export interface ApiAccess {
  verb: Verb;
  /** API group; "" is the core group. */
  group: string;
  /** Plural resource name, as RBAC rules spell it. */
  resource: string;
  subresource?: string;
  /** Namespace of the request; null for a cluster-scoped object or an all-namespaces list/watch. */
  namespace: string | null;
  /** True when a refusal hangs the operation instead of failing it (an informer cache sync). */
  blocking: boolean;
  /** Why the provider makes the call, with its source. */
  why: string;
}

interface KindInfo {
  group: string;
  resource: string;
  namespaced: boolean;
  /** Resources whose informers the kind's awaiter subscribes to on create and update. */
  awaitWatches: { group: string; resource: string; source: string }[];
  /** Plain reads the kind's read-awaiter makes on refresh (errors are logged, not returned). */
  refreshLists: { group: string; resource: string; source: string }[];
}

const core = (resource: string, source: string) => ({ group: "", resource, source });
const apps = (resource: string, source: string) => ({ group: "apps", resource, source });

/**
 * Kinds a Beta stack or the platform stack declares. The awaiter table is
 * provider/pkg/await/awaiters.go:184-243: kinds without an entry (or with `{ /* NONE *\/ }`)
 * have no kind-specific await, only the generic ready/deleted conditions.
 */
const KINDS: Record<string, KindInfo> = {
  Deployment: {
    group: "apps", resource: "deployments", namespaced: true,
    // deployment.go:164-201 subscribes to deployments, replicasets, pods and PVCs.
    awaitWatches: [
      apps("deployments", "provider/pkg/await/deployment.go:164"),
      apps("replicasets", "provider/pkg/await/deployment.go:174"),
      core("pods", "provider/pkg/await/deployment.go:184"),
      core("persistentvolumeclaims", "provider/pkg/await/deployment.go:194"),
    ],
    // deployment.go:224-258: get the Deployment, list ReplicaSets, Pods and PVCs.
    refreshLists: [
      apps("replicasets", "provider/pkg/await/deployment.go:239"),
      core("pods", "provider/pkg/await/deployment.go:246"),
      core("persistentvolumeclaims", "provider/pkg/await/deployment.go:253"),
    ],
  },
  DaemonSet: {
    group: "apps", resource: "daemonsets", namespaced: true,
    awaitWatches: [
      apps("daemonsets", "provider/pkg/await/daemonset.go:142"),
      core("pods", "provider/pkg/await/daemonset.go:152"),
    ],
    // daemonset.go:97 gets the DaemonSet, :109 lists its Pods through the PodAggregator.
    refreshLists: [core("pods", "provider/pkg/await/daemonset.go:109")],
  },
  Job: {
    group: "batch", resource: "jobs", namespaced: true,
    awaitWatches: [
      { group: "batch", resource: "jobs", source: "provider/pkg/await/job.go:102" },
      core("pods", "provider/pkg/await/job.go:113"),
    ],
    // job.go:167 gets the Job; :186-187 lists Pods when it is not complete.
    refreshLists: [core("pods", "provider/pkg/await/job.go:187")],
  },
  Service: {
    group: "", resource: "services", namespaced: true,
    // service.go:137-154 subscribes to services and endpoints for every Service type,
    // ExternalName included (the type only changes when it is ready, service.go:402-409).
    // This commit watches core/v1 Endpoints, not discovery.k8s.io EndpointSlices.
    awaitWatches: [
      core("services", "provider/pkg/await/service.go:137"),
      core("endpoints", "provider/pkg/await/service.go:147"),
    ],
    refreshLists: [core("endpoints", "provider/pkg/await/service.go:185")],
  },
  Secret: { group: "", resource: "secrets", namespaced: true, awaitWatches: [], refreshLists: [] },
  ConfigMap: { group: "", resource: "configmaps", namespaced: true, awaitWatches: [], refreshLists: [] },
  Namespace: { group: "", resource: "namespaces", namespaced: false, awaitWatches: [], refreshLists: [] },
  ResourceQuota: { group: "", resource: "resourcequotas", namespaced: true, awaitWatches: [], refreshLists: [] },
  LimitRange: { group: "", resource: "limitranges", namespaced: true, awaitWatches: [], refreshLists: [] },
  ServiceAccount: { group: "", resource: "serviceaccounts", namespaced: true, awaitWatches: [], refreshLists: [] },
  PersistentVolumeClaim: {
    group: "", resource: "persistentvolumeclaims", namespaced: true, awaitWatches: [], refreshLists: [],
  },
  Pod: {
    group: "", resource: "pods", namespaced: true,
    awaitWatches: [core("pods", "provider/pkg/await/pod.go:151")],
    refreshLists: [],
  },
  EndpointSlice: {
    group: "discovery.k8s.io", resource: "endpointslices", namespaced: true, awaitWatches: [], refreshLists: [],
  },
  NetworkPolicy: {
    group: "networking.k8s.io", resource: "networkpolicies", namespaced: true, awaitWatches: [], refreshLists: [],
  },
  Ingress: {
    group: "networking.k8s.io", resource: "ingresses", namespaced: true,
    awaitWatches: [
      { group: "networking.k8s.io", resource: "ingresses", source: "provider/pkg/await/ingress.go:117" },
      core("endpoints", "provider/pkg/await/ingress.go:127"),
      core("services", "provider/pkg/await/ingress.go:137"),
    ],
    refreshLists: [],
  },
  PodDisruptionBudget: {
    group: "policy", resource: "poddisruptionbudgets", namespaced: true, awaitWatches: [], refreshLists: [],
  },
  Role: { group: "rbac.authorization.k8s.io", resource: "roles", namespaced: true, awaitWatches: [], refreshLists: [] },
  RoleBinding: {
    group: "rbac.authorization.k8s.io", resource: "rolebindings", namespaced: true, awaitWatches: [], refreshLists: [],
  },
  ClusterRole: {
    group: "rbac.authorization.k8s.io", resource: "clusterroles", namespaced: false, awaitWatches: [], refreshLists: [],
  },
  ClusterRoleBinding: {
    group: "rbac.authorization.k8s.io", resource: "clusterrolebindings", namespaced: false,
    awaitWatches: [], refreshLists: [],
  },
  ValidatingAdmissionPolicy: {
    group: "admissionregistration.k8s.io", resource: "validatingadmissionpolicies", namespaced: false,
    awaitWatches: [], refreshLists: [],
  },
  ValidatingAdmissionPolicyBinding: {
    group: "admissionregistration.k8s.io", resource: "validatingadmissionpolicybindings", namespaced: false,
    awaitWatches: [], refreshLists: [],
  },
};

/** Kinds this model knows; any other kind is an error, never a silent empty answer. */
export const KNOWN_KINDS: readonly string[] = Object.keys(KINDS);

/** Extra facts about the object that change what the provider does. */
export interface AccessOptions {
  /**
   * Provider config `upsertExistingObjects` (provider.go:683-692): with server-side apply,
   * create sends an apply PATCH instead of a POST (await.go:190-207). Default false.
   */
  upsertExistingObjects?: boolean;
  /**
   * Secret type: only `kubernetes.io/service-account-token` Secrets are awaited, by polling
   * GET (awaiters.go:437-461 and watcher/watcher.go:55).
   */
  secretType?: string;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "";
}

/**
 * Every resource request the provider makes for `operation` on one object of `kind`.
 * `namespace` is the object's namespace (ignored for cluster-scoped kinds).
 */
export function requiredAccess(
  kind: string,
  apiVersion: string,
  operation: Operation,
  namespace: string | undefined,
  options: AccessOptions = {},
): ApiAccess[] {
  const info = KINDS[kind];
  if (!info) {
    throw new Error(`await-needs: unknown kind "${kind}"; known kinds: ${KNOWN_KINDS.join(", ")}`);
  }
  if (groupOf(apiVersion) !== info.group) {
    throw new Error(
      `await-needs: apiVersion "${apiVersion}" does not belong to kind ${kind} (group "${info.group}")`,
    );
  }
  if (info.namespaced && !namespace) {
    throw new Error(`await-needs: ${kind} is namespaced; pass its namespace`);
  }
  const ns = info.namespaced ? (namespace as string) : null;
  const self = { group: info.group, resource: info.resource, namespace: ns };
  const out: ApiAccess[] = [];
  const add = (a: ApiAccess) => out.push(a);

  // Every create, update and delete observes the object's Events with an informer in the
  // object's namespace (watchers.go:206-216, await.go:352, :536, :1006). The informer factory
  // is per namespace and "" means all namespaces (informers/factory.go:52-71), so a
  // cluster-scoped object's events are listed cluster-wide. The observer runs in its own
  // goroutine (internal/awaiter.go:55-64), so a refusal loses warnings but does not block.
  const events = (why: string): ApiAccess[] =>
    (["list", "watch"] as const).map((verb) => ({
      verb, group: "", resource: "events", namespace: ns, blocking: false, why,
    }));
  const kindAwait = (): ApiAccess[] => {
    const watches: ApiAccess[] = [];
    for (const w of info.awaitWatches) {
      for (const verb of ["list", "watch"] as const) {
        watches.push({
          verb, group: w.group, resource: w.resource, namespace: ns, blocking: true,
          why: `await informer (${w.source}); cache sync blocks (informers/factory.go:142)`,
        });
      }
    }
    if (kind === "Secret" && options.secretType === "kubernetes.io/service-account-token") {
      watches.push({ ...self, verb: "get", blocking: true, why: "polls until data is filled (awaiters.go:460)" });
    }
    if (kind === "ResourceQuota") {
      // untilCoreV1ResourceQuotaInitialized polls the quota by GET (awaiters.go:421, watcher.go:55).
      watches.push({ ...self, verb: "get", blocking: true, why: "polls until status.hard matches (awaiters.go:421)" });
    }
    return watches;
  };

  switch (operation) {
    case "create": {
      const upsert = options.upsertExistingObjects === true;
      add({
        ...self, verb: upsert ? "patch" : "create", blocking: false,
        why: upsert
          ? "server-side apply upsert (await.go:190-207)"
          : "POST with fieldManager pulumi-kubernetes; preview sends it with dryRun (await.go:245-252)",
      });
      out.push(...kindAwait(), ...events("warning events while awaiting (await.go:352)"));
      break;
    }
    case "update": {
      add({ ...self, verb: "get", blocking: false, why: "diff reads the live object (provider.go:1630, 2847)" });
      add({ ...self, verb: "get", blocking: false, why: "update reads the live object first (await.go:462)" });
      add({
        ...self, verb: "patch", blocking: false,
        why: "server-side apply PATCH (await.go:671); field-manager fix-up is a JSON patch (await.go:922)",
      });
      out.push(...kindAwait(), ...events("warning events while awaiting (await.go:536)"));
      break;
    }
    case "delete": {
      add({ ...self, verb: "delete", blocking: false, why: "foreground delete (await.go:970)" });
      // NewDeletionSource watches the object's own resource through an informer and GETs it
      // (condition/source.go:142-150, condition/deleted.go:150-160). This is the hang of #4580.
      for (const verb of ["list", "watch"] as const) {
        add({
          ...self, verb, blocking: true,
          why: "deleted condition informer (condition/source.go:143); cache sync blocks (#4580)",
        });
      }
      add({ ...self, verb: "get", blocking: false, why: "checks whether it is already gone (condition/deleted.go:154)" });
      out.push(...events("warning events while deleting (await.go:1006)"));
      break;
    }
    case "refresh": {
      add({ ...self, verb: "get", blocking: false, why: "reads the live object (await.go:383, :436)" });
      for (const r of info.refreshLists) {
        add({
          verb: "list", group: r.group, resource: r.resource, namespace: ns, blocking: false,
          why: `read-awaiter lists related objects (${r.source}); errors are only logged`,
        });
      }
      break;
    }
  }
  return dedupe(out);
}

function dedupe(accesses: ApiAccess[]): ApiAccess[] {
  const seen = new Map<string, ApiAccess>();
  for (const a of accesses) {
    const key = [a.verb, a.group, a.resource, a.subresource ?? "", a.namespace ?? "*"].join("|");
    const prior = seen.get(key);
    if (!prior) seen.set(key, a);
    else if (a.blocking && !prior.blocking) seen.set(key, { ...prior, blocking: true, why: a.why });
  }
  return [...seen.values()];
}

/**
 * Non-resource URLs the provider reads: API discovery through a cached discovery client and a
 * deferred REST mapper (clients/clients.go:72-80, :125, :140, :225), the server version
 * (provider.go:989, cluster/version.go:65) and the OpenAPI v2 schema used to validate inputs
 * (provider.go:237, openapi/openapi.go:262).
 */
export const DISCOVERY_URLS: readonly string[] = ["/version", "/api", "/api/v1", "/apis", "/apis/*", "/openapi/v2"];

/**
 * The default ClusterRole `system:discovery` grants `get` on these URLs and is bound by the
 * default ClusterRoleBinding `system:discovery` to group `system:authenticated`: kubernetes/kubernetes
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, `clusterRoles()` and
 * `ClusterRoleBindings()`; https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles
 * So every authenticated identity holds the discovery reads; a tenant role needs no
 * nonResourceURLs rule.
 */
export const SYSTEM_DISCOVERY_URLS: readonly string[] = [
  "/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*",
  "/api", "/api/*", "/apis", "/apis/*",
];

/** Whether a non-resource URL is covered by `system:discovery` (RBAC's trailing `*` prefix match). */
export function grantedBySystemDiscovery(url: string): boolean {
  return SYSTEM_DISCOVERY_URLS.some((pattern) =>
    pattern.endsWith("*") ? url.startsWith(pattern.slice(0, -1)) : url === pattern,
  );
}

/** A rendered Kubernetes object, as far as this model needs it. */
export interface DeclaredObject {
  apiVersion: string;
  kind: string;
  metadata: { namespace?: string };
  type?: string;
}

/**
 * Everything `operation` on all of `objects` asks for, deduplicated: what the identity that
 * runs `pulumi up` (create/update), `pulumi destroy` (delete) or `pulumi refresh` must hold.
 */
export function requiredAccessForObjects(objects: DeclaredObject[], operation: Operation): ApiAccess[] {
  return dedupe(
    objects.flatMap((o) =>
      requiredAccess(o.kind, o.apiVersion, operation, o.metadata.namespace, { secretType: o.kind === "Secret" ? o.type : undefined }),
    ),
  );
}
