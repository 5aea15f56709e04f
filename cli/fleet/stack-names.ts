/** Stack names as backends list them: `beta-alice`, or fully qualified `org/project/beta-alice`. */
import { BETA_PREFIX, developerNameProblem, isBetaStack } from "../../lib/names";

/** The last segment: `org/beta/beta-alice` → `beta-alice`. */
export function shortStackName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/** True when `a` and `b` name the same stack, one possibly fully qualified. */
export function sameStack(a: string, b: string): boolean {
  return a === b || shortStackName(a) === shortStackName(b);
}

/** The developer stack's name, or why it is not a valid one; undefined for non-`beta-*` stacks. */
export function betaStackInfo(stack: string): { name: string; problem?: string } | undefined {
  const short = shortStackName(stack);
  if (!isBetaStack(short)) return undefined;
  const name = short.slice(BETA_PREFIX.length);
  return { name, problem: developerNameProblem(name) };
}
