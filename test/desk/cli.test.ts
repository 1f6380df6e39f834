import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createContext } from '../../src/cli/context.js';
import { createIo } from '../../src/cli/io.js';
import { runCli } from '../helpers/cli.js';
import { tempHome } from './helpers.js';

const home = tempHome();
const env = { DESKOPS_HOME: home };
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('deskops desk seed / reset', () => {
  it('needs --yes when not interactive', async () => {
    for (const argv of [['desk', 'seed'], ['desk', 'reset']]) {
      const r = await runCli(argv, { env });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toContain('--yes required when not running interactively');
    }
    expect(existsSync(join(home, 'desk', 'desk.sqlite'))).toBe(false);
  });

  it('validates numbers with a one-line usage error', async () => {
    for (const argv of [['--tickets', 'abc'], ['--tickets', '0'], ['--seed', '1.5']]) {
      const r = await runCli(['desk', 'seed', ...argv, '--yes'], { env });
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')[0]).toMatch(new RegExp(`^deskops: ${argv[0]} must be`));
    }
  });

  it('seeds with --yes and resets', async () => {
    const seeded = await runCli(['desk', 'seed', '--tickets', '30', '--seed', '4', '--yes'], { env });
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/^seeded 30 tickets, \d+ users and 40 organizations in \d+\.\ds\n$/);
    expect(existsSync(join(home, 'desk', 'credentials.json'))).toBe(true);

    const reset = await runCli(['desk', 'reset', '--yes'], { env });
    expect(reset.code).toBe(0);
    expect(existsSync(join(home, 'desk', 'desk.sqlite'))).toBe(false);
    expect(existsSync(join(home, 'desk', 'credentials.json'))).toBe(false);
  });

  it('has help with examples for each command', async () => {
    for (const verb of ['serve', 'seed', 'reset']) {
      const r = await runCli(['desk', verb, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Examples:');
    }
  });
});

describe('deskops desk serve', () => {
  it('prints export lines, logs requests to stderr and stops cleanly on SIGINT', async () => {
    expect((await runCli(['desk', 'seed', '--tickets', '30', '--yes'], { env })).code).toBe(0);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const stdin = new PassThrough();
    stdin.end();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    const io = createIo({ stdout, stderr, stdin }, env);
    const running = main(['desk', 'serve', '--port', '0', '--rate-limit', '50'], createContext(io, { env }));

    for (let i = 0; i < 500 && !out.includes('DESKOPS_TOKEN'); i++) await new Promise((r) => setTimeout(r, 10));
    const vars = Object.fromEntries([...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(vars)).toEqual(['DESKOPS_URL', 'DESKOPS_EMAIL', 'DESKOPS_TOKEN']);
    const admin = /^# admin: DESKOPS_EMAIL=(\S+)$/m.exec(out)?.[1];
    expect(admin).toMatch(/@/);
    const asAdmin = await fetch(`${vars.DESKOPS_URL}/api/v2/users/me.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${admin}/token:${vars.DESKOPS_TOKEN}`).toString('base64')}` },
    });
    expect(((await asAdmin.json()) as { user: { role: string } }).user.role).toBe('admin');
    const res = await fetch(`${vars.DESKOPS_URL}/api/v2/users/me.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${vars.DESKOPS_EMAIL}/token:${vars.DESKOPS_TOKEN}`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-rate-limit')).toBe('50');

    // seeded again while it runs: the new token works at once, and the lines say what it is
    expect((await runCli(['desk', 'seed', '--tickets', '30', '--seed', '8', '--yes'], { env })).code).toBe(0);
    for (let i = 0; i < 500 && !out.includes('seeded again'); i++) await new Promise((r) => setTimeout(r, 10));
    const fresh = /^# the desk was seeded again; its token is now:\nexport DESKOPS_TOKEN='([^']*)'$/m.exec(out)?.[1];
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(vars.DESKOPS_TOKEN);
    const withFresh = await fetch(`${vars.DESKOPS_URL}/api/v2/users/me.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${vars.DESKOPS_EMAIL}/token:${fresh}`).toString('base64')}` },
    });
    expect(withFresh.status).toBe(200);

    process.emit('SIGINT', 'SIGINT');
    expect(await running).toBe(0);
    expect(err).toMatch(/^< GET \/api\/v2\/users\/me\.json 200 \d+ms$/m);
    expect(err).toContain('desk stopped');
    expect(process.listenerCount('SIGINT')).toBe(0);
    await expect(fetch(`${vars.DESKOPS_URL}/api/v2/users/me.json`)).rejects.toThrow();
  });

  it('refuses a non-loopback host and a bad fault spec', async () => {
    const host = await runCli(['desk', 'serve', '--host', '0.0.0.0'], { env });
    expect(host.code).toBe(2);
    expect(host.stderr).toMatch(/loopback/);
    const faults = await runCli(['desk', 'serve', '--faults', 'explode=1'], { env });
    expect(faults.code).toBe(2);
    expect(faults.stderr).toMatch(/invalid fault spec/);
  });
});
