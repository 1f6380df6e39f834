import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';
import { registerTriageCommand } from '../triage/index.js';

/** `queue` and its interactive twin `triage`. */
export function registerQueueCommands(program: Command, ctx: CliContext): void {
  addOutputOptions(
    program
      .command('queue')
      .description('unsolved tickets ranked by urgency: SLA, priority, waiting time, anger, VIP, reopens, channel')
      .option('--view <view>', "mine, unassigned, all, group:NAME, or one of the desk's views by title or id (deskops view list)", 'mine')
      .option('-n, --limit <n>', 'show the N most urgent tickets', '25')
      .option('-t, --tag <tags...>', 'only tickets with these tags (e.g. survey_followup for detractors to call back)')
      .option('--explain', 'list every reason with its points')
      .option('--fresh', 'read every ticket again instead of what changed since the last read'),
    'the queue',
  )
    .addHelpText(
      'after',
      `
Every unsolved ticket in the view is scored; the weights are in the profile's config
(setting "urgency.weights", see the README). --json prints an array, most urgent first, each
with "urgency" (a number), "reasons" and "sla_breach_at".

Examples:
  $ deskops queue                                # my most urgent tickets
  $ deskops queue --view unassigned --limit 10
  $ deskops queue --view group:billing --explain
  $ deskops queue --view "Urgent tickets"            # one of the desk's views (deskops view list)
  $ deskops queue --view all --tag survey_followup   # survey detractors waiting for a follow-up
  $ deskops queue --view all --json | jq '.[0] | {id, urgency, reasons}'
  $ deskops triage                               # the same queue, interactive`,
    )
    .action(async (opts) => (await import('./show.js')).queueShow(ctx, opts));
  registerTriageCommand(program, ctx);
}
