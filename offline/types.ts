/** A resource the program declared during an offline run, as Pulumi's engine would see it. */
export interface DeclaredResource {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment` or `aws:acm/certificate:Certificate`. */
  type: string;
  /** Pulumi logical name. */
  name: string;
  /** Resolved inputs; for Kubernetes objects the manifest (apiVersion, kind, metadata, spec...). */
  inputs: Record<string, unknown>;
  /** True for custom resources (cloud or cluster objects), false for components. */
  custom: boolean;
  /** Reference (URN::id) of the explicit provider, if any. */
  provider?: string;
  /** True for existing objects the program only reads, not creates (e.g. a StackReference). */
  read?: boolean;
  /** The resource's URN. */
  urn?: string;
  /** URNs of the resources it waits for (Pulumi's dependency edges). */
  dependencies?: string[];
}

export interface OfflineRun {
  stack: string;
  resources: DeclaredResource[];
  outputs: Record<string, unknown>;
}
