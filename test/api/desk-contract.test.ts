/**
 * The real client and adapter against the real embedded desk, first clean and then with
 * faults injected: reads see every ticket exactly once, and writes that carry a customer
 * message land exactly once, whatever the desk throws at the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDesk, type TestDesk } from '../desk/helpers.js';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import { NotFoundError, ConflictError, AuthError, PermissionError } from '../../src/core/errors.js';

const noSleep = async () => {};

function client(t: TestDesk, token = t.desk.token, email = t.desk.email): Promise<HelpDesk> {
  return createHelpDesk(
    { kind: 'local', url: t.desk.url, auth: { type: 'basic-token', email, token }, profile: 'test' },
    { sleep: noSleep, retries: 8 },
  );
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('adapter against the embedded desk', () => {
  let t: TestDesk;
  let desk: HelpDesk;
  beforeAll(async () => {
    t = await startTestDesk({ tickets: 1200, seed: 3 });
    desk = await client(t);
  });
  afterAll(() => t.close());

  it('reads the views and macros the agent may use, and a macro applied without saving anything', async () => {
    const views = await desk.listViews();
    expect(views.map((v) => v.title)).toContain('Urgent tickets');
    expect(views.map((v) => v.title)).not.toContain('Holiday backlog (retired)');
    const urgent = views.find((v) => v.title === 'Urgent tickets')!;
    const tickets = await all(desk.viewTickets(urgent, { pageSize: 7 }));
    expect(tickets.length).toBeGreaterThan(7);
    expect(new Set(tickets.map((x) => x.id)).size).toBe(tickets.length);
    expect(tickets.every((x) => x.priority === 'urgent' && !['solved', 'closed'].includes(x.status))).toBe(true);

    const macros = await desk.listMacros();
    const close = macros.find((m) => m.title === 'Close and thank')!;
    expect(close.actions).toContainEqual({ field: 'status', value: 'solved' });
    const before = await desk.getTicket(tickets[0]!.id);
    const result = await desk.applyMacro(before.id, close.id);
    expect(result.ticket).toMatchObject({ id: before.id, status: 'solved', updated_at: before.updated_at });
    expect(result.ticket.tags).toContain('thanked');
    expect(result.comment?.public).toBe(true);
    expect(result.comment?.body).not.toContain('{{');
    expect(await desk.getTicket(before.id)).toEqual(before);
    await expect(desk.applyMacro(before.id, 999_999)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages through every ticket once with cursors, and search stops at the cap', async () => {
    const tickets = await all(desk.listTickets({ pageSize: 100 }));
    expect(tickets).toHaveLength(1200);
    expect(new Set(tickets.map((x) => x.id)).size).toBe(1200);

    let capped: { total: number | null; returned: number } | undefined;
    const found = await all(desk.searchTickets('type:ticket', { onCapped: (c) => (capped = c) }));
    expect(found).toHaveLength(1000);
    expect(capped?.total).toBe(1200);

    const exported = await all(desk.exportSearchTickets('type:ticket'));
    expect(exported).toHaveLength(1200);
  });

  it('walks the incremental export to the end of the stream with metric sets (as the admin; an agent gets a permission error)', async () => {
    const agent = await all(desk.incrementalTickets({ startTime: 0 })).catch((err: unknown) => err);
    expect(agent).toBeInstanceOf(PermissionError);
    const admin = await client(t, t.desk.token, t.desk.adminEmail);
    const pages = await all(admin.incrementalTickets({ startTime: 0 }, { pageSize: 500 }));
    const tickets = pages.flatMap((p) => p.tickets);
    expect(new Set(tickets.map((x) => x.id)).size).toBe(1200);
    expect(pages.at(-1)!.end_of_stream).toBe(true);
    expect(pages.flatMap((p) => p.metric_sets).length).toBe(1200);
  });

  it('maps 404, 409 and 401 to typed errors', async () => {
    await expect(desk.getTicket(99_999_999)).rejects.toThrow(NotFoundError);
    await expect(desk.getTicket(99_999_999)).rejects.toThrow('ticket 99999999 not found');
    const open = (await all(desk.searchTickets('status:open', { limit: 1 })))[0]!;
    await expect(desk.updateTicket(open.id, { priority: 'high' }, { ifUnmodifiedSince: '2000-01-01T00:00:00Z' })).rejects.toThrow(ConflictError);
    const wrong = await client(t, 'wrong-token');
    await expect(wrong.me()).rejects.toThrow(AuthError);
  });

  it('runs update_many as a job and reports per-ticket outcomes', async () => {
    const open = await all(desk.searchTickets('status:open', { limit: 3 }));
    const job = await desk.updateMany({ ids: [...open.map((x) => x.id), 99_999_999], update: { additional_tags: ['bulk_checked'] } });
    const done = await desk.waitForJob(job.id, { intervalMs: 20 });
    expect(done.status).toBe('completed');
    const ok = done.results!.filter((r) => r.success);
    const failed = done.results!.filter((r) => !r.success);
    expect(ok.map((r) => r.id).sort()).toEqual(open.map((x) => x.id).sort());
    expect(failed).toHaveLength(1);
    for (const x of await desk.getTickets(open.map((o) => o.id))) expect(x.tags).toContain('bulk_checked');
  });
});

describe('adapter against the embedded desk with faults injected', () => {
  let t: TestDesk;
  let desk: HelpDesk;
  beforeAll(async () => {
    t = await startTestDesk({ tickets: 300, seed: 5, faults: '429=0.15,500=0.1,reset=0.05', faultSeed: 11 });
    desk = await client(t);
  });
  afterAll(() => t.close());

  it('still reads every ticket exactly once', async () => {
    const tickets = await all(desk.listTickets({ pageSize: 50 }));
    expect(tickets).toHaveLength(300);
    expect(new Set(tickets.map((x) => x.id)).size).toBe(300);
  });

  it('adds each reply exactly once despite 429s, 500s and resets', async () => {
    const targets = (await all(desk.searchTickets('status<solved', { limit: 15 }))).map((x) => x.id);
    expect(targets.length).toBe(15);
    const failures: unknown[] = [];
    for (const id of targets) {
      try {
        await desk.updateTicket(id, { comment: { body: `Checking in on ticket ${id} (chaos run)`, public: true } });
      } catch (err) {
        failures.push(err);
      }
    }
    // Whatever failed is reported, never silently duplicated: count on the desk itself.
    let landed = 0;
    for (const id of targets) {
      const comments = await all(desk.listComments(id));
      const mine = comments.filter((c) => c.body === `Checking in on ticket ${id} (chaos run)`);
      expect(mine.length).toBeLessThanOrEqual(1);
      landed += mine.length;
    }
    expect(landed + failures.length).toBe(targets.length);
    expect(landed).toBeGreaterThanOrEqual(12);
  });

  it('creates with an idempotency key exactly once across retries', async () => {
    const key = 'chaos-create-1';
    const a = await desk.createTicket({ subject: 'Chaos create', comment: { body: 'hello' }, requester: { name: 'Chaos', email: 'chaos@example.com' } }, { idempotencyKey: key });
    const b = await desk.createTicket({ subject: 'Chaos create', comment: { body: 'hello' }, requester: { name: 'Chaos', email: 'chaos@example.com' } }, { idempotencyKey: key });
    expect(b.id).toBe(a.id);
  });
});
