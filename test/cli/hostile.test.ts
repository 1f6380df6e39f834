/**
 * Hostile input through the whole CLI: desks that answer with HTML, cut-off JSON or a
 * redirect to another host, customer text built to break a terminal table, a corrupt config
 * file, and secrets that must never reach the output. Each case: a clear one-line error, the
 * right exit code, no stack trace, nothing written, no secret shown.
 */
import { csvEscape } from '../../src/cli/output.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { readDeskCredentials, seedDesk, startDesk } from '../../src/desk/index.js';
import { createHelpDesk } from '../../src/api/index.js';

const STACK = /\n\s+at /;

async function serve(host: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server; hits: IncomingMessage[] }> {
  const hits: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    hits.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, server, hits };
}

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, code: number, pattern: RegExp) {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toMatch(/SyntaxError|Unexpected token|JSON\.parse/);
  // one error line, optionally followed by one hint line
  expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
}

describe('a desk that answers badly', () => {
  const servers: Server[] = [];
  const token = 'secret-token-0123456789';
  afterAll(() => servers.forEach((s) => s.close()));
  const envFor = (url: string) => ({ DESKOPS_HOME: tempHome().home, DESKOPS_URL: url, DESKOPS_EMAIL: 'agent@example.com', DESKOPS_TOKEN: token });

  it('an HTML page instead of JSON is an error that says so', async () => {
    // e.g. a single-sign-on proxy answering with its login page
    const s = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><form>Sign in</form></body></html>');
    });
    servers.push(s.server);
    const r = await runCli(['ticket', 'list'], { env: envFor(s.url) });
    expectOneLineError(r, 1, /HTML/);
  });

  it('an HTML 502 page is retried, then reported with its status', async () => {
    const s = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    servers.push(s.server);
    const r = await runCli(['ticket', 'view', '3'], { env: envFor(s.url) });
    expectOneLineError(r, 1, /502/);
    expect(s.hits.length).toBeGreaterThan(1);
  }, 30_000);

  it('truncated JSON is an error, not a parser stack', async () => {
    const s = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results": [{"id": 1, "subj');
    });
    servers.push(s.server);
    const r = await runCli(['ticket', 'list'], { env: envFor(s.url) });
    expectOneLineError(r, 1, /invalid JSON|truncated|cut off/i);
  });

  it('JSON with the wrong content type is refused', async () => {
    const s = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello');
    });
    servers.push(s.server);
    const r = await runCli(['ticket', 'view', '1'], { env: envFor(s.url) });
    expectOneLineError(r, 1, /content type|instead of JSON|not JSON/i);
  });

  it('a redirect to another host never carries the token there', async () => {
    const other = await serve('127.0.0.2', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results": [], "count": 0, "next_page": null}');
    });
    const s = await serve('127.0.0.1', (req, res) => {
      res.writeHead(302, { location: `${other.url}${req.url}` });
      res.end();
    });
    servers.push(s.server, other.server);
    const r = await runCli(['ticket', 'list'], { env: envFor(s.url) });
    expectOneLineError(r, 1, /redirect/i);
    expect(r.stderr).not.toContain(token);
    expect(other.hits.filter((h) => h.headers.authorization)).toHaveLength(0);
  });

  it('never prints a token the desk echoes back, plain, as the Basic credential or URL-encoded', async () => {
    const odd = 'tok/en+with=odd&chars-0123';
    const basic = Buffer.from(`agent@example.com/token:${odd}`).toString('base64');
    const echo = `your token ${odd}, your header Basic ${basic}, in a URL ${encodeURIComponent(odd)}`;
    const s = await serve('127.0.0.1', (req, res) => {
      res.writeHead(req.url!.includes('/search') ? 401 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'Nope', description: echo }));
    });
    servers.push(s.server);
    const env = { ...envFor(s.url), DESKOPS_TOKEN: odd };
    for (const argv of [['--verbose', 'ticket', 'list'], ['ticket', 'view', '3'], ['doctor']]) {
      const r = await runCli(argv, { env });
      expect(r.code, argv.join(' ')).not.toBe(0);
      const printed = r.stdout + r.stderr;
      expect(printed, argv.join(' ')).toMatch(/Nope|authentication failed|answered 500|auth/);
      for (const secret of [odd, basic, encodeURIComponent(odd)]) expect(printed, `${argv.join(' ')}: ${secret}`).not.toContain(secret);
    }
  });

  it('--verbose shows each request but never the token', async () => {
    const s = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"Couldn\'t authenticate you"}');
    });
    servers.push(s.server);
    const r = await runCli(['--verbose', 'ticket', 'list'], { env: envFor(s.url) });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v2\/search/);
    expect(r.stderr).not.toContain(token);
    expect(r.stderr).not.toContain(Buffer.from(`agent@example.com/token:${token}`).toString('base64'));
  });
});

/** Subjects a spreadsheet would run if a CSV cell started with them. */
const FORMULAS = ["-2+3+cmd|' /C calc'!A0", '-1+HYPERLINK("http://evil.example","x")', '=SUM(1,2)', '+1+1', '@SUM(1)', '\t=1+1'];

describe('customer text built to break a terminal', () => {
  let home: string;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ home, cleanup } = tempHome());
    await seedDesk({ home, tickets: 40, seed: 2 });
    const desk = await startDesk({ home });
    try {
      const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 't' });
      const requester = { name: 'Zoë', email: 'zoe@example.com' };
      await api.createTicket({ subject: `Hostile ${'very long subject '.repeat(300)}end`, comment: { body: 'long' }, requester, priority: 'urgent' });
      await api.createTicket({ subject: 'Hostile مرحبا بالعالم שלום \u202eevil\u202c Z̷̢̛a̴l̸g̵o̶ ｆｕｌｌｗｉｄｔｈ 😀😀', comment: { body: 'rtl' }, requester, priority: 'urgent' });
      await api.createTicket({ subject: 'Hostile tab\tnew\nline\rreturn\u0007bell\u001b[2Jclear', comment: { body: 'ctl' }, requester, priority: 'urgent' });
      for (const subject of FORMULAS) await api.createTicket({ subject, comment: { body: `Formula ${subject}` }, requester, priority: 'low' });
    } finally {
      await desk.close();
    }
  });
  afterAll(() => cleanup());

  for (const columns of [80, 40, 20]) {
    it(`keeps every table line within ${columns} columns`, async () => {
      const r = await runCli(['ticket', 'list', '--query', 'Hostile', '--status', 'any'], { env: { DESKOPS_HOME: home, NO_COLOR: '1' }, tty: { columns } });
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines.length).toBe(4);
      for (const line of lines) expect(stringWidth(line), line).toBeLessThanOrEqual(columns);
      expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/);
    });
  }

  it('never writes a CSV cell that starts a formula; numbers keep their sign', async () => {
    const r = await runCli(['ticket', 'list', '--query', 'Formula', '--status', 'any', '--fields', 'id,subject', '--csv'], { env: { DESKOPS_HOME: home } });
    expect(r.code, r.stderr).toBe(0);
    const { parse } = await import('csv-parse/sync');
    const rows = parse(r.stdout, { columns: true, relax_quotes: true }) as Array<{ id: string; subject: string }>;
    expect(rows).toHaveLength(FORMULAS.length);
    for (const row of rows) expect(row.subject, row.subject).toMatch(/^'/);
    // The same text, one quote ahead (a leading tab is dropped on the way, as control characters are).
    expect(rows.map((x) => x.subject.slice(1)).sort()).toEqual(FORMULAS.map((f) => f.trim()).sort());
    for (const number of ['-5', '-12.5', '-1e3', '42']) expect(csvEscape(number)).toBe(number);
    for (const formula of ['-2+3', '-1+HYPERLINK("x")', '-', '=1', '+1', '@a']) expect(csvEscape(formula).replace(/^"/, '')).toMatch(/^'/);
  });

  it('prints one line per ticket when piped, whatever the subject holds', async () => {
    const r = await runCli(['ticket', 'list', '--query', 'Hostile', '--status', 'any', '--fields', 'id,subject'], { env: { DESKOPS_HOME: home } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines.slice(1)) expect(line.split('\t')).toHaveLength(2);
  });
});

describe('a corrupt config file', () => {
  it('is named in a one-line error and left exactly as it was', async () => {
    const { home, cleanup } = tempHome();
    try {
      mkdirSync(home, { recursive: true });
      const path = join(home, 'config.json');
      writeFileSync(path, '{"activeProfile": "acme", "profiles": {');
      const r = await runCli(['ticket', 'list'], { env: { DESKOPS_HOME: home } });
      expectOneLineError(r, 1, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*not valid JSON`));
      expect(readFileSync(path, 'utf8')).toBe('{"activeProfile": "acme", "profiles": {');
    } finally {
      cleanup();
    }
  });
});

describe('damaged state files', () => {
  const garbage = 'this is not a database '.repeat(400);

  it('a damaged replica (where the KPI rows are) is named by kpi, with its fix, and kpi --refresh rebuilds it', async () => {
    const { home, cleanup } = tempHome();
    try {
      await seedDesk({ home, tickets: 60, seed: 2 });
      const env = { DESKOPS_HOME: home, DESKOPS_EMAIL: readDeskCredentials(home)!.admin_email! };
      expect((await runCli(['kpi', '--json', '--metrics', 'created'], { env })).code).toBe(0);
      const cache = join(home, 'cache', 'replica-local.sqlite');
      for (const f of [`${cache}-wal`, `${cache}-shm`]) rmSync(f, { force: true });
      writeFileSync(cache, garbage);
      const broken = await runCli(['kpi', '--json', '--metrics', 'created'], { env });
      expectOneLineError(broken, 1, /the ticket replica .*replica-local\.sqlite is damaged/);
      expect(broken.stderr).toContain('deskops kpi --refresh');
      const rebuilt = await runCli(['kpi', '--json', '--metrics', 'created', '--refresh'], { env });
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      expect(JSON.parse(rebuilt.stdout).created.value).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  });

  it('damaged pages inside a replica whose header is whole are named by whichever command meets them, with a fix every command can run', async () => {
    const { home, cleanup } = tempHome();
    try {
      await seedDesk({ home, tickets: 300, seed: 2 });
      const env = { DESKOPS_HOME: home, DESKOPS_EMAIL: readDeskCredentials(home)!.admin_email! };
      const filled = await runCli(['ticket', 'list', '--status', 'any', '--all', '--json'], { env });
      expect(filled.code, filled.stderr).toBe(0);
      // the checkpoint puts every page in the file; then pages past the schema are overwritten
      const file = join(home, 'cache', 'replica-local.sqlite');
      const db = new Database(file);
      db.exec('PRAGMA wal_checkpoint(TRUNCATE);');
      db.close();
      for (const f of [`${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      const bytes = readFileSync(file);
      expect(bytes.length).toBeGreaterThan(40 * 4096);
      bytes.fill(0x5a, 8 * 4096);
      writeFileSync(file, bytes);
      for (const argv of [['ticket', 'list', '--status', 'any', '--all', '--json'], ['sweep', 'plan']]) {
        const broken = await runCli(argv, { env });
        expectOneLineError(broken, 1, /^deskops: the ticket replica .*replica-local\.sqlite is damaged/);
        expect(broken.stderr, argv.join(' ')).toContain('deskops queue --fresh');
      }
      const rebuilt = await runCli(['queue', '--view', 'all', '--json', '--fresh'], { env });
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      expect((await runCli(['sweep', 'plan'], { env })).code).toBe(0);
    } finally {
      cleanup();
    }
  });

  it('a damaged desk database is named, with the fix, and desk seed replaces it', async () => {
    const { home, cleanup } = tempHome();
    try {
      await seedDesk({ home, tickets: 30, seed: 2 });
      const db = join(home, 'desk', 'desk.sqlite');
      for (const f of [`${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
      writeFileSync(db, garbage);
      const broken = await runCli(['ticket', 'list'], { env: { DESKOPS_HOME: home } });
      expectOneLineError(broken, 1, /the embedded desk's database .*desk\.sqlite is damaged/);
      expect(broken.stderr).toContain('deskops desk reset --yes');
      expect((await runCli(['desk', 'seed', '--tickets', '30', '--yes'], { env: { DESKOPS_HOME: home } })).code).toBe(0);
      expect((await runCli(['ticket', 'list', '--json'], { env: { DESKOPS_HOME: home } })).code).toBe(0);
    } finally {
      cleanup();
    }
  });
});

describe('a screen drawn on the CLI streams', () => {
  it('shows the credentials masked, as every printed line does', async () => {
    const { PassThrough } = await import('node:stream');
    const { createIo } = await import('../../src/cli/io.js');
    const { render, Text } = await import('ink');
    const { createElement } = await import('react');
    const out = new PassThrough();
    let drawn = '';
    out.on('data', (d) => (drawn += d));
    const io = createIo({ stdout: Object.assign(out, { isTTY: true, columns: 80, rows: 24 }), stderr: new PassThrough(), stdin: new PassThrough() }, {});
    const secret = 'tok_0123456789abcdef';
    io.mask([secret]);
    // A customer subject that carries the token, drawn as the triage screen draws its rows.
    const app = render(createElement(Text, null, `#42 Please reset ${secret}`), { stdout: io.stdout as NodeJS.WriteStream, patchConsole: false });
    app.unmount();
    await new Promise((r) => setTimeout(r, 20));
    expect(drawn).toContain('#42 Please reset ****cdef');
    expect(drawn).not.toContain(secret);
  });
});

describe('a draft of a reply to desk text that carries the token', () => {
  it('is written with the token masked, as it is printed', async () => {
    const { home, cleanup } = tempHome();
    try {
      await seedDesk({ home, tickets: 30, seed: 2 });
      const { token } = readDeskCredentials(home)!;
      const desk = await startDesk({ home });
      let id: number;
      try {
        const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 't' });
        id = (await api.createTicket({ subject: `Locked out, my key is ${token}`, comment: { body: 'help' }, requester: { name: 'Kim Lee', email: 'kim@example.com' } })).id;
      } finally {
        await desk.close();
      }
      const r = await runCli(['reply', 'draft', String(id), '--template', 'empathy-validate-frustration', '--json'], { env: { DESKOPS_HOME: home } });
      expect(r.code, r.stderr).toBe(0);
      const draft = JSON.parse(r.stdout) as { id: string; body: string };
      expect(draft.body).toContain('Locked out, my key is ****');
      const file = readFileSync(join(home, 'drafts', `${draft.id}.json`), 'utf8');
      expect(file).not.toContain(token);
      expect(r.stdout + r.stderr).not.toContain(token);
    } finally {
      cleanup();
    }
  });
});
