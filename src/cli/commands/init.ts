/**
 * `deskops init`: a guided `profile add` for people at a terminal. Asks for the desk, checks
 * the token against it (GET /users/me), then saves the profile and makes it active.
 * Prompts (@inquirer/prompts), the config store and the HTTP client load only when it runs.
 */
import type { Command } from 'commander';
import type { Connection } from '../../api/helpdesk.js';
import type { Profile } from '../../config/store.js';
import { Cancelled, UsageError, isDeskopsError } from '../../core/errors.js';
import type { CliContext } from '../context.js';
import { isPromptAbort, promptStreams } from '../prompt.js';

export function registerInitCommand(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('set up a desk profile step by step, check it and make it active (interactive)')
    .addHelpText(
      'after',
      `
In scripts, use \`deskops profile add\` instead: it reads the token from stdin.

Examples:
  $ deskops init
  $ deskops profile add acme --url https://acme.zendesk.com --email me@acme.com --token-stdin < token.txt`,
    )
    .action(async () => {
      await runInit(ctx);
    });
}

async function runInit(ctx: CliContext): Promise<void> {
  if (!ctx.io.interactive) {
    throw new UsageError(
      'deskops init is interactive; use `deskops profile add NAME --url URL --email E --token-stdin` in scripts',
    );
  }
  try {
    await guidedSetup(ctx);
  } catch (err) {
    // Ctrl-C or Ctrl-D at a prompt
    if (isPromptAbort(err)) {
      throw new Cancelled('init cancelled; nothing was saved');
    }
    throw err;
  }
}

async function guidedSetup(ctx: CliContext): Promise<void> {
  const store = await ctx.config({ write: true });
  const [prompts, { checkProfileName, LOCAL_PROFILE }, { checkDeskUrl, remoteConnection }, { sanitizeLine }] =
    await Promise.all([
      import('@inquirer/prompts'),
      import('../../config/store.js'),
      import('../../config/connection.js'),
      import('../../core/sanitize.js'),
    ]);
  const { input, password, select, confirm } = prompts;
  const context = await promptStreams(ctx);
  const problem = (check: () => unknown): true | string => {
    try {
      check();
      return true;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };

  const kind = await select<'zendesk' | 'rt'>(
    {
      message: 'Which kind of desk?',
      choices: [
        { name: 'Zendesk', value: 'zendesk' },
        { name: 'Request Tracker (RT)', value: 'rt' },
      ],
    },
    context,
  );
  const rawUrl = await input(
    {
      message: kind === 'zendesk' ? 'Desk URL (e.g. https://acme.zendesk.com):' : 'RT URL (e.g. https://rt.example.com):',
      required: true,
      validate: (v) => problem(() => checkDeskUrl(v, UsageError)),
    },
    context,
  );
  const url = checkDeskUrl(rawUrl, UsageError);
  const name = await input(
    {
      message: 'Profile name:',
      default: suggestName(url),
      required: true,
      validate: (v) =>
        v.trim() === LOCAL_PROFILE ? '`local` is the built-in profile; choose another name' : problem(() => checkProfileName(v.trim())),
    },
    context,
  ).then((v) => v.trim());
  if (store.getProfile(name)) {
    const replace = await confirm({ message: `Profile ${name} exists. Replace it?`, default: false }, context);
    if (!replace) throw new Cancelled(`kept the existing profile ${name}; nothing was saved`);
  }
  const auth: NonNullable<Profile['auth']> =
    kind === 'rt'
      ? 'rt-token'
      : await select<'token' | 'oauth'>(
          {
            message: 'Sign in with:',
            choices: [
              { name: 'email + API token (Admin Center > Apps and integrations > Zendesk API)', value: 'token' },
              { name: 'OAuth access token', value: 'oauth' },
            ],
          },
          context,
        );
  const email =
    auth === 'token'
      ? (
          await input(
            {
              message: 'Your agent email:',
              required: true,
              validate: (v) => (/^\S+@\S+$/.test(v.trim()) ? true : 'enter an email address'),
            },
            context,
          )
        ).trim()
      : undefined;
  const secret = (
    await password(
      {
        message: auth === 'oauth' ? 'OAuth access token:' : auth === 'rt-token' ? 'RT auth token:' : 'API token:',
        mask: '*',
        validate: (v) => (v.trim() === '' ? 'the token is empty' : true),
      },
      context,
    )
  ).trim();

  const profile: Profile = { name, kind, url, email, auth };
  const connection = remoteConnection(profile, secret);
  ctx.io.err(`checking ${url} ...`);
  try {
    const user = await whoAmI(ctx, connection);
    ctx.io.err(`signed in as ${sanitizeLine(user.name)} (${user.role})`);
  } catch (err) {
    if (!isDeskopsError(err)) throw err;
    ctx.io.err(`the check failed: ${err.message}`);
    const keep = await confirm({ message: 'Save the profile anyway?', default: false }, context);
    // declining is the user's choice, not a failure: exit 2, as every cancelled prompt
    if (!keep) throw new Cancelled('nothing was saved');
  }
  store.addProfile(profile, secret);
  store.useProfile(name);
  ctx.io.err(`saved profile ${name} and made it active; check it any time with: deskops doctor`);
}

async function whoAmI(ctx: CliContext, connection: Connection): Promise<{ name: string; role: string }> {
  const { createHelpDesk } = await import('../../api/index.js');
  const logger = ctx.globals.verbose ? (await import('../verbose.js')).requestLogger(ctx.io) : undefined;
  const desk = await createHelpDesk(connection, { logger, retries: 1, timeoutMs: 15_000 });
  return desk.me();
}

/** acme.zendesk.com -> acme; rt.example.com -> rt-example. */
function suggestName(url: string): string | undefined {
  const host = new URL(url).hostname.toLowerCase();
  if (/^[\d.]+$|^\[/.test(host)) return undefined;
  const labels = host.split('.').filter((l) => l !== 'www');
  const base = host.endsWith('.zendesk.com') ? labels[0] : labels.slice(0, 2).join('-');
  const name = (base ?? '').replace(/[^a-z0-9_-]/g, '-').replace(/^[-_]+/, '').slice(0, 40);
  return name && name !== 'local' ? name : undefined;
}
