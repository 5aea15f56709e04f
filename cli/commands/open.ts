/** `beta open [name] [app]`: print a Beta's URL and open it in a browser. */
import { Command } from "commander";
import { assertAppName } from "../../lib/names";
import type { CliDeps } from "../deps";
import { CliError } from "../errors";
import { chooseBeta, withExamples } from "../command-helpers";
import { mapOutput, stringOutput } from "../stack-outputs";

export function registerOpenCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("open")
    .description("Print a Beta's URL (the default app's, or one app's) and open it in your browser")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .argument("[app]", "app to open (default: the default app at https://<name>.<domain>)")
    .option("--print", "only print the URL")
    .action(async (given: string | undefined, app: string | undefined, options: { print?: boolean }) => {
      const { name, stack } = chooseBeta(given, deps, "open");
      if (app !== undefined) assertAppName(app);
      const gateway = await deps.gateway();
      if (!(await gateway.hasStack(stack))) {
        throw new CliError(`There is no Beta ${name} (no stack ${stack}).`, `Create it with \`beta up ${name}\`.`);
      }
      const outputs = await gateway.outputs(stack);
      const urls = mapOutput(outputs, "urls");
      const url = app === undefined ? stringOutput(outputs, "url") : urls[app];
      if (!url) {
        if (app !== undefined && Object.keys(urls).length > 0) {
          throw new CliError(`Beta ${name} has no app ${JSON.stringify(app)}.`, `Its apps: ${Object.keys(urls).sort().join(", ")}.`);
        }
        throw new CliError(`Beta ${name} has no URL yet (stack ${stack} was never deployed).`, `Deploy it with \`beta up ${name}\`.`);
      }
      deps.stdout.write(`${url}\n`);
      if (options.print) return;
      if (!(await deps.openUrl(url))) {
        deps.stderr.write("No browser opener (xdg-open or open) found; open the URL above yourself.\n");
      }
    });
  withExamples(command, ["beta open", "beta open alice api      # https://api--alice.<domain>", "beta open alice --print"]);
}
