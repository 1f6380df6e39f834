import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeskCredentials, startDesk } from '../../src/desk/index.js';
import { startTestDesk, waitForJob, type TestDesk } from './helpers.js';

let t: TestDesk;

beforeAll(async () => {
  // No explicit seed: the first start seeds the default demo (500 tickets).
  t = await startTestDesk();
});
afterAll(async () => {
  await t.close();
});

/** Ids of tickets matching a search, e.g. "status:open". */
async function find(query: string, n = 1): Promise<number[]> {
  const r = await t.api(`/api/v2/search.json?query=${encodeURIComponent(query)}&per_page=${n}`);
  expect(r.status).toBe(200);
  expect(r.body.results.length).toBeGreaterThanOrEqual(n);
  return r.body.results.map((x: { id: number }) => x.id);
}

describe('authentication', () => {
  it('refuses requests without or with wrong credentials', async () => {
    const wrong = [
      undefined,
      `Basic ${Buffer.from(`${t.desk.email}/token:nope`).toString('base64')}`,
      `Basic ${Buffer.from(`someone@else.example/token:${t.desk.token}`).toString('base64')}`,
      `Basic ${Buffer.from(`${t.desk.email}:${t.desk.token}`).toString('base64')}`,
      'Bearer nope',
      `Token ${t.desk.token}`,
    ];
    for (const authorization of wrong) {
      const res = await fetch(`${t.desk.url}/api/v2/users/me.json`, { headers: authorization ? { authorization } : {} });
      expect(res.status, String(authorization)).toBe(401);
      expect(await res.json()).toEqual({ error: "Couldn't authenticate you" });
      // A budget apart from the account's: requests without the token never spend its 700.
      expect(res.headers.get('x-rate-limit')).toBe('100');
    }
  });

  it('accepts the API token as Basic email/token:TOKEN and as Bearer', async () => {
    const basic = await t.api('/api/v2/users/me.json');
    expect(basic.status).toBe(200);
    expect(basic.body.user).toMatchObject({ email: t.desk.email, role: 'agent' });
    expect(basic.headers.get('x-rate-limit-remaining')).toMatch(/^\d+$/);

    const bearer = await t.api('/api/v2/users/me', { headers: { authorization: `Bearer ${t.desk.token}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.body.user.id).toBe(basic.body.user.id);
  });

  it('keeps the credentials in a 0600 file in a 0700 directory', () => {
    const dir = join(t.home, 'desk');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(readDeskCredentials(t.home)).toEqual({ email: t.desk.email, token: t.desk.token, admin_email: t.desk.adminEmail });
    expect(t.desk.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('listing tickets', () => {
  it('walks every ticket exactly once with cursor pagination', async () => {
    const ids: number[] = [];
    let path = '/api/v2/tickets.json?page[size]=100';
    for (let page = 0; page < 20; page++) {
      const r = await t.api(path);
      expect(r.status).toBe(200);
      ids.push(...r.body.tickets.map((x: { id: number }) => x.id));
      if (!r.body.meta.has_more) break;
      path = r.body.links.next.replace(t.desk.url, '');
    }
    expect(ids.length).toBeGreaterThanOrEqual(500);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('sorts by -updated_at and pages backwards with page[before]', async () => {
    const first = await t.api('/api/v2/tickets.json?page[size]=50&sort=-updated_at');
    const second = await t.api(`/api/v2/tickets.json?page[size]=50&sort=-updated_at&page[after]=${first.body.meta.after_cursor}`);
    const times = [...first.body.tickets, ...second.body.tickets].map((x: { updated_at: string }) => Date.parse(x.updated_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const back = await t.api(`/api/v2/tickets.json?page[size]=50&sort=-updated_at&page[before]=${second.body.meta.before_cursor}`);
    expect(back.body.tickets.map((x: { id: number }) => x.id)).toEqual(first.body.tickets.map((x: { id: number }) => x.id));
    expect(back.body.meta.has_more).toBe(false);
  });

  it('supports offset pagination with next_page, previous_page and count', async () => {
    const r = await t.api('/api/v2/tickets.json?page=2&per_page=50');
    expect(r.body.tickets).toHaveLength(50);
    expect(r.body.tickets[0].id).toBe(51);
    expect(r.body.count).toBeGreaterThanOrEqual(500);
    expect(r.body.next_page).toContain('page=3');
    expect(r.body.previous_page).toContain('page=1');
    const last = await t.api(`/api/v2/tickets.json?page=${Math.ceil(r.body.count / 100)}&per_page=100`);
    expect(last.body.next_page).toBeNull();
    expect((await t.api('/api/v2/tickets.json?page[size]=101')).status).toBe(400);
  });

  it('shows one ticket with sideloads, and 404s a missing one', async () => {
    const [id] = await find('status:open');
    const r = await t.api(`/api/v2/tickets/${id}.json?include=slas,metric_sets,users,groups,organizations`);
    expect(r.status).toBe(200);
    expect(r.body.ticket).toMatchObject({ id, status: 'open', url: `${t.desk.url}/api/v2/tickets/${id}.json` });
    expect(r.body.ticket.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(r.body.ticket.metric_set.ticket_id).toBe(id);
    expect(Array.isArray(r.body.ticket.slas.policy_metrics)).toBe(true);
    expect(r.body.users.map((u: { id: number }) => u.id)).toContain(r.body.ticket.requester_id);
    expect(r.body.groups).toHaveLength(r.body.ticket.group_id ? 1 : 0);
    expect(Array.isArray(r.body.organizations)).toBe(true);

    expect(await t.api('/api/v2/tickets/99999999.json')).toMatchObject({ status: 404, body: { error: 'RecordNotFound', description: 'Not found' } });
    expect((await t.api('/api/v2/tickets/abc')).status).toBe(404);
    const many = await t.api('/api/v2/tickets/show_many.json?ids=1,2,99999999');
    expect(many.body.tickets.map((x: { id: number }) => x.id).sort()).toEqual([1, 2]);
  });

  it('lists comments oldest first, the first being the description', async () => {
    const [id] = await find('status:solved');
    const ticket = (await t.api(`/api/v2/tickets/${id}.json`)).body.ticket;
    const r = await t.api(`/api/v2/tickets/${id}/comments.json?include=users`);
    expect(r.body.count).toBe(r.body.comments.length);
    expect(r.body.comments[0].body).toBe(ticket.description);
    const times = r.body.comments.map((c: { created_at: string }) => Date.parse(c.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(r.body.users.length).toBeGreaterThan(0);
    const cursor = await t.api(`/api/v2/tickets/${id}/comments.json?page[size]=1`);
    expect(cursor.body.comments).toHaveLength(1);
    expect(cursor.body.meta.has_more).toBe(r.body.comments.length > 1);
  });
});

describe('updating tickets', () => {
  it('adds a reply, changes status, and bumps updated_at', async () => {
    const [id] = await find('status:open');
    const before = (await t.api(`/api/v2/tickets/${id}.json`)).body.ticket;
    const comments = (await t.api(`/api/v2/tickets/${id}/comments.json`)).body.count;
    const r = await t.api(`/api/v2/tickets/${id}.json`, {
      method: 'PUT',
      json: { ticket: { status: 'pending', priority: 'high', additional_tags: ['followed-up'], comment: { body: 'Could you send a photo?', public: true } } },
    });
    expect(r.status).toBe(200);
    expect(r.body.ticket).toMatchObject({ id, status: 'pending', priority: 'high' });
    expect(r.body.ticket.tags).toContain('followed-up');
    expect(Date.parse(r.body.ticket.updated_at)).toBeGreaterThan(Date.parse(before.updated_at));
    const after = await t.api(`/api/v2/tickets/${id}/comments.json`);
    expect(after.body.count).toBe(comments + 1);
    expect(after.body.comments.at(-1)).toMatchObject({ body: 'Could you send a photo?', public: true, author_id: (await t.api('/api/v2/users/me')).body.user.id });
  });

  it('lists a ticket\'s audits: one per update, with its comment, status and tag changes and its author', async () => {
    const [id] = await find('status:open');
    const me = (await t.api('/api/v2/users/me')).body.user.id;
    const before = (await t.api(`/api/v2/tickets/${id}/audits.json`)).body;
    expect(before.audits[0].events.some((e: { type: string }) => e.type === 'Comment')).toBe(true);
    const put = await t.api(`/api/v2/tickets/${id}.json`, {
      method: 'PUT',
      json: { ticket: { status: 'pending', additional_tags: ['audit-check'], comment: { body: 'Audited reply', public: true } } },
    });
    expect(put.status).toBe(200);
    const r = await t.api(`/api/v2/tickets/${id}/audits.json`);
    expect(r.status).toBe(200);
    expect(r.body.audits).toHaveLength(before.audits.length + 1);
    const last = r.body.audits.at(-1);
    expect(last).toMatchObject({ ticket_id: id, author_id: me, created_at: put.body.ticket.updated_at });
    expect(last.events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Comment', body: 'Audited reply', public: true, author_id: me }),
        expect.objectContaining({ type: 'Change', field_name: 'status', previous_value: 'open', value: 'pending' }),
        expect.objectContaining({ type: 'Change', field_name: 'tags', value: expect.arrayContaining(['audit-check']) }),
      ]),
    );
    const tagChange = last.events.find((e: { field_name?: string }) => e.field_name === 'tags');
    expect(tagChange.previous_value).not.toContain('audit-check');
    const ids = r.body.audits.map((a: { id: number }) => a.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const paged = await t.api(`/api/v2/tickets/${id}/audits.json?page[size]=1`);
    expect(paged.body.audits).toHaveLength(1);
    expect(paged.body.meta.has_more).toBe(true);
    const next = await t.api(paged.body.links.next.replace(t.desk.url, ''));
    expect(next.body.audits[0].id).toBe(ids[1]);
    expect((await t.api('/api/v2/tickets/99999999/audits.json')).status).toBe(404);
  });

  it('rejects invalid values with 422 RecordInvalid', async () => {
    const [id] = await find('status:open');
    const r = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { status: 'archived' } } });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ error: 'RecordInvalid', description: 'Record validation errors' });
    expect(r.body.details.status[0].description).toMatch(/archived/);
    const p = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { priority: 'asap' } } });
    expect(p.status).toBe(422);
    const a = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { assignee_id: 2001 } } });
    expect(a.status).toBe(422);
  });

  it('refuses to update a closed ticket, as Zendesk does', async () => {
    const [id] = await find('status:closed');
    const r = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { comment: { body: 'hello?' } } } });
    expect(r.status).toBe(422);
    expect(r.body.details.status[0].description).toBe('Status: closed prevents ticket update');
  });

  it('detects a concurrent change with safe_update, even within the same second', async () => {
    const [id] = await find('status:open');
    const seen = (await t.api(`/api/v2/tickets/${id}.json`)).body.ticket.updated_at;
    const first = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { safe_update: true, updated_stamp: seen, priority: 'low' } } });
    expect(first.status).toBe(200);
    // A second writer that read the ticket before the first update loses.
    const stale = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { safe_update: true, updated_stamp: seen, priority: 'urgent' } } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('UpdateConflict');
    // Immediately again with the fresh stamp: fine, and the stamp moves on.
    const fresh = await t.api(`/api/v2/tickets/${id}.json`, {
      method: 'PUT',
      json: { ticket: { safe_update: true, updated_stamp: first.body.ticket.updated_at, priority: 'urgent' } },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.ticket.updated_at).not.toBe(first.body.ticket.updated_at);
  });

  it('records metric events: reopens, group and assignee stations, replies', async () => {
    const [id] = await find('status:solved');
    const ticket = (await t.api(`/api/v2/tickets/${id}.json`)).body.ticket;
    const before = (await t.api(`/api/v2/tickets/${id}/metrics.json`)).body.ticket_metric;
    const reopened = await t.api(`/api/v2/tickets/${id}.json`, {
      method: 'PUT',
      json: { ticket: { comment: { body: 'It broke again!', public: true, author_id: ticket.requester_id } } },
    });
    expect(reopened.body.ticket.status).toBe('open');
    const groups = (await t.api('/api/v2/groups.json')).body.groups.map((g: { id: number }) => g.id);
    const otherGroup = groups.find((g: number) => g !== ticket.group_id);
    const agents = (await t.api('/api/v2/users.json?role=agent')).body.users.map((u: { id: number }) => u.id);
    const otherAgent = agents.find((a: number) => a !== ticket.assignee_id);
    await t.api(`/api/v2/tickets/${id}.json`, {
      method: 'PUT',
      json: { ticket: { group_id: otherGroup, assignee_id: otherAgent, status: 'solved', comment: { body: 'Fixed it for good.', public: true } } },
    });
    const after = (await t.api(`/api/v2/tickets/${id}/metrics.json`)).body.ticket_metric;
    expect(after.reopens).toBe(before.reopens + 1);
    expect(after.group_stations).toBe(before.group_stations + 1);
    expect(after.assignee_stations).toBe(before.assignee_stations + 1);
    expect(after.replies).toBe(before.replies + 1);
    expect(after.solved_at).not.toBeNull();
    expect(after.full_resolution_time_in_minutes.calendar).toBeGreaterThanOrEqual(before.full_resolution_time_in_minutes.calendar);
  });

  it('answers update_many with a job that completes with per-ticket results', async () => {
    const [open] = await find('status:open');
    const [closed] = await find('status:closed');
    const r = await t.api(`/api/v2/tickets/update_many.json?ids=${open},${closed},99999999`, {
      method: 'PUT',
      json: { ticket: { additional_tags: ['bulk-touched'] } },
    });
    expect(r.status).toBe(200);
    expect(r.body.job_status).toMatchObject({ status: 'queued', total: 3, progress: 0, message: null, results: null });
    expect(r.body.job_status.url).toBe(`${t.desk.url}/api/v2/job_statuses/${r.body.job_status.id}.json`);

    const done = (await waitForJob(t, r.body.job_status.id)).body.job_status;
    expect(done).toMatchObject({ status: 'completed', total: 3, progress: 3 });
    expect(done.results).toEqual([
      expect.objectContaining({ id: open, action: 'update', success: true, status: 'Updated' }),
      expect.objectContaining({ id: closed, success: false, error: 'TicketUpdateFailed', details: 'Status: closed prevents ticket update' }),
      expect.objectContaining({ id: 99999999, success: false, error: 'TicketNotFound' }),
    ]);
    expect((await t.api(`/api/v2/tickets/${open}.json`)).body.ticket.tags).toContain('bulk-touched');

    const perTicket = await t.api('/api/v2/tickets/update_many.json', {
      method: 'PUT',
      json: { tickets: [{ id: open, priority: 'urgent' }] },
    });
    expect((await waitForJob(t, perTicket.body.job_status.id)).body.job_status.results[0].success).toBe(true);
    expect((await t.api(`/api/v2/tickets/${open}.json`)).body.ticket.priority).toBe('urgent');
    const many = await t.api('/api/v2/job_statuses/show_many.json?ids=' + [r.body.job_status.id, perTicket.body.job_status.id].join(','));
    expect(many.body.job_statuses).toHaveLength(2);

    const tooMany = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    expect((await t.api(`/api/v2/tickets/update_many.json?ids=${tooMany}`, { method: 'PUT', json: { ticket: { status: 'open' } } })).status).toBe(400);
  });
});

describe('creating tickets', () => {
  it('creates a ticket for a new requester', async () => {
    const r = await t.api('/api/v2/tickets.json', {
      method: 'POST',
      json: { ticket: { subject: 'Printer on fire', comment: { body: 'It is smoking.' }, requester: { name: 'Pat Doe', email: 'Pat@Example.test' }, tags: ['Fire Hazard'] } },
    });
    expect(r.status).toBe(201);
    expect(r.body.ticket).toMatchObject({ subject: 'Printer on fire', description: 'It is smoking.', status: 'new', tags: ['fire_hazard'] });
    const requester = (await t.api(`/api/v2/users/${r.body.ticket.requester_id}.json`)).body.user;
    expect(requester).toMatchObject({ name: 'Pat Doe', email: 'pat@example.test', role: 'end-user' });
    expect((await t.api('/api/v2/tickets.json', { method: 'POST', json: { ticket: { subject: 'no body' } } })).status).toBe(422);
    const bare = await t.api('/api/v2/tickets.json', { method: 'POST', json: { ticket: { comment: { body: 'Untagged\nsecond line' } } } });
    expect(bare.body.ticket).toMatchObject({ subject: 'Untagged', tags: [] });
    const untagged = await t.api(`/api/v2/search.json?query=${encodeURIComponent('tags:none')}`);
    expect(untagged.body.results.map((x: { id: number }) => x.id)).toContain(bare.body.ticket.id);
  });

  it('honours Idempotency-Key: same body -> same ticket, another body -> 400', async () => {
    const key = { 'idempotency-key': 'retry-1234' };
    const body = { ticket: { subject: 'Refund please', comment: { body: 'Order #1' }, priority: 'normal' } };
    const first = await t.api('/api/v2/tickets.json', { method: 'POST', headers: key, json: body });
    expect(first.status).toBe(201);
    const again = await t.api('/api/v2/tickets.json', { method: 'POST', headers: key, json: { ticket: { priority: 'normal', comment: { body: 'Order #1' }, subject: 'Refund please' } } });
    expect(again.status).toBe(201);
    expect(again.headers.get('x-idempotency-lookup')).toBe('hit');
    expect(again.body.ticket.id).toBe(first.body.ticket.id);

    const count = (await t.api('/api/v2/tickets.json?per_page=1')).body.count;
    const other = await t.api('/api/v2/tickets.json', { method: 'POST', headers: key, json: { ticket: { subject: 'Something else', comment: { body: 'x' } } } });
    expect(other.status).toBe(400);
    expect(other.body.error).toBe('IdempotentRequestError');
    expect((await t.api('/api/v2/tickets.json?per_page=1')).body.count).toBe(count);
  });
});

describe('incremental export', () => {
  it('walks all tickets with a cursor, with metric_sets, and shows later changes again', async () => {
    const seen = new Set<number>();
    let path = '/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=200&include=metric_sets';
    let last: { body: { after_cursor: string; end_of_stream: boolean } } | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await t.api(path, { as: 'admin' });
      expect(r.status).toBe(200);
      expect(r.body.metric_sets.map((m: { ticket_id: number }) => m.ticket_id)).toEqual(r.body.tickets.map((x: { id: number }) => x.id));
      for (const x of r.body.tickets) seen.add(x.id);
      last = r;
      if (r.body.end_of_stream) break;
      path = r.body.after_url.replace(t.desk.url, '');
    }
    const total = (await t.api('/api/v2/tickets.json?per_page=1')).body.count;
    expect(seen.size).toBe(total);
    expect(last!.body.end_of_stream).toBe(true);

    const [id] = await find('status:pending');
    await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { comment: { body: 'note', public: false } } } });
    const next = await t.api(`/api/v2/incremental/tickets/cursor.json?cursor=${last!.body.after_cursor}`, { as: 'admin' });
    expect(next.body.tickets.map((x: { id: number }) => x.id)).toEqual([id]);
    expect(next.body.end_of_stream).toBe(true);

    const future = Math.floor(t.now().getTime() / 1000) + 3600;
    expect((await t.api(`/api/v2/incremental/tickets/cursor.json?start_time=${future}`, { as: 'admin' })).status).toBe(400);
  });
});

describe('roles, as Zendesk has them', () => {
  const FORBIDDEN = {
    error: 'Forbidden',
    description: 'You do not have access to this page. Please contact the account owner of this help desk for further help.',
  };
  const basicFor = (email: string) => `Basic ${Buffer.from(`${email}/token:${t.desk.token}`).toString('base64')}`;

  it('the token is the account\'s: the email picks the user, an agent by default and the admin with its email', async () => {
    expect((await t.api('/api/v2/users/me.json')).body.user).toMatchObject({ email: t.desk.email, role: 'agent' });
    expect((await t.api('/api/v2/users/me.json', { as: 'admin' })).body.user).toMatchObject({ email: t.desk.adminEmail, role: 'admin' });
    const another = (await t.api('/api/v2/users.json?role=agent')).body.users[3].email as string;
    const asAnother = await t.api('/api/v2/users/me.json', { headers: { authorization: basicFor(another) } });
    expect(asAnother.body.user).toMatchObject({ email: another, role: 'agent' });
  });

  it('answers 403 to agents on the admin-only endpoints, as Zendesk does', async () => {
    const adminOnly = ['/api/v2/incremental/tickets/cursor.json?start_time=0', '/api/v2/satisfaction_ratings.json', '/api/v2/satisfaction_ratings/500001.json'];
    for (const path of adminOnly) {
      const agent = await t.api(path);
      expect(agent.status, path).toBe(403);
      expect(agent.body, path).toEqual(FORBIDDEN);
      expect((await t.api(path, { as: 'admin' })).status, path).toBe(200);
    }
    for (const path of ['/api/v2/search/export.json?filter[type]=ticket&query=status:open', '/api/v2/tickets/show_many.json?ids=1,2&include=metric_sets', '/api/v2/ticket_metrics.json']) {
      expect((await t.api(path)).status, path).toBe(200);
    }
  });

  it('lets an end user see only their own profile', async () => {
    const ticket = (await t.api('/api/v2/tickets/1.json')).body.ticket;
    const requester = (await t.api(`/api/v2/users/${ticket.requester_id}.json`)).body.user.email as string;
    const headers = { authorization: basicFor(requester) };
    expect((await t.api('/api/v2/users/me.json', { headers })).body.user).toMatchObject({ role: 'end-user' });
    const tickets = await t.api('/api/v2/tickets.json', { headers });
    expect(tickets.status).toBe(403);
    expect(tickets.body).toEqual(FORBIDDEN);
  });
});

describe('text with NUL characters', () => {
  it('keeps all of the text, the NULs dropped, instead of cutting it at the first one', async () => {
    const created = await t.api('/api/v2/tickets.json', {
      method: 'POST',
      json: { ticket: { subject: 'before\u0000after', comment: { body: 'one\u0000two\u0000three' }, requester: { name: 'Nul Person', email: 'nul@mail.example' } } },
    });
    expect(created.status).toBe(201);
    const id = created.body.ticket.id as number;
    expect((await t.api(`/api/v2/tickets/${id}.json`)).body.ticket.subject).toBe('beforeafter');
    const comments = (await t.api(`/api/v2/tickets/${id}/comments.json`)).body.comments as Array<{ body: string }>;
    expect(comments[0]!.body).toBe('onetwothree');
  });
});

describe('search export query rules', () => {
  it('refuses a type: term in the query (the type goes in filter[type]) and exports without it', async () => {
    const typed = await t.api(`/api/v2/search/export.json?filter[type]=ticket&query=${encodeURIComponent('type:ticket status:open')}`);
    expect(typed.status).toBe(400);
    expect(typed.body.description).toMatch(/filter\[type\]/);
    const plain = await t.api(`/api/v2/search/export.json?filter[type]=ticket&query=${encodeURIComponent('status:open')}`);
    expect(plain.status).toBe(200);
    expect(plain.body.results.length).toBeGreaterThan(0);
  });
});

describe('people, groups, fields, metrics and ratings', () => {
  it('lists agents, groups, organizations and ticket fields', async () => {
    const agents = await t.api('/api/v2/users.json?role=agent');
    expect(agents.body.users).toHaveLength(8);
    expect(agents.body.users.every((u: { signature: string }) => u.signature)).toBe(true);
    expect((await t.api('/api/v2/users.json?role[]=agent&role[]=admin&page[size]=5')).body.meta.has_more).toBe(true);
    expect((await t.api('/api/v2/groups.json')).body.groups.map((g: { name: string }) => g.name)).toEqual(['Frontline', 'Escalations', 'Billing']);
    const orgs = await t.api('/api/v2/organizations.json?page[size]=100');
    expect(orgs.body.organizations.length).toBeGreaterThanOrEqual(40);
    expect(orgs.body.organizations.some((o: { organization_fields: { vip: boolean } }) => o.organization_fields.vip)).toBe(true);
    expect(orgs.body.organizations.some((o: { organization_fields: { churned_at: string | null } }) => o.organization_fields.churned_at)).toBe(true);
    const ids = orgs.body.organizations.slice(0, 2).map((o: { id: number }) => o.id);
    expect((await t.api(`/api/v2/organizations/show_many.json?ids=${ids.join(',')}`)).body.organizations).toHaveLength(2);
    const titles = (await t.api('/api/v2/ticket_fields.json')).body.ticket_fields.map((f: { title: string }) => f.title);
    expect(titles).toEqual(expect.arrayContaining(['Total time spent (sec)', 'Time spent last update (sec)', 'Survey score']));
  });

  it('serves ticket metrics and satisfaction ratings', async () => {
    const metrics = await t.api('/api/v2/ticket_metrics.json?page[size]=10');
    expect(metrics.body.ticket_metrics).toHaveLength(10);
    const one = await t.api(`/api/v2/ticket_metrics/${metrics.body.ticket_metrics[0].id}.json`);
    expect(one.body.ticket_metric.ticket_id).toBe(metrics.body.ticket_metrics[0].ticket_id);

    const good = await t.api('/api/v2/satisfaction_ratings.json?score=good&page[size]=100', { as: 'admin' });
    expect(good.body.satisfaction_ratings.length).toBeGreaterThan(0);
    expect(good.body.satisfaction_ratings.every((r: { score: string }) => r.score === 'good')).toBe(true);
    const bad = await t.api('/api/v2/satisfaction_ratings.json?score=bad_with_comment', { as: 'admin' });
    expect(bad.body.satisfaction_ratings.every((r: { comment: string }) => r.comment)).toBe(true);
    const rating = good.body.satisfaction_ratings[0];
    expect((await t.api(`/api/v2/satisfaction_ratings/${rating.id}.json`, { as: 'admin' })).body.satisfaction_rating).toEqual(rating);
    const ticket = (await t.api(`/api/v2/tickets/${rating.ticket_id}.json`)).body.ticket;
    expect(ticket.satisfaction_rating).toMatchObject({ score: 'good', id: rating.id });
  });
});

describe('protocol errors', () => {
  it('answers JSON errors for unknown endpoints, bad JSON and oversized bodies', async () => {
    expect(await t.api('/api/v2/automations.json')).toMatchObject({ status: 404, body: { error: 'InvalidEndpoint' } });
    expect((await t.api('/api/v2/tickets/1.json', { method: 'DELETE' })).status).toBe(404);
    const [id] = await find('status:open');
    const bad = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', body: '{"ticket": {', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    const big = await t.api(`/api/v2/tickets/${id}.json`, { method: 'PUT', json: { ticket: { comment: { body: 'x'.repeat(1024 * 1024 + 10) } } } });
    expect(big.status).toBe(413);
  });

  it('opens an existing desk without seeding it again', async () => {
    const created = await t.api('/api/v2/tickets.json', { method: 'POST', json: { ticket: { subject: 'survives restarts', comment: { body: 'x' } } } });
    const again = await startDesk({ home: t.home });
    try {
      expect(again.token).toBe(t.desk.token);
      const res = await fetch(`${again.url}/api/v2/tickets/${created.body.ticket.id}.json`, { headers: { authorization: t.basic } });
      expect(((await res.json()) as { ticket: { subject: string } }).ticket.subject).toBe('survives restarts');
    } finally {
      await again.close();
    }
  });
});
