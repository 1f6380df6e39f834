/**
 * From a profile plus environment overrides to a Connection: where the desk is and how to
 * authenticate. The profile is the --profile flag, else DESKOPS_PROFILE, else the active one,
 * else `local`; DESKOPS_URL, DESKOPS_EMAIL and DESKOPS_TOKEN apply on top of any profile.
 * The `local` profile starts the embedded desk in-process unless DESKOPS_URL points at one.
 */
import type { Connection } from '../api/helpdesk.js';
import { AuthError, ConfigError } from '../core/errors.js';
import { parseDurationMs } from '../core/time.js';
import { LOCAL_PROFILE, profileNotFound, type ConfigStore, type Profile } from './store.js';
import { checkDeskUrl } from './url.js';

export { checkDeskUrl, isLoopbackHost } from './url.js';
export { redactSecret } from './redact.js';

/** How the profile in use was chosen, for `deskops doctor`. */
export type ProfileSource = 'flag' | 'env' | 'config' | 'default';

export interface ProfileChoice {
  name: string;
  source: ProfileSource;
}

export interface ResolveOptions {
  store: ConfigStore;
  env: NodeJS.ProcessEnv;
  profileFlag?: string;
  home: string;
  /** The CLI's clock, handed to the embedded desk it starts (default: the system clock). */
  now?: () => Date;
  onExit: (fn: () => Promise<void>) => void;
}

/** flag > DESKOPS_PROFILE > active profile in config > `local`. Does not check that it exists. */
export function chooseProfile(opts: Pick<ResolveOptions, 'store' | 'env' | 'profileFlag'>): ProfileChoice {
  const flag = nonEmpty(opts.profileFlag);
  if (flag) return { name: flag, source: 'flag' };
  const fromEnv = nonEmpty(opts.env.DESKOPS_PROFILE);
  if (fromEnv) return { name: fromEnv, source: 'env' };
  const active = opts.store.activeProfileName();
  return { name: active, source: active === LOCAL_PROFILE ? 'default' : 'config' };
}

/** The command that (re)creates a profile with its secret, for hints. */
export function profileAddCommand(profile: Pick<Profile, 'name' | 'kind' | 'url' | 'email' | 'auth'>): string {
  const parts = ['deskops profile add', profile.name];
  if (profile.kind === 'rt') parts.push('--kind rt');
  parts.push('--url', profile.url ?? 'URL');
  if (profile.kind === 'zendesk' && profile.auth !== 'oauth') parts.push('--email', profile.email ?? 'EMAIL');
  parts.push(profile.auth === 'oauth' ? '--oauth-token-stdin' : '--token-stdin');
  return parts.join(' ');
}

export async function resolveConnection(opts: ResolveOptions): Promise<Connection> {
  const { store, env, home } = opts;
  const { name } = chooseProfile(opts);
  const profile = store.getProfile(name);
  if (!profile) throw profileNotFound(name);

  const envUrl = nonEmpty(env.DESKOPS_URL);
  const envEmail = nonEmpty(env.DESKOPS_EMAIL);
  const envToken = nonEmpty(env.DESKOPS_TOKEN);

  if (profile.kind === 'local') {
    const url = envUrl ?? profile.url;
    if (url === undefined) {
      const { startDesk } = await import('../desk/index.js');
      const started = await startDesk({
        home,
        faults: nonEmpty(env.DESKOPS_DESK_FAULTS),
        faultSeed: faultSeed(env.DESKOPS_DESK_FAULT_SEED),
        // The in-process desk under other conditions, as `desk serve` takes them in flags.
        plan: nonEmpty(env.DESKOPS_DESK_PLAN),
        latencyMs: latency(env.DESKOPS_DESK_LATENCY),
        indexLagSeconds: indexLag(env.DESKOPS_DESK_INDEX_LAG),
        now: opts.now,
      });
      opts.onExit(() => started.close());
      return {
        kind: 'local',
        url: started.url,
        auth: { type: 'basic-token', email: envEmail ?? started.email, token: envToken ?? started.token },
        profile: name,
        inProcess: true,
      };
    }
    const base = checkDeskUrl(url);
    const saved = envEmail && envToken ? undefined : (await import('../desk/index.js')).readDeskCredentials(home);
    const email = envEmail ?? saved?.email;
    const token = envToken ?? saved?.token;
    if (!email || !token) {
      throw new AuthError(`no credentials for the local desk at ${base}`, {
        hint: 'set DESKOPS_EMAIL and DESKOPS_TOKEN, or use the DESKOPS_HOME the desk was started with',
      });
    }
    return { kind: 'local', url: base, auth: { type: 'basic-token', email, token }, profile: name };
  }

  return remoteConnection(profile, store.secretFor(name), { url: envUrl, email: envEmail, token: envToken });
}

/**
 * The connection to a zendesk or rt desk from a profile and its secret; `overrides` (from the
 * environment) win over both. Also used by `deskops init` to check a profile before saving it.
 */
export function remoteConnection(
  profile: Profile,
  secret: string | undefined,
  overrides: { url?: string; email?: string; token?: string } = {},
): Connection {
  const name = profile.name;
  const kind = profile.kind === 'rt' ? 'rt' : 'zendesk';
  const rawUrl = overrides.url ?? profile.url;
  if (rawUrl === undefined) {
    throw new ConfigError(`profile ${name} has no URL`, { hint: `add it again: ${profileAddCommand(profile)}` });
  }
  const url = checkDeskUrl(rawUrl);
  const token = overrides.token ?? secret;
  if (!token) {
    throw new AuthError(`no token stored for profile ${name}`, {
      hint: `add it again with its token: ${profileAddCommand(profile)}`,
    });
  }
  const auth = profile.auth ?? (kind === 'rt' ? 'rt-token' : 'token');
  const needEmail = (): string => {
    const email = overrides.email ?? profile.email;
    if (!email) {
      throw new ConfigError(
        `profile ${name} has no email; ${auth === 'password' ? 'a password' : 'an API token'} is used with the agent's email`,
        { hint: `add it again with --email: ${profileAddCommand(profile)}` },
      );
    }
    return email;
  };
  switch (auth) {
    case 'token':
      return { kind, url, auth: { type: 'basic-token', email: needEmail(), token }, profile: name };
    case 'password':
      return { kind, url, auth: { type: 'basic-password', email: needEmail(), password: token }, profile: name };
    case 'oauth':
      return { kind, url, auth: { type: 'bearer', token }, profile: name };
    case 'rt-token':
      return { kind, url, auth: { type: 'rt-token', token }, profile: name };
  }
}

/** DESKOPS_DESK_LATENCY ("150ms", "0.2s"), or undefined for none. */
function latency(value: string | undefined): number | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  try {
    return parseDurationMs(text, 'DESKOPS_DESK_LATENCY', 60_000);
  } catch (err) {
    throw new ConfigError(err instanceof Error ? err.message : String(err));
  }
}

/** DESKOPS_DESK_INDEX_LAG: whole seconds, or undefined for the desk's default. */
function indexLag(value: string | undefined): number | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new ConfigError(`DESKOPS_DESK_INDEX_LAG must be whole seconds, got ${JSON.stringify(text)}`);
  return Number(text);
}

function faultSeed(raw: string | undefined): number | undefined {
  const text = nonEmpty(raw);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ConfigError(`DESKOPS_DESK_FAULT_SEED must be a number, not ${JSON.stringify(text)}`);
  return n;
}

function nonEmpty(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t ? t : undefined;
}
