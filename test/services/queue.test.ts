import { describe, expect, it } from 'vitest';
import type { Comment, Organization, Ticket, TicketMetric, User } from '../../src/core/model.js';
import { QueueCache, buildQueue, latestCustomerMessage, parseQueueView, queueQuery } from '../../src/services/queue.js';
import { iterate, memoryDesk } from './memoryDesk.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function ticket(id: number, over: Partial<Ticket> = {}): Ticket {
  return {
    id,
    subject: `Ticket ${id}`,
    description: 'Could you help me with my order? Thanks',
    status: 'open',
    priority: 'normal',
    type: 'question',
    requester_id: 1000 + id,
    assignee_id: null,
    group_id: null,
    organization_id: null,
    tags: [],
    custom_fields: [],
    via: { channel: 'email' },
    created_at: iso(-24 * HOUR - id * 60_000),
    updated_at: iso(-HOUR),
    slas: { policy_metrics: [] },
    ...over,
  };
}

function user(id: number, name = `User ${id}`): User {
  return { id, name, email: `u${id}@example.com`, role: 'end-user', organization_id: null };
}

function org(id: number, vip: boolean): Organization {
  return { id, name: `Org ${id}`, tags: [], organization_fields: { vip } };
}

function metric(ticketId: number, reopens: number): TicketMetric {
  return { ticket_id: ticketId, reopens } as TicketMetric;
}

function comment(id: number, author: number, body: string, at: number, isPublic = true): Comment {
  return { id, type: 'Comment', author_id: author, body, public: isPublic, created_at: iso(at) };
}

/** show_many with sideloads: each ticket as the search had it, plus `sideload(id)`. */
function showMany(tickets: Ticket[], sideload: (id: number) => Partial<Ticket> = (id) => ({ metric_set: metric(id, 0) })) {
  return async (ids: number[]) => ids.map((id) => ({ ...tickets.find((t) => t.id === id)!, ...sideload(id) }));
}

function deskFor(tickets: Ticket[], extra: Record<string, unknown> = {}) {
  return memoryDesk({
    exportSearchTickets: () => iterate(tickets),
    // The live list, newest change first (what the queue reads for changes search may lag on).
    listTickets: () => iterate([...tickets].sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at))),
    getTickets: showMany(tickets),
    getOrganizations: async (ids: number[]) => ids.map((id) => org(id, id === 77)),
    getUsers: async (ids: number[]) => ids.map((id) => user(id)),
    listGroups: async () => [{ id: 5, name: 'billing' }],
    listComments: () => iterate([]),
    getTicketMetrics: async () => null,
    ...extra,
  });
}

describe('views', () => {
  it('query the unsolved tickets of the view', () => {
    expect(queueQuery(parseQueueView('mine'))).toBe('type:ticket status<solved assignee:me');
    expect(queueQuery(parseQueueView('unassigned'))).toBe('type:ticket status<solved assignee:none');
    expect(queueQuery(parseQueueView('all'), 'tags:refund')).toBe('type:ticket status<solved tags:refund');
    expect(queueQuery(parseQueueView('group:Second line'))).toBe('type:ticket status<solved group:"Second line"');
    expect(() => parseQueueView('everything')).toThrow(/unknown view "everything"/);
    expect(() => parseQueueView('group:')).toThrow(/unknown view/);
  });
});

describe('buildQueue', () => {
  it('ranks by urgency with VIP organizations fetched in one batch, and names only for the shown tickets', async () => {
    const tickets = [
      ticket(1, { priority: 'low', status: 'pending' }),
      ticket(2, { priority: 'urgent' }),
      ticket(3, { organization_id: 77 }),
      ticket(4, { organization_id: 78 }),
      ticket(5, { organization_id: 77, priority: 'high' }),
    ];
    const { desk, calls } = deskFor(tickets);
    const q = await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, limit: 3, enrich: 0 });
    expect(q.total).toBe(5);
    expect(q.slaSource).toBe('search');
    expect(q.items.map((i) => i.ticket.id)).toEqual([5, 2, 3]);
    expect(q.items.map((i) => i.vip)).toEqual([true, false, true]);
    for (let i = 1; i < q.items.length; i++) expect(q.items[i - 1]!.urgency.score).toBeGreaterThanOrEqual(q.items[i]!.urgency.score);
    const orgCalls = calls.filter((c) => c.method === 'getOrganizations');
    expect(orgCalls).toHaveLength(1);
    expect([...(orgCalls[0]!.args[0] as number[])].sort()).toEqual([77, 78]);
    const userCalls = calls.filter((c) => c.method === 'getUsers');
    expect(userCalls).toHaveLength(1);
    expect([...(userCalls[0]!.args[0] as number[])].sort()).toEqual([1002, 1003, 1005]);
    expect(q.items[0]!.requester?.name).toBe('User 1005');
    expect(calls.find((c) => c.method === 'exportSearchTickets')!.args[0]).toBe('type:ticket status<solved');
  });

  it('reads SLA targets and metrics for every ticket with show_many sideloads, not only the top', async () => {
    // 250 tickets without SLA targets in the search results; the least urgent-looking one
    // (low priority, the last id) has a breached SLA and two reopens.
    const tickets = Array.from({ length: 250 }, (_, i) => ticket(i + 1, { priority: i === 249 ? 'low' : 'high' })).map(({ slas: _s, ...t }) => t as Ticket);
    const breached = { policy_metrics: [{ metric: 'first_reply_time' as const, stage: 'active' as const, breach_at: iso(-3 * HOUR) }] };
    const { desk, calls } = deskFor(tickets, {
      getTickets: showMany(tickets, (id) => ({ slas: id === 250 ? breached : { policy_metrics: [] }, metric_set: metric(id, id === 250 ? 2 : 0) })),
    });
    const q = await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, enrich: 0 });
    expect(q.slaSource).toBe('show_many');
    const reads = calls.filter((c) => c.method === 'getTickets');
    expect(reads).toHaveLength(1); // the adapter chunks it: 250 / 100 requests
    expect([...(reads[0]!.args[0] as number[])].sort((a, b) => a - b)).toEqual(tickets.map((t) => t.id));
    expect(reads[0]!.args[1]).toEqual({ include: ['slas', 'metric_sets'] });
    expect(q.items[0]!.ticket.id).toBe(250);
    expect(q.items[0]!.urgency.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['sla_breached', 'reopened']));
    expect(q.items[0]!.urgency.sla?.breachAt).toBe(iso(-3 * HOUR));
    expect(q.items[0]!.metrics?.reopens).toBe(2);
    expect(calls.some((c) => c.method === 'getTicket' || c.method === 'getTicketMetrics')).toBe(false);
  });

  it('asks only for the sideloads the search did not carry', async () => {
    const tickets = [ticket(1), ticket(2)]; // slas from the search
    const { desk, calls } = deskFor(tickets);
    const q = await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, enrich: 0 });
    expect(q.slaSource).toBe('search');
    expect(calls.find((c) => c.method === 'getTickets')!.args[1]).toEqual({ include: ['metric_sets'] });
  });

  it('stays ranked without the sideloads when the desk refuses them, reading the top tickets\' metrics instead', async () => {
    const tickets = [ticket(1, { priority: 'high' }), ticket(2), ticket(3)].map(({ slas: _s, ...t }) => t as Ticket);
    const { desk, calls } = deskFor(tickets, {
      getTickets: async () => {
        throw new Error('include not supported');
      },
      getTicketMetrics: async (id: number) => metric(id, id === 3 ? 3 : 0),
    });
    const q = await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, enrich: 2 });
    expect(q.slaSource).toBe('none');
    expect(q.items).toHaveLength(3);
    expect(calls.filter((c) => c.method === 'getTicketMetrics')).toHaveLength(2);
  });

  it('reads the latest customer message for the top tickets only, with reopens from the metric sets, and ranks again', async () => {
    const tickets = [ticket(1, { priority: 'high' }), ticket(2), ticket(3), ticket(4, { priority: 'low' })];
    const threads: Record<number, Comment[]> = {
      1: [comment(1, 1001, 'Thanks, all good', -2 * HOUR)],
      2: [
        comment(2, 1002, 'Where is my parcel?', -30 * HOUR),
        comment(3, 55, 'We are checking with the carrier.', -29 * HOUR),
        comment(4, 1002, 'This is the THIRD time I ask!!! I will cancel.', -20 * HOUR),
        comment(5, 55, 'internal: customer is upset', -19 * HOUR, false),
      ],
      3: [comment(6, 1003, 'Hello', -HOUR)],
    };
    const { desk, calls } = deskFor(tickets, {
      listComments: (id: number) => iterate(threads[id] ?? []),
      getTickets: showMany(tickets, (id) => ({ metric_set: metric(id, id === 3 ? 2 : 0) })),
    });
    const q = await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, enrich: 3 });
    expect(q.enriched).toBe(3);
    const read = calls.filter((c) => c.method === 'listComments').map((c) => c.args[0]);
    expect(read).toHaveLength(3);
    expect(read).not.toContain(4);
    expect(calls.some((c) => c.method === 'getTicketMetrics')).toBe(false);
    expect(q.items[0]!.ticket.id).toBe(2);
    const two = q.items[0]!;
    expect(two.latestCustomerMessage?.body).toContain('THIRD time');
    expect(two.urgency.reasons.find((r) => r.code === 'anger')?.label).toBe('angry customer: asking again, cancel, capitals, !!!');
    expect(two.urgency.reasons.find((r) => r.code === 'waiting')?.label).toBe('customer waiting 20h');
    const three = q.items.find((i) => i.ticket.id === 3)!;
    expect(three.urgency.reasons.find((r) => r.code === 'reopened')?.points).toBe(12);
  });

  it('leaves unread the thread of a top ticket whose requester has not written since it was created, and ranks it as its thread would', async () => {
    // 1: the requester wrote the description only; 2: an agent opened it for them (phone);
    // 3: the requester wrote again later; 4: no requester_updated_at (unknown: read)
    const tickets = [
      ticket(1, { priority: 'high', submitter_id: 1001, description: 'This is the THIRD time I ask!!!' }),
      ticket(2, { priority: 'high', submitter_id: 55, description: 'Customer called: parcel missing.' }),
      ticket(3, { priority: 'high', submitter_id: 1003 }),
      ticket(4, { priority: 'high', submitter_id: 1004 }),
    ];
    const created = (id: number) => tickets.find((t) => t.id === id)!.created_at;
    const requesterAt: Record<number, string | null> = { 1: created(1), 2: created(2), 3: iso(-2 * HOUR), 4: null };
    const threads: Record<number, Comment[]> = {
      1: [{ ...comment(1, 1001, 'This is the THIRD time I ask!!!', 0), created_at: created(1) }],
      2: [{ ...comment(2, 55, 'Customer called: parcel missing.', 0), created_at: created(2) }],
      3: [{ ...comment(3, 1003, 'Could you help me with my order? Thanks', 0), created_at: created(3) }, comment(4, 1003, 'Cancel it.', -2 * HOUR)],
      4: [{ ...comment(5, 1004, 'Could you help me with my order? Thanks', 0), created_at: created(4) }],
    };
    const extra = {
      listComments: (id: number) => iterate(threads[id] ?? []),
      getTickets: showMany(tickets, (id) => ({ metric_set: { ...metric(id, 0), requester_updated_at: requesterAt[id] ?? null } })),
    };
    const { desk, calls } = deskFor(tickets, extra);
    const q = await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, enrich: 4 });
    expect(calls.filter((c) => c.method === 'listComments').map((c) => c.args[0])).toEqual([3, 4]);

    // every thread read (held by a cache), the ranking and the reasons are the same
    const cache = new QueueCache();
    for (const t of tickets) {
      cache.facts.set(t.id, { updatedAt: t.updated_at, requesterAt: requesterAt[t.id] ?? null, facts: { message: latestCustomerMessage(t, threads[t.id]!), metrics: null } });
    }
    const read = await buildQueue(deskFor(tickets, extra).desk, { view: { kind: 'all' }, now: () => NOW, enrich: 4, cache });
    const ranking = (x: typeof q) => x.items.map((i) => [i.ticket.id, i.urgency.score, i.urgency.reasons.map((r) => r.label)]);
    expect(ranking(q)).toEqual(ranking(read));
    expect(q.items.find((i) => i.ticket.id === 1)!.urgency.reasons.some((r) => r.code === 'anger')).toBe(true);
  });

  it('hands over a preliminary ranking before the sideloads are asked for, and a cache spares unchanged tickets on the next build', async () => {
    const tickets = [ticket(1, { priority: 'high' }), ticket(2, { priority: 'low' })].map(({ slas: _s, ...t }) => t as Ticket);
    const breached = { policy_metrics: [{ metric: 'first_reply_time' as const, stage: 'active' as const, breach_at: iso(-3 * HOUR) }] };
    const { desk, calls } = deskFor(tickets, {
      getTickets: async (ids: number[]) =>
        ids.map((id) => ({ ...tickets.find((t) => t.id === id)!, slas: id === 2 ? breached : { policy_metrics: [] }, metric_set: metric(id, 0) })),
    });
    const cache = new QueueCache();
    const early: number[][] = [];
    let callsAtPreliminary: string[] = [];
    const q = await buildQueue(desk, {
      view: { kind: 'all' },
      now: () => NOW,
      enrich: 0,
      cache,
      onPreliminary: (p) => {
        early.push(p.items.map((i) => i.ticket.id));
        callsAtPreliminary = calls.map((c) => c.method);
      },
    });
    expect(early).toEqual([[1, 2]]); // before the SLA targets were read
    expect(callsAtPreliminary).not.toContain('getTickets');
    expect(q.stage).toBe('final');
    expect(q.items.map((i) => i.ticket.id)).toEqual([2, 1]);
    expect(calls.filter((c) => c.method === 'getUsers')).toHaveLength(1); // names once per ticket

    const again: number[][] = [];
    await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, enrich: 0, cache, onPreliminary: (p) => again.push(p.items.map((i) => i.ticket.id)) });
    expect(again).toEqual([[2, 1]]); // the cached SLA counts from the start
    expect(calls.filter((c) => c.method === 'getTickets')).toHaveLength(1); // nothing read twice

    tickets[0] = { ...tickets[0]!, updated_at: iso(-60_000) };
    await buildQueue(desk, { view: { kind: 'all' }, now: () => NOW, enrich: 0, cache });
    expect(calls.filter((c) => c.method === 'getTickets').map((c) => c.args[0])).toEqual([[1, 2], [1]]); // changed: read again
  });

  it('returns an empty queue without asking for anything else', async () => {
    const { desk, calls } = deskFor([]);
    const q = await buildQueue(desk, { view: { kind: 'mine' }, now: () => NOW });
    expect(q.items).toEqual([]);
    expect(q.total).toBe(0);
    expect(calls.map((c) => c.method)).toEqual(['exportSearchTickets']);
  });
});

describe('latestCustomerMessage', () => {
  it('is the requester\'s latest public comment', () => {
    const t = { requester_id: 9 };
    const comments = [
      comment(1, 9, 'first', -5 * HOUR),
      comment(2, 9, 'second', -3 * HOUR),
      comment(3, 4, 'agent reply', -2 * HOUR),
      comment(4, 9, 'note by requester?', -HOUR, false),
    ];
    expect(latestCustomerMessage(t, comments)).toEqual({ at: iso(-3 * HOUR), body: 'second' });
    expect(latestCustomerMessage(t, [comment(5, 4, 'agent only', -HOUR)])).toBeNull();
  });
});

describe('progress', () => {
  it('reports tickets read per thousand, then the sideload phase; nothing for a small queue', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => ticket(i + 1));
    const messages: string[] = [];
    const { desk } = deskFor(many);
    await buildQueue(desk, { view: parseQueueView('all'), limit: 5, now: () => NOW, enrich: 0, onProgress: (m) => messages.push(m) });
    expect(messages).toEqual(['reading tickets… 1,000', 'reading tickets… 2,000', 'reading SLA targets and metrics of 2,500 tickets…']);
    const few: string[] = [];
    await buildQueue(deskFor(many.slice(0, 10)).desk, { view: parseQueueView('all'), limit: 5, now: () => NOW, enrich: 0, onProgress: (m) => few.push(m) });
    expect(few).toEqual([]);
  });
});
