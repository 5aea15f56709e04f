import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PlannedPersonalCopy } from "../lib/beta-plan";
import { personalCopyLabels } from "../lib/platform-names";
import { appDeployment } from "./app-deployment";

export interface PersonalCopyArgs {
  /** The Beta's namespace, `beta-<name>`. */
  namespace: pulumi.Input<string>;
  /** The copy as planned for this Beta: image, port, env, resources. */
  copy: PlannedPersonalCopy;
  /** The Beta's `app-secrets` Secret, as every app gets it. */
  envSecretName?: pulumi.Input<string>;
  /** Changes when that Secret's content does, to roll the copy as the apps roll. */
  envSecretChecksum?: string;
  /** The Beta's own database connection, when it has one. */
  databaseSecretName?: pulumi.Input<string>;
}

/**
 * A Beta's own copy of a shared service: a Deployment shaped like an app's, on the shared
 * service's port. Its Service is the Beta's `<service>` Service (SharedServiceAlias), which
 * then selects these pods instead of pointing at the shared backend.
 */
export class PersonalCopy extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  /** The pods' labels, which the Service `<service>` selects. */
  readonly labels: Record<string, string>;

  constructor(name: string, args: PersonalCopyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("beta:index:PersonalCopy", name, {}, opts);
    this.labels = personalCopyLabels(args.copy.name);
    this.deployment = appDeployment(
      `${name}-deployment`,
      {
        namespace: args.namespace,
        workload: args.copy,
        labels: this.labels,
        envSecretName: args.envSecretName,
        envSecretChecksum: args.envSecretChecksum,
        databaseSecretName: args.databaseSecretName,
      },
      // Fixed names must be freed before a replacement is created under the same name.
      { parent: this, deleteBeforeReplace: true },
    );
    this.registerOutputs({ deployment: this.deployment });
  }
}
