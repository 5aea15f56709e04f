/**
 * The host names a Beta answers, as regexes over nginx's `$host`. They must accept exactly the
 * names lib/names.ts accepts (test/router/options.test.ts checks that): the router proxies
 * only what matches, and everything else gets the misdirected-request answer.
 */
import { APP_NAME_MAX, DEVELOPER_NAME_MAX, HOST_SEPARATOR, RESERVED_DEVELOPER_NAMES } from "../lib/names";
import { resolveOptions, type ResolvedOptions, type RouterConfigOptions } from "./router-options";

/** The two host forms a Beta answers, as PCRE (and JavaScript) patterns over nginx's `$host`. */
export interface RouterHostPatterns {
  /** `<name>.<domain>`; captures `beta_name`. */
  defaultApp: string;
  /** `<app>--<name>.<domain>`; captures `beta_app` and `beta_name`. */
  namedApp: string;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The patterns for already resolved options, as the renderer uses them. */
export function hostPatterns(options: ResolvedOptions): RouterHostPatterns {
  const domain = escapeRegex(options.domain);
  // A name: letters/digits, single '-' only between them (so no '--', no leading/trailing '-').
  const reserved = RESERVED_DEVELOPER_NAMES.map(escapeRegex).join("|");
  const name = `(?=[a-z0-9-]{1,${DEVELOPER_NAME_MAX}}\\.)(?!(?:${reserved})\\.)(?<beta_name>[a-z0-9](?:-?[a-z0-9])*)`;
  const app = options.apps
    ? `(?<beta_app>${options.apps.map(escapeRegex).join("|")})`
    : `(?=[a-z0-9-]{1,${APP_NAME_MAX}}${HOST_SEPARATOR})(?<beta_app>[a-z](?:-?[a-z0-9])*)`;
  return {
    defaultApp: `^${name}\\.${domain}$`,
    namedApp: `^${app}${HOST_SEPARATOR}${name}\\.${domain}$`,
  };
}

/**
 * The patterns the router matches `$host` against, for tests and tools that need to agree
 * with the router. Validates `options` like `renderRouterConfig`.
 */
export function routerHostPatterns(options: RouterConfigOptions): RouterHostPatterns {
  return hostPatterns(resolveOptions(options));
}
