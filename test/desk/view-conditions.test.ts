/**
 * A desk view evaluated locally (core/view-conditions.ts, what the replica path of
 * `queue --view "<desk view>"` uses) selects exactly the tickets the embedded desk's
 * /views/{id}/tickets returns: every demo view, as each user who may use it sees it (the
 * agent, the admin, and Priya for her personal view), over every ticket, solved ones included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileViewConditions } from '../../src/core/view-conditions.js';
import type { DeskView, Ticket } from '../../src/core/model.js';
import { startTestDesk, type TestDesk } from './helpers.js';

let t: TestDesk;
let tickets: Ticket[] = [];

async function paged<T>(path: string, key: string, as: Record<string, string>): Promise<T[]> {
  const out: T[] = [];
  let next: string | null = path;
  while (next) {
    const r = await t.api(next.replace(t.desk.url, ''), { headers: as });
    expect(r.status, next).toBe(200);
    out.push(...(r.body[key] as T[]));
    next = r.body.meta.has_more ? r.body.links.next : null;
  }
  return out;
}

beforeAll(async () => {
  t = await startTestDesk({ tickets: 400, seed: 7 });
  tickets = await paged<Ticket>('/api/v2/tickets.json?page[size]=100', 'tickets', { authorization: t.adminBasic });
  expect(tickets.length).toBe(400);
});
afterAll(async () => {
  await t.close();
});

describe('desk views evaluated locally', () => {
  it('select exactly what /views/{id}/tickets returns, for every demo view and every user who may use it', async () => {
    const priya = (await t.api('/api/v2/users/1002.json', { as: 'admin' })).body.user;
    const token = Buffer.from(atob(t.basic.slice('Basic '.length))).toString().split(':').slice(1).join(':');
    const users = [
      { name: 'agent', auth: t.basic },
      { name: 'admin', auth: t.adminBasic },
      { name: 'priya', auth: `Basic ${Buffer.from(`${priya.email}/token:${token}`).toString('base64')}` },
    ];
    const checked = new Set<string>();
    let selectedSomewhere = 0;
    for (const user of users) {
      const as = { authorization: user.auth };
      const me = (await t.api('/api/v2/users/me.json', { headers: as })).body.user;
      const views = await paged<DeskView>('/api/v2/views.json?page[size]=100', 'views', as);
      expect(views.length).toBeGreaterThan(0);
      for (const view of views) {
        const compiled = compileViewConditions(view.conditions);
        if (!compiled.ok) throw new Error(`${view.title}: ${compiled.unknown.join('; ')}`);
        const now = t.now();
        const fromDesk = (await paged<Ticket>(`/api/v2/views/${view.id}/tickets.json?page[size]=100`, 'tickets', as)).map((x) => x.id).sort((a, b) => a - b);
        const local = tickets.filter((x) => compiled.matches(x, { userId: me.id, now })).map((x) => x.id).sort((a, b) => a - b);
        expect(local, `${view.title} as ${user.name}`).toEqual(fromDesk);
        // a view selects some of the tickets, never all: the comparison says something
        expect(fromDesk.length, `${view.title} as ${user.name}`).toBeLessThan(tickets.length);
        if (fromDesk.length > 0) selectedSomewhere++;
        checked.add(view.title);
      }
    }
    // every demo view was compared, and most of them select tickets
    expect([...checked].sort()).toEqual(
      [
        'Billing: refunds and disputes',
        'Complaints and escalations',
        'Holiday backlog (retired)',
        'My frontline tickets waiting on us',
        'My unsolved tickets',
        'New in the last 24 hours',
        'Pending > 3 days',
        "Priya's callbacks",
        'Unassigned in Billing',
        'Urgent tickets',
      ].sort(),
    );
    expect(selectedSomewhere).toBeGreaterThanOrEqual(10);
  });
});
