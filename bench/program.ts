/**
 * How big and how deep a fresh Beta is, and how long the real program takes to evaluate
 * under Pulumi's mocks. Run: npx tsx bench/program.ts [runs]
 */
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { renderBeta } from "../offline/render-beta";
import { runOffline } from "../offline/run-offline";
import { readStackConfigFile } from "../offline/stack-file";
import { DeclaredResource } from "../offline/types";

const PLATFORM_FILE = path.join(__dirname, "..", "Pulumi.dev.yaml");

/** Resources on the longest path of dependency edges, and that path. */
function longestChain(resources: DeclaredResource[]): string[] {
  const byUrn = new Map(resources.filter((r) => r.urn).map((r) => [r.urn!, r]));
  const memo = new Map<string, string[]>();
  const chainFrom = (urn: string): string[] => {
    const known = memo.get(urn);
    if (known) return known;
    const resource = byUrn.get(urn);
    const deps = (resource?.dependencies ?? []).filter((d) => byUrn.has(d));
    const longest = deps.map(chainFrom).reduce<string[]>((best, chain) => (chain.length > best.length ? chain : best), []);
    const chain = [...longest, `${resource?.type} ${resource?.name}`];
    memo.set(urn, chain);
    return chain;
  };
  return [...byUrn.keys()].map(chainFrom).reduce<string[]>((best, chain) => (chain.length > best.length ? chain : best), []);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 15);
  const rendered = await renderBeta({ name: "alice", platformConfigFile: PLATFORM_FILE });
  const declared = rendered.beta.resources.filter((r) => !r.read);
  const custom = declared.filter((r) => r.custom && !r.type.startsWith("pulumi:"));
  console.log(`Fresh developer stack beta-alice against Pulumi.dev.yaml:`);
  const components = declared.filter((r) => !r.custom).length;
  const providers = declared.filter((r) => r.type.startsWith("pulumi:providers:")).length;
  console.log(`  resources declared: ${declared.length} (${custom.length} Kubernetes objects, ${components} components, ${providers} provider), plus the platform StackReference`);
  const chain = longestChain(declared);
  console.log(`  longest dependency chain: ${chain.length} resources\n    ${chain.join("\n    → ")}`);

  const platformConfig = readStackConfigFile(PLATFORM_FILE);
  const stackOutputs = { "organization/beta/dev": { outputs: rendered.platform.outputs, secretOutputNames: ["kubeconfig", "appSecrets"] } };
  const betaTimes: number[] = [];
  const platformTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    let start = performance.now();
    await runOffline({ stack: "beta-alice", config: {}, stackOutputs });
    betaTimes.push(performance.now() - start);
    start = performance.now();
    await runOffline({ stack: "dev", config: platformConfig });
    platformTimes.push(performance.now() - start);
  }
  console.log(`\nEvaluation under mocks, median of ${runs} runs (first run included):`);
  console.log(`  developer stack: ${median(betaTimes).toFixed(1)} ms (min ${Math.min(...betaTimes).toFixed(1)}, max ${Math.max(...betaTimes).toFixed(1)})`);
  console.log(`  platform stack:  ${median(platformTimes).toFixed(1)} ms (min ${Math.min(...platformTimes).toFixed(1)}, max ${Math.max(...platformTimes).toFixed(1)})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
