import { ticketMetricFrom } from '../../src/api/zendesk/shapes.js';
import type { TicketMetric } from '../../src/api/types.js';
import { describe, expect, it } from 'vitest';
import { ApiError, ConflictError, DeskopsError, NotFoundError, UsageError } from '../../src/core/errors.js';
import { fakeDeskPerTest, type FakeRequest } from '../helpers/fakeDesk.js';
import { collect, comment, connectionFor, createHelpDesk, harness, rejection, ticket } from './clientFor.js';

const fake = fakeDeskPerTest();

const me = { user: { id: 200, name: 'Agent', email: 'agent@example.com', role: 'agent', organization_id: null } };

describe('createHelpDesk', () => {
  it('gives the Zendesk adapter for zendesk and local profiles', async () => {
    fake().get('/api/v2/users/me', { json: me }, { times: 2 });
    for (const kind of ['zendesk', 'local'] as const) {
      const desk = await createHelpDesk({ ...connectionFor(fake().url), kind });
      expect(desk.kind).toBe(kind);
      await expect(desk.me()).resolves.toMatchObject({ id: 200 });
    }
  });

});

describe('tickets', () => {
  it('turns a 404 into NotFoundError "ticket 7 not found"', async () => {
    fake().get('/api/v2/tickets/7', { status: 404, json: { error: 'RecordNotFound', description: 'Not found' } });
    const err = await rejection(harness(fake().url).desk.getTicket(7));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe('ticket 7 not found');
  });

  it('asks for sideloads and attaches the metric set', async () => {
    const metric = { id: 9, ticket_id: 7, replies: 2 };
    fake().get('/api/v2/tickets/7', { json: { ticket: ticket(7), metric_sets: [metric] } }, { query: { include: 'slas,metric_sets' } });
    const t = await harness(fake().url).desk.getTicket(7, { include: ['slas', 'metric_sets'] });
    // As sent, completed to the model's shape (durations the desk left out are empty).
    expect(t.metric_set).toEqual(ticketMetricFrom(metric as unknown as TicketMetric));
    expect(t.metric_set).toMatchObject({ ...metric, reopens: 0, reply_time_in_minutes: { calendar: null, business: null } });
  });

  it('fetches many tickets with show_many in chunks of 100', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => i + 1);
    const seen: string[] = [];
    const reply = (req: FakeRequest) => {
      const asked = req.query.get('ids')!.split(',').map(Number);
      seen.push(`${asked.length}`);
      return { json: { tickets: asked.map((id) => ticket(id)) } };
    };
    fake().get('/api/v2/tickets/show_many', reply, { times: 2 });
    const tickets = await harness(fake().url).desk.getTickets(ids);
    expect(tickets).toHaveLength(150);
    expect(seen).toEqual(['100', '50']);
  });

  it('sideloads slas and metric_sets on show_many, joining each metric set onto its ticket', async () => {
    const ids = Array.from({ length: 230 }, (_, i) => i + 1);
    const sla = { policy_metrics: [{ metric: 'first_reply_time', stage: 'active', breach_at: '2026-03-10T12:00:00Z', hours: 8 }] };
    let inFlight = 0;
    let maxInFlight = 0;
    const reply = async (req: FakeRequest) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight -= 1;
      const asked = req.query.get('ids')!.split(',').map(Number);
      // Zendesk's shape: slas on each ticket, metric sets in a sideloaded array (one left out)
      return {
        json: {
          tickets: asked.map((id) => ticket(id, { slas: sla })),
          metric_sets: asked.filter((id) => id !== 7).map((id) => ({ id: 1000 + id, ticket_id: id, reopens: id % 3 })),
        },
      };
    };
    fake().get('/api/v2/tickets/show_many', reply, { times: 3, query: { include: 'slas,metric_sets' } });
    const tickets = await harness(fake().url).desk.getTickets(ids, { include: ['slas', 'metric_sets'] });
    expect(tickets.map((t) => t.id)).toEqual(ids);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(tickets[0]!.slas).toEqual(sla);
    expect(tickets.find((t) => t.id === 5)!.metric_set).toMatchObject({ ticket_id: 5, reopens: 2 });
    expect(tickets.find((t) => t.id === 7)!.metric_set).toBeUndefined();
    for (const t of tickets) if (t.metric_set) expect(t.metric_set.ticket_id).toBe(t.id);
  });

  it('keeps a metric set the desk embedded in the ticket, and asks for no sideload when given none', async () => {
    fake().get('/api/v2/tickets/show_many', (req) => {
      expect(req.query.get('include')).toBe('metric_sets');
      return { json: { tickets: [ticket(3, { metric_set: { id: 9, ticket_id: 3, reopens: 4 } })] } };
    });
    fake().get('/api/v2/tickets/show_many', (req) => {
      expect(req.query.has('include')).toBe(false);
      return { json: { tickets: [ticket(4)] } };
    });
    const h = harness(fake().url);
    expect((await h.desk.getTickets([3], { include: ['metric_sets'] }))[0]!.metric_set).toMatchObject({ reopens: 4 });
    expect((await h.desk.getTickets([4]))[0]).not.toHaveProperty('metric_set');
  });

  it('fails show_many as a whole when one chunk fails, after the others settle', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => i + 1);
    let settled = 0;
    fake().get('/api/v2/tickets/show_many', async (req) => {
      const asked = req.query.get('ids')!.split(',').map(Number);
      if (asked[0] === 101) return { status: 404, json: { error: 'InvalidEndpoint' } };
      await new Promise((r) => setTimeout(r, 20));
      settled += 1;
      return { json: { tickets: asked.map((id) => ticket(id)) } };
    }, { times: 3 });
    const err = await rejection(harness(fake().url).desk.getTickets(ids, { include: ['slas'] }));
    expect(err).toBeInstanceOf(DeskopsError);
    expect(settled).toBe(2);
  });

  it('lists tickets over three cursor pages', async () => {
    fake().get('/api/v2/tickets', {
      json: { tickets: [ticket(1), ticket(2)], meta: { has_more: true, after_cursor: 'c2' }, links: { next: 'ignored' } },
    }, { query: { 'page[size]': '2' } });
    fake().get('/api/v2/tickets', { json: { tickets: [ticket(3), ticket(4)], meta: { has_more: true, after_cursor: 'c3' } } }, { query: { 'page[after]': 'c2', 'page[size]': '2' } });
    fake().get('/api/v2/tickets', { json: { tickets: [ticket(5)], meta: { has_more: false, after_cursor: null } } }, { query: { 'page[after]': 'c3' } });
    const tickets = await collect(harness(fake().url).desk.listTickets({ pageSize: 2 }));
    expect(tickets.map((t) => t.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('follows links.next when the desk sends no after_cursor', async () => {
    fake().get('/api/v2/users', { json: { users: [{ id: 1 }], meta: { has_more: true }, links: { next: `${fake().url}/api/v2/users?page%5Bafter%5D=zz` } } }, { query: { role: 'agent' } });
    fake().get('/api/v2/users', { json: { users: [{ id: 2 }], meta: { has_more: false } } }, { query: { 'page[after]': 'zz' } });
    const users = await collect(harness(fake().url).desk.listUsers({ role: 'agent' }));
    expect(users.map((u) => u.id)).toEqual([1, 2]);
  });

  it('gathers a ticket detail in two parallel requests plus the missing users', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = (body: unknown) => async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 30));
      inFlight -= 1;
      return { json: body };
    };
    fake().get(
      '/api/v2/tickets/7',
      slow({
        ticket: ticket(7, {
          metric_set: { id: 1, ticket_id: 7, replies: 1 },
          slas: { policy_metrics: [{ metric: 'first_reply_time', stage: 'active', breach_at: '2026-11-20T13:00:00Z', hours: 1 }] },
        }),
        users: [{ id: 100, name: 'Requester' }, { id: 200, name: 'Agent' }],
        groups: [{ id: 10, name: 'Support' }],
        organizations: [{ id: 50, name: 'Acme', tags: [], organization_fields: {} }],
      }),
      { query: { include: 'users,groups,organizations,metric_sets,slas' } },
    );
    fake().get(
      '/api/v2/tickets/7/comments',
      slow({ comments: [comment(1, { author_id: 100 }), comment(2, { author_id: 300 })], users: [], meta: { has_more: false } }),
      { query: { include: 'users' } },
    );
    fake().get('/api/v2/users/show_many', { json: { users: [{ id: 300, name: 'Colleague' }] } }, { query: { ids: '300' } });
    const detail = await harness(fake().url).desk.getTicketDetail(7);
    expect(maxInFlight).toBe(2);
    expect(detail.ticket.id).toBe(7);
    expect(detail.comments.map((c) => c.id)).toEqual([1, 2]);
    expect(detail.users.map((u) => u.id).sort()).toEqual([100, 200, 300]);
    expect(detail.groups.map((g) => g.name)).toEqual(['Support']);
    expect(detail.organizations.map((o) => o.name)).toEqual(['Acme']);
    expect(detail.metrics).toMatchObject({ replies: 1 });
    expect(detail.ticket.slas?.policy_metrics[0]).toMatchObject({ metric: 'first_reply_time', breach_at: '2026-11-20T13:00:00Z' });
  });

  it('says "ticket N not found" for a missing ticket detail', async () => {
    fake().get('/api/v2/tickets/8', { status: 404, json: { error: 'RecordNotFound' } });
    fake().get('/api/v2/tickets/8/comments', { status: 404, json: { error: 'RecordNotFound' } });
    const err = await rejection(harness(fake().url).desk.getTicketDetail(8));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe('ticket 8 not found');
  });
});

describe('search', () => {
  const page = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ ...ticket(from + i), result_type: 'ticket' }));

  it('adds type:ticket, asks for 100 per page and follows next_page', async () => {
    fake().get('/api/v2/search', { json: { results: page(1, 100), next_page: `${fake().url}/api/v2/search?page=2&query=x`, count: 150 } }, {
      query: { query: 'type:ticket status:open', per_page: '100' },
    });
    fake().get('/api/v2/search', { json: { results: page(101, 50), next_page: null, count: 150 } }, { query: { page: '2' } });
    const found = await collect(harness(fake().url).desk.searchTickets('status:open'));
    expect(found).toHaveLength(150);
    expect(found[0]).not.toHaveProperty('result_type');
  });

  it('stops cleanly at the 1,000-result cap and reports it through onCapped', async () => {
    for (let p = 1; p <= 10; p++) {
      fake().get('/api/v2/search', {
        json: { results: page((p - 1) * 100 + 1, 100), next_page: `${fake().url}/api/v2/search?page=${p + 1}`, count: 2500 },
      }, { query: p === 1 ? { per_page: '100' } : { page: String(p) } });
    }
    // No stub for page 11: the strict fake desk fails the test if the client asks for it.
    const capped: unknown[] = [];
    const found = await collect(harness(fake().url).desk.searchTickets('type:ticket status:open', { onCapped: (info) => capped.push(info) }));
    expect(found).toHaveLength(1000);
    expect(capped).toEqual([{ total: 2500, returned: 1000 }]);
  });

  it('respects limit without calling onCapped', async () => {
    fake().get('/api/v2/search', { json: { results: page(1, 100), next_page: `${fake().url}/api/v2/search?page=2`, count: 5000 } });
    const capped: unknown[] = [];
    const counts: number[] = [];
    const found = await collect(harness(fake().url).desk.searchTickets('x', { limit: 30, onCapped: (i) => capped.push(i), onCount: (n) => counts.push(n) }));
    expect(found).toHaveLength(30);
    expect(capped).toEqual([]);
    // the desk's count of every match, for "30 of 5,000"
    expect(counts).toEqual([5000]);
  });

  it('refuses a query for another record type', async () => {
    const err = await rejection(collect(harness(fake().url).desk.searchTickets('type:user alice')));
    expect(err).toBeInstanceOf(UsageError);
  });

  it('exports search results with a cursor', async () => {
    fake().get('/api/v2/search/export', { json: { results: [ticket(1)], meta: { has_more: true, after_cursor: 'a' } } }, {
      query: { query: 'status:open', 'filter[type]': 'ticket', 'page[size]': '500' },
    });
    fake().get('/api/v2/search/export', { json: { results: [ticket(2)], meta: { has_more: false } } }, { query: { 'page[after]': 'a' } });
    const found = await collect(harness(fake().url).desk.exportSearchTickets('status:open', { pageSize: 500 }));
    expect(found.map((t) => t.id)).toEqual([1, 2]);
  });
});

describe('incremental export', () => {
  it('yields pages with metric sets until end_of_stream', async () => {
    fake().get('/api/v2/incremental/tickets/cursor', {
      json: { tickets: [ticket(1)], metric_sets: [{ id: 1, ticket_id: 1 }], after_cursor: 'n1', end_of_stream: false },
    }, { query: { start_time: '1700000000', include: 'metric_sets' } });
    fake().get('/api/v2/incremental/tickets/cursor', {
      json: { tickets: [ticket(2)], after_cursor: 'n2', end_of_stream: true },
    }, { query: { cursor: 'n1', include: 'metric_sets' } });
    const pages = await collect(harness(fake().url).desk.incrementalTickets({ startTime: 1_700_000_000 }));
    expect(pages).toEqual([
      { tickets: [ticket(1)], metric_sets: [ticketMetricFrom({ id: 1, ticket_id: 1 } as unknown as TicketMetric)], after_cursor: 'n1', end_of_stream: false },
      { tickets: [ticket(2)], metric_sets: [], after_cursor: 'n2', end_of_stream: true },
    ]);
  });

  it('resumes from a cursor', async () => {
    fake().get('/api/v2/incremental/tickets/cursor', { json: { tickets: [], after_cursor: 'n9', end_of_stream: true } }, { query: { cursor: 'n8' } });
    const pages = await collect(harness(fake().url).desk.incrementalTickets({ cursor: 'n8' }));
    expect(pages).toHaveLength(1);
  });
});

describe('updating one ticket', () => {
  const reply = { comment: { body: 'Thanks, I have sent the refund.', public: true } };

  it('sends {ticket: update} and returns the ticket', async () => {
    const stub = fake().put('/api/v2/tickets/7', { json: { ticket: ticket(7, { status: 'pending' }), audit: {} } });
    const t = await harness(fake().url).desk.updateTicket(7, { status: 'pending', ...reply });
    expect(t.status).toBe('pending');
    expect(stub.calls[0]!.json).toEqual({ ticket: { status: 'pending', ...reply } });
  });

  it('sends safe_update and updated_stamp and maps 409 to ConflictError', async () => {
    const stub = fake().put('/api/v2/tickets/7', { status: 409, json: { error: 'UpdateConflict', description: 'Ticket updated since' } });
    const err = await rejection(harness(fake().url).desk.updateTicket(7, { status: 'solved' }, { ifUnmodifiedSince: '2024-05-02T10:00:00Z' }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toBe('ticket 7 was changed on the desk since 2024-05-02T10:00:00Z; reload it and try again');
    expect(stub.calls[0]!.json).toEqual({ ticket: { status: 'solved', safe_update: true, updated_stamp: '2024-05-02T10:00:00Z' } });
  });

  it('does not resend a comment the desk applied before answering 500', async () => {
    fake().put('/api/v2/tickets/7', { status: 500, json: { error: 'InternalError' } });
    fake().get('/api/v2/users/me', { json: me });
    fake().get('/api/v2/tickets/7/comments', () => ({
      json: {
        comments: [
          comment(1, { author_id: 100, body: 'Help!' }),
          comment(2, { author_id: 200, body: 'Thanks, I have sent the refund.\n', created_at: new Date().toISOString() }),
        ],
        meta: { has_more: false },
      },
    }));
    fake().get('/api/v2/tickets/7', { json: { ticket: ticket(7, { status: 'pending' }) } });
    // No second PUT stub: a resend would fail the test.
    const h = harness(fake().url);
    const t = await h.desk.updateTicket(7, { status: 'pending', ...reply });
    expect(t.status).toBe('pending');
    expect(fake().requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('resends a comment the desk did not apply, once', async () => {
    fake().put('/api/v2/tickets/7', { status: 500, json: { error: 'InternalError' } });
    fake().get('/api/v2/tickets/7/comments', {
      json: {
        comments: [
          // Same body and author, but long before the request: an older reply, not ours.
          comment(1, { author_id: 200, body: reply.comment.body, created_at: '2020-01-01T00:00:00Z' }),
          // Just now, but someone else.
          comment(2, { author_id: 999, body: reply.comment.body, created_at: new Date().toISOString() }),
        ],
        meta: { has_more: false },
      },
    });
    const second = fake().put('/api/v2/tickets/7', { json: { ticket: ticket(7) } });
    const h = harness(fake().url);
    await h.desk.updateTicket(7, { comment: { ...reply.comment, author_id: 200 } });
    expect(second.calls).toHaveLength(1);
    expect(second.calls[0]!.json).toEqual({ ticket: { comment: { ...reply.comment, author_id: 200 } } });
    expect(h.sleeps).toHaveLength(1);
  });

  it('says the change was not applied when every attempt failed and the check found nothing', async () => {
    fake().put('/api/v2/tickets/7', { status: 500 }, { times: 2 });
    fake().get('/api/v2/tickets/7/comments', { json: { comments: [], meta: { has_more: false } } }, { times: 2 });
    const err = await rejection(harness(fake().url, { retries: 1 }).desk.updateTicket(7, { comment: { ...reply.comment, author_id: 200 } }));
    expect(err.message).toBe(
      'the desk answered 500 Internal Server Error to PUT /api/v2/tickets/7 after 2 attempts (deskops checked: the change was not applied)',
    );
  });

  it('says it could not check when re-reading fails too', async () => {
    fake().put('/api/v2/tickets/7', { status: 500 });
    fake().get('/api/v2/tickets/7/comments', { status: 403, json: { error: 'Forbidden' } });
    const err = await rejection(harness(fake().url).desk.updateTicket(7, { comment: { ...reply.comment, author_id: 200 } }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/^PUT \/api\/v2\/tickets\/7 failed \(500 Internal Server Error\) and deskops could not check whether the desk applied it: permission denied/);
  });

  it('verifies after a connection reset too', async () => {
    fake().put('/api/v2/tickets/7', { reset: true });
    fake().get('/api/v2/tickets/7/comments', {
      json: { comments: [comment(5, { author_id: 200, body: reply.comment.body, created_at: new Date().toISOString() })], meta: { has_more: false } },
    });
    fake().get('/api/v2/tickets/7', { json: { ticket: ticket(7) } });
    await harness(fake().url).desk.updateTicket(7, { comment: { ...reply.comment, author_id: 200 } });
  });

  it('retries a field-only update after a 500 (setting fields twice is harmless)', async () => {
    fake().put('/api/v2/tickets/7', { status: 503 });
    fake().put('/api/v2/tickets/7', { json: { ticket: ticket(7, { priority: 'high' }) } });
    const t = await harness(fake().url).desk.updateTicket(7, { priority: 'high' });
    expect(t.priority).toBe('high');
  });

  it('treats a lost safe update as done when the ticket shows it', async () => {
    fake().put('/api/v2/tickets/7', { status: 500 });
    fake().get('/api/v2/tickets/7', { json: { ticket: ticket(7, { status: 'solved', updated_at: '2024-05-03T00:00:00Z' }) } });
    const t = await harness(fake().url).desk.updateTicket(7, { status: 'solved' }, { ifUnmodifiedSince: '2024-05-02T10:00:00Z' });
    expect(t.status).toBe('solved');
  });
});

describe('bulk updates and jobs', () => {
  it('sends one change for many ids to update_many', async () => {
    const stub = fake().put('/api/v2/tickets/update_many', { json: { job_status: { id: 'j1', status: 'queued' } } }, { query: { ids: '1,2,3' } });
    const job = await harness(fake().url).desk.updateMany({ ids: [1, 2, 3], update: { status: 'pending' } });
    expect(job.id).toBe('j1');
    expect(stub.calls[0]!.json).toEqual({ ticket: { status: 'pending' } });
  });

  it('sends per-ticket changes as {tickets: [...]}', async () => {
    const stub = fake().put('/api/v2/tickets/update_many', { json: { job_status: { id: 'j2', status: 'queued' } } });
    await harness(fake().url).desk.updateMany({ tickets: [{ id: 1, status: 'open' }, { id: 2, priority: 'low' }] });
    expect(stub.calls[0]!.json).toEqual({ tickets: [{ id: 1, status: 'open' }, { id: 2, priority: 'low' }] });
    expect(stub.calls[0]!.query.has('ids')).toBe(false);
  });

  it('does not retry update_many after a 500', async () => {
    fake().put('/api/v2/tickets/update_many', { status: 500, json: { error: 'InternalError' } });
    const h = harness(fake().url);
    const err = await rejection(h.desk.updateMany({ ids: [1, 2], update: { status: 'solved' } }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe(
      'the desk answered 500 Internal Server Error to PUT /api/v2/tickets/update_many; the change may or may not have been applied, so deskops did not send it again',
    );
    expect(h.sleeps).toEqual([]);
  });

  it('does not retry update_many after a connection reset', async () => {
    fake().put('/api/v2/tickets/update_many', { reset: true });
    const err = await rejection(harness(fake().url).desk.updateMany({ ids: [1], update: { status: 'solved' } }));
    expect(err.message).toMatch(/may or may not have been applied/);
  });

  it('refuses more than 100 tickets before sending anything', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i + 1);
    const err = await rejection(harness(fake().url).desk.updateMany({ ids, update: { status: 'solved' } }));
    expect(err).toBeInstanceOf(UsageError);
    expect(fake().requests).toEqual([]);
  });

  it('polls a job with backoff until it completes', async () => {
    fake().get('/api/v2/job_statuses/j1', { json: { job_status: { id: 'j1', status: 'queued' } } });
    fake().get('/api/v2/job_statuses/j1', { json: { job_status: { id: 'j1', status: 'working' } } });
    fake().get('/api/v2/job_statuses/j1', { json: { job_status: { id: 'j1', status: 'working' } } });
    fake().get('/api/v2/job_statuses/j1', { json: { job_status: { id: 'j1', status: 'completed', results: [] } } });
    const h = harness(fake().url);
    const job = await h.desk.waitForJob('j1');
    expect(job.status).toBe('completed');
    expect(h.sleeps).toEqual([200, 400, 800]);
  });

  it('gives up waiting for a job at the timeout', async () => {
    let clock = 0;
    fake().get('/api/v2/job_statuses/j1', { json: { job_status: { id: 'j1', status: 'working' } } }, { times: Infinity });
    const h = harness(fake().url, {
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    const err = await rejection(h.desk.waitForJob('j1', { timeoutMs: 5_000 }));
    expect(err.message).toBe('job j1 is still working after 5 s');
  });
});

describe('creating tickets', () => {
  const newTicket = { subject: 'Printer on fire', comment: { body: 'It smokes.' }, requester_id: 100 };

  it('retries a POST with an Idempotency-Key after a reset, with the same key', async () => {
    const first = fake().post('/api/v2/tickets', { reset: true });
    const second = fake().post('/api/v2/tickets', { status: 201, json: { ticket: ticket(42) } });
    const t = await harness(fake().url).desk.createTicket(newTicket, { idempotencyKey: 'key-123' });
    expect(t.id).toBe(42);
    expect(first.calls[0]!.headers['idempotency-key']).toBe('key-123');
    expect(second.calls[0]!.headers['idempotency-key']).toBe('key-123');
    expect(second.calls[0]!.json).toEqual({ ticket: newTicket });
  });

  it('does not retry a POST without a key after a reset', async () => {
    fake().post('/api/v2/tickets', { reset: true });
    const err = await rejection(harness(fake().url).desk.createTicket(newTicket));
    expect(err.message).toMatch(/may or may not have been applied/);
  });
});

describe('people and settings', () => {
  it('lists groups, ticket fields, organizations and satisfaction ratings', async () => {
    fake().get('/api/v2/groups', { json: { groups: [{ id: 1, name: 'Support' }], meta: { has_more: false } } });
    fake().get('/api/v2/ticket_fields', { json: { ticket_fields: [{ id: 5, title: 'Plan', type: 'tagger' }], meta: { has_more: false } } });
    fake().get('/api/v2/organizations', { json: { organizations: [{ id: 50, name: 'Acme' }], meta: { has_more: false } } });
    fake().get('/api/v2/satisfaction_ratings', { json: { satisfaction_ratings: [{ id: 3, score: 'good' }], meta: { has_more: false } } }, {
      query: { score: 'good', start_time: '1700000000' },
    });
    const { desk } = harness(fake().url);
    expect(await desk.listGroups()).toEqual([{ id: 1, name: 'Support' }]);
    expect((await desk.listTicketFields())[0]!.title).toBe('Plan');
    expect((await collect(desk.listOrganizations()))[0]!.name).toBe('Acme');
    expect(await collect(desk.listSatisfactionRatings({ score: 'good', startTime: 1_700_000_000 }))).toHaveLength(1);
  });

  it('fetches users and organizations by id with show_many', async () => {
    fake().get('/api/v2/users/show_many', { json: { users: [{ id: 1 }, { id: 2 }] } }, { query: { ids: '1,2' } });
    fake().get('/api/v2/organizations/show_many', { json: { organizations: [{ id: 50 }] } }, { query: { ids: '50' } });
    const { desk } = harness(fake().url);
    expect(await desk.getUsers([1, 2, 1])).toHaveLength(2);
    expect(await desk.getOrganizations([50])).toHaveLength(1);
  });

  it('reads ticket metrics', async () => {
    fake().get('/api/v2/tickets/7/metrics', { json: { ticket_metric: { id: 1, ticket_id: 7, reopens: 2 } } });
    expect(await harness(fake().url).desk.getTicketMetrics(7)).toMatchObject({ reopens: 2 });
  });
});
