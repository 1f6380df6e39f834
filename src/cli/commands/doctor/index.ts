/** `deskops doctor`: registered up front, checks loaded when it runs (see run.ts). */
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';

export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check the config, the profile, reachability and auth of the desk, and versions')
    .option('--json', 'print the checks as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 when every check passes (warnings allowed), 4 when authentication failed,
1 when any other check failed.

Examples:
  $ deskops doctor
  $ deskops doctor --profile acme
  $ deskops doctor --json | jq '.checks[] | select(.status != "ok")'`,
    )
    .action(async (flags: { json?: boolean }) => (await import('./run.js')).runDoctor(ctx, flags));
}
