/** The repository root (where Pulumi.yaml is), from cli/ when run as TypeScript or from dist/cli/ when compiled. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO_ROOT = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((dir) => existsSync(join(dir, "Pulumi.yaml"))) ?? resolve(__dirname, "..");
