/**
 * The cached ratings and organizations, with a scripted desk for what the embedded desk
 * cannot do (a customer answering a survey): each fake method is the only one the cache may
 * call, and a test checks every scripted answer was asked for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncrementalTicketPage } from '../../src/api/types.js';
import type { Organization, SatisfactionRating, Ticket, TicketAudit } from '../../src/core/model.js';
import { KpiTicketCache } from '../../src/services/kpi/cache.js';
import { ORGANIZATIONS_TTL_S } from '../../src/services/kpi/listings.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const ingest = { handleTimeFieldId: 9001, complaintKeywords: ['complaint'] };

function ticket(id: number, updated: string, over: Partial<Ticket> = {}): Ticket {
  return {
    id, subject: 'Where is my order?', description: 'It has not arrived', status: 'solved', priority: 'normal', type: null,
    requester_id: 2001, assignee_id: 1001, group_id: 201, organization_id: null, tags: [], custom_fields: [],
    via: { channel: 'email' }, created_at: '2026-11-01T09:00:00Z', updated_at: updated, ...over,
  };
}

function rating(ticketId: number, score: SatisfactionRating['score'], created: string, updated = created): SatisfactionRating {
  return { id: ticketId + 500_000, ticket_id: ticketId, score, requester_id: 2001, assignee_id: 1001, group_id: 201, created_at: created, updated_at: updated };
}

/** A desk that answers each call with the next scripted answer. */
function scriptedDesk(script: { pages?: IncrementalTicketPage[][]; ratings?: SatisfactionRating[][]; organizations?: Organization[][] }) {
  const calls = { incremental: [] as unknown[], ratings: [] as unknown[], organizations: 0 };
  return {
    calls,
    left: () => (script.pages?.length ?? 0) + (script.ratings?.length ?? 0) + (script.organizations?.length ?? 0),
    async *incrementalTickets(from: { startTime: number } | { cursor: string }) {
      calls.incremental.push(from);
      const pages = script.pages?.shift();
      if (!pages) throw new Error('unexpected incremental export');
      yield* pages;
    },
    async *listSatisfactionRatings(options?: { startTime?: number }) {
      calls.ratings.push(options ?? {});
      const list = script.ratings?.shift();
      if (!list) throw new Error('unexpected ratings listing');
      yield* list;
    },
    async *listOrganizations() {
      calls.organizations++;
      const list = script.organizations?.shift();
      if (!list) throw new Error('unexpected organizations listing');
      yield* list;
    },
    // An admin's desk: the incremental export answers, so the search export is never read.
    exportSearchTickets(): AsyncIterable<Ticket> {
      throw new Error('unexpected search export');
    },
    getTickets(): Promise<Ticket[]> {
      throw new Error('unexpected show_many');
    },
    // No ticket here carries deskops' marker tags, so no audit is read.
    listAudits(): AsyncIterable<TicketAudit> {
      throw new Error('unexpected audits listing');
    },
  };
}

const page = (tickets: Ticket[], cursor: string): IncrementalTicketPage => ({ tickets, metric_sets: [], after_cursor: cursor, end_of_stream: true });

let dir: string;
let cache: KpiTicketCache;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deskops-kpi-cache-'));
  cache = KpiTicketCache.open({ path: join(dir, 'kpi.sqlite'), identity: 'test', ingest });
});
afterEach(() => {
  cache.close();
  rmSync(dir, { recursive: true, force: true });
});

const ratingOf = (id: number) => [...cache.all()].find((r) => r.ticket.id === id)?.ticket.rating;

describe('cached satisfaction ratings', () => {
  it('lists all ratings once, then only those created since the newest one listed (less an hour)', async () => {
    const desk = scriptedDesk({
      pages: [[page([ticket(1, '2026-11-03T10:00:00Z'), ticket(2, '2026-11-03T10:00:00Z'), ticket(3, '2026-11-03T10:00:00Z')], 'c1')]],
      ratings: [
        [rating(1, 'good', '2026-11-02T10:00:00Z'), rating(2, 'offered', '2026-11-04T08:00:00Z')],
        [rating(3, 'bad', '2026-11-05T10:00:00Z')],
      ],
    });
    await cache.sync(desk);
    expect(await cache.syncRatings(desk)).toBe(2);
    expect(desk.calls.ratings[0]).toEqual({});
    expect(ratingOf(1)).toEqual({ score: 'good', at: at('2026-11-02T10:00:00Z') });
    expect(ratingOf(2)).toBeNull(); // offered is not an answer
    expect(await cache.syncRatings(desk)).toBe(1);
    expect(desk.calls.ratings[1]).toEqual({ startTime: at('2026-11-04T08:00:00Z') - 3600 });
    expect(ratingOf(3)).toEqual({ score: 'bad', at: at('2026-11-05T10:00:00Z') });
    expect(desk.left()).toBe(0);
  });

  it('a survey sent long ago and answered now comes with the ticket, dated by its update until the list says exactly', async () => {
    const desk = scriptedDesk({
      pages: [
        [page([ticket(1, '2026-11-03T10:00:00Z', { satisfaction_rating: { score: 'offered' } })], 'c1')],
        [page([ticket(1, '2026-11-10T10:00:00Z', { satisfaction_rating: { score: 'good' } })], 'c2')],
        [page([ticket(1, '2026-11-12T10:00:00Z', { satisfaction_rating: { score: 'good' }, tags: ['thanks'] })], 'c3')],
      ],
      ratings: [[], [rating(1, 'good', '2026-11-04T00:00:00Z', '2026-11-09T18:00:00Z')]],
    });
    await cache.sync(desk); // full read: ratings come from the list
    await cache.syncRatings(desk);
    expect(ratingOf(1)).toBeNull();
    await cache.sync(desk); // the customer answered: the ticket changed
    expect(desk.calls.incremental[1]).toEqual({ cursor: 'c1' });
    expect(ratingOf(1)).toEqual({ score: 'good', at: at('2026-11-10T10:00:00Z') });
    await cache.syncRatings(desk); // the list has the exact time
    expect(ratingOf(1)).toEqual({ score: 'good', at: at('2026-11-09T18:00:00Z') });
    await cache.sync(desk); // a later update with the same score keeps the rating's time
    expect(ratingOf(1)).toEqual({ score: 'good', at: at('2026-11-09T18:00:00Z') });
    expect(desk.left()).toBe(0);
  });

  it('a deleted ticket leaves the cache', async () => {
    const desk = scriptedDesk({
      pages: [
        [page([ticket(1, '2026-11-03T10:00:00Z'), ticket(2, '2026-11-03T10:00:00Z')], 'c1')],
        [page([ticket(2, '2026-11-04T10:00:00Z', { status: 'deleted' as Ticket['status'] })], 'c2')],
      ],
    });
    await cache.sync(desk);
    await cache.sync(desk);
    expect([...cache.all()].map((r) => r.ticket.id)).toEqual([1]);
  });
});

describe('cached organizations', () => {
  const org = (id: number, churnedAt: string | null): Organization => ({
    id, name: `Org ${id}`, tags: [], organization_fields: { churned_at: churnedAt }, created_at: '2025-01-01T00:00:00Z', updated_at: '2026-11-01T00:00:00Z',
  });

  it('are listed again only when the cached list is an hour old', async () => {
    const desk = scriptedDesk({ organizations: [[org(1, null), org(2, '2026-11-02')], [org(1, '2026-11-20')]] });
    const t0 = new Date('2026-11-20T10:00:00Z');
    const read = async (now: Date) => {
      const out = [];
      for await (const c of cache.organizations(desk, () => now)) out.push([c.id, c.churnedAt]);
      return out;
    };
    expect(await read(t0)).toEqual([['1', null], ['2', at('2026-11-02T00:00:00Z')]]);
    expect(await read(new Date(t0.getTime() + (ORGANIZATIONS_TTL_S - 1) * 1000))).toHaveLength(2);
    expect(desk.calls.organizations).toBe(1);
    expect(await read(new Date(t0.getTime() + ORGANIZATIONS_TTL_S * 1000))).toEqual([['1', at('2026-11-20T00:00:00Z')]]);
    expect(desk.calls.organizations).toBe(2);
    expect(desk.left()).toBe(0);
  });
});
