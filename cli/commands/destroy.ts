/** `beta destroy [name]`: destroy everything in the Beta and remove its stack, after confirmation. */
import { Command } from "commander";
import type { CliDeps } from "../deps";
import { CliError } from "../errors";
import { cancellable, chooseBeta, pulumiDisplay, withExamples } from "../command-helpers";
import { isUpdateInProgress, summariseError } from "../fleet/pulumi-errors";
import { formatJson } from "../output";
import { dropIsolatedDatabase } from "./db";

interface DestroyOptions {
  yes?: boolean;
  json?: boolean;
}

export function registerDestroyCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("destroy")
    .description("Delete your Beta: everything in namespace beta-<name>, then the stack itself")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option("-y, --yes", "do not ask for confirmation (required when not run from a terminal)")
    .option("--json", "print the result as JSON")
    .action(async (given: string | undefined, options: DestroyOptions) => destroy(deps, given, options));
  withExamples(command, ["beta destroy            # asks you to type the name to confirm", "beta destroy alice --yes"]);
}

async function destroy(deps: CliDeps, given: string | undefined, options: DestroyOptions): Promise<void> {
  const { name, stack } = chooseBeta(given, deps, "destroy");
  if (!options.yes) {
    if (!deps.isInteractive()) {
      throw new CliError(
        `Refusing to destroy ${stack} without confirmation: not running in a terminal.`,
        `Re-run with --yes to confirm: beta destroy ${name} --yes`,
      );
    }
    const answer = await deps.prompt(
      `This deletes Beta ${name}: every app and object in namespace ${stack}, and the stack ${stack}.\nType the name (${name}) to confirm: `,
    );
    if (answer.trim() !== name) throw new CliError("Not confirmed; nothing was destroyed.");
  }

  const gateway = await deps.gateway();
  if (!(await gateway.hasStack(stack))) {
    throw new CliError(`There is no Beta ${name} (no stack ${stack}).`, "`beta list` shows the Betas that exist.");
  }
  // A Job cannot run when Pulumi deletes one, so the Beta's own database is dropped first.
  if ((await gateway.outputs(stack)).database === "isolated") {
    deps.stderr.write(`Dropping the isolated database of ${name}...\n`);
    await dropIsolatedDatabase(deps, name);
  }
  deps.stderr.write(`Destroying ${stack}...\n`);
  try {
    await cancellable(deps.stderr, () => gateway.destroy(stack, { onProgress: pulumiDisplay(deps.stderr), message: `beta destroy ${name}` }));
  } catch (error) {
    if (isUpdateInProgress(error)) {
      throw new CliError(`Another update of ${stack} is in progress.`, `Wait for it to finish and run \`beta destroy ${name}\` again.`, 1, { cause: error });
    }
    throw new CliError(
      `Destroying ${stack} failed: ${summariseError(error)}`,
      `The stack was kept so nothing is orphaned. Fix the problem and run \`beta destroy ${name}\` again. BETA_DEBUG=1 prints Pulumi's full output.`,
      1,
      { cause: error },
    );
  }
  deps.stderr.write(`Removing stack ${stack}...\n`);
  await gateway.removeStack(stack);
  if (options.json) deps.stdout.write(formatJson({ name, stack, destroyed: true, stackRemoved: true }));
  else deps.stdout.write(`Destroyed Beta ${name} and removed stack ${stack}.\n`);
}
