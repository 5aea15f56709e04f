/**
 * Which Beta a command means when no name is given: `$BETA_NAME`, else the OS user name made
 * into a valid developer name. The caller tells the user which one was chosen and why.
 */
import { DEVELOPER_NAME_MAX, NameError, RESERVED_DEVELOPER_NAMES, assertDeveloperName, normaliseDeveloperName } from "../lib/names";
import { CliError } from "./errors";

export type NameSource = "argument" | "BETA_NAME" | "os-user";

export interface ResolvedName {
  name: string;
  source: NameSource;
  /** One line for stderr saying where the name came from; undefined when it was given. */
  note?: string;
}

export interface NameInputs {
  env: Readonly<Record<string, string | undefined>>;
  osUserName(): string | undefined;
}

/** `beta <verb> <name>` hint for messages, with the verb that was run. */
function passOne(verb: string): string {
  return `Pass a name (beta ${verb} <name>) or set BETA_NAME.`;
}

export function resolveBetaName(given: string | undefined, inputs: NameInputs, verb: string): ResolvedName {
  if (given !== undefined) return { name: assertDeveloperName(given), source: "argument" };

  const fromEnv = inputs.env.BETA_NAME;
  if (fromEnv !== undefined && fromEnv !== "") {
    try {
      assertDeveloperName(fromEnv);
    } catch (error) {
      if (error instanceof NameError) {
        throw new CliError(`${error.message} (from $BETA_NAME).`, `Fix BETA_NAME, or pass a name: beta ${verb} <name>.`);
      }
      throw error;
    }
    return { name: fromEnv, source: "BETA_NAME", note: `Using Beta "${fromEnv}" from $BETA_NAME.` };
  }

  const user = inputs.osUserName();
  if (!user) throw new CliError("No Beta name given, BETA_NAME is not set and the OS user name is unknown.", passOne(verb));
  const name = normaliseDeveloperName(user);
  if (name === undefined) {
    throw new CliError(
      `Your OS user name ${JSON.stringify(user)} does not make a valid Beta name: names are lower-case letters, digits ` +
        `and '-', at most ${DEVELOPER_NAME_MAX} characters, and not reserved (${RESERVED_DEVELOPER_NAMES.join(", ")}).`,
      passOne(verb),
    );
  }
  const how = name === user ? `your OS user name` : `your OS user name ${JSON.stringify(user)}`;
  return {
    name,
    source: "os-user",
    note: `Using Beta "${name}" from ${how}; pass a name or set BETA_NAME to choose another.`,
  };
}
