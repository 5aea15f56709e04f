/** `beta completion bash|zsh|fish`: the shell completion script, generated from the verbs. */
import { Argument, Command } from "commander";
import type { CliDeps } from "../deps";
import { withExamples } from "../command-helpers";
import { COMPLETION_SHELLS, type CompletionShell, completionScript } from "../completion-script";

export function registerCompletionCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("completion")
    .description("Print the shell completion script for bash, zsh or fish")
    .addArgument(new Argument("<shell>", "the shell to complete in").choices(COMPLETION_SHELLS))
    .action((shell: CompletionShell) => {
      deps.stdout.write(completionScript(program, shell));
    });
  withExamples(command, [
    "beta completion bash > ~/.local/share/bash-completion/completions/beta",
    "source <(beta completion bash)        # or add this line to ~/.bashrc",
    "source <(beta completion zsh)         # add to ~/.zshrc (after compinit)",
    "beta completion fish > ~/.config/fish/completions/beta.fish",
  ]);
}
