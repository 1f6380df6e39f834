/**
 * The ticket replica through main(): `queue` read twice against one desk, the requests counted
 * on the desk itself (its request log), not by the client. The second read with nothing
 * changed costs a fixed few requests; a change on the desk shows in the next read, which
 * re-reads only that ticket's SLAs and metrics; --fresh reads everything again.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { createHelpDesk } from '../../src/api/index.js';

let home: string;
let cleanup: () => void;
let desk: RunningDesk;
const served: string[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('deskops-replica-'));
  await seedDesk({ home, tickets: 500, seed: 1 });
  desk = await startDesk({ home, indexLagSeconds: 0, log: (line) => served.push(line) });
  env = { DESKOPS_HOME: home, DESKOPS_URL: desk.url };
});
afterAll(async () => {
  await desk.close();
  cleanup();
});

/** Runs the CLI and returns what it printed and the requests the desk served meanwhile. */
async function counted(argv: string[]): Promise<{ code: number; stdout: string; stderr: string; requests: string[] }> {
  const from = served.length;
  const r = await runCli(argv, { env });
  return { ...r, requests: served.slice(from) };
}

interface Item {
  id: number;
  urgency: number;
  priority: string | null;
  sla_breach_at: string | null;
  updated_at: string;
}

describe('queue from the replica', () => {
  it('a second `queue --view all` with nothing changed costs at most 5 requests, and prints the same queue', async () => {
    const first = await counted(['queue', '--view', 'all', '--json', '--verbose']);
    expect(first.code).toBe(0);
    // the first read fills the replica: the whole view, its sideloads and the top threads
    expect(first.requests.length).toBeGreaterThan(10);
    const second = await counted(['queue', '--view', 'all', '--json', '--verbose']);
    expect(second.code).toBe(0);
    expect(second.requests.length).toBeLessThanOrEqual(5);
    // what the client logged is what the desk served, and --verbose ends with what it cost
    const lines = second.stderr.trim().split('\n');
    expect(lines.filter((l) => /^> (GET|POST|PUT|DELETE) /.test(l)).length).toBe(second.requests.length);
    // read again within minutes: the live list of changes alone, no search export
    expect(second.requests.length).toBe(1);
    expect(lines.at(-1)).toMatch(/^> cost: 1 request \(tickets 1\); 1 of the account's 700 a minute, \d+ left$/);
    // the top 25's threads, less those whose requester has not written since the ticket was created
    const threads = Number(/^> cost: \d+ requests \(.*tickets\/:id\/comments (\d+).*\)/.exec(first.stderr.trim().split('\n').at(-1)!)?.[1]);
    expect(threads).toBeGreaterThan(0);
    expect(threads).toBeLessThan(25);
    const a = JSON.parse(first.stdout) as Item[];
    const b = JSON.parse(second.stdout) as Item[];
    expect(b.map((x) => x.id)).toEqual(a.map((x) => x.id));
    expect(b.map((x) => x.sla_breach_at)).toEqual(a.map((x) => x.sla_breach_at));
    expect(a.length).toBe(25);
  });

  it('shows a change made on the desk at the next read, re-reading only that ticket', async () => {
    const before = JSON.parse((await counted(['queue', '--view', 'all', '--json', '--limit', '1000'])).stdout) as Item[];
    const target = before.find((t) => t.priority === 'low') ?? before[before.length - 1]!;
    const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 'local' });
    await api.updateTicket(target.id, { priority: 'urgent' });
    const after = await counted(['queue', '--view', 'all', '--json', '--limit', '1000']);
    expect(after.code).toBe(0);
    const moved = (JSON.parse(after.stdout) as Item[]).find((t) => t.id === target.id)!;
    expect(moved.priority).toBe('urgent');
    expect(moved.urgency).toBeGreaterThan(target.urgency);
    // the SLA target moved with the priority: read again for this ticket alone
    const showMany = after.requests.filter((r) => r.includes('/tickets/show_many'));
    expect(showMany).toHaveLength(1);
    expect(showMany[0]).toContain(`ids=${target.id}&`);
    expect(after.requests.length).toBeLessThanOrEqual(6);

    // solved on the desk: it leaves the queue at the next read
    await api.updateTicket(target.id, { status: 'solved' });
    const solved = JSON.parse((await counted(['queue', '--view', 'all', '--json', '--limit', '1000'])).stdout) as Item[];
    expect(solved.find((t) => t.id === target.id)).toBeUndefined();
    expect(solved.length).toBe(before.length - 1);
  });

  it('--fresh reads the whole view again', async () => {
    const warm = await counted(['queue', '--view', 'all', '--json']);
    const fresh = await counted(['queue', '--view', 'all', '--json', '--fresh']);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toBe(warm.stdout);
    expect(fresh.requests.filter((r) => r.includes('/tickets/show_many')).length).toBeGreaterThan(0);
    expect(fresh.requests.length).toBeGreaterThan(warm.requests.length + 5);
  });

  it('ticket list reads the replica once one exists: the same tickets, order and count as the search, for a few requests', async () => {
    const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 'local' });
    const cases: Array<{ argv: string[]; query: string }> = [
      { argv: [], query: 'type:ticket status<solved' },
      { argv: ['--status', 'any'], query: 'type:ticket' },
      { argv: ['--status', 'open', '--priority', 'high'], query: 'type:ticket status:open priority:high' },
      { argv: ['--assignee', 'me', '--status', 'any'], query: `type:ticket assignee:${(await api.me()).id}` },
      { argv: ['--group', 'billing', '--tag', 'refund', '--status', 'any'], query: 'type:ticket group:billing tags:refund' },
      { argv: ['--assignee', 'none'], query: 'type:ticket status<solved assignee:none' },
    ];
    for (const c of cases) {
      let total = 0;
      const expected: number[] = [];
      for await (const t of api.searchTickets(c.query, { limit: 20, sortBy: 'updated_at', sortOrder: 'desc', onCount: (n) => (total = n) })) expected.push(t.id);
      const r = await counted(['ticket', 'list', ...c.argv, '--json', '--limit', '20']);
      expect(r.code, c.argv.join(' ')).toBe(0);
      const rows = JSON.parse(r.stdout) as Array<{ id: number; url: string; requester_name: string | null }>;
      expect(rows.map((t) => t.id), c.argv.join(' ')).toEqual(expected);
      expect(r.stderr, c.argv.join(' ')).toBe(total > 20 ? `20 of ${total.toLocaleString('en-US')} tickets; --limit N or --all for more\n` : '');
      for (const t of rows) {
        expect(t.url.startsWith(`${desk.url}/api/v2/tickets/`)).toBe(true);
        expect(t.requester_name).not.toBeNull();
      }
      expect(r.requests.filter((x) => x.includes('/search?'))).toEqual([]);
      expect(r.requests.length, r.requests.join('\n')).toBeLessThanOrEqual(5);
    }
    // --all: the people not named before are read once (show_many), then kept
    const all = await counted(['ticket', 'list', '--status', 'any', '--all', '--json']);
    expect((JSON.parse(all.stdout) as unknown[]).length).toBe(500);
    expect(all.requests.filter((x) => !x.includes('/users/show_many')).length).toBeLessThanOrEqual(3);
    const again = await counted(['ticket', 'list', '--status', 'any', '--all', '--json']);
    expect(again.stdout).toBe(all.stdout);
    expect(again.requests.length).toBeLessThanOrEqual(3);
  });

  it('reads a top ticket\'s thread again only when its requester wrote, not for a tag or an agent\'s note', async () => {
    const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 'local' });
    const top = (JSON.parse((await counted(['queue', '--view', 'all', '--json'])).stdout) as Item[])[0]!;
    await api.updateTicket(top.id, { additional_tags: ['replica_probe'] });
    const tagged = await counted(['queue', '--view', 'all', '--json']);
    expect(tagged.code).toBe(0);
    expect(tagged.requests.filter((r) => r.includes('/comments'))).toEqual([]);
    expect(tagged.requests.filter((r) => r.includes('/tickets/show_many'))).toHaveLength(1);
    await api.updateTicket(top.id, { comment: { body: 'Looking into it now.', public: false } });
    const noted = await counted(['queue', '--view', 'all', '--json']);
    expect(noted.requests.filter((r) => r.includes('/comments'))).toEqual([]);
    const requester = (await api.getTicket(top.id)).requester_id;
    await api.updateTicket(top.id, { comment: { body: 'Any news? This is the THIRD time I ask!!', public: true, author_id: requester } });
    const answered = await counted(['queue', '--view', 'all', '--json']);
    expect(answered.requests.filter((r) => r.includes(`/tickets/${top.id}/comments`))).toHaveLength(1);
    const item = (JSON.parse(answered.stdout) as Array<Item & { reasons: Array<{ label: string }> }>).find((t) => t.id === top.id)!;
    expect(item.reasons.map((r) => r.label).join(' ')).toMatch(/third time|capitals|!!/i);
  });

  it('a group made since the replica read the groups is found (they are read again on a miss)', async () => {
    expect((await counted(['queue', '--view', 'group:billing', '--json'])).code).toBe(0);
    const Database = (await import('libsql')).default;
    const db = new Database(join(home, 'desk', 'desk.sqlite'));
    const nowS = Math.floor(Date.now() / 1000);
    db.prepare('INSERT INTO groups (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run([299, 'Returns', '', nowS, nowS]);
    db.close();
    const r = await counted(['queue', '--view', 'group:returns', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    const missing = await counted(['queue', '--view', 'group:nosuch', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe('deskops: group "nosuch" not found; groups: Frontline, Escalations, Billing, Returns');
  });

  it('a damaged replica is named in one line with the fix, and --fresh rebuilds it', async () => {
    const file = join(home, 'cache', 'replica-local.sqlite');
    for (const f of [`${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    writeFileSync(file, 'this is not a database '.repeat(400));
    const broken = await counted(['queue', '--view', 'all', '--json']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toMatch(/^deskops: the ticket replica .*replica-local\.sqlite is damaged/);
    expect(broken.stderr).toContain('--fresh');
    expect(broken.stderr).not.toMatch(/\n\s+at /);
    expect(broken.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    const rebuilt = await counted(['queue', '--view', 'all', '--json', '--fresh']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect((JSON.parse(rebuilt.stdout) as unknown[]).length).toBe(25);
  });
});

describe('queue --tag on a desk whose search trails', () => {
  it('finds a ticket tagged a moment ago from the replica, without a search', async () => {
    const own = tempHome('deskops-replica-tag-');
    const log: string[] = [];
    await seedDesk({ home: own.home, tickets: 80, seed: 3 });
    const lagging = await startDesk({ home: own.home, indexLagSeconds: 30, log: (line) => log.push(line) });
    try {
      const run = (argv: string[]) => runCli(argv, { env: { DESKOPS_HOME: own.home, DESKOPS_URL: lagging.url } });
      const first = JSON.parse((await run(['queue', '--view', 'all', '--json'])).stdout) as Item[];
      const target = first[first.length - 1]!;
      const api = await createHelpDesk({ kind: 'local', url: lagging.url, auth: { type: 'basic-token', email: lagging.email, token: lagging.token }, profile: 'local' });
      await api.updateTicket(target.id, { additional_tags: ['call_back_now'] });
      const from = log.length;
      const tagged = await run(['queue', '--view', 'all', '--tag', 'CALL_BACK_NOW', '--json']);
      expect(tagged.code, tagged.stderr).toBe(0);
      expect((JSON.parse(tagged.stdout) as Item[]).map((t) => t.id)).toEqual([target.id]);
      expect(log.slice(from).filter((l) => l.includes('/search'))).toEqual([]);
      // a tag no ticket has: an empty queue
      const other = await run(['queue', '--view', 'all', '--tag', 'no_such_tag_at_all', '--json']);
      expect(JSON.parse(other.stdout)).toEqual([]);
    } finally {
      await lagging.close();
      own.cleanup();
    }
  });
});

describe('the cost of a bulk command', () => {
  it('sweep plan and survey send --dry-run end --verbose with the account budget their own client saw', async () => {
    for (const argv of [['sweep', 'plan', '--verbose'], ['survey', 'send', '--type', 'csat', '--dry-run', '--verbose']]) {
      const r = await counted(argv);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.trim().split('\n').at(-1), argv.join(' ')).toMatch(new RegExp(`^> cost: ${r.requests.length} requests? \\(.*\\); ${r.requests.length} of the account's 700 a minute, \\d+ left$`));
    }
  });
});

describe('a desk view through the replica', () => {
  it('a second `queue --view "<desk view>"` with nothing changed costs at most 5 requests, and ranks what the desk selects', async () => {
    const api = await createHelpDesk({ kind: 'local', url: desk.url, auth: { type: 'basic-token', email: desk.email, token: desk.token }, profile: 'local' });
    const view = (await api.listViews()).find((v) => v.title === 'Urgent tickets')!;
    const selected = async () => {
      const ids: number[] = [];
      for await (const t of api.viewTickets(view)) if (t.status !== 'solved' && t.status !== 'closed') ids.push(t.id);
      return ids.sort((a, b) => a - b);
    };
    const ids = (stdout: string) => (JSON.parse(stdout) as Item[]).map((t) => t.id);
    const argv = ['queue', '--view', 'Urgent tickets', '--json', '--verbose', '--limit', '1000'];
    const first = await counted(argv);
    expect(first.code, first.stderr).toBe(0);
    expect(first.requests.filter((r) => r.includes('/views/') && r.includes('/tickets'))).toEqual([]);
    const expected = await selected();
    expect(expected.length).toBeGreaterThan(0);
    expect([...ids(first.stdout)].sort((a, b) => a - b)).toEqual(expected);

    const second = await counted(argv);
    expect(second.code).toBe(0);
    expect(second.requests.length, second.requests.join('\n')).toBeLessThanOrEqual(5);
    expect(ids(second.stdout)).toEqual(ids(first.stdout));
    const lines = second.stderr.trim().split('\n');
    expect(lines.filter((l) => /^> (GET|POST|PUT|DELETE) /.test(l)).length).toBe(second.requests.length);
    expect(lines.at(-1)).toMatch(new RegExp(`^> cost: ${second.requests.length} requests `));
    expect(second.stderr).not.toContain('is read from the desk');

    // a ticket made urgent on the desk enters the view at the next read, that ticket alone re-read
    let target: { id: number } | undefined;
    for await (const t of api.exportSearchTickets('type:ticket status:open priority:low', { pageSize: 100 })) target ??= t;
    expect(target).toBeDefined();
    expect(expected).not.toContain(target!.id);
    await api.updateTicket(target!.id, { priority: 'urgent' });
    const after = await counted(argv);
    expect(after.code).toBe(0);
    expect(ids(after.stdout)).toContain(target!.id);
    expect([...ids(after.stdout)].sort((a, b) => a - b)).toEqual(await selected());
    expect(after.requests.filter((r) => r.includes('/tickets/show_many'))).toHaveLength(1);
    expect(after.requests.filter((r) => r.includes('/views/') && r.includes('/tickets'))).toEqual([]);
  });
});

describe('two processes on one replica', () => {
  it('fill and read it side by side (two terminals of one profile), then a third read costs what changed', async () => {
    const { home: other, cleanup: done } = tempHome('deskops-replica-two-');
    const log: string[] = [];
    await seedDesk({ home: other, tickets: 400, seed: 6 });
    const running = await startDesk({ home: other, indexLagSeconds: 0, log: (l) => log.push(l) });
    try {
      const launcher = join(__dirname, '..', '..', 'bin', 'deskops.js');
      // The children keep this process's clock: under a shifted clock (the CI's second run) the
      // desk in here and the CLI out there must agree on what "now" is.
      const clock = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'LD_PRELOAD' || k.startsWith('FAKETIME')));
      const childEnv = { ...clock, PATH: process.env.PATH, HOME: process.env.HOME, DESKOPS_HOME: other, DESKOPS_URL: running.url, NO_COLOR: '1' };
      const run = () =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(process.execPath, [launcher, 'queue', '--view', 'all', '--json'], { env: childEnv }, (err, stdout, stderr) =>
            resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          );
        });
      const [a, b] = await Promise.all([run(), run()]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const ids = (r: { stdout: string }) => (JSON.parse(r.stdout) as Item[]).map((t) => t.id);
      expect(ids(b)).toEqual(ids(a));
      const from = log.length;
      const third = await run();
      expect(ids(third)).toEqual(ids(a));
      expect(log.slice(from).filter((l) => /^(GET|PUT|POST|DELETE) /.test(l)).length).toBeLessThanOrEqual(3);
    } finally {
      await running.close();
      done();
    }
  });
});
