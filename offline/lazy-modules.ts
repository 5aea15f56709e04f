/**
 * Loads some modules only when they are first used. The Pulumi SDKs require some modules when
 * they start that serve features Beta's programs never use offline; deferring them cuts
 * `beta render`'s start-up (bench/cli.ts). A program that does use one still gets the real
 * module, loaded on its first property access.
 */
import Module from "node:module";

/** Required at start-up by the SDKs, used only by features the offline renderer never calls. */
export const DEFERRABLE_SDK_MODULES: readonly string[] = [
  // @pulumi/pulumi runtime/closure/parseFunction.js and codePaths.js (through runtime/index.js):
  // only to serialize a function for a dynamic provider or a callback; together about half of
  // @pulumi/pulumi's start-up.
  "typescript",
  "@npmcli/arborist",
  // @pulumi/kubernetes yaml/yaml.js (through helm/ in its index.js): only to expand the file
  // patterns of yaml.ConfigFile/ConfigGroup.
  "glob",
];

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: Load };

let deferred: Set<string> | undefined;

/** From now on, `require(id)` of each of `ids` returns a stand-in that loads the module on first use. */
export function deferModules(ids: readonly string[]): void {
  if (deferred) {
    for (const id of ids) deferred.add(id);
    return;
  }
  deferred = new Set(ids);
  const load = moduleInternals._load;
  const standIns = new Map<string, object>();
  moduleInternals._load = function (request, parent, isMain) {
    if (!deferred!.has(request)) return load.call(this, request, parent, isMain);
    let standIn = standIns.get(request);
    if (!standIn) {
      let real: object | undefined;
      const target = (): object => (real ??= load.call(this, request, parent, isMain) as object);
      standIn = new Proxy(
        {},
        {
          // `__esModule` answered without loading: TypeScript's `__importStar` then keeps the
          // stand-in as it is instead of copying every property (which would load the module).
          get: (_, key) => (key === "__esModule" ? true : Reflect.get(target(), key)),
          has: (_, key) => Reflect.has(target(), key),
          ownKeys: () => Reflect.ownKeys(target()),
          getOwnPropertyDescriptor: (_, key) => {
            const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
            // A proxy may not report a property its (empty) target lacks as non-configurable.
            return descriptor && { ...descriptor, configurable: true };
          },
        },
      );
      standIns.set(request, standIn);
    }
    return standIn;
  };
}
