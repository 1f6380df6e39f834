import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';

/** `view`: the desk's own views (Zendesk views, Request Tracker saved searches). */
export function registerViewCommands(program: Command, ctx: CliContext): void {
  const view = program
    .command('view')
    .description("the desk's views: the saved ticket filters your team works from")
    .addHelpText(
      'after',
      `
A view of the desk (a Zendesk view, a Request Tracker saved search) can be ranked by urgency
like deskops' own views: \`deskops queue --view "NAME"\`, or \`v\` in triage. deskops' own view
names (mine, unassigned, all, group:NAME) win over a desk view of the same name.

Examples:
  $ deskops view list
  $ deskops queue --view "Urgent tickets"`,
    );

  addOutputOptions(
    view
      .command('list')
      .alias('ls')
      .description('list the active views you may use: shared ones, your group\'s and your own'),
    'views',
  )
    .addHelpText(
      'after',
      `
ACCESS says who else sees a view: shared (everyone), group NAME, or personal (you alone).

Examples:
  $ deskops view list
  $ deskops view list --json | jq -r '.[] | "\\(.id)\\t\\(.title)"'
  $ deskops queue --view "$(deskops view list --json | jq -r '.[0].title')" --limit 5`,
    )
    .action(async (opts) => (await import('./list.js')).viewList(ctx, opts));
}
