import { Option, type Command } from 'commander';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';
import { STATUS_FILTERS } from '../../../core/ticket-query.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../../core/model.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

export function registerTicketCommands(program: Command, ctx: CliContext): void {
  const ticket = program.command('ticket').description('list, view and update tickets');

  addOutputOptions(
    ticket
      .command('list')
      .alias('ls')
      .description('list tickets, most recently updated first (unsolved by default)')
      .addOption(new Option('-s, --status <status>', 'status filter').choices([...STATUS_FILTERS]).default('unsolved'))
      .addOption(new Option('--priority <priority>', 'priority filter').choices([...TICKET_PRIORITIES]))
      .option('-a, --assignee <who>', 'me, none, an agent id, email or full name')
      .option('-g, --group <name>', 'group name or id, or none')
      .option('-t, --tag <tag>', 'only tickets with this tag (repeatable)', collect)
      .option('-q, --query <query>', 'extra search terms in the desk\'s query syntax, e.g. "created>7days"')
      .option('-n, --limit <n>', 'at most this many tickets', '50')
      .addOption(new Option('--all', 'every matching ticket, read and printed page by page').conflicts('limit'))
      .option('--fresh', 'read every ticket again instead of what changed since the last read'),
    'tickets',
  )
    .addHelpText(
      'after',
      `
When more tickets match than --limit shows, stderr says so ("50 of 5,000 tickets; --limit N
or --all for more"); stdout holds only the tickets. Lists come from the profile's replica of
the desk: the first one reads every ticket, later ones only what changed since (--fresh
reads everything again). --all lists every match, printing each page as it is named (JSON,
CSV and plain text; a table waits for all of them), by id rather than by update time. With
--query the list comes from the desk's search instead (its export past 1,000).

Examples:
  $ deskops ticket list
  $ deskops ticket list --assignee me --status open
  $ deskops ticket list --tag complaint --priority urgent --limit 10
  $ deskops ticket list --query "created>7days refund" --json | jq '.[].id'
  $ deskops ticket list --status any --fields id,status,subject --csv > tickets.csv   # the 50 latest
  $ deskops ticket list --status any --all --csv > tickets.csv                        # every ticket`,
    )
    .action(async (opts) => (await import('./list.js')).ticketList(ctx, opts));

  addOutputOptions(
    ticket
      .command('view')
      .alias('show')
      .argument('<id>', 'ticket id')
      .description('show a ticket with its requester, metrics and the whole thread')
      .option('--public-only', 'leave internal notes out of the thread'),
    'the ticket',
  )
    .addHelpText(
      'after',
      `
The SLA line shows the running target that breaches first (as the queue counts it down).
--json prints it as "sla": {metric, target_minutes, breach_at, breached, minutes_left}
(minutes_left is negative once breached), or null when no target is running or the desk
has no SLA policies (Request Tracker).

Examples:
  $ deskops ticket view 42
  $ deskops ticket view 42 --json | jq '.sla'
  $ deskops ticket view 42 --json | jq '.comments[] | select(.public) | .body'`,
    )
    .action(async (id, opts) => (await import('./view.js')).ticketView(ctx, id, opts));

  addOutputOptions(
    ticket
      .command('update')
      .argument('<id>', 'ticket id')
      .description('change status, priority, assignee, group or tags, and add a reply or internal note')
      .addOption(new Option('--status <status>', 'new status').choices([...TICKET_STATUSES]))
      .addOption(new Option('--priority <priority>', 'new priority').choices([...TICKET_PRIORITIES]))
      .option('--assign <who>', 'me, none, an agent id, email or full name')
      .option('--group <name>', 'group name or id')
      .option('--tag <tag>', 'add a tag (repeatable, or comma-separated)', collect)
      .option('--untag <tag>', 'remove a tag (repeatable, or comma-separated)', collect)
      .addOption(new Option('--note <text>', 'add an internal note (- reads it from stdin)').conflicts('reply'))
      .addOption(new Option('--reply <text>', 'add a public reply to the customer (- reads it from stdin)').conflicts('note')),
    'the updated ticket',
  )
    .addHelpText(
      'after',
      `
The update is safe: if someone changed the ticket since it was read, nothing is written and
the command fails with a conflict, so run it again.

Examples:
  $ deskops ticket update 42 --status pending --reply "Thanks, the refund is on its way."
  $ deskops ticket update 42 --assign me --priority high --tag escalated
  $ deskops ticket update 42 --group billing --note "Moved to billing: double charge on invoice 1182"
  $ echo "Long reply..." | deskops ticket update 42 --reply -`,
    )
    .action(async (id, opts) => (await import('./update.js')).ticketUpdate(ctx, id, opts));
}
