/**
 * The Request Tracker adapter against a strict fake REST2 server: what RT does that a real
 * run rarely shows (a 200 answer that says the change failed, a 412 to If-Match, a bad cursor).
 * The real RT run is test/rt/rt.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, AuthError, ConflictError, NotFoundError, UsageError } from '../../src/core/errors.js';
import { createHelpDesk } from '../../src/api/index.js';
import { HttpClient } from '../../src/api/http.js';
import type { Connection } from '../../src/api/helpdesk.js';
import { RtDesk } from '../../src/api/rt/adapter.js';
import type { TicketUpdate } from '../../src/api/types.js';
import { classifyItemError } from '../../src/services/bulk/executor.js';
import { fakeDeskPerTest, type FakeRequest } from '../helpers/fakeDesk.js';

const fake = fakeDeskPerTest();
const TOKEN = '1-27-0123456789abcdef0123456789abcdef';

function rtConnection(url: string): Connection {
  return { kind: 'rt', url, auth: { type: 'rt-token', token: TOKEN }, profile: 'rt1' };
}

function desk(url = fake().url): RtDesk {
  return new RtDesk(new HttpClient(rtConnection(url), { sleep: async () => {}, random: () => 0.5 }));
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

/** A ticket search answer with one RT ticket item. */
function found(id: number, extra: Record<string, unknown> = {}) {
  return {
    json: {
      page: 1,
      pages: 1,
      total: 1,
      count: 1,
      per_page: 1,
      items: [
        {
          id: String(id),
          type: 'ticket',
          Subject: 'Printer on fire',
          Status: 'open',
          Priority: '50',
          Owner: { id: 6, Name: 'Nobody' },
          Requestor: [{ id: 41, Name: 'bob@c.test', EmailAddress: 'bob@c.test', RealName: 'Bob' }],
          Creator: { id: 41, Name: 'bob@c.test' },
          Queue: { id: '1', Name: 'General' },
          Created: '2026-11-25T08:00:00Z',
          LastUpdated: '2026-11-25T09:00:00Z',
          CustomFields: '',
          ...extra,
        },
      ],
    },
  };
}

const searchFor = (id: number) => ({ query: { query: `id = ${id}` } });

describe('createHelpDesk', () => {
  it('gives the Request Tracker adapter for rt profiles', async () => {
    const d = await createHelpDesk(rtConnection('http://127.0.0.1:9'));
    expect(d).toBeInstanceOf(RtDesk);
    expect(d.kind).toBe('rt');
  });

  it('reaches REST2 under the profile URL, with or without /REST/2.0, sending "Authorization: token"', async () => {
    const seen: FakeRequest[] = [];
    fake().get('/rt/REST/2.0/user/27', (req) => {
      seen.push(req);
      return { json: { id: 27, Name: 'dee', RealName: 'Dee Agent', EmailAddress: 'dee@x.test', Privileged: 1 } };
    }, { times: 2 });
    await expect(desk(`${fake().url}/rt`).me()).resolves.toMatchObject({ id: 27, name: 'Dee Agent', role: 'agent' });
    await expect(desk(`${fake().url}/rt/REST/2.0/`).me()).resolves.toMatchObject({ id: 27 });
    expect(seen[0]!.headers.authorization).toBe(`token ${TOKEN}`);
  });

  it('signs in with basic auth as the profile\'s RT user', async () => {
    const seen: FakeRequest[] = [];
    fake().get('/REST/2.0/user/dee', (req) => {
      seen.push(req);
      return { json: { id: 27, Name: 'dee', RealName: 'Dee Agent', Privileged: 1 } };
    });
    const d = new RtDesk(new HttpClient({ ...rtConnection(fake().url), auth: { type: 'basic-password', email: 'dee', password: 'pw-123456' } }));
    await expect(d.me()).resolves.toMatchObject({ id: 27, role: 'agent' });
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('dee:pw-123456').toString('base64')}`);
  });

  it('refuses a token that is not an RT auth token before asking RT', async () => {
    const d = new RtDesk(new HttpClient({ ...rtConnection(fake().url), auth: { type: 'rt-token', token: 'not-a-token' } }));
    expect(await rejection(d.me())).toBeInstanceOf(AuthError);
  });
});

describe('updates', () => {
  it('reads a 200 answer whose messages say the change failed as an ApiError with RT\'s message', async () => {
    const put = fake().put('/REST/2.0/ticket/5', { json: ["Ticket 5: Status 'resolved' isn't a valid status for this ticket."] });
    fake().get('/REST/2.0/tickets', found(5), searchFor(5));
    const err = await rejection(desk().updateTicket(5, { status: 'solved' }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe("Request Tracker did not apply status solved to ticket 5: Ticket 5: Status 'resolved' isn't a valid status for this ticket.");
    expect(put.calls[0]!.json).toEqual({ Status: 'resolved' });
  });

  it('names only the changes that did not take', async () => {
    fake().put('/REST/2.0/ticket/5', {
      json: ['Ticket 5: Priority changed from 50 to 100', 'That user may not own tickets in that queue'],
    });
    fake().get('/REST/2.0/tickets', found(5, { Priority: '100' }), searchFor(5));
    const err = await rejection(desk().updateTicket(5, { priority: 'high', assignee_id: 41 }));
    expect(err.message).toBe('Request Tracker did not apply assignee 41 to ticket 5: That user may not own tickets in that queue');
  });

  it('sends a reply with the status through correspond, so RT\'s open-on-reply cannot undo it', async () => {
    const post = fake().post('/REST/2.0/ticket/5/correspond', { status: 201, json: ['Correspondence added', "Status changed from 'open' to 'stalled'"] });
    fake().get('/REST/2.0/tickets', found(5, { Status: 'stalled' }), { ...searchFor(5), times: 2 });
    fake().get('/REST/2.0/ticket/5/history', { json: { page: 1, pages: 1, items: [{ id: '10', Type: 'Create' }] } });
    fake().get('/REST/2.0/transaction/10/attachments', {
      json: { page: 1, pages: 1, items: [{ TransactionId: '10', ContentType: 'text/plain', Content: 'Help', Filename: '', Headers: 'X-RT-Interface: Email' }] },
    });
    const t = await desk().updateTicket(5, { status: 'pending', comment: { body: 'Any news?', public: true } });
    expect(post.calls[0]!.json).toEqual({ Content: 'Any news?', ContentType: 'text/plain', Status: 'stalled' });
    expect(t).toMatchObject({ id: 5, status: 'pending', description: 'Help', via: { channel: 'email' } });
  });

  it('refuses a safe update when the ticket changed since, and turns a 412 into ConflictError', async () => {
    fake().get('/REST/2.0/ticket/5', { json: { id: 5, LastUpdated: '2026-11-25T09:30:00Z' } });
    const stale = await rejection(desk().updateTicket(5, { priority: 'high' }, { ifUnmodifiedSince: '2026-11-25T09:00:00Z' }));
    expect(stale).toBeInstanceOf(ConflictError);

    fake().get('/REST/2.0/ticket/6', { headers: { etag: '"77"' }, json: { id: 6, LastUpdated: '2026-11-25T09:00:00Z' } });
    const put = fake().put('/REST/2.0/ticket/6', { status: 412, json: { message: 'Precondition Failed' } });
    const raced = await rejection(desk().updateTicket(6, { priority: 'high' }, { ifUnmodifiedSince: '2026-11-25T09:00:00Z' }));
    expect(raced).toBeInstanceOf(ConflictError);
    expect(put.calls[0]!.headers['if-match']).toBe('"77"');
  });

  it('bulk: updates each ticket, keeps going past a failure and returns a completed job', async () => {
    fake().put('/REST/2.0/ticket/5', { json: ['Ticket 5: Status changed'] });
    fake().get('/REST/2.0/tickets', found(5, { Status: 'resolved' }), searchFor(5));
    fake().put('/REST/2.0/ticket/6', { status: 404, json: { message: 'Not Found' } });
    const d = desk();
    const job = await d.updateMany({ ids: [5, 6], update: { status: 'solved' } });
    expect(job).toMatchObject({ status: 'completed', total: 2, progress: 2 });
    expect(job.results).toEqual([
      { id: 5, index: 0, action: 'update', success: true, status: 'Updated' },
      { id: 6, index: 1, action: 'update', success: false, status: 'Failed', error: 'TicketNotFound', details: 'ticket 6 not found' },
    ]);
    await expect(d.waitForJob(job.id)).resolves.toBe(job);
    expect(await rejection(d.getJobStatus('rt-unknown'))).toBeInstanceOf(NotFoundError);
  });
});

describe('bulk safe updates (what the sweep executor sends)', () => {
  const tagsField = () => fake().get('/REST/2.0/customfields', { json: { page: 1, pages: 1, items: [{ id: '2', Name: 'Tags' }] } });
  const tagged = (tags: string[]) => [{ id: '2', name: 'Tags', type: 'freeform', values: tags }];
  const sweepItem = (id: number, stamp: string) =>
    ({
      id,
      comment: { body: 'Just checking in', public: true },
      status: 'pending',
      additional_tags: ['sweep_check_in'],
      safe_update: true,
      updated_stamp: stamp,
    }) as TicketUpdate & { id: number };

  it('refuses an item whose ticket changed since its stamp, as a Conflict result, writing nothing', async () => {
    tagsField();
    fake().get('/REST/2.0/ticket/5', { json: { id: 5, LastUpdated: '2026-11-25T09:30:00Z', CustomFields: tagged([]) } });
    const job = await desk().updateMany({ tickets: [sweepItem(5, '2026-11-25T09:00:00Z')] });
    expect(job.results).toEqual([expect.objectContaining({ id: 5, success: false, error: 'Conflict' })]);
    expect(classifyItemError(job.results![0]!)).toBe('conflict');
  });

  it('posts the message with the tags and the status in one request: the marker lands only with the message', async () => {
    tagsField();
    fake().get('/REST/2.0/ticket/5', { headers: { etag: '"90"' }, json: { id: 5, LastUpdated: '2026-11-25T09:00:00Z', CustomFields: tagged(['vip']) } });
    const post = fake().post('/REST/2.0/ticket/5/correspond', { status: 201, json: ['Correspondence added', 'sweep_check_in added', "Status changed from 'open' to 'stalled'"] });
    fake().get('/REST/2.0/tickets', found(5, { Status: 'stalled', CustomFields: tagged(['vip', 'sweep_check_in']) }), searchFor(5));
    const job = await desk().updateMany({ tickets: [sweepItem(5, '2026-11-25T09:00:00Z')] });
    expect(job.results).toEqual([{ id: 5, index: 0, action: 'update', success: true, status: 'Updated' }]);
    expect(post.calls[0]!.json).toEqual({
      Content: 'Just checking in',
      ContentType: 'text/plain',
      Status: 'stalled',
      CustomFields: { Tags: ['vip', 'sweep_check_in'] },
    });
  });

  it('a message that landed without its marker is reported, never resent', async () => {
    tagsField();
    fake().get('/REST/2.0/ticket/5', { json: { id: 5, LastUpdated: '2026-11-25T09:00:00Z', CustomFields: tagged([]) } });
    fake().post('/REST/2.0/ticket/5/correspond', { status: 201, json: ['Correspondence added', 'Permission Denied'] });
    const repair = fake().put('/REST/2.0/ticket/5', { json: ['Permission Denied'] });
    fake().get('/REST/2.0/tickets', found(5, { Status: 'stalled', CustomFields: tagged([]) }), { ...searchFor(5), times: 2 });
    const job = await desk().updateMany({ tickets: [sweepItem(5, '2026-11-25T09:00:00Z')] });
    expect(repair.calls[0]!.json).toEqual({ CustomFields: { Tags: ['sweep_check_in'] } });
    expect(job.results).toEqual([expect.objectContaining({ id: 5, success: false, error: 'AppliedWithoutMarker' })]);
    expect(job.results![0]!.details).toBe('ticket 5: the reply was posted, but Request Tracker did not apply tags: Permission Denied');
    expect(classifyItemError(job.results![0]!)).toBe('unmarked');
  });
});

describe('what Request Tracker lacks', () => {
  it('lists no organizations (RT has none) and says it has no satisfaction ratings', async () => {
    const d = desk();
    await expect(d.listOrganizations()[Symbol.asyncIterator]().next()).resolves.toEqual({ done: true, value: undefined });
    const ratings = await rejection(d.listSatisfactionRatings()[Symbol.asyncIterator]().next());
    expect(ratings).toBeInstanceOf(NotFoundError);
    expect(ratings.message).toBe('Request Tracker has no satisfaction ratings');
    await expect(d.getOrganizations([1, 2])).resolves.toEqual([]);
  });

  it('refuses a tag search when RT has no Tags field, and an unsupported term at once', async () => {
    fake().get('/REST/2.0/customfields', { json: { page: 1, pages: 0, items: [] } });
    const d = desk();
    const tags = await rejection(d.searchTickets('tags:vip')[Symbol.asyncIterator]().next());
    expect(tags.message).toBe('Request Tracker has no tags, so deskops cannot search by tag');
    const org = await rejection(d.searchTickets('organization:acme')[Symbol.asyncIterator]().next());
    expect(org).toBeInstanceOf(UsageError);
  });

  it('answers a cursor it did not make like Zendesk does (400), so the KPI cache starts over', async () => {
    const err = await rejection(desk().incrementalTickets({ cursor: 'zendesk-cursor' })[Symbol.asyncIterator]().next());
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
  });
});

describe('saved searches as views; no macros', () => {
  it('lists the ticket searches the user may load, titled by their description, and runs one by its id', async () => {
    fake().get('/REST/2.0/searches', {
      json: { page: 1, pages: 1, total: 4, items: [{ type: 'search', id: '11' }, { type: 'search', id: '12' }, { type: 'search', id: '13' }, { type: 'search', id: '14' }] },
    });
    fake().get('/REST/2.0/search/11', {
      json: { id: 11, Name: 'SavedSearch', Description: 'Unowned in Billing', ObjectType: 'RT::Group', ObjectId: 7, Content: { SearchType: 'Ticket', Query: "Queue = 'Billing' AND Owner = 'Nobody'" } },
    });
    fake().get('/REST/2.0/search/12', { json: { id: 12, Name: 'Search - My Tickets', Description: '[_1] highest priority tickets I own', ObjectType: 'RT::System', ObjectId: 1 } });
    fake().get('/REST/2.0/search/13', { json: { id: 13, Name: 'SavedSearch', Description: 'Laptops', Content: { SearchType: 'Asset', Query: "Catalog = 'IT'" } } });
    fake().get('/REST/2.0/search/14', { status: 403, json: { message: 'Forbidden' } });
    const d = desk();
    const views = await d.listViews();
    expect(views.map((v) => v.title)).toEqual(['Highest priority tickets I own', 'Unowned in Billing']);
    expect(views[1]).toMatchObject({ id: 11, restriction: { type: 'Group', id: 7, ids: [7] }, query: "Queue = 'Billing' AND Owner = 'Nobody'" });

    fake().get('/REST/2.0/tickets', found(5), { query: { search: '11' } });
    const tickets = [];
    for await (const t of d.viewTickets(views[1]!)) tickets.push(t);
    expect(tickets.map((t) => t.id)).toEqual([5]);
    expect(tickets[0]).toMatchObject({ subject: 'Printer on fire', status: 'open' });
  });

  it('says so when RT has no saved searches in REST2, and that it has no macros', async () => {
    fake().get('/REST/2.0/searches', { status: 404, json: { message: 'Not Found' } });
    const d = desk();
    const views = await rejection(d.listViews());
    expect(views).toBeInstanceOf(NotFoundError);
    expect(views.message).toMatch(/no saved searches in its REST2 API/);
    const macros = await rejection(d.listMacros());
    expect(macros).toBeInstanceOf(NotFoundError);
    expect(macros.message).toBe('Request Tracker has no macros; deskops templates work on it (deskops template list)');
    expect(await rejection(d.applyMacro(5, 1))).toBeInstanceOf(NotFoundError);
  });
});
