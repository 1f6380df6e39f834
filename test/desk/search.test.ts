import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDesk, type TestDesk } from './helpers.js';

interface T {
  id: number;
  status: string;
  priority: string | null;
  tags: string[];
  assignee_id: number | null;
  requester_id: number;
  group_id: number | null;
  organization_id: number | null;
  via: { channel: string };
  created_at: string;
  updated_at: string;
  subject: string;
  description: string;
}

let t: TestDesk;
let all: T[];
let meId: number;

beforeAll(async () => {
  t = await startTestDesk({ tickets: 1200, seed: 7 });
  all = [];
  let path = '/api/v2/tickets.json?page[size]=100';
  for (;;) {
    const r = await t.api(path);
    all.push(...r.body.tickets);
    if (!r.body.meta.has_more) break;
    path = r.body.links.next.replace(t.desk.url, '');
  }
  meId = (await t.api('/api/v2/users/me.json')).body.user.id;
});
afterAll(async () => {
  await t.close();
});

/** Every id a search returns (all pages; the queries here stay under the 1,000 cap). */
async function searchIds(query: string, params = ''): Promise<number[]> {
  const ids: number[] = [];
  for (let page = 1; page <= 10; page++) {
    const r = await t.api(`/api/v2/search.json?query=${encodeURIComponent(query)}&per_page=100&page=${page}${params}`);
    expect(r.status, `${query}: ${JSON.stringify(r.body)}`).toBe(200);
    expect(r.body.results.every((x: { result_type: string }) => x.result_type === 'ticket')).toBe(true);
    ids.push(...r.body.results.map((x: { id: number }) => x.id));
    if (!r.body.next_page) {
      expect(r.body.count).toBe(ids.length);
      break;
    }
  }
  return ids.sort((a, b) => a - b);
}

function expected(predicate: (x: T) => boolean): number[] {
  return all.filter(predicate).map((x) => x.id).sort((a, b) => a - b);
}

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('search query syntax', () => {
  it('filters by status and priority, with ranges in their natural order', async () => {
    const cases: Array<[string, (x: T) => boolean]> = [
      ['type:ticket status:open', (x) => x.status === 'open'],
      ['status<solved', (x) => STATUSES.indexOf(x.status) < 4],
      ['status>=pending', (x) => STATUSES.indexOf(x.status) >= 2],
      ['priority:high', (x) => x.priority === 'high'],
      ['priority>normal status:pending', (x) => x.priority !== null && PRIORITIES.indexOf(x.priority) > 1 && x.status === 'pending'],
      ['status:open status:hold', (x) => x.status === 'open' || x.status === 'hold'],
      ['-status:closed -status:solved -status:new', (x) => ['open', 'pending', 'hold'].includes(x.status)],
    ];
    for (const [query, predicate] of cases) {
      const want = expected(predicate);
      expect(want.length, query).toBeGreaterThan(0);
      expect(await searchIds(query), query).toEqual(want);
    }
  });

  it('filters by tags, people, group, organization and channel', async () => {
    const someAgent = all.find((x) => x.assignee_id !== null && x.assignee_id !== meId)!.assignee_id!;
    const agentEmail = (await t.api(`/api/v2/users/${someAgent}.json`)).body.user.email;
    const withOrg = all.find((x) => x.organization_id !== null)!;
    const orgName = (await t.api(`/api/v2/organizations/${withOrg.organization_id}.json`)).body.organization.name;
    const cases: Array<[string, (x: T) => boolean]> = [
      ['tags:refund', (x) => x.tags.includes('refund')],
      ['tag:vip status<solved', (x) => x.tags.includes('vip') && STATUSES.indexOf(x.status) < 4],
      ['tags:delivery -tags:late-delivery', (x) => x.tags.includes('delivery') && !x.tags.includes('late-delivery')],
      ['assignee:me status:open', (x) => x.assignee_id === meId && x.status === 'open'],
      ['assignee:none', (x) => x.assignee_id === null],
      [`assignee:${agentEmail}`, (x) => x.assignee_id === someAgent],
      ['group:billing', (x) => x.group_id === 203],
      ['group:203', (x) => x.group_id === 203],
      [`requester:${withOrg.requester_id}`, (x) => x.requester_id === withOrg.requester_id],
      [`organization:"${orgName}"`, (x) => x.organization_id === withOrg.organization_id],
      ['via:chat status:solved', (x) => x.via.channel === 'chat' && x.status === 'solved'],
    ];
    for (const [query, predicate] of cases) {
      const want = expected(predicate);
      expect(want.length, query).toBeGreaterThan(0);
      expect(await searchIds(query), query).toEqual(want);
    }
  });

  it('filters by dates, absolute and relative', async () => {
    const now = t.now().getTime();
    const cases: Array<[string, (x: T) => boolean]> = [
      ['created>2026-10-01', (x) => Date.parse(x.created_at) >= day('2026-10-02')],
      ['created<2026-08-15 status:closed', (x) => Date.parse(x.created_at) < day('2026-08-15') && x.status === 'closed'],
      ['created:2026-11-02', (x) => Date.parse(x.created_at) >= day('2026-11-02') && Date.parse(x.created_at) < day('2026-11-03')],
      ['created>=2026-11-01T12:00:00Z', (x) => Date.parse(x.created_at) >= Date.parse('2026-11-01T12:00:00Z')],
      ['updated>14days', (x) => Date.parse(x.updated_at) > now - 14 * 86_400_000 + 5000],
      ['updated<30days status:pending', (x) => Date.parse(x.updated_at) < now - 30 * 86_400_000 - 5000 && x.status === 'pending'],
    ];
    for (const [query, predicate] of cases) {
      const want = expected(predicate);
      if (!query.startsWith('updated<30days')) expect(want.length, query).toBeGreaterThan(0);
      expect(await searchIds(query), query).toEqual(want);
    }
  });

  it('matches plain words and phrases in the subject or description', async () => {
    const words = (x: T) => ` ${`${x.subject} ${x.description}`.toLowerCase().replace(/[^a-z0-9@._'-]+/g, ' ')} `;
    const refund = await searchIds('refund status:solved');
    expect(refund).toEqual(expected((x) => /\srefund/.test(words(x)) && x.status === 'solved'));
    const phrase = await searchIds('"third time"');
    expect(phrase.length).toBeGreaterThan(0);
    expect(phrase).toEqual(expected((x) => words(x).includes(' third time')));
    const none = await searchIds('-refund tags:refund');
    expect(none).toEqual(expected((x) => !/\srefund/.test(words(x)) && x.tags.includes('refund')));
  });

  it('sorts by sort_by/sort_order and by order_by:/sort: in the query', async () => {
    const asc = await t.api(`/api/v2/search.json?query=${encodeURIComponent('status:open')}&sort_by=created_at&sort_order=asc&per_page=100`);
    const times = asc.body.results.map((x: T) => Date.parse(x.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const inQuery = await t.api(`/api/v2/search.json?query=${encodeURIComponent('status:open order_by:created sort:asc')}&per_page=100`);
    expect(inQuery.body.results.map((x: T) => x.id)).toEqual(asc.body.results.map((x: T) => x.id));
    const prio = await t.api(`/api/v2/search.json?query=${encodeURIComponent('status:open -priority:none')}&sort_by=priority&sort_order=desc&per_page=100`);
    const ranks = prio.body.results.map((x: T) => PRIORITIES.indexOf(x.priority!));
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });

  it('sideloads the people and groups of the results', async () => {
    const r = await t.api(`/api/v2/search.json?query=${encodeURIComponent('status:open')}&include=tickets(users,groups)&per_page=20`);
    const users = new Set(r.body.users.map((u: { id: number }) => u.id));
    for (const x of r.body.results as T[]) {
      expect(users.has(x.requester_id)).toBe(true);
      if (x.assignee_id) expect(users.has(x.assignee_id)).toBe(true);
    }
    expect(r.body.groups.length).toBeGreaterThan(0);
    const list = await t.api('/api/v2/tickets.json?page[size]=10&include=users,organizations');
    expect(list.body.users.length).toBeGreaterThan(0);
    expect(Array.isArray(list.body.organizations)).toBe(true);
  });

  it('explains what is wrong with a query', async () => {
    for (const [query, message] of [
      ['frobnicate:yes', /unknown field "frobnicate"/],
      ['status:archived', /unknown status "archived"/],
      ['type:user', /tickets only/],
      ['created>yesterdayish', /not a date/],
      ['tags>refund', /only supports ":"/],
    ] as const) {
      const r = await t.api(`/api/v2/search.json?query=${encodeURIComponent(query)}`);
      expect(r.status, query).toBe(400);
      expect(r.body.description, query).toMatch(message);
    }
    expect((await t.api('/api/v2/search.json')).status).toBe(400);
  });
});

describe('search limits and export', () => {
  it('caps search at 1,000 results like Zendesk, while count stays true', async () => {
    const ids = new Set<number>();
    let last: { body: { next_page: string | null; count: number } } | undefined;
    for (let page = 1; page <= 10; page++) {
      last = await t.api(`/api/v2/search.json?query=type:ticket&per_page=100&page=${page}`);
      for (const x of (last.body as unknown as { results: T[] }).results) ids.add(x.id);
    }
    expect(ids.size).toBe(1000);
    expect(last!.body.count).toBe(all.length);
    expect(last!.body.next_page).toBeNull();
    const past = await t.api('/api/v2/search.json?query=type:ticket&per_page=100&page=11');
    expect(past.status).toBe(422);
    expect(past.body.description).toMatch(/Search Response Limits/);
    expect((await t.api('/api/v2/search.json?query=type:ticket&per_page=101')).status).toBe(400);
    expect((await t.api('/api/v2/search/count.json?query=type:ticket')).body.count).toBe(all.length);
  });

  it('exports every match with a cursor, uncapped, oldest first', async () => {
    const seen: T[] = [];
    let path = `/api/v2/search/export.json?query=${encodeURIComponent('status>new')}&filter[type]=ticket&page[size]=100`;
    for (let page = 0; page < 30; page++) {
      const r = await t.api(path);
      expect(r.status).toBe(200);
      seen.push(...r.body.results);
      if (!r.body.meta.has_more) break;
      path = r.body.links.next.replace(t.desk.url, '');
    }
    const want = expected((x) => x.status !== 'new');
    expect(want.length).toBeGreaterThan(1000);
    expect(seen.map((x) => x.id).sort((a, b) => a - b)).toEqual(want);
    const times = seen.map((x) => Date.parse(x.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect((await t.api('/api/v2/search/export.json?query=status:open')).status).toBe(400);
  });
});
