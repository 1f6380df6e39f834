import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseProfile, redactSecret, resolveConnection, type ResolveOptions } from '../../src/config/connection.js';
import { ConfigStore } from '../../src/config/store.js';
import { AuthError, ConfigError, ExitCode, NotFoundError } from '../../src/core/errors.js';

let home: string;
let store: ConfigStore;
const exitHooks: Array<() => Promise<void>> = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'deskops-conn-'));
  store = await ConfigStore.open(home);
  // Loopback URLs: nothing listens there and nothing needs to; resolution does no I/O.
  store.addProfile({ name: 'alpha', kind: 'zendesk', url: 'http://127.0.0.1:9/', email: 'a@alpha.test', auth: 'token' }, 'alpha-token-1111');
  store.addProfile({ name: 'beta', kind: 'zendesk', url: 'http://localhost:9', auth: 'oauth' }, 'beta-oauth-2222');
  store.addProfile({ name: 'tokenless', kind: 'zendesk', url: 'https://t.zendesk.com', email: 'x@t.test', auth: 'token' });
  store.addProfile({ name: 'rt', kind: 'rt', url: 'https://rt.example.com', auth: 'rt-token' }, 'rt-token-3333');
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

function opts(over: Partial<ResolveOptions> = {}): ResolveOptions {
  return { store, env: {}, home, onExit: (fn) => exitHooks.push(fn), ...over };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('resolveConnection', () => {
  it('chooses the profile: flag > DESKOPS_PROFILE > active > local', async () => {
    expect(chooseProfile(opts())).toEqual({ name: 'local', source: 'default' });
    store.useProfile('alpha');
    try {
      expect(chooseProfile(opts())).toEqual({ name: 'alpha', source: 'config' });
      expect((await resolveConnection(opts())).profile).toBe('alpha');

      const env = { DESKOPS_PROFILE: 'beta' };
      expect(chooseProfile(opts({ env }))).toEqual({ name: 'beta', source: 'env' });
      expect((await resolveConnection(opts({ env }))).profile).toBe('beta');

      expect(chooseProfile(opts({ env, profileFlag: 'alpha' }))).toEqual({ name: 'alpha', source: 'flag' });
      expect((await resolveConnection(opts({ env, profileFlag: 'alpha' }))).profile).toBe('alpha');
      expect((await resolveConnection(opts({ env: { DESKOPS_PROFILE: '' } }))).profile).toBe('alpha');
    } finally {
      store.useProfile('local');
    }
    // local with DESKOPS_URL: a standalone desk, no embedded one started
    const env = { DESKOPS_URL: 'http://127.0.0.1:4999', DESKOPS_EMAIL: 'agent@desk.test', DESKOPS_TOKEN: 'local-token-4444' };
    expect(await resolveConnection(opts({ env }))).toEqual({
      kind: 'local',
      url: 'http://127.0.0.1:4999',
      auth: { type: 'basic-token', email: 'agent@desk.test', token: 'local-token-4444' },
      profile: 'local',
    });
    expect(exitHooks).toHaveLength(0);
  });

  it('maps auth kinds to connections', async () => {
    expect(await resolveConnection(opts({ profileFlag: 'alpha' }))).toEqual({
      kind: 'zendesk',
      url: 'http://127.0.0.1:9',
      auth: { type: 'basic-token', email: 'a@alpha.test', token: 'alpha-token-1111' },
      profile: 'alpha',
    });
    expect((await resolveConnection(opts({ profileFlag: 'beta' }))).auth).toEqual({ type: 'bearer', token: 'beta-oauth-2222' });
    expect((await resolveConnection(opts({ profileFlag: 'rt' }))).auth).toEqual({ type: 'rt-token', token: 'rt-token-3333' });
  });

  it('applies DESKOPS_URL, DESKOPS_EMAIL and DESKOPS_TOKEN on top of a profile', async () => {
    const env = { DESKOPS_URL: 'https://eu.alpha.test/', DESKOPS_EMAIL: 'b@alpha.test', DESKOPS_TOKEN: 'env-token-5555' };
    expect(await resolveConnection(opts({ profileFlag: 'alpha', env }))).toEqual({
      kind: 'zendesk',
      url: 'https://eu.alpha.test',
      auth: { type: 'basic-token', email: 'b@alpha.test', token: 'env-token-5555' },
      profile: 'alpha',
    });
    // DESKOPS_TOKEN stands in for a missing stored secret
    const conn = await resolveConnection(opts({ profileFlag: 'tokenless', env: { DESKOPS_TOKEN: 'env-token-5555' } }));
    expect(conn.auth).toEqual({ type: 'basic-token', email: 'x@t.test', token: 'env-token-5555' });
  });

  it('refuses plain http to a non-loopback host, in one line', async () => {
    const err = await rejection(resolveConnection(opts({ profileFlag: 'alpha', env: { DESKOPS_URL: 'http://desk.example.com' } })));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/plain http/);
    expect((err as Error).message).not.toContain('\n');
  });

  it('names an unknown profile and points at profile list', async () => {
    const err = await rejection(resolveConnection(opts({ profileFlag: 'nope' })));
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toBe('profile nope not found');
    expect((err as NotFoundError).hint).toContain('deskops profile list');
    expect(await rejection(resolveConnection(opts({ env: { DESKOPS_PROFILE: 'ghost' } })))).toBeInstanceOf(NotFoundError);
  });

  it('is an auth failure (exit 4) when a zendesk profile has no stored token', async () => {
    const err = await rejection(resolveConnection(opts({ profileFlag: 'tokenless' })));
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).exitCode).toBe(ExitCode.auth);
    expect((err as AuthError).message).toBe('no token stored for profile tokenless');
    expect((err as AuthError).hint).toContain('deskops profile add tokenless --url https://t.zendesk.com --email x@t.test --token-stdin');
  });
});

describe('redactSecret', () => {
  it('shows only the last 4 characters, and none of a short secret', () => {
    expect(redactSecret('abcdefgh1234')).toBe('****1234');
    expect(redactSecret('short')).toBe('****');
    expect(redactSecret('12345678')).toBe('****');
    expect(redactSecret('')).toBe('');
    expect(redactSecret(undefined)).toBe('');
  });
});
