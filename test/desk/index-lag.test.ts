/**
 * Search trails the tickets, as on Zendesk: the desk's search and search export see a change
 * only once it is older than the index lag. deskops must neither double-send nor plan, rank
 * or count from a stale copy: surveys and sweeps run twice within the lag, the queue right
 * after a change, the fatigue rule right after a survey.
 */
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import { buildQueue } from '../../src/services/queue.js';
import { seedDesk } from '../../src/desk/index.js';
import { runCli, tempHome } from '../helpers/cli.js';
import { SEED_NOW, startTestDesk, type TestDesk } from './helpers.js';

const LAG = 30;

/** A clock that moves with real time and can be pushed ahead. */
function pushableClock(start: Date) {
  let offset = start.getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset), push: (ms: number) => (offset += ms) };
}

describe('the desk\'s search index lag', () => {
  const clock = pushableClock(SEED_NOW);
  let t: TestDesk;
  let desk: HelpDesk;
  beforeAll(async () => {
    t = await startTestDesk({ tickets: 120, seed: 4, indexLagSeconds: LAG, now: clock.now });
    desk = await createHelpDesk({ kind: 'local', url: t.desk.url, auth: { type: 'basic-token', email: t.desk.email, token: t.desk.token }, profile: 'test' });
  });
  afterAll(() => t.close());

  const searchIds = async (query: string) =>
    ((await t.api(`/api/v2/search.json?query=${encodeURIComponent(query)}&per_page=100`)).body.results as Array<{ id: number }>).map((x) => x.id);
  const exportIds = async (query: string) =>
    ((await t.api(`/api/v2/search/export.json?filter[type]=ticket&query=${encodeURIComponent(query)}`)).body.results as Array<{ id: number }>).map((x) => x.id);

  it('shows a change to search and the search export only after the lag; show and list are live', async () => {
    const [id] = await searchIds('status:open');
    const put = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { additional_tags: ['lagging'] } } });
    expect(put.status).toBe(200);
    expect(await searchIds('tags:lagging')).toEqual([]);
    expect(await exportIds('tags:lagging')).toEqual([]);
    expect((await t.api(`/api/v2/tickets/${id}.json`)).body.ticket.tags).toContain('lagging');
    const created = await t.api('/api/v2/tickets.json', { method: 'POST', json: { ticket: { subject: 'Brand new', comment: { body: 'hello' }, requester: { name: 'New Person', email: 'new.person@mail.example' } } } });
    expect(created.status).toBe(201);
    expect(await searchIds('"Brand new"')).toEqual([]);

    clock.push((LAG + 1) * 1000);
    expect(await searchIds('tags:lagging')).toEqual([id]);
    expect(await exportIds('tags:lagging')).toEqual([id]);
    expect(await searchIds('"Brand new"')).toEqual([created.body.ticket.id]);
  });

  it('the queue shows a ticket changed just now as it is now, and drops one solved just now', async () => {
    const before = await buildQueue(desk, { view: { kind: 'all' }, now: clock.now, enrich: 0 });
    const [changed, solved] = before.items.map((i) => i.ticket);
    const put = await t.api(`/api/v2/tickets/${changed!.id}.json`, { method: 'PUT', json: { ticket: { priority: 'urgent', comment: { body: 'Escalating', public: false } } } });
    await t.api(`/api/v2/tickets/${solved!.id}.json`, { method: 'PUT', json: { ticket: { status: 'solved' } } });
    const after = await buildQueue(desk, { view: { kind: 'all' }, now: clock.now, enrich: 0 });
    const item = after.items.find((i) => i.ticket.id === changed!.id)!;
    expect(item.ticket.updated_at).toBe(put.body.ticket.updated_at);
    expect(item.ticket.priority).toBe('urgent');
    expect(after.items.some((i) => i.ticket.id === solved!.id)).toBe(false);
    // So a safe update made from the queue is not refused as a conflict with a stale copy.
    await desk.updateTicket(changed!.id, { additional_tags: ['from-queue'] }, { ifUnmodifiedSince: item.ticket.updated_at });
  });

  it('a ticket moved out of a view since search saw it leaves that view at once', async () => {
    const unassigned = await buildQueue(desk, { view: { kind: 'unassigned' }, now: clock.now, enrich: 0 });
    const taken = unassigned.items[0]!.ticket.id;
    const me = await desk.me();
    await t.api(`/api/v2/tickets/${taken}.json`, { method: 'PUT', json: { ticket: { assignee_id: me.id } } });
    expect(await searchIds(`assignee:none status<solved`)).toContain(taken); // search has not caught up
    const after = await buildQueue(desk, { view: { kind: 'unassigned' }, now: clock.now, enrich: 0 });
    expect(after.items.some((i) => i.ticket.id === taken)).toBe(false);
    const mine = await buildQueue(desk, { view: { kind: 'mine' }, now: clock.now, enrich: 0 });
    // Joining a view is left to search: it shows up there once indexed.
    expect(mine.items.some((i) => i.ticket.id === taken)).toBe(false);
  });

  it('lets a search export cursor expire after an hour, as Zendesk does', async () => {
    const first = await t.api('/api/v2/search/export.json?filter[type]=ticket&page[size]=10&query=status%3Asolved');
    const next = first.body.links.next.replace(t.desk.url, '') as string;
    expect((await t.api(next)).status).toBe(200);
    clock.push(3601 * 1000);
    const expired = await t.api(next);
    expect(expired.status).toBe(400);
    expect(expired.body.description).toMatch(/cursor has expired/);
  });
});

describe('bulk work run twice within the lag', () => {
  const { home, cleanup } = tempHome();
  const clock = pushableClock(SEED_NOW);
  const env = { DESKOPS_HOME: home, DESKOPS_DESK_INDEX_LAG: String(LAG) };
  const cli = (argv: string[]) => runCli(argv, { env, now: clock.now });
  beforeAll(async () => {
    await seedDesk({ home, tickets: 200, seed: 3, now: SEED_NOW });
  });
  afterAll(() => cleanup());

  const count = (sql: string) => {
    const db = new Database(join(home, 'desk', 'desk.sqlite'), { readonly: true });
    try {
      return (db.prepare(sql).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('survey send plans nothing the second time and sends each survey once; the fatigue rule sees the survey just sent', async () => {
    const first = JSON.parse((await cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json'])).stdout);
    expect(first.sent).toBeGreaterThan(5);
    const second = JSON.parse((await cli(['survey', 'send', '--type', 'nps', '--since', '30d', '--yes', '--json'])).stdout);
    expect(second).toMatchObject({ eligible: 0, sent: 0, failed: 0 });
    expect(count("SELECT count(*) AS n FROM comments WHERE body LIKE '%how likely are you to recommend us%'")).toBe(first.sent);
    // A CSAT survey a minute later spares everyone who just got the NPS one.
    const csat = JSON.parse((await cli(['survey', 'send', '--type', 'csat', '--since', '30d', '--yes', '--json'])).stdout);
    expect(csat.sent).toBe(0);
    expect(csat.skips.filter((s: { reason: string }) => /requester surveyed on #\d+/.test(s.reason)).length).toBeGreaterThan(0);
  });

  it('sweep run plans nothing the second time and sends each follow-up once', async () => {
    const first = JSON.parse((await cli(['sweep', 'run', '--yes', '--json'])).stdout);
    expect(first.sent).toBeGreaterThan(5);
    const comments = count('SELECT count(*) AS n FROM comments');
    const second = JSON.parse((await cli(['sweep', 'run', '--yes', '--json'])).stdout);
    expect(second).toMatchObject({ planned: 0, sent: 0 });
    expect(count('SELECT count(*) AS n FROM comments')).toBe(comments);
  });
});
