/**
 * CEL as the Kubernetes API server runs it, on @bufbuild/cel (a conformance-tested CEL
 * engine). Where the two differ in ways a policy could rely on, this file closes the gap or
 * refuses the expression:
 * - values are converted the way the API server converts objects to CEL: through unstructured
 *   JSON, where whole numbers are int64 (runtime.DefaultUnstructuredConverter, used by
 *   staging/src/k8s.io/apiserver/pkg/admission/plugin/cel/filter.go objectToResolveVal);
 * - list and map literals must be homogeneous: the API server's base environment sets
 *   cel.HomogeneousAggregateLiterals (staging/src/k8s.io/apiserver/pkg/cel/environment/base.go);
 *   bufbuild accepts `[1, 'a']`, so literals of mixed constant kinds are refused here;
 * - only functions of the API server's environment that bufbuild implements alike are allowed:
 *   the CEL standard library and the strings extension (ext.Strings v2 from Kubernetes 1.29,
 *   base.go above; https://kubernetes.io/docs/reference/using-api/cel/). Anything else
 *   (Kubernetes' own libraries: quantity, url, ip, authorizer, ...) fails loudly rather than
 *   being guessed;
 * - `has(x.f)` on a null `x` is false in bufbuild; the policies here never rely on it (every
 *   access to `oldObject` or `params` is guarded by the operation or `has()`).
 */
import { celEnv, isCelError, parse, plan } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/** What CEL returns, as plain JS: CelList/CelMap stay engine values, scalars are JS. */
export type CelOutcome = { value: unknown } | { error: string };

const env = celEnv({ funcs: strings });

// The CEL standard library's operators and functions (cel-spec langdef.md), plus the
// strings extension. Names are the parser's: `_+_`, `@in`, ...
const ALLOWED_FUNCTIONS = new Set([
  "_&&_", "_||_", "!_", "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_", "_+_", "_-_", "_*_", "_/_", "_%_", "-_",
  "_?_:_", "_[_]", "@in", "@not_strictly_false", "size", "string", "int", "uint", "double", "bool", "type",
  "startsWith", "endsWith", "contains", "matches",
  "charAt", "indexOf", "lastIndexOf", "lowerAscii", "upperAscii", "replace", "split", "substring", "trim", "join",
]);

/** Variables the API server declares for admission policies (the `authorizer` is not modelled). */
const KNOWN_VARIABLES = new Set(["object", "oldObject", "params", "request", "namespaceObject", "variables"]);

/** Type names are identifiers in CEL (`type(x) == int`). */
const TYPE_NAMES = new Set(["int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"]);

interface ExprNode {
  exprKind: { case: string | undefined; value?: unknown };
}

type Program = (bindings: Record<string, unknown>) => unknown;
const compiled = new Map<string, Program>();

/** Parses and checks an expression once; throws, naming the expression, when it is not valid. */
export function compile(expression: string): Program {
  const cached = compiled.get(expression);
  if (cached) return cached;
  let parsed;
  try {
    parsed = parse(expression);
  } catch (error) {
    throw new Error(`CEL expression does not parse: ${expression}\n${(error as Error).message}`);
  }
  checkTree(parsed.expr as unknown as ExprNode, expression, new Set());
  const program = plan(env, parsed) as unknown as Program;
  compiled.set(expression, program);
  return program;
}

/** Evaluates `expression` with `bindings` (plain JSON values, converted as the API server does). */
export function evaluate(expression: string, bindings: Record<string, unknown>): CelOutcome {
  const program = compile(expression);
  const input: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(bindings)) input[name] = isCelReady(value) ? value : toCel(value);
  const result = program(input);
  if (isCelError(result)) return { error: result.message };
  return { value: result };
}

/** A value already produced by the engine (a variable's result) passes through unchanged. */
const celReady = new WeakSet<object>();
function isCelReady(value: unknown): boolean {
  return typeof value === "object" && value !== null && celReady.has(value);
}
/** Marks a map of evaluated variables so `evaluate` does not convert it again. */
export function celReadyMap(entries: Map<string, unknown>): Map<string, unknown> {
  celReady.add(entries);
  return entries;
}

/** JSON → CEL input: objects become maps, whole numbers int64 (bigint), as unstructured does. */
export function toCel(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(toCel);
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === "object") {
    return new Map(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toCel(v)]),
    );
  }
  return value;
}

function checkTree(node: ExprNode, expression: string, boundVars: Set<string>): void {
  const { case: kind, value } = node.exprKind;
  const fail = (why: string) => {
    throw new Error(`CEL expression is not valid in the Kubernetes API server: ${why}\n  ${expression}`);
  };
  switch (kind) {
    case "identExpr": {
      const name = (value as { name: string }).name;
      if (!boundVars.has(name) && !KNOWN_VARIABLES.has(name) && !TYPE_NAMES.has(name) && !name.startsWith("@")) fail(`unknown variable '${name}'`);
      return;
    }
    case "selectExpr":
      checkTree((value as { operand: ExprNode }).operand, expression, boundVars);
      return;
    case "callExpr": {
      const call = value as { function: string; target?: ExprNode; args: ExprNode[] };
      // Innermost first, so the message names what is really missing (`quantity`, not a method on it).
      if (call.target) checkTree(call.target, expression, boundVars);
      for (const arg of call.args) checkTree(arg, expression, boundVars);
      if (!ALLOWED_FUNCTIONS.has(call.function)) fail(`function '${call.function}' is not in the modelled environment`);
      return;
    }
    case "listExpr": {
      const elements = (value as { elements: ExprNode[] }).elements;
      const kinds = new Set(elements.filter((e) => e.exprKind.case === "constExpr").map((e) => constKind(e)));
      if (kinds.size > 1) fail(`list literal mixes ${[...kinds].join(" and ")} (HomogeneousAggregateLiterals)`);
      for (const element of elements) checkTree(element, expression, boundVars);
      return;
    }
    case "structExpr": {
      const entries = (value as { entries: { keyKind: { case: string; value: ExprNode }; value: ExprNode }[] }).entries;
      const keyKinds = new Set(entries.filter((e) => e.keyKind.case === "mapKey" && e.keyKind.value.exprKind.case === "constExpr").map((e) => constKind(e.keyKind.value)));
      const valueKinds = new Set(entries.filter((e) => e.value.exprKind.case === "constExpr").map((e) => constKind(e.value)));
      if (keyKinds.size > 1 || valueKinds.size > 1) fail("map literal mixes constant types (HomogeneousAggregateLiterals)");
      for (const entry of entries) {
        if (entry.keyKind.case === "mapKey") checkTree(entry.keyKind.value, expression, boundVars);
        checkTree(entry.value, expression, boundVars);
      }
      return;
    }
    case "comprehensionExpr": {
      const c = value as { iterVar: string; iterVar2: string; accuVar: string; iterRange: ExprNode; accuInit: ExprNode; loopCondition: ExprNode; loopStep: ExprNode; result: ExprNode };
      checkTree(c.iterRange, expression, boundVars);
      checkTree(c.accuInit, expression, boundVars);
      const inner = new Set([...boundVars, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
      checkTree(c.loopCondition, expression, inner);
      checkTree(c.loopStep, expression, inner);
      checkTree(c.result, expression, inner);
      return;
    }
    case "constExpr":
      return;
    default:
      fail(`unsupported expression kind ${String(kind)}`);
  }
}

function constKind(node: ExprNode): string {
  return String((node.exprKind.value as { constantKind: { case: string } }).constantKind.case);
}
