import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBeta } from "../support/cli-harness";
import { ScriptedGateway, betaOutputs } from "../support/scripted-gateway";

/** A platform file whose billing names an image (copyable), postgres none, and audit is marked copyable: false. */
const PLATFORM = `config:
  beta:sharedServices:
    - name: billing
      host: billing.internal.example.com
      port: 8080
      cidrs: [10.0.8.0/24]
      image: registry.example.com/billing
    - name: postgres
      host: 10.0.12.34
      port: 5432
    - name: audit
      host: audit.internal.example.com
      port: 9000
      cidrs: [10.0.9.0/24]
      image: registry.example.com/audit
      copyable: false
`;
/** The local platform, with another shared service: a Beta following it is checked against this one. */
const LOCAL_PLATFORM = `config:
  beta:sharedServices:
    - name: echo
      host: echo.shared.svc.cluster.local
      port: 80
      cidrs: ["10.96.0.0/16"]
      image: beta-examples/echo
`;

const workDir = mkdtempSync(join(tmpdir(), "beta-personal-up-"));
writeFileSync(join(workDir, "Pulumi.dev.yaml"), PLATFORM);
writeFileSync(join(workDir, "Pulumi.local.yaml"), LOCAL_PLATFORM);
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const servicesOf = (gateway: ScriptedGateway, stack = "beta-alice") => JSON.parse(gateway.stacks.get(stack)?.config?.["beta:services"] ?? "null") as unknown;
const changed = (gateway: ScriptedGateway) => gateway.calls.filter((c) => ["ensureStack", "setConfig", "removeConfig", "up"].includes(c.method));

describe("beta up --service / --unshare: personal copies of shared services", () => {
  it("--service billing=<tag> saves beta:services.billing.tag with Pulumi's --path, before the update", async () => {
    const gateway = new ScriptedGateway();
    const result = await runBeta(["up", "alice", "--service", "billing=branch-fix-invoices"], { gateway, workDir });
    expect(result.code).toBe(0);
    expect(servicesOf(gateway)).toEqual({ billing: { tag: "branch-fix-invoices" } });
    expect(gateway.callsOf("setConfig").map((c) => c.args)).toEqual([["beta:services.billing.tag", "branch-fix-invoices", { path: true }]]);
    const methods = gateway.calls.map((c) => c.method);
    expect(methods.lastIndexOf("removeConfig")).toBeLessThan(methods.indexOf("up"));
    expect(result.stderr).toContain("Personal copy of billing in alice pinned to image tag branch-fix-invoices (beta:services.billing)");
    expect(result.stderr).toContain("beta up alice --unshare billing");
  });

  it("--service billing without a tag follows the release: the entry holds only the shared port, an earlier tag is dropped", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", config: { "beta:services": JSON.stringify({ billing: { tag: "branch-x" } }) } }]);
    const result = await runBeta(["up", "alice", "--service", "billing"], { gateway, workDir });
    expect(result.code).toBe(0);
    expect(servicesOf(gateway)).toEqual({ billing: { port: 8080 } });
    expect(result.stderr).toContain("Personal copy of billing in alice at the platform's release tag (follows beta release)");
  });

  it("--unshare removes only that service's entry; other copies and keys stay", async () => {
    const gateway = new ScriptedGateway([
      { name: "beta-alice", config: { "beta:imageTag": "master-1", "beta:services": JSON.stringify({ billing: { tag: "t1" }, echo: {} }) } },
    ]);
    const result = await runBeta(["up", "alice", "--unshare", "billing"], { gateway, workDir });
    expect(result.code).toBe(0);
    expect(gateway.callsOf("removeConfig").map((c) => c.args)).toEqual([["beta:services.billing", { path: true }]]);
    expect(gateway.stacks.get("beta-alice")?.config).toEqual({ "beta:imageTag": "master-1", "beta:services": JSON.stringify({ echo: {} }) });
    expect(result.stderr).toContain("Removed beta:services.billing: alice uses the shared billing again.");
  });

  it("--unshare of a service the Beta does not copy changes nothing and says so", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", config: {} }]);
    const result = await runBeta(["up", "alice", "--unshare", "billing"], { gateway, workDir });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("alice had no personal copy of billing (no beta:services.billing); it uses the shared one.");
    expect(gateway.stacks.get("beta-alice")?.config).toEqual({});
  });

  it("repeatable: two services in one run", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", config: { "beta:services": JSON.stringify({ audit: { tag: "old" } }) } }]);
    // audit is in the config already (written by hand); --unshare still removes it.
    const result = await runBeta(["up", "alice", "--service", "billing=b1", "--unshare", "audit"], { gateway, workDir });
    expect(result.code).toBe(0);
    expect(servicesOf(gateway)).toEqual({ billing: { tag: "b1" } });
  });

  it("a Beta following another platform is checked against that platform's shared services", async () => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", config: { "beta:platformStack": "local" } }]);
    const ok = await runBeta(["up", "alice", "--service", "echo"], { gateway, workDir });
    expect(ok.code).toBe(0);
    expect(servicesOf(gateway)).toEqual({ echo: { port: 80 } });
    const refused = await runBeta(["up", "alice", "--service", "billing"], { gateway, workDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('platform local has no shared service of that name');
  });

  it("without the platform's file, the deployed platform's sharedServices output is used", async () => {
    const gateway = new ScriptedGateway([
      { name: "beta-alice", config: { "beta:platformStack": "acme/beta/staging" } },
      { name: "acme/beta/staging", outputs: { sharedServices: [{ name: "ledger", host: "ledger.internal", port: 7000, cidrs: ["10.1.0.0/24"], image: "registry.example.com/ledger", copyable: true }] } },
    ]);
    const result = await runBeta(["up", "alice", "--service", "ledger=v2"], { gateway, workDir });
    expect(result.code).toBe(0);
    expect(servicesOf(gateway)).toEqual({ ledger: { tag: "v2" } });
  });

  it("up prints the personal copies from the stack's services output, and --json includes them", async () => {
    const gateway = new ScriptedGateway();
    gateway.defaultOutputs = () => ({ ...betaOutputs("alice", ["web"]), services: { billing: "registry.example.com/billing:branch-x" } });
    const table = await runBeta(["up", "alice", "--service", "billing=branch-x"], { gateway, workDir });
    expect(table.stdout).toMatch(/Personal copies of shared services[^\n]*\nSERVICE\s+IMAGE\nbilling\s+registry\.example\.com\/billing:branch-x\n/);
    const json = await runBeta(["up", "alice", "--json"], { gateway, workDir });
    expect(JSON.parse(json.stdout)).toMatchObject({ services: { billing: "registry.example.com/billing:branch-x" } });
  });

  // Each row: what was typed, the message, and that nothing was created or changed (exit 2).
  const refusals: { why: string; args: string[]; message: string | RegExp }[] = [
    { why: "a typo gets a suggestion and the list", args: ["--service", "biling"], message: /--service "biling": platform dev has no shared service of that name; did you mean "billing"\?\nIts shared services \(beta:sharedServices\): audit, billing, postgres\./ },
    { why: "an app is not a shared service", args: ["--service", "web"], message: '--service "web": platform dev has no shared service of that name.' },
    { why: "a service with no image cannot be copied", args: ["--service", "postgres"], message: "does not let a Beta copy shared service postgres (its beta:sharedServices entry names no image)" },
    { why: "copyable: false is refused", args: ["--service", "audit=v1"], message: "does not let a Beta copy shared service audit (it is marked copyable: false)" },
    { why: "a bad tag names the key and the rule", args: ["--service", "billing=no spaces"], message: "beta:services.billing.tag: an image tag is 1-128 letters" },
    { why: "latest moves under a running Beta", args: ["--service", "billing=latest"], message: '"latest" changes under a running Beta' },
    { why: "an all-digit tag would be saved as a number", args: ["--service", "billing=20250101"], message: 'Pulumi would save tag "20250101" as a number' },
    { why: "an empty tag", args: ["--service", "billing="], message: "beta:services.billing.tag" },
    { why: "copy and unshare the same service", args: ["--service", "billing", "--unshare", "billing"], message: "billing is given to both --service and --unshare." },
    { why: "two tags for one service", args: ["--service", "billing=a", "--service", "billing=b"], message: "--service billing is given twice with different tags (a and b)." },
    { why: "unshare checks names too", args: ["--unshare", "bilin"], message: '--unshare "bilin": platform dev has no shared service of that name; did you mean "billing"?' },
  ];
  it.each(refusals)("refused before anything changes: $why", async ({ args, message }) => {
    const gateway = new ScriptedGateway([{ name: "beta-alice", config: { "beta:imageTag": "master-1" } }]);
    const result = await runBeta(["up", "alice", ...args], { gateway, workDir });
    expect(result.code).toBe(2);
    if (typeof message === "string") expect(result.stderr).toContain(message);
    else expect(result.stderr).toMatch(message);
    expect(changed(gateway)).toEqual([]);
    expect(gateway.stacks.get("beta-alice")?.config).toEqual({ "beta:imageTag": "master-1" });
  });

  it("a new Beta is checked before its stack is created", async () => {
    const gateway = new ScriptedGateway();
    const result = await runBeta(["up", "carol", "--service", "nope"], { gateway, workDir });
    expect(result.code).toBe(2);
    expect(gateway.stacks.has("beta-carol")).toBe(false);
  });

  it("--preview refuses --service and --unshare as it refuses --image-tag: a preview saves nothing", async () => {
    for (const args of [["--service", "billing"], ["--unshare", "billing"], ["--service", "billing", "--image-tag", "x"]]) {
      const gateway = new ScriptedGateway([{ name: "beta-alice" }]);
      const result = await runBeta(["up", "alice", "--preview", ...args], { gateway, workDir });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--preview cannot be combined with .*--(service|unshare).*beta:services, and a preview changes nothing\./);
      expect(gateway.calls).toEqual([]);
    }
  });

  it("--help explains the flags with examples, and shell completion offers them", async () => {
    const help = await runBeta(["up", "--help"]);
    expect(help.stdout).toContain("--service <service[=tag]>");
    expect(help.stdout).toContain("--unshare <service>");
    expect(help.stdout).toContain("$ beta up --service billing=branch-fix-invoices");
    expect(help.stdout).toContain("Only services the platform makes copyable can be");
    const completion = await runBeta(["completion", "bash"]);
    expect(completion.stdout).toMatch(/up\)[\s\S]*--service[\s\S]*--unshare/);
  });
});
