/** `deskops config`: the settings in config.json, listed, read and set with their checks. */
import type { Command } from 'commander';
import type { CliContext } from '../../context.js';

export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program
    .command('config')
    .description('list, read and change settings (urgency weights, SLA targets, survey fatigue...)')
    .addHelpText(
      'after',
      `
Settings live in config.json in $DESKOPS_HOME and apply to every profile. A value is
checked when it is set, as the command that reads it would check it.

Examples:
  $ deskops config list
  $ deskops config get survey.fatigue_days
  $ deskops config set survey.fatigue_days 14
  $ deskops config set urgency.weights '{"vip": 40}'
  $ deskops config set kpi.complaint_tags complaint,escalated
  $ deskops config unset triage.refresh_seconds`,
    );
  config
    .command('list')
    .description('every setting: its value, whether it is set or the default, and what it does')
    .option('--json', 'print the settings as JSON')
    .addHelpText('after', `
Examples:
  $ deskops config list
  $ deskops config list --json | jq -r '.[] | select(.source == "set") | .key'`)
    .action(async (flags: { json?: boolean }) => (await import('./run.js')).configList(ctx, flags));
  config
    .command('get')
    .argument('<key>', 'a setting, e.g. survey.fatigue_days')
    .description('print the value in effect, as JSON (the default when it is not set)')
    .addHelpText('after', `
Examples:
  $ deskops config get survey.fatigue_days
  $ deskops config get urgency.weights | jq .vip`)
    .action(async (key: string) => (await import('./run.js')).configGet(ctx, key));
  config
    .command('set')
    .argument('<key>', 'a setting, e.g. survey.fatigue_days')
    .argument('<value>', 'JSON (14, ["a","b"], {"vip": 40}) or plain text (tier-2, solved,pending)')
    .description('check a value and store it')
    .addHelpText('after', `
The value is checked as the command that reads it checks it: a bad one is refused with
exit 2 and nothing is stored.

Examples:
  $ deskops config set survey.fatigue_days 14
  $ deskops config set survey.statuses solved,pending
  $ deskops config set urgency.weights '{"vip": 40, "priority": {"urgent": 50}}'`)
    .action(async (key: string, value: string) => (await import('./run.js')).configSet(ctx, key, value));
  config
    .command('unset')
    .argument('<key>', 'a setting')
    .description('remove a setting: its default applies again')
    .addHelpText('after', `
Examples:
  $ deskops config unset survey.fatigue_days`)
    .action(async (key: string) => (await import('./run.js')).configUnset(ctx, key));
}
