/**
 * Personal copies of shared services (`beta:services` in a Beta's config): what
 * `beta up --service billing[=tag]` and `--unshare billing` change, checked before anything
 * is, and which copies a Beta keeps pinned (`tag` or `image`) or lets follow the release.
 */
import type { PersonalCopyRequest } from "../lib/beta-config";
import { imageTag, splitImageReference } from "../lib/config-rules";
import { ConfigError, parseConfigValue } from "../lib/config-error";
import type { StackGateway } from "./deps";
import { UsageError } from "./errors";
import { shortStackName } from "./fleet/stack-names";
import { findSharedService, type SharedServiceInfo } from "./shared-services";

/** The Beta config key holding its personal copies: shared-service name -> `{ tag?, image?, port? }`. */
export const SERVICES_CONFIG_KEY = "beta:services";

/** One `--service` as typed: `billing` (the release tag) or `billing=<tag>`. */
export interface CopyRequest {
  service: string;
  tag?: string;
}

/** Checked changes to a Beta's `beta:services`: copies to make or re-pin, and services to share again. */
export interface ServiceChanges {
  copy: CopyRequest[];
  unshare: string[];
}

/**
 * `pulumi config set --path` stores "true"/"false" as booleans and integers as numbers
 * (https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/; pulumi/pulumi
 * sdk/go/common/resource/config/map.go, `adjustObjectValue`), so such a tag would not arrive
 * as a string.
 */
const COERCED_UNDER_PATH = /^(true|false|0|[1-9][0-9]*)$/;

function checkedTag(service: string, tag: string): string {
  const key = `${SERVICES_CONFIG_KEY}.${service}.tag`;
  try {
    parseConfigValue(key, imageTag, tag);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(`--service ${service}=${tag}: ${error.message.replace(/^Invalid configuration:\n\s*/, "")}`);
    throw error;
  }
  if (COERCED_UNDER_PATH.test(tag)) {
    throw new UsageError(
      `--service ${service}=${tag}: Pulumi would save tag ${JSON.stringify(tag)} as a ${/^(true|false)$/.test(tag) ? "boolean" : "number"}, not a tag (config set --path turns integers and true/false into those).`,
      `Write it quoted in your Beta's Pulumi.beta-<name>.yaml instead: beta:services: { ${service}: { tag: "${tag}" } }.`,
    );
  }
  return tag;
}

/**
 * Validates `--service` and `--unshare` against the platform's shared services before
 * anything changes: known names ("did you mean"), copyable services, valid tags, no service
 * both copied and shared, no service given two tags.
 */
export function planServiceChanges(
  serviceFlags: readonly string[],
  unshareFlags: readonly string[],
  services: readonly SharedServiceInfo[],
  platformStack: string,
): ServiceChanges {
  const copy = new Map<string, CopyRequest>();
  for (const flag of serviceFlags) {
    const equals = flag.indexOf("=");
    const name = equals < 0 ? flag : flag.slice(0, equals);
    const tag = equals < 0 ? undefined : flag.slice(equals + 1);
    const service = findSharedService(name, services, { flag: "--service", platformStack });
    if (!service.copyable) {
      throw new UsageError(
        `--service ${name}: platform ${platformStack} does not let a Beta copy shared service ${name} (${service.image === undefined ? "its beta:sharedServices entry names no image" : "it is marked copyable: false"}).`,
        `Your Beta keeps using the shared ${name}. A platform engineer can make it copyable by giving it an image in beta:sharedServices of Pulumi.${shortStackName(platformStack)}.yaml.`,
      );
    }
    const request: CopyRequest = { service: name, ...(tag === undefined ? {} : { tag: checkedTag(name, tag) }) };
    const earlier = copy.get(name);
    if (earlier && earlier.tag !== request.tag) {
      throw new UsageError(`--service ${name} is given twice with different tags (${earlier.tag ?? "the release tag"} and ${request.tag ?? "the release tag"}).`, "Give each service once.");
    }
    copy.set(name, request);
  }
  const unshare = new Set<string>();
  for (const name of unshareFlags) {
    findSharedService(name, services, { flag: "--unshare", platformStack });
    if (copy.has(name)) throw new UsageError(`${name} is given to both --service and --unshare.`, `--service ${name} runs your own copy; --unshare ${name} goes back to the shared one. Pick one.`);
    unshare.add(name);
  }
  return { copy: [...copy.values()], unshare: [...unshare] };
}

/** One `pulumi config set|rm --path` a change makes. */
export type ConfigEdit = { op: "set"; key: string; value: string } | { op: "remove"; key: string };

/**
 * The path edits of `beta:services` for `changes`. A copy at a tag sets `.tag` (dropping an
 * `image`); a copy at the release tag sets `.port` to the shared port (an entry Pulumi can write
 * with --path, where `{}` cannot be written) and drops `.tag` and `.image`. The new value is set
 * before the old is removed, so an interrupted run never leaves the Beta without its copy.
 */
export function serviceConfigEdits(changes: ServiceChanges, services: readonly SharedServiceInfo[]): ConfigEdit[] {
  const edits: ConfigEdit[] = [];
  for (const { service, tag } of changes.copy) {
    const key = `${SERVICES_CONFIG_KEY}.${service}`;
    if (tag !== undefined) {
      edits.push({ op: "set", key: `${key}.tag`, value: tag }, { op: "remove", key: `${key}.image` });
    } else {
      const port = services.find((s) => s.name === service)?.port;
      if (port === undefined) throw new UsageError(`--service ${service}: its beta:sharedServices entry has no port.`, "Ask a platform engineer to fix the platform's config.");
      edits.push({ op: "set", key: `${key}.port`, value: String(port) }, { op: "remove", key: `${key}.tag` }, { op: "remove", key: `${key}.image` });
    }
  }
  for (const service of changes.unshare) edits.push({ op: "remove", key: `${SERVICES_CONFIG_KEY}.${service}` });
  return edits;
}

/** Applies the edits in order, each as a path into `beta:services`. */
export async function applyServiceEdits(gateway: StackGateway, stack: string, edits: readonly ConfigEdit[]): Promise<void> {
  for (const edit of edits) {
    if (edit.op === "set") await gateway.setConfig(stack, edit.key, edit.value, { path: true });
    else await gateway.removeConfig(stack, edit.key, { path: true });
  }
}

/** A personal copy a Beta's config asks for: `pinned` is its tag or image when it does not follow the release. */
export interface PersonalCopy {
  service: string;
  pinned?: string;
}

/**
 * The personal copies of a Beta's parsed `beta:services`, sorted by name. Pinned: an `image`
 * with its own tag or digest, else `tag` (on the `image`, when one is given); an `image` without
 * either, like `{}`, follows the release tag.
 */
export function personalCopies(services: Readonly<Record<string, PersonalCopyRequest>>): PersonalCopy[] {
  return Object.entries(services)
    .map(([service, copy]) => {
      const own = copy.image === undefined ? undefined : splitImageReference(copy.image);
      const pinned = own && (own.tag !== undefined || own.digest !== undefined) ? copy.image : copy.tag === undefined ? undefined : copy.image === undefined ? copy.tag : `${copy.image}:${copy.tag}`;
      return pinned === undefined ? { service } : { service, pinned };
    })
    .sort((a, b) => a.service.localeCompare(b.service));
}
