import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import stripAnsi from 'strip-ansi';
import { afterEach, describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/context.js';
import { createIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { runCli, tempHome } from '../helpers/cli.js';

const TOKEN = 'zd-secret-token-ab1234';
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function home(): string {
  const t = tempHome('deskops-profile-');
  cleanups.push(t.cleanup);
  return t.home;
}

interface Row {
  name: string;
  kind: string;
  url: string | null;
  email: string | null;
  secret: string;
  active: boolean;
}

async function list(env: Record<string, string>): Promise<Row[]> {
  const r = await runCli(['profile', 'list', '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Row[];
}

const addAcme = ['profile', 'add', 'acme', '--url', 'https://acme.zendesk.com', '--email', 'me@acme.com', '--token-stdin'];

describe('deskops profile', () => {
  it('adds a profile with the token on stdin and never prints the token', async () => {
    const dir = home();
    const env = { DESKOPS_HOME: dir };
    const added = await runCli(addAcme, { env, stdin: `${TOKEN}\n` });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toContain('added profile acme; check it with: deskops doctor --profile acme');
    expect(added.stdout).toBe('');

    const rows = await list(env);
    expect(rows).toEqual([
      { name: 'local', kind: 'local', url: null, email: null, auth: null, secret: '', active: true },
      { name: 'acme', kind: 'zendesk', url: 'https://acme.zendesk.com', email: 'me@acme.com', auth: 'token', secret: '****1234', active: false },
    ]);

    for (const argv of [['profile', 'list'], ['profile', 'list', '--csv'], ['profile', 'list', '--json']]) {
      const r = await runCli(argv, { env, tty: { columns: 120 } });
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(r.stdout + r.stderr).not.toContain('ab1234');
      expect(r.stdout).toContain('****1234');
    }
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toContain(TOKEN);
    expect(readFileSync(join(dir, 'secrets.json'), 'utf8')).toContain(TOKEN);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('uses and removes profiles', async () => {
    const env = { DESKOPS_HOME: home() };
    expect((await runCli(addAcme, { env, stdin: TOKEN })).code).toBe(0);
    const oauth = await runCli(
      ['profile', 'add', 'beta', '--url', 'https://beta.zendesk.com', '--oauth-token-stdin', '--use'],
      { env, stdin: 'oauth-token-beta-9876' },
    );
    expect(oauth.code, oauth.stderr).toBe(0);
    expect((await list(env)).filter((r) => r.active).map((r) => r.name)).toEqual(['beta']);

    const used = await runCli(['profile', 'use', 'acme'], { env });
    expect(used.code, used.stderr).toBe(0);
    expect(used.stderr).toContain('now using profile acme');
    expect((await list(env)).filter((r) => r.active).map((r) => r.name)).toEqual(['acme']);

    const removed = await runCli(['profile', 'remove', 'acme'], { env });
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('the active profile is now local');
    const rows = await list(env);
    expect(rows.map((r) => [r.name, r.active])).toEqual([
      ['local', true],
      ['beta', false],
    ]);
    expect(rows[1]!.secret).toBe('****9876');

    const missing = await runCli(['profile', 'use', 'acme'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('deskops: profile acme not found');
    expect(missing.stderr).toContain('deskops profile list');

    const local = await runCli(['profile', 'remove', 'local'], { env });
    expect(local.code).toBe(2);
  });

  it('rejects bad input with exit 2 and saves nothing', async () => {
    const env = { DESKOPS_HOME: home() };
    const cases: Array<[string[], string, RegExp]> = [
      [addAcme, '   \n', /no token on stdin/],
      [['profile', 'add', 'acme', '--url', 'https://acme.zendesk.com', '--email', 'me@acme.com'], TOKEN, /--token-stdin/],
      [['profile', 'add', 'acme', '--url', 'https://acme.zendesk.com', '--token-stdin'], TOKEN, /--email is required/],
      [['profile', 'add', 'acme', '--url', 'http://acme.zendesk.com', '--email', 'me@acme.com', '--token-stdin'], TOKEN, /plain http/],
      [['profile', 'add', 'Acme!', '--url', 'https://acme.zendesk.com', '--email', 'me@acme.com', '--token-stdin'], TOKEN, /invalid profile name/],
      [['profile', 'add', 'local', '--url', 'https://acme.zendesk.com', '--email', 'me@acme.com', '--token-stdin'], TOKEN, /built-in/],
    ];
    for (const [argv, stdin, message] of cases) {
      const r = await runCli(argv, { env, stdin });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain(TOKEN);
    }
    expect((await list(env)).map((r) => r.name)).toEqual(['local']);
  });

  it('reports a corrupt config file with exit 1 and leaves it alone', async () => {
    const dir = home();
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"profiles": {');
    const r = await runCli(['profile', 'list'], { env: { DESKOPS_HOME: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`config file ${path} is not valid JSON`);
    expect(r.stderr).toContain('fix or move it');
    expect(readFileSync(path, 'utf8')).toBe('{"profiles": {');
  });

  it('shows examples in help', async () => {
    for (const argv of [['profile', '--help'], ['profile', 'add', '--help'], ['profile', 'list', '--help'], ['init', '--help'], ['doctor', '--help']]) {
      const r = await runCli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:\n  $ deskops ');
    }
  });
});

/** `deskops init` on a pretend terminal: type answers once each prompt has appeared. */
function interactiveInit(env: Record<string, string>) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  const stdout = new PassThrough();
  let err = '';
  stderr.on('data', (d) => (err += d));
  stdout.resume();
  const fullEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv;
  const ctx = createContext(createIo({ stdin, stdout, stderr }, fullEnv), { env: fullEnv });
  const done = main(['init'], ctx);
  let seenUpTo = 0;
  return {
    done,
    stderr: () => stripAnsi(err),
    /** Waits until `prompt` appears in stderr after the last answer, then types `keys`. */
    async answer(prompt: string, keys: string): Promise<void> {
      await expect.poll(() => stripAnsi(err).indexOf(prompt, seenUpTo), { timeout: 5000 }).toBeGreaterThanOrEqual(0);
      seenUpTo = stripAnsi(err).indexOf(prompt, seenUpTo) + prompt.length;
      stdin.write(keys);
    },
  };
}

describe('deskops init', () => {
  it('walks through a profile on a terminal, checks the token and makes it active', async () => {
    const token = 'init-token-abcd5678';
    const seen: string[] = [];
    const expected = `Basic ${Buffer.from(`me@fake.test/token:${token}`).toString('base64')}`;
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url !== '/api/v2/users/me' || req.headers.authorization !== expected) {
        res.writeHead(req.url === '/api/v2/users/me' ? 401 : 599).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ user: { id: 1, name: 'Ada Agent', email: 'me@fake.test', role: 'agent', organization_id: null } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const env = { DESKOPS_HOME: home() };
      const run = interactiveInit(env);
      await run.answer('Which kind of desk?', '\r');
      await run.answer('Desk URL', `${url}\r`);
      await run.answer('Profile name:', 'fake\r');
      await run.answer('Sign in with:', '\r');
      await run.answer('Your agent email:', 'me@fake.test\r');
      await run.answer('API token:', `${token}\r`);
      expect(await run.done, run.stderr()).toBe(0);
      expect(run.stderr()).toContain('signed in as Ada Agent (agent)');
      expect(run.stderr()).toContain('saved profile fake and made it active');
      expect(run.stderr()).not.toContain(token);
      expect(seen).toEqual(['GET /api/v2/users/me']);
      const rows = await list(env);
      expect(rows.find((r) => r.active)).toMatchObject({ name: 'fake', url, email: 'me@fake.test', secret: '****5678' });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('is cancelled (exit 2) by Ctrl-C at a prompt and saves nothing', async () => {
    const env = { DESKOPS_HOME: home() };
    const run = interactiveInit(env);
    await run.answer('Which kind of desk?', '\u0003');
    expect(await run.done).toBe(2);
    expect(run.stderr()).toContain('init cancelled');
    expect((await list(env)).map((r) => r.name)).toEqual(['local']);
  });

  it('refuses to run without a terminal (exit 2) and points at profile add', async () => {
    const env = { DESKOPS_HOME: home() };
    const r = await runCli(['init'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'deskops init is interactive; use `deskops profile add NAME --url URL --email E --token-stdin` in scripts',
    );
  });
});
