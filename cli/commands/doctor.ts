/** `beta doctor`: is this machine ready to run `beta`? One line per check, with what to do. */
import { Command } from "commander";
import { DEFAULT_PLATFORM_STACK } from "../../lib/stack-names";
import type { CliDeps } from "../deps";
import { SilentExit } from "../errors";
import { chooseBeta, withExamples } from "../command-helpers";
import type { CheckResult } from "../doctor-checks";
import { formatJson } from "../output";

interface DoctorOptions {
  json?: boolean;
  platformStack: string;
}


const MARK: Record<CheckResult["status"], string> = { ok: "ok  ", warn: "warn", fail: "FAIL" };

export function registerDoctorCommand(program: Command, deps: CliDeps): void {
  const command = program
    .command("doctor")
    .description("Check this machine: Node.js, Pulumi and its login, the platform stack, kubectl and its cluster, cloud credentials, the laptop router's port, rsync (exit 1 if beta up cannot work)")
    .argument("[name]", "developer name (default: $BETA_NAME, else your OS user name)")
    .option("--json", "print the checks as JSON")
    .option("--platform-stack <stack>", "the platform stack to check", DEFAULT_PLATFORM_STACK)
    .action(async (given: string | undefined, options: DoctorOptions) => {
      const { name } = chooseBeta(given, deps, "doctor");
      const { runDoctorChecks } = await import("../doctor-checks.js");
      const results = await runDoctorChecks({ deps, name, platformStack: options.platformStack, nodeVersion: process.version });
      const blocking = results.filter((r) => r.status === "fail");
      if (options.json) deps.stdout.write(formatJson({ ok: blocking.length === 0, checks: results }));
      else {
        for (const r of results) deps.stdout.write(`${MARK[r.status]}  ${r.check}: ${r.detail}${r.fix ? `\n      → ${r.fix}` : ""}\n`);
        deps.stdout.write(blocking.length === 0 ? `Ready: beta up ${name}\n` : `${blocking.length} problem(s) block beta up; fix them and run beta doctor again.\n`);
      }
      if (blocking.length > 0) throw new SilentExit(1);
    });
  withExamples(command, ["beta doctor", "beta doctor alice --json | jq '.checks[] | select(.status != \"ok\")'"]);
}
