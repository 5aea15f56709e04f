/**
 * The stacks under mocks (through index.ts): what the platform and a Beta declare for isolated
 * databases, and that the Jobs they declare run the very command test/database's real
 * PostgreSQL tests run.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { RenderedBeta } from "../../offline/render-beta";
import { databaseReaperCronJob, platformDatabaseJob, tenantDatabaseJob } from "../../lib/database-jobs";
import { planDatabases } from "../../lib/database-config";
import { validateManifest } from "../support/kubernetes-schema";
import { expectRejected, kubeconfigPlatformConfig, kubernetesObjects, objectNamed, objectsOfKind, resourcesOfType, runBeta } from "../support/program";

const ADMIN_PASSWORD = "admin-password-never-in-a-beta";
const databases = { host: "10.0.12.34", adminUser: "beta_admin", adminPassword: ADMIN_PASSWORD, ephemeralImage: "registry.example.com/seed-db:2026-12-01" };
const platformConfig = kubeconfigPlatformConfig({ developers: [{ name: "alice", principalArn: "arn:aws:iam::123456789012:user/alice" }, { name: "bob", principalArn: "arn:aws:iam::123456789012:user/bob" }], databases });
const plan = planDatabases({ ...databases }, ["alice", "bob"]);

describe("a Beta with beta:database: isolated", () => {
  let alice: RenderedBeta;
  beforeAll(async () => {
    alice = await runBeta("alice", { database: "isolated" }, platformConfig);
  });

  it("the platform keeps the admin connection in namespace databases and gives alice her own role's Secret", () => {
    const admin = objectNamed(alice.platform, "Secret", "database-admin", "databases");
    expect(admin.stringData ?? admin.data).toBeDefined();
    const tenantSecret = objectNamed(alice.platform, "Secret", "database", "beta-alice");
    expect(JSON.stringify(tenantSecret)).not.toContain(ADMIN_PASSWORD);
    expect(tenantSecret.stringData).toMatchObject({ PGUSER: "beta_alice", PGDATABASE: "beta_alice", PGHOST: "10.0.12.34", PGPORT: "5432" });
    expect(tenantSecret.stringData.DATABASE_URL).toMatch(/^postgres:\/\/beta_alice:[^@]+@10\.0\.12\.34:5432\/beta_alice$/);
  });

  it("the platform's prepare Job runs the tested admin script with the admin Secret, in the platform namespace", () => {
    const [job] = objectsOfKind(alice.platform, "Job");
    const expected = platformDatabaseJob({ action: "prepare", settings: plan, adminSecret: "database-admin", jobName: "x" });
    expect(job.metadata.namespace).toBe("databases");
    expect(job.spec.template.spec.containers[0].command).toEqual(expected.spec.template.spec.containers[0].command);
    expect(job.spec.template.spec.containers[0].env).toEqual(expected.spec.template.spec.containers[0].env);
  });

  it("clones with a Job in beta-alice that runs the tested script as alice's role, never with the admin connection", () => {
    const job = objectNamed(alice.beta, "Job", "database-clone", "beta-alice");
    const expected = tenantDatabaseJob({ developer: "alice", action: "clone", settings: plan });
    const [container] = job.spec.template.spec.containers;
    expect(container.command).toEqual(expected.spec.template.spec.containers[0].command);
    expect(container.env).toEqual(expected.spec.template.spec.containers[0].env);
    expect(JSON.stringify(alice.kubernetesObjects)).not.toMatch(/database-admin|admin-password/);
    expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
  });

  it("claims its database with the ConfigMap database-claim, declared before the clone Job, so the platform's reap keeps it", () => {
    const claim = objectNamed(alice.beta, "ConfigMap", "database-claim", "beta-alice");
    expect(claim.data).toEqual({ database: "beta_alice" });
    const [claimResource] = resourcesOfType(alice.beta, "kubernetes:core/v1:ConfigMap").filter((r) => r.inputs.metadata && (r.inputs.metadata as { name?: string }).name === "database-claim");
    const [cloneResource] = resourcesOfType(alice.beta, "kubernetes:batch/v1:Job");
    expect(cloneResource.dependencies).toContain(claimResource.urn);
  });

  it("the platform reaps unclaimed databases on a schedule, with the tested scripts, reading only each tenant's claim", () => {
    const cron = objectNamed(alice.platform, "CronJob", "database-reap", "databases");
    const expected = databaseReaperCronJob({ settings: plan, adminSecret: "database-admin", developers: ["alice", "bob"] });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const expectedPod = expected.spec.jobTemplate.spec.template.spec;
    for (const key of ["initContainers", "containers"] as const) {
      expect(pod[key].map((c: { command: string[] }) => c.command)).toEqual(expectedPod[key].map((c) => c.command));
      expect(pod[key].map((c: { env: unknown }) => c.env)).toEqual(expectedPod[key].map((c) => c.env));
    }
    expect(pod.initContainers[0].env).toContainEqual({ name: "BETA_DEVELOPERS", value: "alice,bob" });
    // The token is mounted in the claims container only; the psql container holds the admin Secret, not it.
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].volumeMounts.map((m: { name: string }) => m.name)).toEqual(["claims"]);
    expect(JSON.stringify(pod.initContainers[0].env)).not.toMatch(/secretKeyRef|database-admin/);
    expect(pod.serviceAccountName).toBe("database-reaper");
    expect(objectNamed(alice.platform, "ClusterRole", "beta-database-claim-reader").rules).toEqual([
      { apiGroups: [""], resources: ["configmaps"], resourceNames: ["database-claim"], verbs: ["get"] },
    ]);
    for (const developer of ["alice", "bob"]) {
      const binding = objectNamed(alice.platform, "RoleBinding", "database-claim-reader", `beta-${developer}`);
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "database-reaper", namespace: "databases" }]);
    }
  });

  it("declares only objects the Kubernetes API schema accepts, on both stacks", () => {
    for (const object of [...kubernetesObjects(alice.platform), ...alice.kubernetesObjects]) validateManifest(object);
  });

  it("gives every app the Beta's own database under the same env names, after the shared ones", () => {
    for (const deployment of objectsOfKind(alice.beta, "Deployment")) {
      expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: "app-secrets" } }, { secretRef: { name: "database" } }]);
    }
  });
});

describe("other modes", () => {
  it("a Beta with the default (shared) declares no database and its apps read only app-secrets", async () => {
    const bob = await runBeta("bob", {}, platformConfig);
    expect(objectsOfKind(bob.beta, "Job")).toEqual([]);
    for (const deployment of objectsOfKind(bob.beta, "Deployment")) {
      expect(deployment.spec.template.spec.containers[0].envFrom).toEqual([{ secretRef: { name: "app-secrets" } }]);
    }
    expect(bob.beta.outputs.database).toBe("shared");
  });

  it("ephemeral runs a PostgreSQL pod of the data image, and the apps connect to it", async () => {
    const bob = await runBeta("bob", { database: "ephemeral" }, platformConfig);
    for (const object of bob.kubernetesObjects) validateManifest(object);
    const deployment = objectNamed(bob.beta, "Deployment", "database--ephemeral", "beta-bob");
    expect(deployment.spec.template.spec.containers[0].image).toBe(databases.ephemeralImage);
    expect(objectNamed(bob.beta, "Secret", "database--ephemeral", "beta-bob").stringData.DATABASE_URL).toMatch(/@database--ephemeral:5432\/beta$/);
    const web = objectNamed(bob.beta, "Deployment", "web", "beta-bob");
    expect(web.spec.template.spec.containers[0].envFrom.at(-1)).toEqual({ secretRef: { name: "database--ephemeral" } });
  });

  it("isolated on a platform without beta:databases fails before anything is declared", async () => {
    const message = await expectRejected(() => runBeta("alice", { database: "isolated" }, kubeconfigPlatformConfig()));
    expect(message).toMatch(/beta:database is "isolated" but the platform has no beta:databases/);
  });
});
