/**
 * `beta render [name]`: the Beta's Kubernetes objects as YAML, offline. Runs the real program
 * for `beta-<name>` against a platform config file (no cloud, no cluster, no Pulumi CLI).
 *
 * Output: one YAML document per object (what `kubectl apply -f -` takes), then the router's
 * nginx config as a trailing comment block, so the stream stays valid YAML; `--router` prints
 * the nginx config alone, and `--out dir` writes `NN-kind-name.yaml` files plus `router.conf`.
 */
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { Command } from "commander";
import type { CliDeps } from "../deps";
import { CliError } from "../errors";
import { chooseBeta, withExamples } from "../command-helpers";
import { formatJson } from "../output";
import { defaultPlatformFile, stackFile } from "../platform-file";

interface RenderOptions {
  platform?: string;
  config?: string;
  imageTag?: string;
  branch?: string;
  out?: string;
  router?: boolean;
  json?: boolean;
}

type Manifest = Record<string, unknown>;

function metadataName(object: Manifest): string {
  const metadata = object.metadata as { name?: unknown } | undefined;
  return typeof metadata?.name === "string" ? metadata.name : "unnamed";
}

/** `03-deployment-web.yaml`: order, kind and name, in characters every file system takes. */
export function manifestFileName(object: Manifest, index: number, total: number): string {
  const safe = (text: string) => text.toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
  const number = String(index + 1).padStart(Math.max(2, String(total).length), "0");
  return `${number}-${safe(String(object.kind ?? "object"))}-${safe(metadataName(object))}.yaml`;
}

export function registerRenderCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("render")
    .description("Print a Beta's Kubernetes objects as YAML, offline: no cloud, no cluster, no Pulumi CLI")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option("--platform <file>", "platform stack config to render against (default: Pulumi.dev.yaml)")
    .option("--config <file>", "the Beta's own stack config (default: Pulumi.beta-<name>.yaml when it exists)")
    .option("--image-tag <tag>", "render as if pinned to this image tag")
    .option("--branch <branch>", "render as if pinned to the branch build (tag branch-<branch>)")
    .option("--out <dir>", "write one file per object (NN-kind-name.yaml) and router.conf into <dir>")
    .option("--router", "print only the router's nginx config")
    .option("--json", "print { objects, routerConfig } as JSON")
    .action(async (given: string | undefined, options: RenderOptions) => render(deps, given, options));
  withExamples(command, [
    "beta render alice                      # YAML on stdout",
    "beta render alice | kubectl apply --dry-run=client -f -",
    "beta render alice --out rendered/      # 01-...yaml, ..., router.conf; a re-render replaces them",
    "beta render alice --router > router.conf && nginx -t -c ...",
    "beta render alice --platform Pulumi.staging.yaml --branch feature/login",
  ], `
Runs the real programs offline (no cloud, no cluster, no Pulumi CLI): the platform program
against the platform file's config, then beta-<name>'s program against its outputs. Output is
one YAML document per Kubernetes object of the Beta, then the router's nginx config as a
trailing comment block (so the stream stays valid YAML for kubectl). Encrypted (secure:)
config values are rendered as placeholders.`);
}

async function render(deps: CliDeps, given: string | undefined, options: RenderOptions): Promise<void> {
  const { name, stack } = chooseBeta(given, deps, "render");
  if ([options.out !== undefined, options.router, options.json].filter(Boolean).length > 1) {
    throw new CliError("Choose one of --out, --router and --json.");
  }
  const platformFile = options.platform ? resolve(options.platform) : defaultPlatformFile(deps.workDir);
  if (!existsSync(platformFile)) {
    throw new CliError(
      `Platform config ${platformFile} not found.`,
      "Pass one with --platform <file>: a platform stack file such as Pulumi.dev.yaml (its `config:` is what is read).",
    );
  }
  const configFile = options.config ? resolve(options.config) : stackFile(deps.workDir, stack);
  if (options.config && !existsSync(configFile)) throw new CliError(`Beta config ${configFile} not found.`);
  // Loaded here, not at start-up: YAML and the config schemas are for render alone.
  const [{ readStackConfigFile }, { imageTagFromOptions }, { manifestYaml, renderStream }, { writeRenderDir }] = await Promise.all([
    import("../../offline/stack-file.js"),
    import("../image-tag.js"),
    import("../render-output.js"),
    import("../render-dir.js"),
  ]);
  const betaConfig = existsSync(configFile) ? readStackConfigFile(configFile) : {};
  const tag = imageTagFromOptions(options);
  if (tag !== undefined) betaConfig.imageTag = tag;

  const shown = relative(process.cwd(), platformFile) || platformFile;
  deps.stderr.write(`Rendering ${stack} offline against ${shown}${existsSync(configFile) ? ` and ${relative(process.cwd(), configFile)}` : ""}...\n`);
  const rendered = await deps.renderBeta({ name, platformConfigFile: platformFile, betaConfig });
  const objects = rendered.kubernetesObjects;

  if (options.out) {
    const dir = resolve(options.out);
    const files = new Map(objects.map((object, i) => [manifestFileName(object, i, objects.length), manifestYaml(object)]));
    files.set("router.conf", rendered.routerConfig);
    const written = writeRenderDir(dir, files);
    deps.stdout.write(written.map((f) => `${f}\n`).join(""));
    deps.stderr.write(`Wrote ${objects.length} objects and router.conf to ${dir}.\n`);
    return;
  }
  if (options.router) {
    deps.stdout.write(rendered.routerConfig.endsWith("\n") ? rendered.routerConfig : `${rendered.routerConfig}\n`);
    return;
  }
  if (options.json) {
    deps.stdout.write(formatJson({ name, stack, objects, routerConfig: rendered.routerConfig }));
    return;
  }
  deps.stdout.write(renderStream(objects, rendered.routerConfig, `Beta ${name} (stack ${stack}) rendered offline from ${shown}: ${objects.length} Kubernetes objects`));
}
