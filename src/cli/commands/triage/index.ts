import type { Command } from 'commander';
import type { CliContext } from '../../context.js';

export function registerTriageCommand(program: Command, ctx: CliContext): void {
  program
    .command('triage')
    .description('work the urgency-ranked queue interactively: read, assign, escalate, tag, reply')
    .option('--view <view>', "mine, unassigned, all, group:NAME, or one of the desk's views by title or id (deskops view list)", 'mine')
    .option('-n, --limit <n>', 'load at most N tickets into the list', '500')
    .option('--refresh <seconds>', 'reload the queue every N seconds (config triage.refresh_seconds, default 60)')
    .option('--fresh', 'read every ticket again at start instead of what changed since the last read')
    .addHelpText(
      'after',
      `
Keys: j/k or arrows move, enter opens the thread (esc back), a assign, e escalate (to the
escalations group, priority one step up, internal note with the reason), p priority, t tag,
s status, n internal note, r reply (pick a suggested template,
see the exact text, send it; or write your own in $VISUAL/$EDITOR), / filter (ticket list --query
syntax), v another view (deskops' own or the desk's), space marks tickets so the next change applies to all of them, ? help, q quit.

Changes show at once and roll back if the desk refuses them. The time spent on each ticket
is recorded in its "Total time spent (sec)" and "Time spent last update (sec)" fields with
the next change, as Zendesk's Time Tracking app does. Needs a terminal: in scripts use
\`deskops queue\`.

Examples:
  $ deskops triage
  $ deskops triage --view unassigned
  $ deskops triage --view "Urgent tickets"        # one of the desk's views
  $ deskops triage --view group:escalations --refresh 30`,
    )
    .action(async (opts) => (await import('./run.js')).triageRun(ctx, opts));
}
