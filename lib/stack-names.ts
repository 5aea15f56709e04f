/** The platform stack a developer stack reads when `beta:platformStack` is not set. */
export const DEFAULT_PLATFORM_STACK = "dev";

/**
 * `dev` → `<org>/<project>/dev`; `proj/dev` → `<org>/proj/dev`; `org/proj/dev` stays. What a
 * StackReference is given, so a short `beta:platformStack` works on every backend.
 */
export function qualifyStackName(stack: string, organization: string, project: string): string {
  const parts = stack.split("/");
  if (parts.length === 3) return stack;
  if (parts.length === 2) return `${organization}/${stack}`;
  return `${organization}/${project}/${stack}`;
}
