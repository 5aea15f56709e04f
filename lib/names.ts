/**
 * Beta's naming rules (see "Names" in the architecture). Every name that reaches a stack
 * name, a namespace, a DNS label or a Kubernetes object is checked here first, so a bad
 * name fails with a message that names the value and the rule.
 */

/** Prefix of every developer stack and namespace. */
export const BETA_PREFIX = "beta-";

/** Names no developer may take: they collide with platform hosts or namespaces. */
export const RESERVED_DEVELOPER_NAMES: readonly string[] = ["www", "shared", "uber", "router", "platform", "admin"];

export const DEVELOPER_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const DEVELOPER_NAME_MAX = 30;
export const APP_NAME_PATTERN = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;
export const APP_NAME_MAX = 20;

/** Separator between app and developer in `<app>--<name>.<domain>`; never inside a name. */
export const HOST_SEPARATOR = "--";

/** A name that breaks a rule; `rule` says which, for messages and tests. */
export class NameError extends Error {
  constructor(
    readonly value: string,
    readonly rule: string,
    what: string,
  ) {
    super(`${what} ${JSON.stringify(value)} is not valid: ${rule}`);
    this.name = "NameError";
  }
}

/** Why `name` is not a valid developer name, or undefined when it is. */
export function developerNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (name.length > DEVELOPER_NAME_MAX) return `it has ${name.length} characters; at most ${DEVELOPER_NAME_MAX} are allowed`;
  if (!DEVELOPER_NAME_PATTERN.test(name)) {
    return "use lower-case letters, digits and '-', starting and ending with a letter or digit";
  }
  if (name.includes(HOST_SEPARATOR)) return `'${HOST_SEPARATOR}' is reserved as the app separator in host names`;
  if (RESERVED_DEVELOPER_NAMES.includes(name)) {
    return `it is reserved (reserved names: ${RESERVED_DEVELOPER_NAMES.join(", ")})`;
  }
  return undefined;
}

/** Why `name` is not a valid app or shared-service name, or undefined when it is. */
export function appNameProblem(name: string): string | undefined {
  if (name.length === 0) return "it is empty";
  if (name.length > APP_NAME_MAX) return `it has ${name.length} characters; at most ${APP_NAME_MAX} are allowed`;
  if (!APP_NAME_PATTERN.test(name)) {
    return "use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit";
  }
  if (name.includes(HOST_SEPARATOR)) return `'${HOST_SEPARATOR}' is reserved as the app separator in host names`;
  return undefined;
}

export function assertDeveloperName(name: string): string {
  const problem = developerNameProblem(name);
  if (problem) throw new NameError(name, problem, "Developer name");
  return name;
}

export function assertAppName(name: string, what = "App name"): string {
  const problem = appNameProblem(name);
  if (problem) throw new NameError(name, problem, what);
  return name;
}

/** True for stack names the developer program handles (`beta-*`). */
export function isBetaStack(stackName: string): boolean {
  return stackName.startsWith(BETA_PREFIX);
}

/** The developer name in stack `beta-<name>`, validated. */
export function developerNameFromStack(stackName: string): string {
  if (!isBetaStack(stackName)) {
    throw new NameError(stackName, `developer stacks are named '${BETA_PREFIX}<name>'`, "Stack name");
  }
  const name = stackName.slice(BETA_PREFIX.length);
  const problem = developerNameProblem(name);
  if (problem) {
    throw new NameError(stackName, `the developer name ${JSON.stringify(name)} is not valid: ${problem}`, "Stack name");
  }
  return name;
}

/** Stack and namespace of developer `name`: both are `beta-<name>`. */
export function betaStackName(name: string): string {
  return BETA_PREFIX + assertDeveloperName(name);
}

export const betaNamespace = betaStackName;

/**
 * Turns a free-form user name (e.g. a login like "Alice.Smith") into a developer name, or
 * undefined when nothing valid is left.
 */
export function normaliseDeveloperName(raw: string): string | undefined {
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, DEVELOPER_NAME_MAX)
    .replace(/-+$/g, "");
  return developerNameProblem(name) === undefined ? name : undefined;
}
