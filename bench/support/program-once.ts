/**
 * One evaluation of the developer program (beta-alice against Pulumi.dev.yaml) in a fresh
 * process, the part of a stack update that runs in Node: loading the modules and running the
 * program. Prints its own CPU time and peak memory as JSON, for bench/fleet.ts.
 */
import * as path from "node:path";
import { renderBeta } from "../../offline/render-beta";

async function main(): Promise<void> {
  await renderBeta({ name: "alice", platformConfigFile: path.join(__dirname, "..", "..", "Pulumi.dev.yaml") });
  const usage = process.resourceUsage();
  console.log(JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssMb: usage.maxRSS / 1024 }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
