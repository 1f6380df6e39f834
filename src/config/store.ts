/**
 * Profiles, settings and secrets behind a typed wrapper around conf: the only module that
 * imports conf. Two files under the deskops home:
 *
 *   config.json   { "activeProfile": "acme", "profiles": { "acme": {...} }, "settings": {...} }
 *   secrets.json  { "secrets": { "acme": "..." } }                       (mode 0600)
 *
 * A file that is not valid JSON, or not of this shape, is reported as a ConfigError naming the
 * file and is never reset or overwritten: people edit these files by hand.
 *
 * Reading is a JSON parse and the shape check (no schema, defaults or migrations for conf to
 * apply); conf, with its atomic writes and file modes, is loaded only by a store opened to
 * write (`open(home, { write: true })`): every other command starts some 40 ms sooner.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Conf from 'conf';
import { ConfigError, DeskopsError, NotFoundError, UsageError } from '../core/errors.js';
import { checkDeskUrl } from './url.js';

export type ProfileKind = 'local' | 'zendesk' | 'rt';
export type ProfileAuth = 'token' | 'oauth' | 'password' | 'rt-token';

export interface Profile {
  name: string;
  kind: ProfileKind;
  url?: string;
  email?: string;
  auth?: 'token' | 'oauth' | 'password' | 'rt-token';
}

/** The built-in profile: the embedded local desk with demo data. */
export const LOCAL_PROFILE = 'local';

const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const SETTING_KEY = /^[a-z][a-zA-Z0-9_.-]{0,99}$/;
const KINDS: readonly ProfileKind[] = ['local', 'zendesk', 'rt'];
const AUTHS: readonly ProfileAuth[] = ['token', 'oauth', 'password', 'rt-token'];

type StoredProfile = Omit<Profile, 'name'>;

interface ConfigData extends Record<string, unknown> {
  activeProfile?: string;
  profiles?: Record<string, StoredProfile>;
  settings?: Record<string, unknown>;
}

interface SecretsData extends Record<string, unknown> {
  secrets?: Record<string, string>;
}

/** Throws UsageError unless `name` is a valid profile name. */
export function checkProfileName(name: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(
      `invalid profile name ${JSON.stringify(name)}: use 1-40 lowercase letters, digits, - or _, starting with a letter or digit`,
    );
  }
  return name;
}

/** conf's handles on the two files of a store opened to write. */
interface Writer {
  config: Conf<ConfigData>;
  secrets: Conf<SecretsData>;
}

export class ConfigStore {
  readonly home: string;
  readonly configPath: string;
  readonly secretsPath: string;
  /** conf's handles on the two files, when opened to write. */
  readonly #writer: Writer | undefined;

  private constructor(home: string, writer: Writer | undefined) {
    this.home = home;
    this.#writer = writer;
    this.configPath = join(home, 'config.json');
    this.secretsPath = join(home, 'secrets.json');
  }

  /**
   * Opens (without creating files) the store under `home`, creating `home` with mode 0700.
   * `write: false` opens it for reading only: a change then is a programming error.
   */
  static async open(home: string, options: { write?: boolean } = {}): Promise<ConfigStore> {
    try {
      mkdirSync(home, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new ConfigError(`cannot create the deskops home ${home} (${errorText(err)})`, {
        hint: 'set DESKOPS_HOME to a writable directory',
      });
    }
    let writer: Writer | undefined;
    if (options.write ?? true) {
      const { default: Conf } = await import('conf');
      writer = {
        config: openConf<ConfigData>(Conf, home, 'config', 0o666, configShapeProblem),
        secrets: openConf<SecretsData>(Conf, home, 'secrets', 0o600, secretsShapeProblem),
      };
    }
    const store = new ConfigStore(home, writer);
    // Validate both files now so a broken one is reported before any command does work.
    store.#readConfig();
    store.#readSecrets();
    return store;
  }

  /** Every profile, the built-in `local` first, then by name. */
  profiles(): Profile[] {
    const stored = this.#readConfig().profiles ?? {};
    const names = Object.keys(stored).filter((n) => n !== LOCAL_PROFILE).sort();
    return [this.#localProfile(stored), ...names.map((name) => ({ name, ...stored[name]! }))];
  }

  getProfile(name: string): Profile | undefined {
    const stored = this.#readConfig().profiles ?? {};
    if (name === LOCAL_PROFILE) return this.#localProfile(stored);
    return Object.hasOwn(stored, name) ? { name, ...stored[name]! } : undefined;
  }

  /** The profile chosen with `profile use`, or `local`. May name a profile that no longer exists. */
  activeProfileName(): string {
    return this.#readConfig().activeProfile ?? LOCAL_PROFILE;
  }

  /**
   * Adds or replaces a profile. With a secret, stores it; without one, forgets any secret the
   * profile had (a changed profile must not keep sending the old desk's token).
   * Returns true when an existing profile was replaced.
   */
  addProfile(profile: Profile, secret?: string): boolean {
    checkProfileName(profile.name);
    if (profile.name === LOCAL_PROFILE) {
      throw new UsageError('`local` is the built-in profile of the embedded desk; choose another name');
    }
    if (!KINDS.includes(profile.kind)) {
      throw new UsageError(`unknown profile kind ${JSON.stringify(profile.kind)}; use one of zendesk, rt`);
    }
    if (profile.auth !== undefined && !AUTHS.includes(profile.auth)) {
      throw new UsageError(`unknown auth ${JSON.stringify(profile.auth)}; use one of ${AUTHS.join(', ')}`);
    }
    if (profile.kind !== 'local' && !profile.url) {
      throw new UsageError(`a ${profile.kind} profile needs a URL (--url)`);
    }
    const entry: StoredProfile = { kind: profile.kind };
    if (profile.url !== undefined) entry.url = checkDeskUrl(profile.url, UsageError);
    if (profile.email !== undefined && profile.email !== '') entry.email = profile.email.trim();
    if (profile.auth !== undefined) entry.auth = profile.auth;
    if (secret !== undefined && secret.trim() === '') throw new UsageError('the secret is empty');

    const data = this.#readConfig();
    const profiles = { ...(data.profiles ?? {}) };
    const replaced = Object.hasOwn(profiles, profile.name);
    profiles[profile.name] = entry;
    // Secret first: a profile is never saved pointing at a stale token.
    const secrets = { ...(this.#readSecrets().secrets ?? {}) };
    if (secret !== undefined) secrets[profile.name] = secret.trim();
    else delete secrets[profile.name];
    this.#write('secrets', 'secrets', secrets);
    this.#write('config', 'profiles', profiles);
    return replaced;
  }

  useProfile(name: string): void {
    if (!this.getProfile(name)) throw profileNotFound(name);
    this.#write('config', 'activeProfile', name);
  }

  /** Removes a profile and its secret. Removing the active profile makes `local` active. */
  removeProfile(name: string): { wasActive: boolean } {
    if (name === LOCAL_PROFILE) throw new UsageError('`local` is built in and cannot be removed');
    const data = this.#readConfig();
    const profiles = { ...(data.profiles ?? {}) };
    if (!Object.hasOwn(profiles, name)) throw profileNotFound(name);
    delete profiles[name];
    const secrets = { ...(this.#readSecrets().secrets ?? {}) };
    if (Object.hasOwn(secrets, name)) {
      delete secrets[name];
      this.#write('secrets', 'secrets', secrets);
    }
    this.#write('config', 'profiles', profiles);
    const wasActive = data.activeProfile === name;
    if (wasActive) this.#write('config', 'activeProfile', LOCAL_PROFILE);
    return { wasActive };
  }

  /** The stored secret (API token, OAuth token, password) of a profile. */
  secretFor(name: string): string | undefined {
    const secrets = this.#readSecrets().secrets ?? {};
    return Object.hasOwn(secrets, name) ? secrets[name] : undefined;
  }

  /** A setting for later features (urgency weights, ...). The caller checks the value's shape. */
  getSetting<T = unknown>(key: string): T | undefined {
    checkSettingKey(key);
    const settings = this.#readConfig().settings ?? {};
    return Object.hasOwn(settings, key) ? (settings[key] as T) : undefined;
  }

  /** Stores a JSON value under `key`; undefined deletes it. */
  setSetting(key: string, value: unknown): void {
    checkSettingKey(key);
    const settings = { ...(this.#readConfig().settings ?? {}) };
    if (value === undefined) delete settings[key];
    else settings[key] = JSON.parse(JSON.stringify(value)) as unknown;
    this.#write('config', 'settings', settings);
  }

  #localProfile(stored: Record<string, StoredProfile>): Profile {
    // A hand-written `local` entry (e.g. with the URL of a standalone `deskops desk serve`) wins.
    const own = Object.hasOwn(stored, LOCAL_PROFILE) ? stored[LOCAL_PROFILE] : undefined;
    return { name: LOCAL_PROFILE, ...own, kind: 'local' };
  }

  #readConfig(): ConfigData {
    return readStore<ConfigData>(this.configPath, 'config', configShapeProblem);
  }

  #readSecrets(): SecretsData {
    return readStore<SecretsData>(this.secretsPath, 'secrets', secretsShapeProblem);
  }

  #write(file: 'config' | 'secrets', key: string, value: unknown): void {
    const conf = this.#writer?.[file];
    const path = file === 'config' ? this.configPath : this.secretsPath;
    if (!conf) throw new Error(`the ${file} file was opened for reading only: open the store with { write: true } to change it`);
    try {
      (conf as unknown as Conf<Record<string, unknown>>).set(key, value);
    } catch (err) {
      if (err instanceof DeskopsError) throw err;
      const what = path === this.secretsPath ? 'secrets' : 'config';
      if (err instanceof SyntaxError) throw invalidJson(what, path, err);
      if (err instanceof ShapeError) throw invalidFile(what, path, err.message);
      throw new ConfigError(`cannot write ${path} (${errorText(err)})`, {
        hint: 'check the permissions of the deskops home (DESKOPS_HOME)',
      });
    }
  }
}

/** A file that parses but is not of the expected shape (thrown from conf's deserialize). */
class ShapeError extends Error {}

/** A file's text as data: SyntaxError when it is not JSON, ShapeError when not of the shape. */
function parseChecked<T>(text: string, shapeProblem: (data: unknown) => string | undefined): T {
  const data: unknown = JSON.parse(text);
  const problem = shapeProblem(data);
  if (problem) throw new ShapeError(problem);
  return data as T;
}

function openConf<T extends Record<string, unknown>>(
  Conf: typeof import('conf').default,
  home: string,
  name: string,
  mode: number,
  shapeProblem: (data: unknown) => string | undefined,
): Conf<T> {
  const path = join(home, `${name}.json`);
  try {
    return new Conf<T>({
      cwd: home,
      configName: name,
      clearInvalidConfig: false,
      accessPropertiesByDotNotation: false,
      configFileMode: mode,
      // Checked on every read, before conf copies the data into a plain object (which would
      // turn a top-level array into an object). No JSON schema: ajv is heavy for this.
      deserialize: (text: string): T => parseChecked<T>(text, shapeProblem),
    });
  } catch (err) {
    if (err instanceof SyntaxError) throw invalidJson(name, path, err);
    if (err instanceof ShapeError) throw invalidFile(name, path, err.message);
    throw new ConfigError(`cannot read ${name} file ${path} (${errorText(err)})`, {
      hint: 'check its permissions, or set DESKOPS_HOME to another directory',
    });
  }
}

/** A file's data, as conf's `store` reads it: none yet is empty; checked like conf's deserialize in openConf. */
function readStore<T extends Record<string, unknown>>(path: string, what: string, shapeProblem: (data: unknown) => string | undefined): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {} as T;
    throw new ConfigError(`cannot read ${what} file ${path} (${errorText(err)})`, {
      hint: 'check its permissions, or set DESKOPS_HOME to another directory',
    });
  }
  try {
    return parseChecked<T>(text, shapeProblem);
  } catch (err) {
    if (err instanceof SyntaxError) throw invalidJson(what, path, err);
    if (err instanceof ShapeError) throw invalidFile(what, path, err.message);
    throw new ConfigError(`cannot read ${what} file ${path} (${errorText(err)})`, {
      hint: 'check its permissions, or set DESKOPS_HOME to another directory',
    });
  }
}

function invalidJson(what: string, path: string, err: SyntaxError): ConfigError {
  return new ConfigError(`${what} file ${path} is not valid JSON (${firstLine(err.message)}); fix or move it`, {
    cause: err,
  });
}

function invalidFile(what: string, path: string, problem: string): ConfigError {
  return new ConfigError(`${what} file ${path} is invalid: ${problem}; fix or move it`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Why `data` is not a valid config.json, or undefined when it is. */
export function configShapeProblem(data: unknown): string | undefined {
  if (!isObject(data)) return 'the top level must be a JSON object';
  if (data.activeProfile !== undefined && typeof data.activeProfile !== 'string') {
    return '"activeProfile" must be a string';
  }
  if (data.settings !== undefined && !isObject(data.settings)) return '"settings" must be an object';
  if (data.profiles === undefined) return undefined;
  if (!isObject(data.profiles)) return '"profiles" must be an object';
  for (const [name, p] of Object.entries(data.profiles)) {
    const where = `profiles.${name}`;
    if (!PROFILE_NAME.test(name)) return `"${where}": invalid profile name`;
    if (!isObject(p)) return `"${where}" must be an object`;
    if (!KINDS.includes(p.kind as ProfileKind)) return `"${where}.kind" must be one of ${KINDS.join(', ')}`;
    for (const key of ['url', 'email'] as const) {
      if (p[key] !== undefined && typeof p[key] !== 'string') return `"${where}.${key}" must be a string`;
    }
    if (p.auth !== undefined && !AUTHS.includes(p.auth as ProfileAuth)) {
      return `"${where}.auth" must be one of ${AUTHS.join(', ')}`;
    }
    if (p.kind !== 'local' && typeof p.url !== 'string') return `"${where}.url" is missing`;
  }
  return undefined;
}

function secretsShapeProblem(data: unknown): string | undefined {
  if (!isObject(data)) return 'the top level must be a JSON object';
  if (data.secrets === undefined) return undefined;
  if (!isObject(data.secrets)) return '"secrets" must be an object';
  for (const [name, s] of Object.entries(data.secrets)) {
    if (typeof s !== 'string') return `"secrets.${name}" must be a string`;
  }
  return undefined;
}

function checkSettingKey(key: string): void {
  if (!SETTING_KEY.test(key)) throw new UsageError(`invalid setting name ${JSON.stringify(key)}`);
}

export function profileNotFound(name: string): NotFoundError {
  return new NotFoundError(`profile ${name} not found`, { hint: 'see the profiles with: deskops profile list' });
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${firstLine(err.message)}` : firstLine(err.message);
  }
  return String(err);
}
