/**
 * `deskops profile add|list|use|remove`. Options and help are registered here; each action
 * imports its implementation when it runs, so `deskops --help` loads no config store.
 */
import { Argument, Command, Option } from 'commander';
import { completeFrom } from '../../completion-values.js';
import type { CliContext } from '../../context.js';
import { addOutputOptions } from '../../output.js';
import type { ProfileAddFlags } from './add.js';

export function registerProfileCommands(program: Command, ctx: CliContext): void {
  const profile = program
    .command('profile')
    .description('manage desk profiles: where a desk is and how to sign in')
    .addHelpText(
      'after',
      `
The built-in profile \`local\` is the embedded desk with demo data. Secrets are stored in
secrets.json (mode 0600) under DESKOPS_HOME and are never printed in full.

Examples:
  $ deskops profile add acme --url https://acme.zendesk.com --email me@acme.com --token-stdin < token.txt
  $ deskops profile list
  $ deskops profile use acme
  $ deskops profile remove acme`,
    );

  profile
    .command('add')
    .description('add (or replace) a profile; the token is read from stdin')
    .argument('<name>', 'profile name: lowercase letters, digits, - and _')
    .requiredOption('--url <url>', 'desk address, e.g. https://acme.zendesk.com (http only for loopback)')
    .option('--email <email>', "agent's email (Zendesk API token auth)")
    .option('--token-stdin', 'read an API token from stdin')
    .option('--oauth-token-stdin', 'read an OAuth access token from stdin')
    .addOption(new Option('--kind <kind>', 'desk kind').choices(['zendesk', 'rt']).default('zendesk'))
    .option('--use', 'make it the active profile')
    .addHelpText(
      'after',
      `
Examples:
  $ deskops profile add acme --url https://acme.zendesk.com --email me@acme.com --token-stdin < token.txt
  $ printenv ZENDESK_OAUTH | deskops profile add acme --url https://acme.zendesk.com --oauth-token-stdin --use
  $ deskops profile add rt --kind rt --url https://rt.example.com --token-stdin < rt-token.txt`,
    )
    .action(async (name: string, flags: ProfileAddFlags) => {
      const { addProfile } = await import('./add.js');
      await addProfile(ctx, name, flags);
    });

  addOutputOptions(
    profile
      .command('list')
      .alias('ls')
      .description('list profiles; the active one is marked with *'),
    'profiles',
  )
    .addHelpText(
      'after',
      `
Examples:
  $ deskops profile list
  $ deskops profile list --json | jq -r '.[] | select(.active) | .name'`,
    )
    .action(async (flags: Record<string, unknown>) => {
      const { listProfiles } = await import('./list.js');
      await listProfiles(ctx, flags);
    });

  profile
    .command('use')
    .description('make a profile the active one')
    .addArgument(completeFrom(new Argument('<name>', 'profile name'), 'profiles'))
    .addHelpText(
      'after',
      `
Examples:
  $ deskops profile use acme
  $ deskops profile use local      # back to the embedded demo desk`,
    )
    .action(async (name: string) => {
      const { useProfile } = await import('./use.js');
      await useProfile(ctx, name);
    });

  profile
    .command('remove')
    .alias('rm')
    .description('remove a profile and its stored secret')
    .addArgument(completeFrom(new Argument('<name>', 'profile name'), 'profiles'))
    .addHelpText(
      'after',
      `
Examples:
  $ deskops profile remove acme`,
    )
    .action(async (name: string) => {
      const { removeProfile } = await import('./remove.js');
      await removeProfile(ctx, name);
    });
}
