import { Option, type Command } from 'commander';
import { completeFrom } from '../../completion-values.js';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';
import { TICKET_STATUSES } from '../../../core/model.js';

const collectVar = (value: string, previous: string[] = []) => [...previous, value];

/** `reply`: suggest, draft and send replies from the template library. */
export function registerReplyCommands(program: Command, ctx: CliContext): void {
  const reply = program
    .command('reply')
    .description('reply to a ticket from a template: suggest one, draft it, send it')
    .addHelpText(
      'after',
      `
A typical round: see what fits, draft it, read it, send it.

Examples:
  $ deskops reply suggest 42
  $ deskops reply draft 42 --template apology-delay --var next_update="by Friday"
  $ deskops reply send 42 --draft 3f9c2a1b
  $ deskops reply send 42 --template survey-csat --yes      # in a script`,
    );

  addOutputOptions(
    reply
      .command('suggest')
      .argument('<ticket>', 'ticket id')
      .description('rank the templates that fit a ticket, with the reasons')
      .option('-n, --limit <n>', 'at most this many suggestions', '5'),
    'suggestions',
  )
    .addHelpText(
      'after',
      `
Reads the customer's latest message (repeat contact, "cancel", "refund", "unacceptable",
capitals, !!!), how long they have waited, transfers, and the ticket's status (pending:
reminders; solved: check-in and surveys).

Examples:
  $ deskops reply suggest 42
  $ deskops reply suggest 42 --json | jq -r '.[0].name'`,
    )
    .action(async (id, opts) => (await import('./suggest.js')).replySuggest(ctx, id, opts));

  reply
    .command('draft')
    .argument('<ticket>', 'ticket id')
    .description('render a template for a ticket and keep it as a local draft')
    .addOption(completeFrom(new Option('--template <name>', 'template name').makeOptionMandatory(), 'templates'))
    .option('--var <key=value>', 'a template variable, used as {{ vars.key }} (repeatable)', collectVar)
    .option('-l, --locale <locale>', 'template translation to use, e.g. es (default: setting reply.locale, else en)')
    .option('-e, --edit', 'edit the rendered text in $EDITOR before saving (terminal only)')
    .option('--json', 'print the draft as JSON')
    .addHelpText(
      'after',
      `
The text goes to stdout and the draft id to stderr. Drafts live in $DESKOPS_HOME/drafts.

Examples:
  $ deskops reply draft 42 --template apology-delay --var next_update="by Friday"
  $ deskops reply draft 42 --template apology-billing-error --var amount="EUR 49.00" --edit
  $ deskops reply send 42 --draft 3f9c2a1b`,
    )
    .action(async (id, opts) => (await import('./draft.js')).replyDraft(ctx, id, opts));

  addOutputOptions(
    reply
      .command('drafts')
      .description('list local drafts')
      .option('--ticket <id>', 'only drafts for this ticket'),
    'drafts',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ deskops reply drafts
  $ deskops reply drafts --ticket 42 --json | jq -r '.[].id'`,
    )
    .action(async (opts) => (await import('./drafts.js')).replyDrafts(ctx, opts));

  reply
    .command('discard')
    .argument('<id>', 'draft id')
    .description('delete a local draft')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops reply discard 3f9c2a1b`,
    )
    .action(async (id) => (await import('./drafts.js')).replyDiscard(ctx, id));

  reply
    .command('send')
    .argument('<ticket>', 'ticket id')
    .description("send a reply: from a template, the desk's macro, a draft, a file or text; shows it first and asks on a terminal")
    .addOption(completeFrom(new Option('--template <name>', 'render this template for the ticket'), 'templates'))
    .option('--macro <name>', "apply the desk's macro (title or id, see deskops macro list): every change shown first, then one update")
    .option('--dry-run', 'with --macro: show what the macro would do and send nothing')
    .option('-d, --draft <id>', 'send a saved draft (it is deleted once sent)')
    .option('--rerender', 'with --draft: if the ticket changed since, render the draft\'s template again for it as it is now')
    .option('--body-file <file>', 'send the text of a file as written (- reads stdin)')
    .option('--body <text>', 'send this text as written')
    .option('--var <key=value>', 'a template variable, used as {{ vars.key }} (repeatable; with --template)', collectVar)
    .option('-l, --locale <locale>', 'template translation to use (default: setting reply.locale, else en)')
    .option('--note', 'add it as an internal note, not a public reply')
    .addOption(new Option('--status <status>', 'set this status (instead of the template\'s)').choices(TICKET_STATUSES.filter((s) => s !== 'new')))
    .option('-y, --yes', 'send without asking (required when not interactive)')
    .option('--json', 'print ticket_id, public, body, template and status as JSON')
    .addHelpText(
      'after',
      `
The preview goes to stderr; the text sent is exactly the text shown. The reply and the
template's changes (set: status, priority, tags) go in one update, refused if the ticket
changed since it was read. --body and --body-file are sent as written, not as Liquid.
A draft goes only to the desk and the ticket it was written for, and only if the ticket has
not changed since; --rerender renders its template again for the ticket as it is now (not for
a draft edited by hand).
--macro applies one of the desk's macros instead: the preview lists every change it makes
(comment, public or internal, status, priority, type, tags, assignee, group) and its comment
as the desk fills it in; then it goes as one update, refused if the ticket changed since.

Examples:
  $ deskops reply send 42 --template apology-delay
  $ deskops reply send 42 --template resolution-refund-issued --var amount="EUR 49.00" --yes
  $ deskops reply send 42 --draft 3f9c2a1b --status pending
  $ deskops reply send 42 --macro "Close and thank"             # the desk's macro, previewed first
  $ deskops reply send 42 --macro "Escalate to Billing" --dry-run
  $ deskops reply send 42 --template escalation-handoff-note --var tried="reset, reinstall" --var need="a refund decision"
  $ echo "Thanks, we are on it." | deskops reply send 42 --body-file - --yes --json`,
    )
    .action(async (id, opts) => (await import('./send.js')).replySend(ctx, id, opts));
}
