/** Deferred modules: not evaluated when required, the real module on first use. */
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { deferModules } from "../../offline/lazy-modules";

const counted = path.resolve(__dirname, "../support/fixtures/counted-module.cjs");
const requireHere = createRequire(__filename);
const loads = () => (globalThis as { countedModuleLoads?: number }).countedModuleLoads ?? 0;

describe("deferModules", () => {
  it("returns a stand-in that loads the module once, on first use", () => {
    deferModules([counted]);
    const before = loads();
    const module = requireHere(counted) as { answer: number; __esModule?: boolean };
    expect(loads()).toBe(before);
    // What TypeScript's __importStar asks first: answered without loading the module.
    expect(module.__esModule).toBe(true);
    expect(loads()).toBe(before);

    expect(module.answer).toBe(42);
    expect(loads()).toBe(before + 1);
    expect(Object.keys(module)).toEqual(["answer"]);
    expect("answer" in module).toBe(true);
    expect(requireHere(counted)).toBe(module);
    expect(loads()).toBe(before + 1);
  });
});
