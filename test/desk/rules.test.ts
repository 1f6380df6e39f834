/**
 * The desk's views and macros: who sees which, a view's tickets against the tickets read
 * independently and filtered here, both pagination styles, and a macro's changes computed
 * without anything being saved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkView, ConditionError } from '../../src/desk/views.js';
import { checkMacro, MacroActionError } from '../../src/desk/macros.js';
import { startTestDesk, type TestDesk } from './helpers.js';

let t: TestDesk;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
let tickets: Json[] = [];

beforeAll(async () => {
  t = await startTestDesk({ tickets: 400, seed: 7 });
  let next: string | null = '/api/v2/tickets.json?page[size]=100';
  while (next) {
    const r = await t.api(next.replace(t.desk.url, ''));
    expect(r.status).toBe(200);
    tickets.push(...r.body.tickets);
    next = r.body.meta.has_more ? r.body.links.next : null;
  }
  expect(tickets.length).toBe(400);
});
afterAll(async () => {
  await t.close();
});

async function views(path: string, as?: 'admin'): Promise<Json[]> {
  const r = await t.api(path, as ? { as } : {});
  expect(r.status).toBe(200);
  return r.body.views;
}

async function viewByTitle(title: string): Promise<Json> {
  const found = (await views('/api/v2/views.json')).find((v) => v.title === title);
  expect(found, title).toBeDefined();
  return found;
}

async function viewTicketIds(id: number): Promise<number[]> {
  const ids: number[] = [];
  let next: string | null = `/api/v2/views/${id}/tickets.json?page[size]=25`;
  while (next) {
    const r = await t.api(next.replace(t.desk.url, ''));
    expect(r.status).toBe(200);
    ids.push(...r.body.tickets.map((x: Json) => x.id));
    next = r.body.meta.has_more ? r.body.links.next : null;
  }
  return ids;
}

const unsolved = (x: Json) => !['solved', 'closed'].includes(x.status);
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('views', () => {
  it("lists the shared views and the agent's own, not another agent's or another group's", async () => {
    const all = await views('/api/v2/views.json');
    const titles = all.map((v) => v.title);
    expect(titles).toEqual(expect.arrayContaining(['Urgent tickets', 'My unsolved tickets', 'Unassigned in Billing', 'Pending > 3 days', 'My frontline tickets waiting on us', 'Holiday backlog (retired)']));
    expect(titles).not.toContain("Priya's callbacks");
    expect(titles).not.toContain('Billing: refunds and disputes');
    const personal = all.find((v) => v.title === 'My frontline tickets waiting on us');
    expect(personal.restriction).toEqual({ type: 'User', id: 1001 });
    expect(all.find((v) => v.title === 'Urgent tickets')).toMatchObject({ active: true, restriction: null, conditions: { all: expect.any(Array), any: [] } });

    const active = await views('/api/v2/views/active.json');
    expect(active.map((v) => v.title)).not.toContain('Holiday backlog (retired)');
    expect(active.length).toBe(all.length - 1);

    const admin = await views('/api/v2/views.json', 'admin');
    expect(admin.map((v) => v.title)).toContain('Billing: refunds and disputes');
    expect(admin.map((v) => v.title)).not.toContain("Priya's callbacks");
    expect(admin.map((v) => v.title)).not.toContain('My frontline tickets waiting on us');
  });

  it("answers 404 for a view the user may not see, as for one that does not exist", async () => {
    const priyas = (await views('/api/v2/views.json?access=personal', 'admin')).length;
    expect(priyas).toBe(0); // the admin has none of their own
    const all = await t.api('/api/v2/views/360009.json');
    expect(all.status).toBe(404);
    expect((await t.api('/api/v2/views/360009/tickets.json')).status).toBe(404);
    expect((await t.api('/api/v2/views/999999.json')).status).toBe(404);
    expect((await t.api('/api/v2/views/360001.json')).body.view.title).toBe('Urgent tickets');
  });

  it('pages the list with cursors and with offsets alike', async () => {
    const all = (await views('/api/v2/views.json')).map((v) => v.id);
    const cursor: number[] = [];
    let next: string | null = '/api/v2/views.json?page[size]=3';
    while (next) {
      const r = await t.api(next.replace(t.desk.url, ''));
      cursor.push(...r.body.views.map((v: Json) => v.id));
      next = r.body.meta.has_more ? r.body.links.next : null;
    }
    expect(cursor).toEqual(all);
    const offset = await t.api('/api/v2/views.json?per_page=4&page=2');
    expect(offset.body.views.map((v: Json) => v.id)).toEqual(all.slice(4, 8));
    expect(offset.body.count).toBe(all.length);
    expect((await t.api('/api/v2/views.json?per_page=500')).status).toBe(400);
  });

  it('selects exactly the tickets its conditions describe', async () => {
    const me = 1001;
    const nowS = Math.floor(t.now().getTime() / 1000);
    const at = (iso: string) => Date.parse(iso) / 1000;
    const cases: Array<[string, (x: Json) => boolean]> = [
      ['Urgent tickets', (x) => unsolved(x) && x.priority === 'urgent'],
      ['My unsolved tickets', (x) => unsolved(x) && x.assignee_id === me],
      ['Unassigned in Billing', (x) => unsolved(x) && x.group_id === 203 && x.assignee_id === null],
      ['Pending > 3 days', (x) => x.status === 'pending' && at(x.updated_at) < nowS - 72 * 3600],
      ['Complaints and escalations', (x) => unsolved(x) && (x.tags.includes('complaint') || x.tags.includes('angry') || x.group_id === 202)],
    ];
    for (const [title, test] of cases) {
      const view = await viewByTitle(title);
      const expected = tickets.filter(test).map((x) => x.id);
      expect(expected.length, `${title} selects something in the demo`).toBeGreaterThan(0);
      expect(sorted(await viewTicketIds(view.id)), title).toEqual(sorted(expected));
    }
  });

  it("keeps the view's order, and offset pages agree with cursor pages", async () => {
    const view = await viewByTitle('My unsolved tickets'); // sorted by updated_at ascending
    const ids = await viewTicketIds(view.id);
    const byId = new Map(tickets.map((x) => [x.id, x]));
    const stamps = ids.map((id) => Date.parse(byId.get(id).updated_at));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    const first = await t.api(`/api/v2/views/${view.id}/tickets.json?per_page=10&page=1`);
    expect(first.body.tickets.map((x: Json) => x.id)).toEqual(ids.slice(0, 10));
    expect(first.body.count).toBe(ids.length);
    expect((await t.api(`/api/v2/views/${view.id}/tickets.json?sort_by=priority`)).status).toBe(400);
  });

  it('refuses to store a condition it could not run', () => {
    expect(() => checkView({ all: [{ field: 'satisfaction_score', operator: 'is', value: 'bad' }], any: [] }, undefined)).toThrow(ConditionError);
    expect(() => checkView({ all: [{ field: 'status', operator: 'is', value: 'waiting' }], any: [] }, undefined)).toThrow(/not one of/);
    expect(() => checkView({ all: [], any: [] }, undefined)).toThrow(/at least one/);
    expect(() => checkView({ all: [{ field: 'NEW', operator: 'greater_than', value: 'a day' }], any: [] }, undefined)).toThrow(/hours/);
  });
});

describe('macros', () => {
  it("lists shared macros and the agent's own; a group's macros only to that group", async () => {
    const r = await t.api('/api/v2/macros.json');
    expect(r.status).toBe(200);
    const titles = r.body.macros.map((m: Json) => m.title);
    expect(titles).toEqual(expect.arrayContaining(['Close and thank', 'Escalate to Billing', 'Ask for order number', 'Apology: delay', 'My sign-off: check back tomorrow']));
    expect(titles).not.toContain('Refund issued');
    const active = await t.api('/api/v2/macros/active.json');
    expect(active.body.macros.map((m: Json) => m.title)).not.toContain('Holiday hours notice (retired)');
    expect(titles).toContain('Holiday hours notice (retired)');
    const refund = (await t.api('/api/v2/macros.json', { as: 'admin' })).body.macros.find((m: Json) => m.title === 'Refund issued');
    expect(refund.restriction).toEqual({ type: 'Group', id: 203, ids: [203] });
    expect((await t.api(`/api/v2/macros/${refund.id}.json`)).status).toBe(404);
  });

  it("shows a ticket after a macro, placeholders filled, and saves nothing", async () => {
    const macros = (await t.api('/api/v2/macros.json')).body.macros;
    const apology = macros.find((m: Json) => m.title === 'Apology: delay');
    const target = tickets.find((x) => unsolved(x) && x.assignee_id !== 1001 && x.priority !== 'high' && x.priority !== 'urgent')!;
    const before = (await t.api(`/api/v2/tickets/${target.id}.json`)).body.ticket;
    const r = await t.api(`/api/v2/tickets/${target.id}/macros/${apology.id}/apply.json`);
    expect(r.status).toBe(200);
    const { ticket, comment } = r.body.result;
    expect(ticket).toMatchObject({ id: target.id, priority: 'high', status: 'open', assignee_id: 1001, updated_at: before.updated_at });
    expect(ticket.tags).toContain('apologised');
    expect(ticket.tags).not.toContain('waiting_on_us');
    const requester = (await t.api(`/api/v2/users/${before.requester_id}.json`)).body.user;
    expect(comment.public).toBe(true);
    expect(comment.body).toContain(`Hi ${requester.name.split(' ')[0]},`);
    expect(comment.body).toContain('Alex\nCustomer Support'); // the agent's signature
    expect(comment.body).not.toContain('{{');
    expect((await t.api(`/api/v2/tickets/${target.id}.json`)).body.ticket).toEqual(before);

    const escalate = macros.find((m: Json) => m.title === 'Escalate to Billing');
    const note = (await t.api(`/api/v2/tickets/${target.id}/macros/${escalate.id}/apply.json`)).body.result;
    expect(note.comment.public).toBe(false);
    expect(note.ticket).toMatchObject({ group_id: 203, assignee_id: null, priority: 'high' });
    expect(note.comment.body).toContain(requester.name);

    const generic = await t.api(`/api/v2/macros/${escalate.id}/apply.json`);
    expect(generic.body.result.ticket).toMatchObject({ group_id: 203, assignee_id: null, priority: 'high', additional_tags: ['escalated_billing'] });
    expect(generic.body.result.ticket.comment.body).toContain('{{ticket.requester.name}}');
    expect((await t.api(`/api/v2/tickets/999999/macros/${escalate.id}/apply.json`)).status).toBe(404);
  });

  it('refuses to store an action it could not apply', () => {
    expect(() => checkMacro([{ field: 'notification_user', value: 'x' }])).toThrow(MacroActionError);
    expect(() => checkMacro([{ field: 'status', value: 'new' }])).toThrow(/cannot be set/);
    expect(() => checkMacro([])).toThrow(/at least one/);
  });
});
