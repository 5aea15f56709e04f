/** `beta render`'s text: one YAML document per object, and the router config as a comment block. */
import { stringify } from "yaml";

type Manifest = Record<string, unknown>;

export function manifestYaml(object: Manifest): string {
  // No anchors: the same labels object used twice must print twice.
  return stringify(object, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** Every object as a YAML stream, with the router config as a trailing comment block. */
export function renderStream(objects: readonly Manifest[], routerConfig: string, header: string): string {
  const docs = objects.map(manifestYaml).join("---\n");
  const router = routerConfig
    .trimEnd()
    .split("\n")
    .map((line) => (line ? `# ${line}` : "#"))
    .join("\n");
  return (
    `# ${header}\n${docs}` +
    `\n# ---- Router config (nginx http context; \`beta render --router\` prints it alone) ----\n${router}\n`
  );
}
