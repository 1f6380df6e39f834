import type { Command } from 'commander';
import type { CliContext } from '../../context.js';

/** `sweep`: rule-driven follow-ups over every ticket that is due, each sent exactly once. */
export function registerSweepCommands(program: Command, ctx: CliContext): void {
  const sweep = program
    .command('sweep')
    .description('follow-up sweeps: reminders, check-ins, transfer follow-ups and nudges, by rules, each sent once')
    .addHelpText(
      'after',
      `
Rules: the shipped templates/sweeps/default.yml plus $DESKOPS_HOME/sweeps/*.yml (a rule of the
same name replaces a shipped one), or --rules FILE alone. Each rule (and step) leaves a marker
tag (sweep_<rule>[_<step>]) in the same update as its comment, so it fires once per ticket.
A sweep is safe to interrupt: \`sweep resume\` (or another \`sweep run\`) finishes the work.

Examples:
  $ deskops sweep plan                         # what is due now, per rule
  $ deskops sweep run                          # plan, confirm, send
  $ deskops sweep run --yes --json             # in a script: a summary object on stdout
  $ deskops sweep run --dry-run --rules my-rules.yml
  $ deskops sweep status
  $ deskops sweep resume 20261125-141503-3f9c`,
    );

  sweep
    .command('plan')
    .description('what a sweep would do now, per rule: how many tickets, which, with which template; nothing is written')
    .option('--rules <file>', 'use only this rules file')
    .option('--max-rate <n>', 'requests per minute at most (default: 90% of the desk\'s limit)')
    .option('--json', 'print the plan as a JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops sweep plan
  $ deskops sweep plan --rules ./sweeps/weekend.yml
  $ deskops sweep plan --json | jq '.rules[] | {rule, planned}'`,
    )
    .action(async (opts) => (await import('./plan.js')).sweepPlan(ctx, opts));

  sweep
    .command('run')
    .description('plan, show the plan, confirm, then send every follow-up that is due')
    .option('--rules <file>', 'use only this rules file')
    .option('--dry-run', 'print the plan and stop; nothing is written')
    .option('-y, --yes', 'do not ask (required when not interactive)')
    .option('-n, --limit <n>', 'at most this many follow-ups this run (the rest wait for the next)')
    .option('--max-rate <n>', 'requests per minute at most, reads included (default: 90% of the desk\'s limit)')
    .option('--batch-size <n>', 'tickets per update_many request, 1 to 100', '100')
    .option('--max-attempts <n>', 'times one follow-up is tried before it is reported failed', '4')
    .option('--json', 'print the summary as a JSON object')
    .addHelpText(
      'after',
      `
Sends in update_many batches of up to 100 tickets, each ticket's comment, marker tag and
changes in one update; polls the jobs; retries what failed a few times, then reports it.
Progress goes to stderr on a terminal. Exit 3 when some follow-ups failed (the summary
lists them); run it again to retry them: what was sent is never sent twice.

Examples:
  $ deskops sweep run
  $ deskops sweep run --yes --json > sweep-summary.json
  $ deskops sweep run --dry-run
  $ deskops sweep run --yes --limit 200 --max-rate 300/min`,
    )
    .action(async (opts) => (await import('./run.js')).sweepRun(ctx, opts));

  sweep
    .command('status')
    .description('the running or last sweep on this profile and its progress')
    .option('--json', 'print the status as a JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops sweep status
  $ deskops sweep status --json | jq '{status, sent, to_do}'`,
    )
    .action(async (opts) => (await import('./status.js')).sweepStatus(ctx, opts));

  sweep
    .command('history')
    .description('past sweeps, newest first, from the journals in $DESKOPS_HOME/journal')
    .option('-n, --limit <n>', 'at most this many runs', '20')
    .option('--all-profiles', 'runs of every profile, not only this one')
    .option('--json', 'print the runs as a JSON array')
    .option('--csv', 'print the runs as CSV')
    .option('--plain', 'print the runs tab-separated')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops sweep history
  $ deskops sweep history --json | jq '.[] | select(.failed > 0) | .run_id'`,
    )
    .action(async (opts) => (await import('./history.js')).sweepHistory(ctx, opts));

  sweep
    .command('resume')
    .argument('<run-id>', 'the run to finish (see `deskops sweep history`)')
    .description('finish an interrupted or partly failed sweep: what is done stays done, the rest is checked and sent')
    .option('-y, --yes', 'do not ask (required when not interactive)')
    .option('--max-rate <n>', 'requests per minute at most (default: 90% of the desk\'s limit)')
    .option('--batch-size <n>', 'tickets per update_many request, 1 to 100', '100')
    .option('--max-attempts <n>', 'times one follow-up is tried before it is reported failed', '4')
    .option('--json', 'print the summary as a JSON object')
    .addHelpText(
      'after',
      `
Each follow-up the run had not finished is checked on the desk first: one whose marker tag is
on the ticket was applied and counts as sent; the others are decided again against the
ticket as it is now (a customer who answered meanwhile gets no reminder) and sent.

Examples:
  $ deskops sweep resume 20261125-141503-3f9c
  $ deskops sweep resume 20261125-141503-3f9c --yes --json`,
    )
    .action(async (id, opts) => (await import('./resume.js')).sweepResume(ctx, id, opts));
}
