/**
 * `beta up [name]`: create the Beta's stack if needed and deploy it, then print its URLs.
 * `beta up --preview` shows what that would change (`pulumi preview`) and changes nothing.
 */
import { Command } from "commander";
import type { CliDeps } from "../deps";
import { CliError, UsageError } from "../errors";
import { cancellable, chooseBeta, pulumiDisplay, withExamples } from "../command-helpers";
import { mapOutput, stringOutput } from "../stack-outputs";
import { isUpdateInProgress, summariseError } from "../fleet/pulumi-errors";
import { formatJson, formatTable } from "../output";
import { checkPolicyPackInstalled, policyPackDir, policyPackRun } from "../policy-pack";
import { defaultPlatformFile } from "../platform-file";
import type { ServiceChanges } from "../personal-copies";
import type { SharedServiceInfo } from "../shared-services";
import { DEFAULT_PLATFORM_STACK } from "../../lib/stack-names";
import { shortStackName } from "../fleet/stack-names";

/** commander collector for an option given more than once (`--service a --service b`). */
const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

interface UpOptions {
  imageTag?: string;
  branch?: string;
  unpin?: boolean;
  service?: string[];
  unshare?: string[];
  json?: boolean;
  preview?: boolean;
}

export function registerUpCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("up")
    .description("Create or update your Beta: stack beta-<name>, namespace beta-<name>, https://<name>.<domain>")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option("--image-tag <tag>", "pin every app to this image tag (sets beta:imageTag)")
    .option("--branch <branch>", "pin every app to the branch build: tag branch-<branch, lower-cased, other characters as '-'>")
    .option("--unpin", "remove beta:imageTag: follow the platform's release tag again")
    .option("--service <service[=tag]>", "run your own copy of a shared service (sets beta:services.<service>); repeatable", collect)
    .option("--unshare <service>", "drop your copy: use the shared service again (removes beta:services.<service>); repeatable", collect)
    .option("--preview", "show what would change (pulumi preview), deploy nothing and change no config")
    .option("--json", "print the result as JSON (progress still goes to stderr)")
    .action(async (given: string | undefined, options: UpOptions) => (options.preview ? preview(deps, given, options) : up(deps, given, options)));
  withExamples(command, [
    "beta up                          # your own Beta, named after $BETA_NAME or your OS user",
    "beta up alice",
    "beta up --branch feature/login   # run the images CI built from branch feature/login",
    "beta up --unpin                  # back to the latest green master",
    "beta up --service billing        # your own billing at the release tag; your apps call it where they always did",
    "beta up --service billing=branch-fix-invoices   # your own billing, from a branch build",
    "beta up --unshare billing        # back to the shared billing",
    "beta up --preview                # what would change, deploying nothing",
    "beta up alice --json | jq -r .url",
  ], `
Image tags: by default every app runs the platform's release tag (the latest green master,
master-<short sha>). --image-tag pins the Beta to another tag; --branch <branch> pins it to
the branch build, tagged branch-<branch> with the branch lower-cased, every run of characters
other than a-z 0-9 _ . - turned into one '-', leading/trailing '.' and '-' dropped, and cut
to 121 characters (feature/Login_Page → branch-feature-login_page). A pinned Beta keeps its
images when CI releases, but still gets platform changes.

Personal copies: --service <service> runs your own copy of a shared service (beta:sharedServices
of the platform) in your Beta, from the platform's image at the release tag (it follows
\`beta release\`), or at <tag> with --service <service>=<tag> (pinned: a release leaves it);
saved in your Beta's config as beta:services.<service>: { port: <its shared port> } or
{ tag: <tag> }. Your Beta's Service <service> then selects your copy on the same port, so your apps call it as
before; other Betas keep the shared one. Only services the platform makes copyable can be
copied. --unshare <service> goes back to the shared one. \`beta status\` lists copies, and
\`beta sync <name> <service>\` syncs into one as into an app.

--preview runs \`pulumi preview --diff\` on the Beta as configured and prints the change
counts; it cannot be combined with --image-tag, --branch, --unpin, --service or --unshare
(those save config).
A Beta without a stack yet is not created: the preview lists the Kubernetes objects
\`beta up\` would create, rendered offline like \`beta render\`.`);
}

async function up(deps: CliDeps, given: string | undefined, options: UpOptions): Promise<void> {
  const { name, stack } = chooseBeta(given, deps, "up");
  const { imageTagFromOptions } = await import("../image-tag.js");
  const tag = imageTagFromOptions(options);
  if (tag !== undefined && options.unpin) throw new CliError("Give --unpin or an image tag, not both.");
  // The guard rails (policy/) run with the update; a missing install fails before anything changes.
  const packDir = policyPackDir(deps.workDir);
  if (packDir !== undefined) checkPolicyPackInstalled(packDir, deps.workDir, `beta up ${name}`);

  const gateway = await deps.gateway();
  const copies = await checkServiceOptions(deps, gateway, stack, options);
  deps.stderr.write(`Preparing stack ${stack}...\n`);
  const { created } = await gateway.ensureStack(stack);
  deps.stderr.write(created ? `Created stack ${stack}.\n` : `Stack ${stack} exists; updating it.\n`);
  if (tag !== undefined) {
    await gateway.setConfig(stack, "beta:imageTag", tag);
    deps.stderr.write(`Pinned ${name} to image tag ${tag} (beta:imageTag); \`beta up ${name} --unpin\` follows releases again.\n`);
  } else if (options.unpin) {
    await gateway.removeConfig(stack, "beta:imageTag");
    deps.stderr.write(`Removed beta:imageTag: ${name} follows the platform's release tag.\n`);
  }
  if (copies) {
    const { applyServiceEdits, serviceConfigEdits } = await import("../personal-copies.js");
    await applyServiceEdits(gateway, stack, serviceConfigEdits(copies.changes, copies.services));
    for (const { service, tag: copyTag } of copies.changes.copy) {
      deps.stderr.write(
        `Personal copy of ${service} in ${name} ${copyTag === undefined ? "at the platform's release tag (follows beta release)" : `pinned to image tag ${copyTag}`} (beta:services.${service}); \`beta up ${name} --unshare ${service}\` goes back to the shared one.\n`,
      );
    }
    for (const service of copies.changes.unshare) {
      deps.stderr.write(
        copies.copiedBefore.includes(service)
          ? `Removed beta:services.${service}: ${name} uses the shared ${service} again.\n`
          : `${name} had no personal copy of ${service} (no beta:services.${service}); it uses the shared one.\n`,
      );
    }
  }

  const policy = packDir === undefined ? undefined : await policyPackRun(packDir, gateway, stack);
  deps.stderr.write(`Deploying ${stack} (this takes a minute or two the first time)...\n`);
  let result;
  try {
    result = await cancellable(deps.stderr, () =>
      gateway.up(stack, {
        onProgress: pulumiDisplay(deps.stderr),
        message: `beta up ${name}`,
        policyPacks: policy?.policyPacks,
        policyPackConfigs: policy?.policyPackConfigs,
      }),
    );
  } catch (error) {
    if (isUpdateInProgress(error)) {
      throw new CliError(
        `Another update of ${stack} is in progress.`,
        `Wait for it to finish and run \`beta up ${name}\` again. If it crashed, unlock the stack with \`pulumi cancel --stack ${stack}\`.`,
        1,
        { cause: error },
      );
    }
    throw new CliError(
      `Deploying ${stack} failed: ${summariseError(error)}`,
      `Fix the problem and run \`beta up ${name}\` again; \`beta status ${name}\` shows what runs. BETA_DEBUG=1 prints Pulumi's full output.`,
      1,
      { cause: error },
    );
  } finally {
    policy?.dispose();
  }

  const url = stringOutput(result.outputs, "url");
  const urls = mapOutput(result.outputs, "urls");
  const images = mapOutput(result.outputs, "images");
  // Personal copies of shared services: service -> image:tag (not routed, so no URL).
  const services = mapOutput(result.outputs, "services");
  if (options.json) {
    deps.stdout.write(formatJson({ name, stack, created, url: url ?? null, urls, images, services }));
    return;
  }
  deps.stdout.write(`\nBeta ${name} is up: ${url ?? "(no url output)"}\n`);
  const apps = Object.keys(urls).sort();
  if (apps.length > 0) {
    deps.stdout.write(
      formatTable(apps, [
        { header: "app", value: (app) => app },
        { header: "url", value: (app) => urls[app] },
        { header: "image", value: (app) => images[app] ?? "" },
      ]),
    );
  }
  const copied = Object.keys(services).sort();
  if (copied.length > 0) {
    deps.stdout.write(
      `\nPersonal copies of shared services (your apps call them by their usual names):\n${formatTable(copied, [
        { header: "service", value: (service) => service },
        { header: "image", value: (service) => services[service] },
      ])}`,
    );
  }
}

/** Operations counted in every preview summary, in Pulumi's order; others follow when present. */
const SUMMARY_OPS = ["create", "update", "delete", "same"] as const;

/** "1 to create, 2 to update, 0 to delete, 5 unchanged, 1 to replace". */
export function formatChangeSummary(changes: Record<string, number>): string {
  const words: Record<string, string> = { create: "to create", update: "to update", delete: "to delete", same: "unchanged" };
  const others = Object.keys(changes).filter((op) => !(SUMMARY_OPS as readonly string[]).includes(op) && changes[op] > 0).sort();
  return [...SUMMARY_OPS, ...others].map((op) => `${changes[op] ?? 0} ${words[op] ?? `to ${op}`}`).join(", ");
}

async function preview(deps: CliDeps, given: string | undefined, options: UpOptions): Promise<void> {
  // A pin is config the preview would have to save to take effect: refuse rather than change the stack.
  const pins = [options.imageTag !== undefined && "--image-tag", options.branch !== undefined && "--branch", options.unpin && "--unpin"].filter(Boolean);
  const copies = [options.service !== undefined && "--service", options.unshare !== undefined && "--unshare"].filter(Boolean);
  const saving = [...pins, ...copies];
  if (saving.length > 0) {
    const keys = [pins.length > 0 && "beta:imageTag", copies.length > 0 && "beta:services"].filter(Boolean).join(" and ");
    throw new UsageError(
      `--preview cannot be combined with ${saving.join(", ")}: they save ${keys}, and a preview changes nothing.`,
      "Preview the Beta as configured now (`beta up --preview`), or save and deploy with `beta up` and the same options.",
    );
  }
  const { name, stack } = chooseBeta(given, deps, "up");
  const packDir = policyPackDir(deps.workDir);
  if (packDir !== undefined) checkPolicyPackInstalled(packDir, deps.workDir, `beta up ${name} --preview`);
  const gateway = await deps.gateway();
  if (!(await gateway.hasStack(stack))) return previewNewBeta(deps, name, stack, Boolean(options.json));

  // The guard rails run with the preview too, so a Beta that would be refused shows it here.
  const policy = packDir === undefined ? undefined : await policyPackRun(packDir, gateway, stack);
  deps.stderr.write(`Previewing ${stack} (nothing is deployed)...\n`);
  let result;
  try {
    // Pulumi's diff is what was asked for: stdout, unless stdout is for JSON.
    result = await cancellable(deps.stderr, () =>
      gateway.preview(stack, {
        onProgress: pulumiDisplay(options.json ? deps.stderr : deps.stdout),
        policyPacks: policy?.policyPacks,
        policyPackConfigs: policy?.policyPackConfigs,
      }),
    );
  } catch (error) {
    throw new CliError(
      `Previewing ${stack} failed: ${summariseError(error)}`,
      `\`beta up ${name}\` would fail the same way; BETA_DEBUG=1 prints Pulumi's full output.`,
      1,
      { cause: error },
    );
  } finally {
    policy?.dispose();
  }
  if (options.json) {
    deps.stdout.write(formatJson({ name, stack, exists: true, changes: result.changes }));
    return;
  }
  deps.stdout.write(`\nPreview of ${stack}: ${formatChangeSummary(result.changes)}. Nothing was deployed; \`beta up ${name}\` applies it.\n`);
}

/** No stack yet: say so and list what `beta up` would create, rendered offline, creating nothing. */
async function previewNewBeta(deps: CliDeps, name: string, stack: string, json: boolean): Promise<void> {
  deps.stderr.write(`Stack ${stack} does not exist yet, so Pulumi has nothing to preview against; nothing was created.\n`);
  let objects: { kind: string; name: string }[];
  try {
    const rendered = await deps.renderBeta({ name, platformConfigFile: defaultPlatformFile(deps.workDir) });
    objects = rendered.kubernetesObjects.map((object) => {
      const metadata = (object.metadata ?? {}) as { name?: unknown };
      return { kind: String(object.kind ?? "?"), name: String(metadata.name ?? "?") };
    });
  } catch (error) {
    throw new CliError(
      `Stack ${stack} does not exist yet, and what \`beta up ${name}\` would create could not be rendered offline: ${summariseError(error)}`,
      `\`beta render ${name}\` shows the problem; nothing was created.`,
      1,
      { cause: error },
    );
  }
  if (json) {
    deps.stdout.write(formatJson({ name, stack, exists: false, changes: { create: objects.length }, create: objects }));
    return;
  }
  deps.stdout.write(`\`beta up ${name}\` would create stack ${stack} and these ${objects.length} Kubernetes objects (rendered offline, as \`beta render ${name}\` does):\n`);
  for (const object of objects) deps.stdout.write(`  + ${object.kind} ${object.name}\n`);
}

/**
 * `--service` and `--unshare` checked against the shared services of the platform this Beta
 * follows (its beta:platformStack, read without changing anything), before anything changes;
 * undefined when neither was given.
 */
async function checkServiceOptions(
  deps: CliDeps,
  gateway: Awaited<ReturnType<CliDeps["gateway"]>>,
  stack: string,
  options: UpOptions,
): Promise<{ changes: ServiceChanges; services: SharedServiceInfo[]; copiedBefore: string[] } | undefined> {
  if (options.service === undefined && options.unshare === undefined) return undefined;
  // Loaded only for these flags: they read YAML and check tags with the config rules.
  const { planServiceChanges } = await import("../personal-copies.js");
  const { sharedServicesFrom, sharedServicesFromPlatformFile } = await import("../shared-services.js");
  const config = (await gateway.hasStack(stack)) ? await gateway.getConfig(stack) : {};
  const platformStack = config["beta:platformStack"] ?? DEFAULT_PLATFORM_STACK;
  // The platform's stack file when this checkout has it, else what the deployed platform exports.
  let services = await sharedServicesFromPlatformFile(deps.workDir, platformStack);
  if (services === undefined) {
    try {
      services = sharedServicesFrom((await gateway.outputs(platformStack)).sharedServices);
    } catch (error) {
      throw new CliError(
        `Cannot check --service/--unshare: no Pulumi.${shortStackName(platformStack)}.yaml here and the outputs of platform stack ${platformStack} cannot be read: ${summariseError(error)}`,
        "Run beta from a checkout of the platform's repository, or check `pulumi stack ls` (right backend?).",
        1,
        { cause: error },
      );
    }
  }
  return { changes: planServiceChanges(options.service ?? [], options.unshare ?? [], services, platformStack), services, copiedBefore: copiedServices(config) };
}

/** The services a Beta's raw config copies now (`beta:services` keys); [] when it has none or it cannot be read. */
function copiedServices(config: Readonly<Record<string, string>>): string[] {
  try {
    const value: unknown = JSON.parse(config["beta:services"] ?? "{}");
    return value !== null && typeof value === "object" && !Array.isArray(value) ? Object.keys(value) : [];
  } catch {
    return [];
  }
}
