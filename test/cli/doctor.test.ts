import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import stripAnsi from 'strip-ansi';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/cli/commands/doctor/run.js';
import { runCli, tempHome } from '../helpers/cli.js';

const TOKEN = 'zd-secret-token-cd5678';
const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function home(): string {
  const t = tempHome('deskops-doctor-');
  cleanups.push(t.cleanup);
  return t.home;
}

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A fake Zendesk answering only GET /api/v2/users/me. Any other request is recorded and fails
 * the test; so does a server whose route was never called.
 */
async function fakeZendesk(token: string, rateRemaining: number, forbidden = false): Promise<{ url: string; close(): Promise<void>; seen: string[] }> {
  const seen: string[] = [];
  const expected = `Basic ${Buffer.from(`me@fake.test/token:${token}`).toString('base64')}`;
  const server: Server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.method !== 'GET' || req.url !== '/api/v2/users/me') {
      res.writeHead(599).end();
      return;
    }
    const headers = { 'content-type': 'application/json', 'x-rate-limit': '700', 'x-rate-limit-remaining': String(rateRemaining) };
    if (req.headers.authorization !== expected) {
      res.writeHead(401, headers).end(JSON.stringify({ error: "Couldn't authenticate you" }));
      return;
    }
    if (forbidden) {
      res.writeHead(403, headers).end(JSON.stringify({ error: 'Forbidden', description: 'You do not have access to this page' }));
      return;
    }
    res.writeHead(200, headers).end(
      JSON.stringify({ user: { id: 7, name: 'Ada Agent', email: 'me@fake.test', role: 'agent', organization_id: null } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function status(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}

describe('deskops doctor', () => {
  it('reports an unreachable desk as a failed check with exit 1, without printing the token', async () => {
    const port = await closedPort();
    const env = { DESKOPS_HOME: home() };
    const add = await runCli(
      ['profile', 'add', 'dead', '--url', `http://127.0.0.1:${port}`, '--email', 'me@dead.test', '--token-stdin'],
      { env, stdin: TOKEN },
    );
    expect(add.code, add.stderr).toBe(0);

    const r = await runCli(['doctor', '--json', '--profile', 'dead'], { env });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.profile).toBe('dead');
    expect(status(report)).toMatchObject({
      config: 'ok',
      profile: 'ok',
      secrets: 'ok',
      url: 'ok',
      credentials: 'ok',
      reachability: 'fail',
      auth: 'skip',
      versions: 'ok',
    });
    const reach = report.checks.find((c) => c.id === 'reachability')!;
    expect(reach.hint).toBeTruthy();
    expect(report.checks.find((c) => c.id === 'profile')!.detail).toContain('chosen with --profile');
    expect(report.checks.find((c) => c.id === 'credentials')!.detail).toContain('****5678');
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(r.stderr).toContain('checks failed');

    // the human form: one line per check with a mark
    const human = await runCli(['doctor', '--profile', 'dead'], { env: { ...env, FORCE_COLOR: '1' }, tty: { columns: 100 } });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('\u001b['); // colored on a terminal
    const text = stripAnsi(human.stdout);
    expect(text).toMatch(/^✖ reachability +cannot reach/m);
    expect(text).toMatch(/^ +fix: /m);
    expect(text).toMatch(/^✔ config /m);
    expect(text).toMatch(/^- auth +not checked/m);
    expect(human.stdout + human.stderr).not.toContain(TOKEN);
  });

  it('tells a refused user (403) from a wrong token and from an unreachable desk', async () => {
    const desk = await fakeZendesk(TOKEN, 600, true);
    try {
      const env = { DESKOPS_HOME: home() };
      await runCli(['profile', 'add', 'fake', '--url', desk.url, '--email', 'me@fake.test', '--token-stdin', '--use'], { env, stdin: TOKEN });
      const r = await runCli(['doctor', '--json'], { env });
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as DoctorReport;
      expect(status(report)).toMatchObject({ reachability: 'ok', auth: 'fail', 'rate-limit': 'skip' });
      const auth = report.checks.find((c) => c.id === 'auth')!;
      expect(auth.detail).toMatch(/^permission denied for profile fake: .*\(403\)/);
      expect(auth.hint).toMatch(/refuses this user/);
    } finally {
      await desk.close();
    }
  });

  it('passes every check against a desk that knows the token, warning on low rate-limit headroom', async () => {
    const desk = await fakeZendesk(TOKEN, 20);
    try {
      const env = { DESKOPS_HOME: home() };
      await runCli(['profile', 'add', 'fake', '--url', desk.url, '--email', 'me@fake.test', '--token-stdin', '--use'], { env, stdin: TOKEN });
      const r = await runCli(['doctor', '--json'], { env });
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as DoctorReport;
      expect(report.ok).toBe(true);
      expect(status(report)).toEqual({
        config: 'ok',
        profile: 'ok',
        secrets: 'ok',
        url: 'ok',
        credentials: 'ok',
        reachability: 'ok',
        auth: 'ok',
        'rate-limit': 'warn',
        versions: 'ok',
      });
      expect(report.checks.find((c) => c.id === 'profile')!.detail).toContain('the active profile');
      expect(report.checks.find((c) => c.id === 'auth')!.detail).toBe("signed in as Ada Agent <me@fake.test> (agent): the incremental export and the ratings list need an admin, so kpi reads the search export and survey report leaves out the desk's ratings");
      expect(report.checks.find((c) => c.id === 'rate-limit')!.detail).toBe('only 20 of 700 requests left this minute');
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      expect(desk.seen.every((s) => s === 'GET /api/v2/users/me')).toBe(true);
      expect(desk.seen.length).toBeGreaterThan(0);
    } finally {
      await desk.close();
    }
  });

  it('exits 4 when the desk refuses the token, also one given in DESKOPS_TOKEN', async () => {
    const desk = await fakeZendesk(TOKEN, 650);
    try {
      const env = { DESKOPS_HOME: home() };
      await runCli(['profile', 'add', 'fake', '--url', desk.url, '--email', 'me@fake.test', '--token-stdin'], { env, stdin: 'stale-token-0000' });
      const stale = await runCli(['doctor', '--json', '--profile', 'fake'], { env });
      expect(stale.code, stale.stderr).toBe(4);
      const report = JSON.parse(stale.stdout) as DoctorReport;
      expect(status(report)).toMatchObject({ reachability: 'ok', auth: 'fail', 'rate-limit': 'skip' });
      expect(report.checks.find((c) => c.id === 'auth')!.hint).toContain('deskops profile add fake');
      expect(stale.stdout + stale.stderr).not.toContain('stale-token-0000');
      expect(stale.stderr).toContain('authentication failed');

      const wrongEnv = await runCli(['doctor', '--json', '--profile', 'fake'], {
        env: { ...env, DESKOPS_TOKEN: 'wrong-env-token-4321' },
      });
      expect(wrongEnv.code).toBe(4);
      const report2 = JSON.parse(wrongEnv.stdout) as DoctorReport;
      expect(report2.checks.find((c) => c.id === 'credentials')!.detail).toContain('****4321 from DESKOPS_TOKEN');
      expect(report2.checks.find((c) => c.id === 'auth')!.hint).toContain('DESKOPS_TOKEN');
      expect(wrongEnv.stdout + wrongEnv.stderr).not.toContain('wrong-env-token-4321');
      expect(desk.seen.every((s) => s === 'GET /api/v2/users/me')).toBe(true);
    } finally {
      await desk.close();
    }
  });

  it('passes every check against the embedded local desk (exit 0)', async () => {
    const r = await runCli(['doctor', '--json'], { env: { DESKOPS_HOME: home() } });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.profile).toBe('local');
    expect(report.checks.every((c) => c.status === 'ok'), JSON.stringify(report.checks, null, 2)).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual([
      'config',
      'profile',
      'secrets',
      'url',
      'credentials',
      'reachability',
      'auth',
      'rate-limit',
      'versions',
    ]);
    expect(report.checks.find((c) => c.id === 'profile')!.detail).toContain('the default');
    expect(report.checks.find((c) => c.id === 'url')!.detail).toMatch(/^http:\/\/127\.0\.0\.1:\d+ \(the embedded local desk/);
    expect(report.checks.find((c) => c.id === 'auth')!.detail).toMatch(/^signed in as .+ \(agent\): the incremental export and the ratings list need an admin/);
  });

  it('exits 4 on the local desk with DESKOPS_TOKEN=wrong', async () => {
    const r = await runCli(['doctor', '--json'], { env: { DESKOPS_HOME: home(), DESKOPS_TOKEN: 'wrong' } });
    expect(r.code, r.stderr).toBe(4);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(status(report)).toMatchObject({ reachability: 'ok', auth: 'fail', 'rate-limit': 'skip' });
    expect(report.checks.find((c) => c.id === 'credentials')!.detail).toContain('**** from DESKOPS_TOKEN');
    expect(r.stderr).toContain('authentication failed');
    expect(r.stderr).not.toContain('run `deskops doctor`');
  });

  it('reports a corrupt config file as a failed check instead of crashing', async () => {
    const dir = home();
    const path = join(dir, 'config.json');
    writeFileSync(path, '{ nope');
    const r = await runCli(['doctor', '--json'], { env: { DESKOPS_HOME: dir } });
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(status(report)).toEqual({ config: 'fail', versions: 'ok' });
    expect(report.checks[0]!.detail).toContain(`config file ${path} is not valid JSON`);
    expect(r.stderr).not.toContain('unexpected error');
    expect(readFileSync(path, 'utf8')).toBe('{ nope');
  });

  it('fails auth (exit 4) when a zendesk profile has no stored token, and names an unknown profile', async () => {
    const dir = home();
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ profiles: { bare: { kind: 'zendesk', url: 'https://bare.zendesk.com', email: 'x@bare.test' } } }),
    );
    const r = await runCli(['doctor', '--json', '--profile', 'bare'], { env: { DESKOPS_HOME: dir } });
    expect(r.code, r.stderr).toBe(4);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(status(report)).toMatchObject({ credentials: 'fail', reachability: 'skip' });
    expect(r.stderr).toContain('no token stored for profile bare');

    const unknown = await runCli(['doctor', '--json'], { env: { DESKOPS_HOME: dir, DESKOPS_PROFILE: 'ghost' } });
    expect(unknown.code).toBe(1);
    const report2 = JSON.parse(unknown.stdout) as DoctorReport;
    expect(status(report2).profile).toBe('fail');
    expect(report2.checks.find((c) => c.id === 'profile')!.detail).toContain('DESKOPS_PROFILE');
  });

  it.skipIf(process.platform === 'win32')('warns when the secrets file can be read by others', async () => {
    const port = await closedPort();
    const dir = home();
    const env = { DESKOPS_HOME: dir };
    await runCli(['profile', 'add', 'dead', '--url', `http://127.0.0.1:${port}`, '--email', 'me@dead.test', '--token-stdin'], {
      env,
      stdin: TOKEN,
    });
    chmodSync(join(dir, 'secrets.json'), 0o644);
    const r = await runCli(['doctor', '--json', '--profile', 'dead'], { env });
    const secrets = (JSON.parse(r.stdout) as DoctorReport).checks.find((c) => c.id === 'secrets')!;
    expect(secrets.status).toBe('warn');
    expect(secrets.detail).toContain('0644');
    expect(secrets.hint).toContain('chmod 600');
  });
});
