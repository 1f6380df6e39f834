/** `deskops profile add`: flags -> secret from stdin -> store. */
import type { Readable } from 'node:stream';
import { UsageError } from '../../../core/errors.js';
import type { CliContext } from '../../context.js';

const MAX_SECRET_BYTES = 64 * 1024;

export interface ProfileAddFlags {
  url: string;
  email?: string;
  kind: 'zendesk' | 'rt';
  tokenStdin?: boolean;
  oauthTokenStdin?: boolean;
  use?: boolean;
}

export async function addProfile(ctx: CliContext, name: string, flags: ProfileAddFlags): Promise<void> {
  const [{ checkProfileName }, { checkDeskUrl }] = await Promise.all([
    import('../../../config/store.js'),
    import('../../../config/url.js'),
  ]);
  checkProfileName(name);
  if (Boolean(flags.tokenStdin) === Boolean(flags.oauthTokenStdin)) {
    throw new UsageError('give the secret on stdin with exactly one of --token-stdin or --oauth-token-stdin', {
      hint: 'secrets are never taken as arguments: they would end up in shell history',
    });
  }
  const auth = flags.oauthTokenStdin ? 'oauth' : flags.kind === 'rt' ? 'rt-token' : 'token';
  if (flags.kind === 'rt' && auth === 'oauth') {
    throw new UsageError('Request Tracker profiles use --token-stdin (an RT auth token)');
  }
  if (auth === 'token' && !flags.email) {
    throw new UsageError('--email is required with --token-stdin: Zendesk API tokens are used with the agent\'s email');
  }
  const url = checkDeskUrl(flags.url, UsageError);

  // On a terminal the token is asked for without echo: pasted text would stay on the screen
  // and in the scrollback. Piped in, it is read whole.
  const secret = ctx.io.interactive
    ? (await (await import('../../prompt.js')).askSecret(ctx, 'token (not shown):')).trim()
    : (await readAll(ctx.io.stdin, MAX_SECRET_BYTES)).trim();
  if (secret === '') {
    throw new UsageError('no token on stdin', {
      hint: `pipe it in, e.g. deskops profile add ${name} ... --token-stdin < token.txt`,
    });
  }
  if (/\s/.test(secret)) throw new UsageError('the token on stdin contains whitespace; give the token alone');

  const store = await ctx.config({ write: true });
  const replaced = store.addProfile({ name, kind: flags.kind, url, email: flags.email, auth }, secret);
  if (flags.use) store.useProfile(name);
  ctx.io.err(`${replaced ? 'replaced' : 'added'} profile ${name}; check it with: deskops doctor --profile ${name}`);
  if (flags.use) ctx.io.err(`now using profile ${name}`);
}

async function readAll(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) throw new UsageError(`more than ${limit / 1024} KiB on stdin; expected a token`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
