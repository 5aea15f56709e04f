/** Finding programs before running them, so a missing tool is a message, not ENOENT. */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The full path of `program` (a name looked up on PATH, or a path), or undefined. */
export function findProgram(program: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (program.includes("/") || isAbsolute(program)) return isExecutable(program) ? program : undefined;
  const extensions = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of extensions) {
      const candidate = join(dir, program + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}
