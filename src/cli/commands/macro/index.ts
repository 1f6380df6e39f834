import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';

/** `macro`: the desk's macros (Zendesk), shown beside deskops' templates. */
export function registerMacroCommands(program: Command, ctx: CliContext): void {
  const macro = program
    .command('macro')
    .description("the desk's macros: the canned changes and replies your team already uses")
    .addHelpText(
      'after',
      `
A macro is applied from \`deskops reply send TICKET --macro NAME\` or from triage's reply
picker (r): deskops shows every change it makes (comment and whether it is public, status,
priority, type, tags, assignee, group) before anything is sent, then sends them as one safe
update. \`deskops template import --from-macros\` turns macros into deskops templates.
Request Tracker has no macros.

Examples:
  $ deskops macro list
  $ deskops reply send 42 --macro "Close and thank"`,
    );

  addOutputOptions(
    macro
      .command('list')
      .alias('ls')
      .description('list the active macros you may use: shared ones, your group\'s and your own'),
    'macros',
  )
    .addHelpText(
      'after',
      `
ACTIONS sums up what each does; --json gives every action as the desk has it.

Examples:
  $ deskops macro list
  $ deskops macro list --json | jq -r '.[] | "\\(.id)\\t\\(.title)"'
  $ deskops reply send 42 --macro "Ask for order number"`,
    )
    .action(async (opts) => (await import('./list.js')).macroList(ctx, opts));
}
