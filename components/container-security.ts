/**
 * Security settings every Beta container runs with (Pod Security "restricted"): non-root,
 * no privilege escalation, no capabilities, the runtime's default seccomp profile.
 */
import * as k8s from "@pulumi/kubernetes";

/** The `node` user of the official Node.js images; numeric so `runAsNonRoot` can be verified. */
export const APP_USER_ID = 1000;

export const restrictedPodSecurity: k8s.types.input.core.v1.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: APP_USER_ID,
  runAsGroup: APP_USER_ID,
  fsGroup: APP_USER_ID,
  seccompProfile: { type: "RuntimeDefault" },
};

export const restrictedContainerSecurity: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};
