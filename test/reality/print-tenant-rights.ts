/**
 * Prints the README's table of a tenant's rights, answered by the RBAC evaluator over the
 * platform rendered from Pulumi.dev.yaml: `npx tsx test/reality/print-tenant-rights.ts`.
 */
import * as path from "node:path";
import { renderBeta } from "../../offline/render-beta";
import { isKubernetesObject, toManifest } from "../../offline/manifests";
import { KubeObject } from "./admission";
import { RbacModel } from "./rbac";
import { tenantRightsTable } from "./tenant-rights";

async function main() {
  const rendered = await renderBeta({ name: "alice", platformConfigFile: path.join(__dirname, "..", "..", "Pulumi.dev.yaml") });
  const model = new RbacModel(rendered.platform.resources.filter(isKubernetesObject).map(toManifest) as unknown as KubeObject[]);
  console.log(tenantRightsTable(model));
}

void main();
