/**
 * The Pod Security Standards, field by field, as the `PodSecurity` admission plugin enforces
 * them at `enforce-version: latest`.
 *
 * Sources: https://kubernetes.io/docs/concepts/security/pod-security-standards/ and
 * kubernetes/pod-security-admission @ 8f84a87, `policy/check_*.go` (each check below names its
 * file). Every check visits init, regular and ephemeral containers (policy/visitor.go:27-37).
 */

export type Level = "baseline" | "restricted";

/** One refusal, with the field that causes it. */
export interface Violation {
  /** The upstream check id, e.g. "hostPorts". */
  check: string;
  level: Level;
  /** JSON-ish path from the pod, e.g. `spec.containers[0].ports[1].hostPort`. */
  path: string;
  detail: string;
}

export interface SeccompProfile { type?: string; localhostProfile?: string }
export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  runAsNonRoot?: boolean;
  runAsUser?: number;
  procMount?: string;
  seccompProfile?: SeccompProfile;
  appArmorProfile?: { type?: string };
  seLinuxOptions?: { type?: string; user?: string; role?: string; level?: string };
  windowsOptions?: { hostProcess?: boolean };
}
interface Handler { httpGet?: { host?: string }; tcpSocket?: { host?: string } }
export interface Container {
  name: string;
  ports?: { containerPort?: number; hostPort?: number; name?: string }[];
  securityContext?: SecurityContext;
  livenessProbe?: Handler;
  readinessProbe?: Handler;
  startupProbe?: Handler;
  lifecycle?: { postStart?: Handler; preStop?: Handler };
}
export interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostUsers?: boolean;
  os?: { name?: string };
  securityContext?: SecurityContext & { sysctls?: { name: string; value?: string }[] };
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
}
export interface PodMetadata { annotations?: Record<string, string> }

type Visited = { container: Container; path: string };

function containersOf(spec: PodSpec): Visited[] {
  const out: Visited[] = [];
  for (const field of ["initContainers", "containers", "ephemeralContainers"] as const) {
    (spec[field] ?? []).forEach((container, i) => out.push({ container, path: `spec.${field}[${i}]` }));
  }
  return out;
}

// check_capabilities_baseline.go:62 (capabilities_allowed_1_0).
const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
  "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
]);
// check_sysctls.go:92-115, the 1.37 set (latest).
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
  "net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat",
]);
// check_seLinuxOptions.go:79 (1.31+).
const SELINUX_TYPES = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
// check_restrictedVolumes.go:28-40: the only inline volume sources `restricted` allows.
const RESTRICTED_VOLUME_SOURCES = new Set([
  "configMap", "downwardAPI", "emptyDir", "projected", "secret", "csi", "persistentVolumeClaim", "ephemeral", "image",
]);
const GOOD_PROFILE_TYPES = new Set(["RuntimeDefault", "Localhost"]);

function baseline(spec: PodSpec, meta: PodMetadata): Violation[] {
  const v: Violation[] = [];
  const add = (check: string, path: string, detail: string) => v.push({ check, level: "baseline", path, detail });
  const userNamespace = spec.hostUsers === false;

  // check_hostNamespaces.go:27-37
  for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (spec[f] === true) add("hostNamespaces", `spec.${f}`, `${f}=true`);
  }
  // check_hostPathVolumes.go:27-35
  (spec.volumes ?? []).forEach((vol, i) => {
    if (vol.hostPath !== undefined && vol.hostPath !== null) add("hostPathVolumes", `spec.volumes[${i}].hostPath`, `volume "${vol.name}" uses hostPath`);
  });
  // check_sysctls.go:36-55
  (spec.securityContext?.sysctls ?? []).forEach((s, i) => {
    if (!SAFE_SYSCTLS.has(s.name)) add("sysctls", `spec.securityContext.sysctls[${i}].name`, `unsafe sysctl "${s.name}"`);
  });
  // check_windowsHostProcess.go:28-38
  if (spec.securityContext?.windowsOptions?.hostProcess === true) {
    add("windowsHostProcess", "spec.securityContext.windowsOptions.hostProcess", "hostProcess=true");
  }
  // check_seccompProfile_baseline.go:39-46 (1.19+): Unconfined is the one refused value.
  if (spec.securityContext?.seccompProfile?.type === "Unconfined") {
    add("seccompProfile_baseline", "spec.securityContext.seccompProfile.type", "seccompProfile.type=Unconfined");
  }
  // check_appArmorProfile.go:35-47
  const podAppArmor = spec.securityContext?.appArmorProfile?.type;
  if (podAppArmor !== undefined && !GOOD_PROFILE_TYPES.has(podAppArmor)) {
    add("appArmorProfile", "spec.securityContext.appArmorProfile.type", `appArmorProfile.type=${podAppArmor}`);
  }
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    if (key.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
      !(value === "" || value === "runtime/default" || value.startsWith("localhost/"))) {
      add("appArmorProfile", `metadata.annotations['${key}']`, `AppArmor profile "${value}"`);
    }
  }
  // check_seLinuxOptions.go:29-52 (pod level)
  seLinux(spec.securityContext?.seLinuxOptions, "spec.securityContext.seLinuxOptions", add);

  for (const { container: c, path } of containersOf(spec)) {
    const sc = c.securityContext;
    // check_privileged.go:27-35
    if (sc?.privileged === true) add("privileged", `${path}.securityContext.privileged`, `container "${c.name}" is privileged`);
    // check_capabilities_baseline.go:28-38
    (sc?.capabilities?.add ?? []).forEach((cap, i) => {
      if (!BASELINE_CAPABILITIES.has(cap)) add("capabilities_baseline", `${path}.securityContext.capabilities.add[${i}]`, `container "${c.name}" adds ${cap}`);
    });
    // check_hostPorts.go:30-39
    (c.ports ?? []).forEach((p, i) => {
      if (p.hostPort !== undefined && p.hostPort !== 0) add("hostPorts", `${path}.ports[${i}].hostPort`, `container "${c.name}" uses hostPort ${p.hostPort}`);
    });
    // check_procMount_baseline.go:28-38 (1.35+: any value in a user namespace)
    if (!userNamespace && sc?.procMount !== undefined && sc.procMount !== "Default") {
      add("procMount", `${path}.securityContext.procMount`, `procMount=${sc.procMount}`);
    }
    if (sc?.seccompProfile?.type === "Unconfined") {
      add("seccompProfile_baseline", `${path}.securityContext.seccompProfile.type`, `container "${c.name}" seccompProfile.type=Unconfined`);
    }
    const aa = sc?.appArmorProfile?.type;
    if (aa !== undefined && !GOOD_PROFILE_TYPES.has(aa)) {
      add("appArmorProfile", `${path}.securityContext.appArmorProfile.type`, `container "${c.name}" appArmorProfile.type=${aa}`);
    }
    seLinux(sc?.seLinuxOptions, `${path}.securityContext.seLinuxOptions`, add);
    if (sc?.windowsOptions?.hostProcess === true) {
      add("windowsHostProcess", `${path}.securityContext.windowsOptions.hostProcess`, `container "${c.name}" hostProcess=true`);
    }
    // check_hostProbesAndhostLifecycle.go:28-52 (1.34+): no `host` in probes or lifecycle hooks.
    const handlers: [string, Handler | undefined][] = [
      ["livenessProbe", c.livenessProbe], ["readinessProbe", c.readinessProbe], ["startupProbe", c.startupProbe],
      ["lifecycle.postStart", c.lifecycle?.postStart], ["lifecycle.preStop", c.lifecycle?.preStop],
    ];
    for (const [name, h] of handlers) {
      for (const kind of ["httpGet", "tcpSocket"] as const) {
        const host = h?.[kind]?.host;
        if (host) add("hostProbesAndHostLifecycle", `${path}.${name}.${kind}.host`, `container "${c.name}" ${name} targets host "${host}"`);
      }
    }
  }
  return v;
}

function seLinux(
  opts: SecurityContext["seLinuxOptions"],
  path: string,
  add: (check: string, path: string, detail: string) => void,
): void {
  if (!opts) return;
  if (opts.type !== undefined && !SELINUX_TYPES.has(opts.type)) add("seLinuxOptions", `${path}.type`, `SELinux type "${opts.type}"`);
  if (opts.user) add("seLinuxOptions", `${path}.user`, `SELinux user "${opts.user}"`);
  if (opts.role) add("seLinuxOptions", `${path}.role`, `SELinux role "${opts.role}"`);
}

function restrictedOnly(spec: PodSpec): Violation[] {
  const v: Violation[] = [];
  const add = (check: string, path: string, detail: string) => v.push({ check, level: "restricted", path, detail });
  const userNamespace = spec.hostUsers === false;
  // Since 1.25 the Linux-only restricted checks skip pods with spec.os.name=windows
  // (check_allowPrivilegeEscalation.go:57, check_capabilities_restricted.go:71, check_seccompProfile_restricted.go:60).
  const windows = spec.os?.name === "windows";

  // check_restrictedVolumes.go:28-66
  (spec.volumes ?? []).forEach((vol, i) => {
    for (const source of Object.keys(vol)) {
      if (source !== "name" && !RESTRICTED_VOLUME_SOURCES.has(source)) {
        add("restrictedVolumes", `spec.volumes[${i}].${source}`, `volume "${vol.name}" uses ${source}`);
      }
    }
  });

  const pod = spec.securityContext;
  // check_runAsNonRoot.go:28-42, :78-129 (1.35+: any value in a user namespace)
  const podNonRoot = pod?.runAsNonRoot === true;
  if (!userNamespace && pod?.runAsNonRoot === false) add("runAsNonRoot", "spec.securityContext.runAsNonRoot", "pod sets runAsNonRoot=false");
  // check_runAsUser.go:28-43
  if (!userNamespace && pod?.runAsUser === 0) add("runAsUser", "spec.securityContext.runAsUser", "pod sets runAsUser=0");
  // check_seccompProfile_restricted.go:29-42: pod level or every container, RuntimeDefault or Localhost.
  const podSeccomp = pod?.seccompProfile?.type;
  if (!windows && podSeccomp !== undefined && !GOOD_PROFILE_TYPES.has(podSeccomp)) {
    add("seccompProfile_restricted", "spec.securityContext.seccompProfile.type", `pod seccompProfile.type=${podSeccomp}`);
  }

  for (const { container: c, path } of containersOf(spec)) {
    const sc = c.securityContext;
    // check_allowPrivilegeEscalation.go:27-36: must be explicitly false.
    if (!windows && sc?.allowPrivilegeEscalation !== false) {
      add("allowPrivilegeEscalation", `${path}.securityContext.allowPrivilegeEscalation`, `container "${c.name}" must set allowPrivilegeEscalation=false`);
    }
    if (!userNamespace) {
      if (sc?.runAsNonRoot === false) {
        add("runAsNonRoot", `${path}.securityContext.runAsNonRoot`, `container "${c.name}" sets runAsNonRoot=false`);
      } else if (sc?.runAsNonRoot === undefined && !podNonRoot) {
        add("runAsNonRoot", `${path}.securityContext.runAsNonRoot`, `container "${c.name}" must set runAsNonRoot=true (or the pod must)`);
      }
      if (sc?.runAsUser === 0) add("runAsUser", `${path}.securityContext.runAsUser`, `container "${c.name}" sets runAsUser=0`);
    }
    if (!windows) {
      const t = sc?.seccompProfile?.type;
      if (t !== undefined ? !GOOD_PROFILE_TYPES.has(t) : podSeccomp === undefined) {
        add("seccompProfile_restricted", `${path}.securityContext.seccompProfile.type`,
          `container "${c.name}" must set seccompProfile.type to RuntimeDefault or Localhost (or the pod must)`);
      }
      // check_capabilities_restricted.go:79-127
      if (!(sc?.capabilities?.drop ?? []).includes("ALL")) {
        add("capabilities_restricted", `${path}.securityContext.capabilities.drop`, `container "${c.name}" must drop ALL`);
      }
      (sc?.capabilities?.add ?? []).forEach((cap, i) => {
        if (cap !== "NET_BIND_SERVICE") add("capabilities_restricted", `${path}.securityContext.capabilities.add[${i}]`, `container "${c.name}" adds ${cap}`);
      });
    }
    // check_procMount_restricted.go:23-33 (1.35+): Default only, even in a user namespace.
    if (userNamespace && sc?.procMount !== undefined && sc.procMount !== "Default") {
      add("procMount_restricted", `${path}.securityContext.procMount`, `procMount=${sc.procMount}`);
    }
  }
  return v;
}

/** Every violation of `level` for a pod; `restricted` includes every `baseline` check. */
export function podSecurityViolations(level: Level, spec: PodSpec, metadata: PodMetadata = {}): Violation[] {
  const base = baseline(spec, metadata);
  return level === "baseline" ? base : [...base, ...restrictedOnly(spec)];
}

/** A workload object as rendered (Pod, Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob). */
export interface Workload {
  kind: string;
  metadata?: PodMetadata & { name?: string };
  spec?: Record<string, unknown>;
}

/**
 * The pod a workload creates. PodSecurity checks workload objects through their pod template
 * too (warn/audit on the workload, enforce on the pod the controller creates).
 */
export function podOf(workload: Workload): { metadata: PodMetadata; spec: PodSpec } {
  const spec = workload.spec ?? {};
  type Template = { metadata?: PodMetadata; spec?: PodSpec };
  switch (workload.kind) {
    case "Pod":
      return { metadata: workload.metadata ?? {}, spec: spec as PodSpec };
    case "Deployment": case "DaemonSet": case "StatefulSet": case "ReplicaSet": case "Job": {
      const t = spec.template as Template | undefined;
      return { metadata: t?.metadata ?? {}, spec: t?.spec ?? {} };
    }
    case "CronJob": {
      const t = (spec.jobTemplate as { spec?: { template?: Template } } | undefined)?.spec?.template;
      return { metadata: t?.metadata ?? {}, spec: t?.spec ?? {} };
    }
    default:
      throw new Error(`pod-security: "${workload.kind}" has no pod template`);
  }
}

/** Convenience: violations of a workload's pod template, paths prefixed from the workload. */
export function workloadViolations(level: Level, workload: Workload): Violation[] {
  const { metadata, spec } = podOf(workload);
  const prefix = workload.kind === "Pod" ? "" : workload.kind === "CronJob" ? "spec.jobTemplate.spec.template." : "spec.template.";
  return podSecurityViolations(level, spec, metadata).map((v) => ({ ...v, path: prefix + v.path }));
}
