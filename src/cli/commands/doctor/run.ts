/**
 * `deskops doctor`: checks config, profile, secrets, URL, reachability, auth, rate-limit
 * headroom and versions, one line each with a fix hint. Uses the same resolution as every
 * other command (ctx.config(), ctx.connection()); a broken config is a failed check, not a crash.
 * Never prints a secret: only `****` and its last 4 characters.
 */
import type { Connection, HelpDesk } from '../../../api/helpdesk.js';
import type { ConfigStore, Profile } from '../../../config/store.js';
import type { ProfileChoice } from '../../../config/connection.js';
import { redactSecret, scrubSecrets } from '../../../config/redact.js';
import { AuthError, DeskopsError, PermissionError, isDeskopsError } from '../../../core/errors.js';
import type { CliContext } from '../../context.js';
import { VERSION } from '../../../core/version.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface DoctorCheck {
  id: 'config' | 'profile' | 'secrets' | 'url' | 'credentials' | 'reachability' | 'auth' | 'rate-limit' | 'versions';
  status: CheckStatus;
  detail: string;
  hint?: string;
}

export interface DoctorReport {
  ok: boolean;
  profile: string | null;
  checks: DoctorCheck[];
}

const LABEL: Record<DoctorCheck['id'], string> = {
  config: 'config',
  profile: 'profile',
  secrets: 'secrets file',
  url: 'url',
  credentials: 'credentials',
  reachability: 'reachability',
  auth: 'auth',
  'rate-limit': 'rate limit',
  versions: 'versions',
};

const SOURCE: Record<ProfileChoice['source'], string> = {
  flag: 'chosen with --profile',
  env: 'chosen with DESKOPS_PROFILE',
  config: 'the active profile (deskops profile use)',
  default: 'the default',
};

export async function runDoctor(ctx: CliContext, flags: { json?: boolean }): Promise<void> {
  const checks: DoctorCheck[] = [];
  const secrets = new Set<string>();
  let authFailure: AuthError | undefined;
  let choice: ProfileChoice | undefined;

  const store = await checkConfig(ctx, checks);
  if (store) {
    const { chooseProfile } = await import('../../../config/connection.js');
    choice = chooseProfile({ store, env: ctx.env, profileFlag: ctx.globals.profile });
    const profile = checkProfile(store, choice, checks);
    await checkSecretsFile(store.secretsPath, checks);
    if (profile) {
      const stored = store.secretFor(profile.name);
      if (stored) secrets.add(stored);
      if (ctx.env.DESKOPS_TOKEN) secrets.add(ctx.env.DESKOPS_TOKEN);
      authFailure = await checkDesk(ctx, profile, checks, secrets);
    }
  }
  checks.push(versionsCheck());

  const report: DoctorReport = {
    ok: checks.every((c) => c.status !== 'fail'),
    profile: choice?.name ?? null,
    checks: checks.map((c) => scrubCheck(c, secrets)),
  };
  await printReport(ctx, report, flags);

  if (authFailure) {
    // AuthError's default hint is "run deskops doctor": point at the check's fix line instead.
    throw new AuthError(scrubSecrets(authFailure.message, secrets), { hint: 'see the fix line of the auth check above' });
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  if (failed > 0) {
    throw new DeskopsError(`${failed} of ${report.checks.length} checks failed`, {
      hint: 'each failed check above has a fix line',
    });
  }
}

async function checkConfig(ctx: CliContext, checks: DoctorCheck[]): Promise<ConfigStore | undefined> {
  try {
    const store = await ctx.config();
    const { existsSync } = await import('node:fs');
    checks.push({
      id: 'config',
      status: 'ok',
      detail: existsSync(store.configPath)
        ? `${store.configPath} is valid`
        : `${store.configPath} does not exist yet; using the defaults`,
    });
    return store;
  } catch (err) {
    if (!isDeskopsError(err)) throw err;
    checks.push({
      id: 'config',
      status: 'fail',
      detail: err.message,
      hint: err.hint ?? 'fix the file by hand, or move it away to start again with the defaults',
    });
    return undefined;
  }
}

function checkProfile(store: ConfigStore, choice: ProfileChoice, checks: DoctorCheck[]): Profile | undefined {
  const profile = store.getProfile(choice.name);
  if (!profile) {
    checks.push({
      id: 'profile',
      status: 'fail',
      detail: `profile ${choice.name} (${SOURCE[choice.source]}) does not exist`,
      hint: 'see the profiles with `deskops profile list`; `deskops profile use local` goes back to the demo desk',
    });
    return undefined;
  }
  checks.push({ id: 'profile', status: 'ok', detail: `${profile.name} (${profile.kind}), ${SOURCE[choice.source]}` });
  return profile;
}

async function checkSecretsFile(path: string, checks: DoctorCheck[]): Promise<void> {
  const { stat } = await import('node:fs/promises');
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      checks.push({ id: 'secrets', status: 'ok', detail: `${path} does not exist yet; no secrets stored` });
      return;
    }
    checks.push({
      id: 'secrets',
      status: 'fail',
      detail: `cannot read ${path} (${(err as Error).message})`,
      hint: 'check the permissions of the deskops home (DESKOPS_HOME)',
    });
    return;
  }
  if (process.platform === 'win32') {
    checks.push({ id: 'secrets', status: 'ok', detail: `${path} (file modes are not checked on Windows)` });
  } else if ((mode & 0o077) !== 0) {
    checks.push({
      id: 'secrets',
      status: 'warn',
      detail: `${path} can be read by other users (mode ${mode.toString(8).padStart(4, '0')})`,
      hint: `chmod 600 '${path}'`,
    });
  } else {
    checks.push({ id: 'secrets', status: 'ok', detail: `${path} (mode ${mode.toString(8).padStart(4, '0')})` });
  }
}

/** URL, credentials, reachability, auth and rate limit. Returns the auth failure, if any. */
async function checkDesk(
  ctx: CliContext,
  profile: Profile,
  checks: DoctorCheck[],
  secrets: Set<string>,
): Promise<AuthError | undefined> {
  const { checkDeskUrl, profileAddCommand } = await import('../../../config/connection.js');
  const envUrl = ctx.env.DESKOPS_URL?.trim() || undefined;
  const rawUrl = envUrl ?? profile.url;
  const skipFrom = (from: DoctorCheck['id'][], why: string): void => {
    for (const id of from) checks.push({ id, status: 'skip', detail: `not checked: ${why}` });
  };

  if (rawUrl !== undefined) {
    try {
      const url = checkDeskUrl(rawUrl);
      const scheme = url.startsWith('https:') ? 'https' : 'http on a loopback address';
      checks.push({ id: 'url', status: 'ok', detail: `${url} (${scheme}${envUrl ? ', from DESKOPS_URL' : ''})` });
    } catch (err) {
      if (!isDeskopsError(err)) throw err;
      checks.push({ id: 'url', status: 'fail', detail: err.message, hint: err.hint ?? 'use an https:// URL' });
      skipFrom(['credentials', 'reachability', 'auth', 'rate-limit'], 'the URL is not usable');
      return undefined;
    }
  }

  let connection: Connection;
  try {
    connection = await ctx.connection();
  } catch (caught) {
    const err = asDeskopsError(caught);
    if (rawUrl === undefined) {
      checks.push({
        id: 'url',
        status: 'fail',
        detail: `the embedded desk did not start: ${err.message}`,
        hint: err.hint ?? 'run again with --verbose for details',
      });
      skipFrom(['credentials', 'reachability', 'auth', 'rate-limit'], 'no desk to talk to');
      return undefined;
    }
    checks.push({
      id: 'credentials',
      status: 'fail',
      detail: err.message,
      hint: err.hint,
    });
    skipFrom(['reachability', 'auth', 'rate-limit'], 'no usable credentials');
    return err instanceof AuthError ? err : undefined;
  }
  if (rawUrl === undefined) {
    checks.push({ id: 'url', status: 'ok', detail: `${connection.url} (the embedded local desk, started for this check)` });
  }
  const secret = secretOf(connection);
  secrets.add(secret);
  // Every encoding deskops builds of it too: the Basic credential decodes to email/token:SECRET.
  const { secretsOf } = await import('../../../api/redact.js');
  for (const s of secretsOf(connection.auth)) secrets.add(s);
  const who = 'email' in connection.auth ? `${connection.auth.email}, ` : '';
  const fromEnv = ctx.env.DESKOPS_TOKEN?.trim() ? ' from DESKOPS_TOKEN' : '';
  checks.push({
    id: 'credentials',
    status: 'ok',
    detail: `${who}${authName(connection.auth.type)} ${redactSecret(secret)}${fromEnv}`,
  });

  let desk: HelpDesk;
  try {
    const { createHelpDesk } = await import('../../../api/index.js');
    const logger = ctx.globals.verbose ? (await import('../../verbose.js')).requestLogger(ctx.io) : undefined;
    // Fewer retries and a shorter timeout than other commands: doctor should answer quickly.
    desk = await createHelpDesk(connection, { logger, retries: 1, timeoutMs: 10_000 });
  } catch (caught) {
    const err = asDeskopsError(caught);
    checks.push({ id: 'reachability', status: 'fail', detail: err.message, hint: err.hint });
    skipFrom(['auth', 'rate-limit'], 'no client for this desk');
    return undefined;
  }
  const started = Date.now();
  try {
    const user = await desk.me();
    checks.push({ id: 'reachability', status: 'ok', detail: `${connection.url} answered in ${Date.now() - started} ms` });
    if (user.role === 'end-user') {
      checks.push({
        id: 'auth',
        status: 'warn',
        detail: `signed in as ${user.name} <${user.email}>, an end-user: most commands need an agent or admin`,
        hint: 'use the token of an agent account',
      });
    } else {
      const agentNote =
        user.role === 'agent' && profile.kind !== 'rt'
          ? ': the incremental export and the ratings list need an admin, so kpi reads the search export and survey report leaves out the desk\'s ratings'
          : '';
      checks.push({ id: 'auth', status: 'ok', detail: `signed in as ${user.name} <${user.email}> (${user.role})${agentNote}` });
    }
  } catch (err) {
    if (err instanceof AuthError) {
      checks.push({ id: 'reachability', status: 'ok', detail: `${connection.url} answered in ${Date.now() - started} ms` });
      checks.push({
        id: 'auth',
        status: 'fail',
        detail: err.message,
        hint: fromEnv
          ? 'DESKOPS_TOKEN overrides the stored token; unset it or fix it'
          : profile.kind === 'local'
            ? 'the embedded desk keeps its credentials under DESKOPS_HOME; unset DESKOPS_EMAIL/DESKOPS_TOKEN'
            : `store a fresh token: ${profileAddCommand(profile)}`,
      });
      skipFrom(['rate-limit'], 'not signed in');
      return err;
    }
    if (err instanceof PermissionError) {
      // Signed in, but refused even the user's own profile: not the network, not the token.
      checks.push({ id: 'reachability', status: 'ok', detail: `${connection.url} answered in ${Date.now() - started} ms` });
      checks.push({
        id: 'auth',
        status: 'fail',
        detail: err.message,
        hint: 'the desk knows the token but refuses this user: an admin can check the user (suspended? an end user?) and any IP restrictions',
      });
      skipFrom(['rate-limit'], 'refused');
      return undefined;
    }
    const failure = asDeskopsError(err);
    checks.push({
      id: 'reachability',
      status: 'fail',
      detail: failure.message,
      hint: 'check the URL, your network and any proxy (HTTPS_PROXY); `deskops doctor --verbose` shows each request',
    });
    skipFrom(['auth', 'rate-limit'], 'the desk did not answer');
    return undefined;
  }

  const { limit, remaining } = desk.rateLimit();
  if (limit === null || remaining === null) {
    checks.push({ id: 'rate-limit', status: 'ok', detail: 'the desk sent no rate-limit headers' });
  } else if (limit > 0 && remaining / limit < 0.1) {
    checks.push({
      id: 'rate-limit',
      status: 'warn',
      detail: `only ${remaining} of ${limit} requests left this minute`,
      hint: 'another tool or script is using the same account; bulk commands will slow down to stay under the limit',
    });
  } else {
    checks.push({ id: 'rate-limit', status: 'ok', detail: `${remaining} of ${limit} requests left this minute` });
  }
  return undefined;
}

function versionsCheck(): DoctorCheck {
  const detail = `deskops ${VERSION}, node ${process.version}, ${process.platform} ${process.arch}`;
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 17)) {
    return { id: 'versions', status: 'warn', detail, hint: 'deskops needs Node.js 20.17 or newer' };
  }
  return { id: 'versions', status: 'ok', detail };
}

/** Doctor reports every failure as a check, including ones no layer anticipated. */
function asDeskopsError(err: unknown): DeskopsError {
  if (isDeskopsError(err)) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  return new DeskopsError(`unexpected error: ${e.message}`, { cause: e });
}

function secretOf(connection: Connection): string {
  const a = connection.auth;
  return a.type === 'basic-password' ? a.password : a.token;
}

function authName(type: Connection['auth']['type']): string {
  switch (type) {
    case 'basic-token':
      return 'API token';
    case 'basic-password':
      return 'password';
    case 'bearer':
      return 'OAuth token';
    case 'rt-token':
      return 'RT token';
  }
}



function scrubCheck(check: DoctorCheck, secrets: Set<string>): DoctorCheck {
  const out: DoctorCheck = { ...check, detail: scrubSecrets(check.detail, secrets) };
  if (check.hint) out.hint = scrubSecrets(check.hint, secrets);
  else delete out.hint;
  return out;
}

async function printReport(ctx: CliContext, report: DoctorReport, flags: { json?: boolean }): Promise<void> {
  const [{ printRecord, painter }, { sanitizeLine }] = await Promise.all([
    import('../../output.js'),
    import('../../../core/sanitize.js'),
  ]);
  await printRecord(ctx.io, report, { json: flags.json }, async () => {
    const paint = await painter(ctx.io);
    const mark = { ok: paint('good', '✔'), warn: paint('warn', '!'), fail: paint('bad', '✖'), skip: paint('muted', '-') };
    const width = Math.max(...report.checks.map((c) => LABEL[c.id].length));
    const lines: string[] = [];
    for (const c of report.checks) {
      const detail = sanitizeLine(c.detail);
      lines.push(`${mark[c.status]} ${LABEL[c.id].padEnd(width)}  ${c.status === 'skip' ? paint('muted', detail) : detail}`);
      if (c.hint && (c.status === 'warn' || c.status === 'fail')) {
        lines.push(`  ${' '.repeat(width)}  ${paint('muted', `fix: ${sanitizeLine(c.hint)}`)}`);
      }
    }
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    const warned = report.checks.filter((c) => c.status === 'warn').length;
    lines.push('');
    lines.push(
      failed > 0
        ? paint('bad', `${failed} failed${warned ? `, ${warned} warning${warned > 1 ? 's' : ''}` : ''}`)
        : paint('good', `all checks passed${warned ? ` (${warned} warning${warned > 1 ? 's' : ''})` : ''}`),
    );
    return lines.join('\n');
  });
}
