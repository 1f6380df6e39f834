/**
 * The ticket commands end to end: main() with buffer streams, the default `local` profile and
 * its in-process embedded desk in a temp DESKOPS_HOME, talking HTTP through the real client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';
import { seedDesk, startDesk } from '../../src/desk/index.js';
import { createHelpDesk } from '../../src/api/index.js';
import { FakeDesk } from '../helpers/fakeDesk.js';

const ESC = '\u001b';
let home: string;
let cleanup: () => void;
let env: Record<string, string>;

beforeAll(async () => {
  ({ home, cleanup } = tempHome());
  await seedDesk({ home, tickets: 150, seed: 7 });
  env = { DESKOPS_HOME: home };
});
afterAll(() => cleanup());

describe('ticket list', () => {
  it('prints unsolved tickets as a JSON array', async () => {
    const r = await runCli(['ticket', 'list', '--json', '--limit', '20'], { env });
    expect(r.stderr).toMatch(/^20 of \d+ tickets; --limit N or --all for more\n$/);
    expect(r.code).toBe(0);
    const items = JSON.parse(r.stdout);
    expect(Array.isArray(items)).toBe(true);
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(20);
    for (const t of items) {
      expect(typeof t.id).toBe('number');
      expect(typeof t.subject).toBe('string');
      expect(['new', 'open', 'pending', 'hold']).toContain(t.status);
    }
    // most recently updated first
    const updated = items.map((t: { updated_at: string }) => Date.parse(t.updated_at));
    expect([...updated].sort((a, b) => b - a)).toEqual(updated);
  });

  it('filters by status, priority and assignee me', async () => {
    const me = await runCli(['ticket', 'list', '--assignee', 'me', '--status', 'any', '--json', '--limit', '200'], { env });
    expect(me.code).toBe(0);
    const mine = JSON.parse(me.stdout);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((t: { assignee_id: number }) => t.assignee_id)).size).toBe(1);

    const solved = await runCli(['ticket', 'list', '--status', 'solved', '--priority', 'high', '--json'], { env });
    expect(solved.code).toBe(0);
    for (const t of JSON.parse(solved.stdout)) {
      expect(t.status).toBe('solved');
      expect(t.priority).toBe('high');
    }
  });

  it('prints plain tab-separated text with no escape sequences when piped', async () => {
    const r = await runCli(['ticket', 'list'], { env: { ...env, FORCE_COLOR: undefined as unknown as string } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    const [header, first] = r.stdout.trim().split('\n');
    expect(header!.split('\t')).toEqual(['id', 'status', 'priority', 'subject', 'requester', 'assignee', 'group', 'updated']);
    expect(first!.split('\t')).toHaveLength(8);
  });

  it('renders a table that fits the terminal, colored only when allowed', async () => {
    const plainTty = await runCli(['ticket', 'list', '--limit', '5'], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 80 } });
    expect(plainTty.code).toBe(0);
    expect(plainTty.stdout).not.toContain(ESC);
    expect(plainTty.stdout).toMatch(/ID\s+STATUS\s+PRIORITY\s+SUBJECT/);
    for (const line of plainTty.stdout.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);

    const colored = await runCli(['ticket', 'list', '--limit', '5'], { env: { ...env, FORCE_COLOR: '1' }, tty: { columns: 120 } });
    expect(colored.stdout).toContain(ESC);
  });

  it('selects fields for CSV', async () => {
    const r = await runCli(['ticket', 'list', '--csv', '--fields', 'id,status', '--limit', '3'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,status');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^\d+,(new|open|pending|hold)$/);
  });

  it('rejects bad values with a one-line usage error and exit 2', async () => {
    const bad = await runCli(['ticket', 'list', '--status', 'bogus'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus/);
    const limit = await runCli(['ticket', 'list', '--limit', 'ten'], { env });
    expect(limit.code).toBe(2);
    expect(limit.stderr.trim().split('\n')).toHaveLength(1);
    expect(limit.stderr).toContain('--limit must be a whole number');
  });

  it('says on stderr when the list is cut, and --all lists every ticket page by page', async () => {
    const everything = await runCli(['ticket', 'list', '--status', 'any', '--all', '--json'], { env });
    expect(everything.code).toBe(0);
    expect(everything.stderr).toBe('');
    const all = JSON.parse(everything.stdout) as Array<{ id: number }>;
    expect(all.length).toBeGreaterThan(100); // more than one export page
    expect(new Set(all.map((t) => t.id)).size).toBe(all.length);

    // the default 50, piped as CSV: the rows on stdout, the cut on stderr
    const cut = await runCli(['ticket', 'list', '--status', 'any', '--csv'], { env });
    expect(cut.code).toBe(0);
    expect(cut.stdout.trim().split('\n')).toHaveLength(51);
    expect(cut.stderr).toBe(`50 of ${all.length} tickets; --limit N or --all for more\n`);
    // on a terminal too
    const tty = await runCli(['ticket', 'list', '--status', 'any', '--limit', '5'], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 100 } });
    expect(tty.stderr).toBe(`5 of ${all.length} tickets; --limit N or --all for more\n`);

    const csv = await runCli(['ticket', 'list', '--status', 'any', '--all', '--csv', '--fields', 'id,status'], { env });
    expect(csv.code).toBe(0);
    expect(csv.stderr).toBe('');
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,status');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0])).sort((a, b) => a - b)).toEqual(all.map((t) => t.id).sort((a, b) => a - b));

    // nothing is said when everything fits
    const fits = await runCli(['ticket', 'list', '--status', 'any', '--limit', '1000', '--plain'], { env });
    expect(fits.stderr).toBe('');
    expect(fits.stdout.trim().split('\n')).toHaveLength(all.length + 1);

    const both = await runCli(['ticket', 'list', '--all', '--limit', '5'], { env });
    expect(both.code).toBe(2);
    expect(both.stdout).toBe('');
    expect(both.stderr).toMatch(/'--all' cannot be used with option '-n, --limit <n>'/);
  });

  it('says "first N tickets" when the desk gives no count', async () => {
    const fake = await FakeDesk.start();
    try {
      const result = (id: number) => ({
        id, result_type: 'ticket', subject: `Ticket ${id}`, description: '', status: 'open', priority: null, type: null,
        requester_id: 7, assignee_id: null, group_id: null, organization_id: null, tags: [], custom_fields: [], via: { channel: 'web' },
        created_at: '2026-11-01T10:00:00Z', updated_at: '2026-11-02T10:00:00Z',
      });
      // a search answer without "count", as some desks and proxies send it
      fake.get('/api/v2/search', { json: { results: [result(1), result(2), result(3)], next_page: null } });
      fake.get('/api/v2/users/show_many', { json: { users: [{ id: 7, name: 'Customer', email: 'c@example.com', role: 'end-user' }] } });
      const { home: other, cleanup: done } = tempHome();
      try {
        const r = await runCli(['ticket', 'list', '--limit', '3', '--csv', '--fields', 'id'], {
          env: { DESKOPS_HOME: other, DESKOPS_URL: fake.url, DESKOPS_EMAIL: 'agent@example.com', DESKOPS_TOKEN: 'token-0123456789' },
        });
        expect(r.stderr).toBe('first 3 tickets; --limit N or --all for more\n');
        expect(r.stdout).toBe('id\n1\n2\n3\n');
        expect(r.code).toBe(0);
      } finally {
        done();
      }
      fake.assertDone();
    } finally {
      await fake.close();
    }
  });

  it('refuses a group or assignee the desk does not have, naming the valid ones, exit 2', async () => {
    const group = await runCli(['ticket', 'list', '--group', 'nosuch'], { env });
    expect(group.code).toBe(2);
    expect(group.stdout).toBe('');
    expect(group.stderr.trim()).toBe('deskops: group "nosuch" not found; groups: Frontline, Escalations, Billing');

    const who = await runCli(['ticket', 'list', '--assignee', 'nobody@x', '--json'], { env });
    expect(who.code).toBe(2);
    expect(who.stdout).toBe('');
    expect(who.stderr.trim().split('\n')).toHaveLength(1);
    expect(who.stderr).toMatch(/^deskops: agent "nobody@x" not found; use me, none or one of the agents: [^\s,]+@[^\s,]+, /);

    // names the desk has still work, in any case, and so do me and none
    const billing = await runCli(['ticket', 'list', '--group', 'BILLING', '--json'], { env });
    expect(billing.code).toBe(0);
    const rows = JSON.parse(billing.stdout) as Array<{ group_name: string }>;
    expect(rows.length).toBeGreaterThan(0);
    for (const t of rows) expect(t.group_name).toBe('Billing');
    const agent = (JSON.parse((await runCli(['ticket', 'list', '--status', 'any', '--json', '--limit', '100'], { env })).stdout) as Array<{ assignee_id: number | null }>).find((t) => t.assignee_id !== null)!;
    const mine = await runCli(['ticket', 'list', '--assignee', String(agent.assignee_id), '--json'], { env });
    expect(mine.code).toBe(0);
    expect((await runCli(['ticket', 'list', '--assignee', 'none', '--json'], { env })).code).toBe(0);
  });

  it('refuses --fields that are not fields, naming the valid ones, exit 2', async () => {
    const csv = await runCli(['ticket', 'list', '--csv', '--fields', 'id,bogus', '--limit', '3'], { env });
    expect(csv.code).toBe(2);
    expect(csv.stdout).toBe('');
    expect(csv.stderr.trim()).toBe('deskops: --fields: unknown field "bogus"; fields: id, status, priority, subject, requester, assignee, group, updated');

    const json = await runCli(['ticket', 'list', '--json', '--fields', 'bogus,nope', '--limit', '3'], { env });
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    expect(json.stderr).toMatch(/^deskops: --fields: unknown fields "bogus", "nope"; fields: .*\bid, .*\brequester_id\b.*\bgroup_name\b/);
    expect(json.stderr.trim().split('\n')).toHaveLength(1);
    // JSON fields are the JSON keys
    const ok = await runCli(['ticket', 'list', '--json', '--fields', 'id,group_name', '--limit', '3'], { env });
    expect(ok.code).toBe(0);
    for (const t of JSON.parse(ok.stdout)) expect(Object.keys(t)).toEqual(['id', 'group_name']);

    const view = await runCli(['ticket', 'view', '1', '--json', '--fields', 'id,bogus'], { env });
    expect(view.code).toBe(2);
    expect(view.stderr).toContain('unknown field "bogus"');
  });

  it('exits 4 with a hint when the token is wrong', async () => {
    const r = await runCli(['ticket', 'list'], { env: { ...env, DESKOPS_TOKEN: 'wrong' } });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/auth/i);
    expect(r.stderr).toContain('deskops doctor');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('ticket view', () => {
  it('says not found and exits 1 without a stack trace', async () => {
    const r = await runCli(['ticket', 'view', '99999999'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ticket 99999999 not found');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('rejects an id that is not a number', async () => {
    const r = await runCli(['ticket', 'view', 'abc'], { env });
    expect(r.code).toBe(2);
  });

  it('prints the ticket with its thread as JSON', async () => {
    const list = JSON.parse((await runCli(['ticket', 'list', '--json', '--limit', '1'], { env })).stdout);
    const id = list[0].id;
    const r = await runCli(['ticket', 'view', String(id), '--json'], { env });
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.id).toBe(id);
    expect(t.requester?.id).toBe(t.requester_id);
    expect(t.comments.length).toBeGreaterThan(0);
    for (const c of t.comments) {
      expect(typeof c.body).toBe('string');
      expect(typeof c.public).toBe('boolean');
      expect(typeof c.author_id).toBe('number');
      expect(typeof c.created_at).toBe('string');
    }
  });

  it('shows the running SLA target in the view and as "sla" in --json, null when there is none', async () => {
    const now = new Date();
    // the queue counts down the same target (the earliest active one)
    const queue = JSON.parse((await runCli(['queue', '--view', 'all', '--limit', '500', '--json'], { env, now })).stdout) as Array<{
      id: number;
      priority: string | null;
      sla_breach_at: string | null;
      sla_metric: string | null;
    }>;
    const breached = queue.find((t) => t.sla_breach_at !== null && Date.parse(t.sla_breach_at) < now.getTime());
    expect(breached, 'a ticket with a breached SLA in the demo data').toBeDefined();
    const r = await runCli(['ticket', 'view', String(breached!.id), '--json'], { env, now });
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(t.sla).toEqual({
      metric: breached!.sla_metric,
      target_minutes: expect.any(Number),
      breach_at: breached!.sla_breach_at,
      breached: true,
      minutes_left: Math.trunc((Date.parse(breached!.sla_breach_at!) - now.getTime()) / 60_000),
    });
    expect(t.sla.target_minutes).toBeGreaterThan(0);

    const human = await runCli(['ticket', 'view', String(breached!.id)], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 120 }, now });
    expect(human.code).toBe(0);
    const label = breached!.sla_metric!.replace(/_/g, ' ');
    expect(human.stdout).toMatch(new RegExp(`^sla +${label} \\(target \\d+h 00m\\) · breached \\d+[mhdw] ago, at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`, 'm'));

    // the demo desk keeps no SLA for tickets without a priority
    const none = queue.find((t) => t.priority === null);
    expect(none, 'a ticket without a priority in the demo data').toBeDefined();
    const plain = JSON.parse((await runCli(['ticket', 'view', String(none!.id), '--json'], { env, now })).stdout);
    expect(plain.sla).toBeNull();
  });

  it('strips terminal escape sequences that customers put in their text', async () => {
    const desk = await startDesk({ home });
    try {
      const api = await createHelpDesk({
        kind: 'local',
        url: desk.url,
        auth: { type: 'basic-token', email: desk.email, token: desk.token },
        profile: 'test',
      });
      const evil = await api.createTicket({
        subject: `Refund ${ESC}]0;owned${'\u0007'}now ${ESC}[31mRED${ESC}[0m \u202eevil`,
        comment: { body: `line one\n${ESC}[2J${ESC}[Hcleared?` },
        requester: { name: `Mallory ${ESC}[5mblink`, email: 'mallory@example.com' },
      });
      const view = await runCli(['ticket', 'view', String(evil.id)], { env: { ...env, NO_COLOR: '1' }, tty: { columns: 100 } });
      expect(view.code).toBe(0);
      expect(view.stdout).not.toContain(ESC);
      // with color on, deskops' own colors stay but the customer's sequences are still gone
      const colored = await runCli(['ticket', 'view', String(evil.id)], { env: { ...env, FORCE_COLOR: '1' }, tty: { columns: 100 } });
      for (const seq of [`${ESC}]0;`, `${ESC}[2J`, `${ESC}[5m`, `${ESC}[31mRED`]) expect(colored.stdout).not.toContain(seq);
      expect(view.stdout).not.toContain('\u0007');
      expect(view.stdout).not.toContain('\u202e');
      expect(view.stdout).toContain('Refund');
      const list = await runCli(['ticket', 'list', '--status', 'any', '--query', 'Refund', '--limit', '100'], { env });
      expect(list.stdout).not.toContain(ESC);
    } finally {
      await desk.close();
    }
  });
});

describe('ticket update', () => {
  async function firstTicket(status: string): Promise<{ id: number }> {
    const r = await runCli(['ticket', 'list', '--status', status, '--json', '--limit', '1'], { env });
    const [t] = JSON.parse(r.stdout);
    expect(t, `a ${status} ticket in the demo data`).toBeDefined();
    return t;
  }

  it('changes status and priority, adds a public reply, and the thread shows it', async () => {
    const { id } = await firstTicket('open');
    const r = await runCli(
      ['ticket', 'update', String(id), '--status', 'pending', '--priority', 'high', '--tag', 'followed_up', '--reply', 'We have refunded the charge.', '--json'],
      { env },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const updated = JSON.parse(r.stdout);
    expect(updated.status).toBe('pending');
    expect(updated.priority).toBe('high');
    expect(updated.tags).toContain('followed_up');
    const view = JSON.parse((await runCli(['ticket', 'view', String(id), '--json'], { env })).stdout);
    const last = view.comments.at(-1);
    expect(last.body).toBe('We have refunded the charge.');
    expect(last.public).toBe(true);
  });

  it('adds an internal note read from stdin and assigns to me', async () => {
    const { id } = await firstTicket('new');
    const r = await runCli(['ticket', 'update', String(id), '--assign', 'me', '--note', '-'], { env, stdin: 'Checked the logs.\n' });
    expect(r.code).toBe(0);
    const view = JSON.parse((await runCli(['ticket', 'view', String(id), '--json'], { env })).stdout);
    expect(view.comments.at(-1)).toMatchObject({ body: 'Checked the logs.', public: false });
    expect(view.assignee_id).not.toBeNull();
  });

  it('view --plain: one key<TAB>value line per field, nested keys dotted, text on one line', async () => {
    const { id } = await firstTicket('open');
    const r = await runCli(['ticket', 'view', String(id), '--plain'], { env });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.split('\t'), line).toHaveLength(2);
    const field = new Map(lines.map((l) => l.split('\t') as [string, string]));
    expect(field.get('id')).toBe(String(id));
    expect(field.get('status')).toBe('open');
    expect(field.get('requester.email')).toMatch(/@/);
    expect(field.get('comments.0.body')).toBeDefined();
    expect(field.get('comments.0.body')).not.toContain('\n');
  });

  it('says in its one line what changed: the group and the tags too', async () => {
    const { id } = await firstTicket('open');
    const r = await runCli(['ticket', 'update', String(id), '--group', 'billing', '--tag', 'moved', '--untag', 'nosuchtag', '--note', 'to billing'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^updated #${id}: open( · [^·]+)* · group Billing · tags \\+moved · tags -nosuchtag · note added$`));
  });

  it('refuses an empty change, unknown groups and closed tickets', async () => {
    const { id } = await firstTicket('open');
    const empty = await runCli(['ticket', 'update', String(id)], { env });
    expect(empty.code).toBe(2);
    const group = await runCli(['ticket', 'update', String(id), '--group', 'no such group'], { env });
    expect(group.code).toBe(2);
    expect(group.stderr.trim()).toBe('deskops: group "no such group" not found; groups: Frontline, Escalations, Billing');
    const closed = await firstTicket('closed');
    const r = await runCli(['ticket', 'update', String(closed.id), '--status', 'open'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/closed/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses --note together with --reply', async () => {
    const r = await runCli(['ticket', 'update', '1', '--note', 'a', '--reply', 'b'], { env });
    expect(r.code).toBe(2);
  });
});
