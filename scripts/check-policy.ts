/**
 * CI's policy check: renders the platform, every committed Beta and a Beta with no config
 * offline and runs the beta-guard-rails pack's rules over every resource; prints what it
 * checked and every violation, and exits 1 when there is one.
 *
 *     npx tsx scripts/check-policy.ts
 */
import { join } from "node:path";
import { checkRenderedStacks, formatChecks } from "./policy-check";

async function main(): Promise<number> {
  const checks = await checkRenderedStacks(join(__dirname, ".."));
  process.stdout.write(formatChecks(checks));
  const violations = checks.reduce((sum, check) => sum + check.findings.length, 0);
  process.stdout.write(violations === 0 ? "Policy check passed.\n" : `Policy check failed: ${violations} violation(s).\n`);
  return violations === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Policy check could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
