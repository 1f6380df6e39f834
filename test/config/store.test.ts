import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigStore } from '../../src/config/store.js';
import { checkDeskUrl, isLoopbackHost } from '../../src/config/url.js';
import { ConfigError, NotFoundError, UsageError } from '../../src/core/errors.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deskops-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const acme = { name: 'acme', kind: 'zendesk' as const, url: 'https://acme.zendesk.com/', email: 'me@acme.com', auth: 'token' as const };

async function expectReject(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

function expectThrow(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('ConfigStore', () => {
  it('starts with only the built-in local profile, active, and creates no files', async () => {
    const dir = join(home(), 'nested', 'deskops');
    const store = await ConfigStore.open(dir);
    expect(store.profiles()).toEqual([{ name: 'local', kind: 'local' }]);
    expect(store.activeProfileName()).toBe('local');
    expect(store.getProfile('local')).toEqual({ name: 'local', kind: 'local' });
    expect(store.getProfile('acme')).toBeUndefined();
    expect(store.getProfile('constructor')).toBeUndefined();
    expect(store.secretFor('toString')).toBeUndefined();
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
    if (process.platform !== 'win32') expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('adds, lists, uses and removes profiles, keeping them across opens', async () => {
    const dir = home();
    const store = await ConfigStore.open(dir);
    expect(store.addProfile(acme, 'tok-acme-1234')).toBe(false);
    store.addProfile({ name: 'beta', kind: 'zendesk', url: 'https://beta.zendesk.com', auth: 'oauth' }, 'tok-beta-5678');
    expect(store.profiles().map((p) => p.name)).toEqual(['local', 'acme', 'beta']);
    expect(store.getProfile('acme')).toEqual({ ...acme, url: 'https://acme.zendesk.com' });
    expect(store.secretFor('acme')).toBe('tok-acme-1234');

    store.useProfile('beta');
    const reopened = await ConfigStore.open(dir);
    expect(reopened.activeProfileName()).toBe('beta');
    expect(reopened.secretFor('beta')).toBe('tok-beta-5678');

    expect(expectThrow(() => reopened.useProfile('nope'))).toBeInstanceOf(NotFoundError);
    expect((expectThrow(() => reopened.useProfile('nope')) as Error).message).toBe('profile nope not found');

    expect(reopened.removeProfile('acme')).toEqual({ wasActive: false });
    expect(reopened.secretFor('acme')).toBeUndefined();
    expect(reopened.removeProfile('beta')).toEqual({ wasActive: true });
    expect(reopened.activeProfileName()).toBe('local');
    expect(reopened.profiles()).toEqual([{ name: 'local', kind: 'local' }]);
    expect(expectThrow(() => reopened.removeProfile('beta'))).toBeInstanceOf(NotFoundError);
    expect(expectThrow(() => reopened.removeProfile('local'))).toBeInstanceOf(UsageError);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).not.toContain('tok-');
  });

  it('keeps secrets out of config.json, in secrets.json with mode 0600', async () => {
    const dir = home();
    const store = await ConfigStore.open(dir);
    store.addProfile(acme, 'tok-acme-1234');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toContain('tok-acme-1234');
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toContain('tok-acme-1234');
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
      // a rewrite of a file someone loosened goes back to 0600
      chmodSync(join(dir, 'secrets.json'), 0o644);
      store.addProfile({ ...acme, name: 'acme2' }, 'tok-acme2-9999');
      expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    }
  });

  it('replacing a profile without a secret forgets the old secret', async () => {
    const store = await ConfigStore.open(home());
    store.addProfile(acme, 'tok-acme-1234');
    expect(store.addProfile({ ...acme, url: 'https://other.zendesk.com' })).toBe(true);
    expect(store.secretFor('acme')).toBeUndefined();
    expect(store.getProfile('acme')?.url).toBe('https://other.zendesk.com');
  });

  it('validates profile names', async () => {
    const store = await ConfigStore.open(home());
    for (const bad of ['', 'Acme', '-acme', '_acme', 'a b', 'a.b', 'a/b', 'x'.repeat(41), '__proto__']) {
      expect(expectThrow(() => store.addProfile({ ...acme, name: bad }, 'tok-12345678')), bad).toBeInstanceOf(UsageError);
    }
    for (const good of ['a', '0', 'acme-2_eu', 'x'.repeat(40), 'constructor']) {
      store.addProfile({ ...acme, name: good }, 'tok-12345678');
      expect(store.getProfile(good)?.name).toBe(good);
    }
    expect(expectThrow(() => store.addProfile({ ...acme, name: 'local' }, 'tok-12345678'))).toBeInstanceOf(UsageError);
  });

  it('refuses plain http except to loopback hosts', async () => {
    const store = await ConfigStore.open(home());
    for (const url of ['http://acme.zendesk.com', 'http://10.0.0.5:8080', 'http://127.0.0.1.evil.example', 'ftp://acme.zendesk.com', 'not a url']) {
      expect(expectThrow(() => store.addProfile({ ...acme, url }, 'tok-12345678')), url).toBeInstanceOf(UsageError);
    }
    expect(store.profiles().map((p) => p.name)).toEqual(['local']);
    for (const url of ['http://127.0.0.1:8080', 'http://127.3.2.1', 'http://localhost:3000/', 'http://[::1]:9000', 'https://acme.zendesk.com']) {
      store.addProfile({ ...acme, url }, 'tok-12345678');
    }
    expect(store.getProfile('acme')?.url).toBe('https://acme.zendesk.com');

    expect(expectThrow(() => checkDeskUrl('http://acme.zendesk.com'))).toBeInstanceOf(ConfigError);
    expect((expectThrow(() => checkDeskUrl('http://acme.zendesk.com')) as Error).message).not.toContain('\n');
    expect(expectThrow(() => checkDeskUrl('https://me:pw@acme.zendesk.com'))).toBeInstanceOf(ConfigError);
    expect(isLoopbackHost('127.255.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.evil.example')).toBe(false);
    expect(isLoopbackHost('[::ffff:10.0.0.1]')).toBe(false);
  });

  it('reports a corrupt config file as a ConfigError naming it, and leaves it unchanged', async () => {
    const dir = home();
    const path = join(dir, 'config.json');
    const broken = '{ "activeProfile": "acme", "profiles": { \n';
    writeFileSync(path, broken);
    const before = statSync(path).mtimeMs;
    const err = await expectReject(ConfigStore.open(dir));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^config file .*config\.json is not valid JSON \(.+\); fix or move it$/);
    expect((err as Error).message).toContain(path);
    expect(readFileSync(path, 'utf8')).toBe(broken);
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it('does not overwrite a config file that breaks after opening', async () => {
    const dir = home();
    const store = await ConfigStore.open(dir);
    store.addProfile(acme, 'tok-acme-1234');
    const path = join(dir, 'config.json');
    writeFileSync(path, 'not json');
    expect(expectThrow(() => store.useProfile('acme'))).toBeInstanceOf(ConfigError);
    expect(expectThrow(() => store.addProfile({ ...acme, name: 'b' }, 'tok-b-12345678'))).toBeInstanceOf(ConfigError);
    expect(expectThrow(() => store.setSetting('x', 1))).toBeInstanceOf(ConfigError);
    expect(readFileSync(path, 'utf8')).toBe('not json');
  });

  it('opened for reading, reads what a writable store wrote, reports broken files alike, and refuses to write', async () => {
    const dir = home();
    const writable = await ConfigStore.open(dir);
    writable.addProfile(acme, 'tok-acme-1234');
    writable.useProfile('acme');
    writable.setSetting('urgency.weights', { vip: 30 });
    const reading = await ConfigStore.open(dir, { write: false });
    expect(reading.profiles()).toEqual(writable.profiles());
    expect(reading.activeProfileName()).toBe('acme');
    expect(reading.secretFor('acme')).toBe('tok-acme-1234');
    expect(reading.getSetting('urgency.weights')).toEqual({ vip: 30 });
    const config = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(String(expectThrow(() => reading.setSetting('x', 1)))).toMatch(/opened for reading only/);
    expect(String(expectThrow(() => reading.useProfile('local')))).toMatch(/opened for reading only/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(config);
    for (const [file, text, message] of [
      ['config.json', '{ "profiles": ', /^config file .*config\.json is not valid JSON \(.+\); fix or move it$/],
      ['config.json', '[]', /config file .*config\.json is invalid: the top level must be a JSON object/],
      ['secrets.json', '{"secrets": {"acme": 42}}', /secrets file .*secrets\.json is invalid/],
    ] as const) {
      const path = join(dir, file);
      const kept = readFileSync(path, 'utf8');
      writeFileSync(path, text);
      for (const write of [true, false]) {
        const err = await expectReject(ConfigStore.open(dir, { write }));
        expect(err, `${file} ${text} write=${write}`).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(message);
      }
      writeFileSync(path, kept);
    }
  });

  it('reports a config file of the wrong shape, and leaves it unchanged', async () => {
    const dir = home();
    const path = join(dir, 'config.json');
    const cases: Array<[string, RegExp]> = [
      ['[]', /top level must be a JSON object/],
      ['{"profiles": {"acme": {"kind": "jira", "url": "https://x"}}}', /profiles\.acme\.kind/],
      ['{"profiles": {"acme": {"kind": "zendesk"}}}', /profiles\.acme\.url/],
      ['{"profiles": {"Bad Name": {"kind": "zendesk", "url": "https://x"}}}', /invalid profile name/],
      ['{"activeProfile": 3}', /activeProfile/],
      ['{"profiles": []}', /"profiles" must be an object/],
    ];
    for (const [text, problem] of cases) {
      writeFileSync(path, text);
      const err = await expectReject(ConfigStore.open(dir));
      expect(err, text).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain(`config file ${path} is invalid`);
      expect((err as Error).message).toMatch(problem);
      expect(readFileSync(path, 'utf8')).toBe(text);
    }
  });

  it('reports a corrupt secrets file naming it', async () => {
    const dir = home();
    writeFileSync(join(dir, 'secrets.json'), '{"secrets": {"acme": 42}}');
    const err = await expectReject(ConfigStore.open(dir));
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(join(dir, 'secrets.json'));
  });

  it('accepts a hand-written local entry (a standalone desk URL) but keeps it kind local', async () => {
    const dir = home();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ profiles: { local: { kind: 'local', url: 'http://127.0.0.1:4111' } } }));
    const store = await ConfigStore.open(dir);
    expect(store.profiles()).toEqual([{ name: 'local', kind: 'local', url: 'http://127.0.0.1:4111' }]);
  });

  it('stores settings for later features', async () => {
    const dir = home();
    const store = await ConfigStore.open(dir);
    expect(store.getSetting('urgency.weights')).toBeUndefined();
    store.setSetting('urgency.weights', { priority: 2, age: 1 });
    expect((await ConfigStore.open(dir)).getSetting('urgency.weights')).toEqual({ priority: 2, age: 1 });
    store.setSetting('urgency.weights', undefined);
    expect(store.getSetting('urgency.weights')).toBeUndefined();
    expect(expectThrow(() => store.setSetting('__proto__', 1))).toBeInstanceOf(UsageError);
  });
});
