/**
 * Shell completion scripts generated from the commander program itself, so every verb and
 * option is completed the moment it is added: nothing is written per verb.
 */
import type { Command, Option } from "commander";

export const COMPLETION_SHELLS = ["bash", "zsh", "fish"] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

interface VerbSpec {
  name: string;
  description: string;
  options: { flag: string; short?: string; description: string; takesValue: boolean }[];
  /** Fixed words its first argument takes (commander's `.choices`). */
  choices: string[];
}

function optionSpec(option: Option) {
  return {
    flag: option.long ?? option.short ?? "",
    short: option.long ? option.short : undefined,
    description: option.description,
    takesValue: option.required || option.optional,
  };
}

/** The verbs and their options, read from the program (help and hidden ones left out). */
export function verbSpecs(program: Command): VerbSpec[] {
  return program.commands
    .filter((command) => !(command as unknown as { _hidden?: boolean })._hidden)
    .map((command) => ({
      name: command.name(),
      description: command.description(),
      options: [...command.options.filter((o) => !o.hidden).map(optionSpec), { flag: "--help", short: "-h", description: "show help", takesValue: false }],
      choices: command.registeredArguments[0]?.argChoices ?? [],
    }));
}

/** One line, without the characters each shell's quoting treats specially. */
const plain = (text: string) => text.replace(/[\n\t]+/g, " ").replace(/[[\]:'"`$\\]/g, "");

function bashScript(verbs: VerbSpec[]): string {
  const cases = verbs
    .map((verb) => {
      const words = [...verb.options.flatMap((o) => (o.short ? [o.flag, o.short] : [o.flag]))].join(" ");
      const valued = verb.options.filter((o) => o.takesValue).flatMap((o) => (o.short ? [o.flag, o.short] : [o.flag]));
      const choices = verb.choices.join(" ");
      return (
        `    ${verb.name})\n` +
        (valued.length ? `      case "$prev" in ${valued.join("|")}) return ;; esac\n` : "") +
        `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${words}" -- "$cur"))` +
        (choices ? `; elif [ "$COMP_CWORD" -eq 2 ]; then COMPREPLY=($(compgen -W "${choices}" -- "$cur"))` : "") +
        `; fi\n      ;;`
      );
    })
    .join("\n");
  return `# bash completion for beta: source <(beta completion bash)
_beta_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${verbs.map((v) => v.name).join(" ")} --help --version" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
  esac
}
complete -o default -F _beta_completion beta
`;
}

function zshScript(verbs: VerbSpec[]): string {
  const list = verbs.map((v) => `    '${v.name}:${plain(v.description)}'`);
  const cases = verbs
    .map((verb) => {
      const specs = verb.options.map((o) => `'${o.flag}[${plain(o.description)}]${o.takesValue ? ":value:_files" : ""}'`);
      const rest = verb.choices.length ? `'1:${verb.name}:(${verb.choices.join(" ")})'` : "'*:file:_files'";
      return `    ${verb.name}) _arguments ${[...specs, rest].join(" ")} ;;`;
    })
    .join("\n");
  return `#compdef beta
# zsh completion for beta: source <(beta completion zsh)
_beta() {
  local -a verbs
  verbs=(
${list.join("\n")}
  )
  if (( CURRENT == 2 )); then
    _describe 'beta verb' verbs
    return
  fi
  words=("\${(@)words[2,-1]}")
  (( CURRENT-- ))
  case "\${words[1]}" in
${cases}
  esac
}
compdef _beta beta
`;
}

function fishScript(verbs: VerbSpec[]): string {
  const quote = (text: string) => `'${text.replace(/[\\']/g, "\\$&")}'`;
  const lines = [`# fish completion for beta: beta completion fish | source`, `complete -c beta -f`];
  for (const verb of verbs) {
    lines.push(`complete -c beta -n __fish_use_subcommand -a ${verb.name} -d ${quote(verb.description)}`);
    const when = quote(`__fish_seen_subcommand_from ${verb.name}`);
    for (const option of verb.options) {
      const long = option.flag.startsWith("--") ? ` -l ${option.flag.slice(2)}` : ` -s ${option.flag.slice(1)}`;
      const short = option.short ? ` -s ${option.short.slice(1)}` : "";
      lines.push(`complete -c beta -n ${when}${long}${short}${option.takesValue ? " -r -F" : ""} -d ${quote(option.description)}`);
    }
    if (verb.choices.length) lines.push(`complete -c beta -n ${when} -a ${quote(verb.choices.join(" "))}`);
  }
  return `${lines.join("\n")}\n`;
}

export function completionScript(program: Command, shell: CompletionShell): string {
  const verbs = verbSpecs(program);
  if (shell === "bash") return bashScript(verbs);
  if (shell === "zsh") return zshScript(verbs);
  return fishScript(verbs);
}
