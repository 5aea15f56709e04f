import { describe, expect, it } from "vitest";
import { podOf, podSecurityViolations, workloadViolations, type Level, type PodSpec } from "./pod-security";

/** A pod that meets `restricted`: the shape every Beta app container should have. */
function restrictedPod(): PodSpec {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{
      name: "app",
      ports: [{ containerPort: 3000 }],
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    }],
    volumes: [{ name: "tmp", emptyDir: {} }],
  };
}

type Row = { why: string; level: Level; mutate: (p: PodSpec) => void; check?: string; path?: string };

const app = (p: PodSpec) => p.containers![0];

// Each failing row names the check and field it must report; each passing row is the nearest
// allowed value, so a check that refuses too much fails too.
const rows: Row[] = [
  { why: "hostNetwork is refused", level: "baseline", mutate: (p) => { p.hostNetwork = true; }, check: "hostNamespaces", path: "spec.hostNetwork" },
  { why: "hostPID is refused", level: "baseline", mutate: (p) => { p.hostPID = true; }, check: "hostNamespaces", path: "spec.hostPID" },
  { why: "hostIPC=false is fine", level: "baseline", mutate: (p) => { p.hostIPC = false; } },
  { why: "privileged containers are refused", level: "baseline", mutate: (p) => { app(p).securityContext!.privileged = true; }, check: "privileged", path: "spec.containers[0].securityContext.privileged" },
  { why: "privileged init containers are refused too", level: "baseline", mutate: (p) => { p.initContainers = [{ name: "init", securityContext: { privileged: true } }]; }, check: "privileged", path: "spec.initContainers[0].securityContext.privileged" },
  { why: "adding NET_ADMIN is refused by baseline", level: "baseline", mutate: (p) => { app(p).securityContext!.capabilities!.add = ["NET_ADMIN"]; }, check: "capabilities_baseline", path: "spec.containers[0].securityContext.capabilities.add[0]" },
  { why: "adding CHOWN is in baseline's default set", level: "baseline", mutate: (p) => { app(p).securityContext!.capabilities!.add = ["CHOWN"]; } },
  { why: "hostPath volumes are refused", level: "baseline", mutate: (p) => { p.volumes = [{ name: "h", hostPath: { path: "/" } }]; }, check: "hostPathVolumes", path: "spec.volumes[0].hostPath" },
  { why: "a hostPort is refused (the admission policy refuses it too)", level: "baseline", mutate: (p) => { app(p).ports = [{ containerPort: 3000, hostPort: 3000 }]; }, check: "hostPorts", path: "spec.containers[0].ports[0].hostPort" },
  { why: "hostPort 0 means none", level: "baseline", mutate: (p) => { app(p).ports = [{ containerPort: 3000, hostPort: 0 }]; } },
  { why: "an Unconfined AppArmor profile is refused", level: "baseline", mutate: (p) => { app(p).securityContext!.appArmorProfile = { type: "Unconfined" }; }, check: "appArmorProfile", path: "spec.containers[0].securityContext.appArmorProfile.type" },
  { why: "a localhost AppArmor profile is allowed", level: "baseline", mutate: (p) => { app(p).securityContext!.appArmorProfile = { type: "Localhost" }; } },
  { why: "a custom SELinux user is refused", level: "baseline", mutate: (p) => { p.securityContext!.seLinuxOptions = { user: "root" }; }, check: "seLinuxOptions", path: "spec.securityContext.seLinuxOptions.user" },
  { why: "SELinux type container_t is allowed", level: "baseline", mutate: (p) => { p.securityContext!.seLinuxOptions = { type: "container_t" }; } },
  { why: "an unmasked /proc is refused", level: "baseline", mutate: (p) => { app(p).securityContext!.procMount = "Unmasked"; }, check: "procMount", path: "spec.containers[0].securityContext.procMount" },
  { why: "a pod seccomp profile Unconfined is refused by baseline", level: "baseline", mutate: (p) => { p.securityContext!.seccompProfile = { type: "Unconfined" }; }, check: "seccompProfile_baseline", path: "spec.securityContext.seccompProfile.type" },
  { why: "an unsafe sysctl is refused", level: "baseline", mutate: (p) => { p.securityContext!.sysctls = [{ name: "kernel.msgmax", value: "1" }]; }, check: "sysctls", path: "spec.securityContext.sysctls[0].name" },
  { why: "a namespaced safe sysctl is allowed", level: "baseline", mutate: (p) => { p.securityContext!.sysctls = [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }]; } },
  { why: "Windows hostProcess is refused", level: "baseline", mutate: (p) => { app(p).securityContext!.windowsOptions = { hostProcess: true }; }, check: "windowsHostProcess", path: "spec.containers[0].securityContext.windowsOptions.hostProcess" },
  { why: "a probe aimed at another host is refused", level: "baseline", mutate: (p) => { app(p).livenessProbe = { httpGet: { host: "10.0.0.1" } }; }, check: "hostProbesAndHostLifecycle", path: "spec.containers[0].livenessProbe.httpGet.host" },
  { why: "a probe of the pod itself is fine", level: "baseline", mutate: (p) => { app(p).readinessProbe = { httpGet: {} }; } },
  { why: "restricted refuses an nfs volume", level: "restricted", mutate: (p) => { p.volumes = [{ name: "n", nfs: { server: "x", path: "/" } }]; }, check: "restrictedVolumes", path: "spec.volumes[0].nfs" },
  { why: "restricted allows projected volumes", level: "restricted", mutate: (p) => { p.volumes = [{ name: "p", projected: { sources: [] } }]; } },
  { why: "restricted needs allowPrivilegeEscalation=false set explicitly", level: "restricted", mutate: (p) => { delete app(p).securityContext!.allowPrivilegeEscalation; }, check: "allowPrivilegeEscalation", path: "spec.containers[0].securityContext.allowPrivilegeEscalation" },
  { why: "restricted needs runAsNonRoot somewhere", level: "restricted", mutate: (p) => { delete p.securityContext!.runAsNonRoot; }, check: "runAsNonRoot", path: "spec.containers[0].securityContext.runAsNonRoot" },
  { why: "container-level runAsNonRoot satisfies restricted", level: "restricted", mutate: (p) => { delete p.securityContext!.runAsNonRoot; app(p).securityContext!.runAsNonRoot = true; } },
  { why: "a container may not undo the pod's runAsNonRoot", level: "restricted", mutate: (p) => { app(p).securityContext!.runAsNonRoot = false; }, check: "runAsNonRoot", path: "spec.containers[0].securityContext.runAsNonRoot" },
  { why: "runAsUser 0 is refused", level: "restricted", mutate: (p) => { app(p).securityContext!.runAsUser = 0; }, check: "runAsUser", path: "spec.containers[0].securityContext.runAsUser" },
  { why: "in a user namespace runAsUser 0 is allowed (1.35+)", level: "restricted", mutate: (p) => { p.hostUsers = false; app(p).securityContext!.runAsUser = 0; } },
  { why: "restricted needs a seccomp profile on the pod or each container", level: "restricted", mutate: (p) => { delete p.securityContext!.seccompProfile; }, check: "seccompProfile_restricted", path: "spec.containers[0].securityContext.seccompProfile.type" },
  { why: "a container-level RuntimeDefault seccomp profile is enough", level: "restricted", mutate: (p) => { delete p.securityContext!.seccompProfile; app(p).securityContext!.seccompProfile = { type: "RuntimeDefault" }; } },
  { why: "restricted needs capabilities.drop ALL", level: "restricted", mutate: (p) => { app(p).securityContext!.capabilities = { drop: ["NET_RAW"] }; }, check: "capabilities_restricted", path: "spec.containers[0].securityContext.capabilities.drop" },
  { why: "restricted refuses adding CHOWN", level: "restricted", mutate: (p) => { app(p).securityContext!.capabilities!.add = ["CHOWN"]; }, check: "capabilities_restricted", path: "spec.containers[0].securityContext.capabilities.add[0]" },
  { why: "restricted allows adding NET_BIND_SERVICE", level: "restricted", mutate: (p) => { app(p).securityContext!.capabilities!.add = ["NET_BIND_SERVICE"]; } },
  { why: "ephemeral (debug) containers are checked too", level: "restricted", mutate: (p) => { p.ephemeralContainers = [{ name: "debug" }]; }, check: "allowPrivilegeEscalation", path: "spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation" },
  { why: "a user-namespace pod still may not unmask /proc under restricted", level: "restricted", mutate: (p) => { p.hostUsers = false; app(p).securityContext!.procMount = "Unmasked"; }, check: "procMount_restricted", path: "spec.containers[0].securityContext.procMount" },
];

describe("Pod Security Standards, field by field", () => {
  it("the reference pod meets restricted (so every row below changes exactly one thing)", () => {
    expect(podSecurityViolations("restricted", restrictedPod())).toEqual([]);
  });

  it.each(rows)("$why", ({ level, mutate, check, path }) => {
    const pod = restrictedPod();
    mutate(pod);
    const got = podSecurityViolations(level, pod).map((v) => `${v.check} ${v.path}`);
    if (check) expect(got).toContain(`${check} ${path}`);
    else expect(got).toEqual([]);
  });

  it("baseline accepts a pod that only restricted refuses", () => {
    const pod: PodSpec = { containers: [{ name: "app" }] };
    expect(podSecurityViolations("baseline", pod)).toEqual([]);
    expect(podSecurityViolations("restricted", pod).map((v) => v.check).sort()).toEqual(
      ["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"],
    );
  });

  it("AppArmor annotations other than runtime/default or localhost/* are refused", () => {
    const got = podSecurityViolations("baseline", restrictedPod(), {
      annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" },
    });
    expect(got.map((v) => v.path)).toEqual(["metadata.annotations['container.apparmor.security.beta.kubernetes.io/app']"]);
  });
});

describe("workloads are checked through their pod template", () => {
  it("a Deployment's hostPort is reported under spec.template", () => {
    const deployment = {
      kind: "Deployment",
      spec: { template: { spec: { containers: [{ name: "web", ports: [{ containerPort: 80, hostPort: 80 }] }] } } },
    };
    expect(workloadViolations("baseline", deployment).map((v) => v.path)).toEqual(["spec.template.spec.containers[0].ports[0].hostPort"]);
  });
  it("a CronJob's pod is under its job template", () => {
    const cron = { kind: "CronJob", spec: { jobTemplate: { spec: { template: { spec: { hostNetwork: true } } } } } };
    expect(podOf(cron).spec.hostNetwork).toBe(true);
  });
  it("a kind without a pod template is an error, not a pass", () => {
    expect(() => podOf({ kind: "Service", spec: {} })).toThrow(/no pod template/);
  });
});
