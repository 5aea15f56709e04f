/** `beta version`: this CLI's version, the platform's release tag and the Pulumi CLI's version. */
import { Command } from "commander";
import { version as cliVersion } from "../../package.json";
import { DEFAULT_PLATFORM_STACK } from "../../lib/stack-names";
import type { CliDeps } from "../deps";
import { CliError } from "../errors";
import { withExamples } from "../command-helpers";
import { formatJson } from "../output";
import { defaultPlatformFile } from "../platform-file";
import { stringOutput } from "../stack-outputs";

interface VersionOptions {
  json?: boolean;
  platformStack: string;
}

interface Versions {
  cli: string;
  releaseTag: string | null;
  /** Where the release tag was read: the platform stack's outputs, or its config file. */
  releaseTagSource: string | null;
  pulumi: string | null;
}

/** `v3.190.0` from `pulumi version`, or null when the Pulumi CLI is missing or fails. */
export async function pulumiVersion(deps: CliDeps): Promise<string | null> {
  const result = await deps.runProgram("pulumi", ["version"], { timeoutMs: 10_000 });
  return result && result.code === 0 ? result.stdout.trim() || null : null;
}

/** The platform's release tag: its stack output when Pulumi can read it, else its config file's. */
async function releaseTag(deps: CliDeps, platformStack: string): Promise<Pick<Versions, "releaseTag" | "releaseTagSource">> {
  try {
    const outputs = await (await deps.gateway()).outputs(platformStack);
    const tag = stringOutput(outputs, "releaseTag");
    if (tag) return { releaseTag: tag, releaseTagSource: `stack ${platformStack}` };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
  }
  const file = defaultPlatformFile(deps.workDir);
  try {
    const { readStackConfigFile } = await import("../../offline/stack-file.js");
    const tag = readStackConfigFile(file).releaseTag;
    if (typeof tag === "string") return { releaseTag: tag, releaseTagSource: "Pulumi.dev.yaml" };
  } catch {
    // No file or not YAML: there is no release tag to show.
  }
  return { releaseTag: null, releaseTagSource: null };
}

export function registerVersionCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("version")
    .description("Print the beta CLI's version, the platform's release tag and the Pulumi CLI's version")
    .option("--json", "print { cli, releaseTag, releaseTagSource, pulumi } as JSON")
    .option("--platform-stack <stack>", "the platform stack whose release tag to show", DEFAULT_PLATFORM_STACK)
    .action(async (options: VersionOptions) => {
      const [tag, pulumi] = await Promise.all([releaseTag(deps, options.platformStack), pulumiVersion(deps)]);
      const versions: Versions = { cli: cliVersion, ...tag, pulumi };
      if (options.json) {
        deps.stdout.write(formatJson(versions));
        return;
      }
      deps.stdout.write(
        `beta CLI      ${versions.cli}\n` +
          `release tag   ${versions.releaseTag ? `${versions.releaseTag} (${versions.releaseTagSource})` : "unknown (no platform stack outputs, no Pulumi.dev.yaml)"}\n` +
          `Pulumi CLI    ${versions.pulumi ?? "not installed (https://www.pulumi.com/docs/install/)"}\n`,
      );
    });
  withExamples(command, ["beta version", "beta version --json | jq -r .releaseTag"]);
}
