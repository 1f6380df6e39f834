/**
 * The KPI rows in the replica's file (services/kpi/replica-store.ts) against a real seeded
 * desk: an interrupted sync resumes from the page last committed, KPI rows included; new
 * ingest rules reduce the rows again from the stored tickets without a request; a deletion
 * the export reports takes the ticket's KPI row with it; an agent's rows (search export and
 * show_many) equal an admin's. Requests are counted with the client's logger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import type { Ticket } from '../../src/core/model.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { MISSING_CHECKS, ReplicaKpiStore } from '../../src/services/kpi/replica-store.js';
import { TicketReplica } from '../../src/services/replica/store.js';
import { EXPORT_EVERY_S, syncReplica } from '../../src/services/replica/sync.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';

const TICKETS = 300;
let home: string;
let running: RunningDesk;
let admin: HelpDesk;
let agent: HelpDesk;
const requests: string[] = [];
const ingest = { handleTimeFieldId: 9001, complaintKeywords: ['complaint'] };
const now = () => seedClock();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'deskops-kpi-replica-svc-'));
  await seedDesk({ home, tickets: TICKETS, seed: 6, now: SEED_NOW });
  running = await startDesk({ home, rateLimit: 100_000, endpointLimits: false, now: seedClock });
  const options = { logger: (e: { method: string; url: string }) => requests.push(`${e.method} ${e.url}`), endpointLimits: [] };
  admin = await createHelpDesk({ kind: 'local', url: running.url, auth: { type: 'basic-token', email: running.adminEmail, token: running.token }, profile: 'local' }, options);
  agent = await createHelpDesk({ kind: 'local', url: running.url, auth: { type: 'basic-token', email: running.email, token: running.token }, profile: 'local' }, options);
});
afterAll(async () => {
  await running.close();
  rmSync(home, { recursive: true, force: true });
});

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deskops-kpi-replica-file-'));
  path = join(dir, 'replica.sqlite');
  requests.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (over: Partial<Parameters<typeof ReplicaKpiStore.open>[0]> = {}) => ReplicaKpiStore.open({ path, identity: 'test', ingest, ...over });
const rowsOf = (store: ReplicaKpiStore) => new Map([...store.all()].map((r) => [r.ticket.id, r]));

/** The desk, whose incremental export fails after `n` pages (a connection lost mid-sync). */
const dyingAfter = (desk: HelpDesk, n: number): HelpDesk =>
  Object.create(desk, {
    incrementalTickets: {
      value: async function* (from: Parameters<HelpDesk['incrementalTickets']>[0], options: Parameters<HelpDesk['incrementalTickets']>[1]) {
        let pages = 0;
        for await (const page of desk.incrementalTickets(from, options)) {
          yield page;
          if (++pages === n) throw new Error('connection lost');
        }
      },
    },
  }) as HelpDesk;

describe('KPI rows in the replica', () => {
  it('an interrupted sync resumes from the cursor of the last page committed, with that page\'s KPI rows', async () => {
    const dying = dyingAfter(admin, 1);
    const first = open();
    await expect(first.sync(dying, { now, pageSize: 100 })).rejects.toThrow('connection lost');
    expect(first.count()).toBe(100);
    first.close();

    requests.length = 0;
    const second = open();
    const stats = await second.sync(admin, { now, pageSize: 100 });
    expect(stats).toMatchObject({ source: 'incremental', full: false, pages: 2, tickets: TICKETS - 100 });
    expect(requests.filter((r) => r.includes('start_time='))).toEqual([]);
    // the first page's rows were committed with it: no metric set read again
    expect(requests.filter((r) => r.includes('show_many'))).toEqual([]);
    expect(second.count()).toBe(TICKETS);
    second.close();
  });

  it('new ingest rules reduce the rows again from the stored tickets, without a request', async () => {
    const store = open();
    await store.sync(admin, { now });
    const before = rowsOf(store);
    store.close();
    expect([...before.values()].some((r) => r.ticket.handleSeconds !== null)).toBe(true);

    requests.length = 0;
    const other = open({ ingest: { handleTimeFieldId: null, complaintKeywords: ['refund', 'complaint'] } });
    expect(other.resetReason).toBe('the time-tracking field or complaint keywords changed');
    const after = rowsOf(other);
    other.close();
    expect(requests).toEqual([]);
    expect(after.size).toBe(before.size);
    for (const [id, row] of after) {
      expect(row.ticket.handleSeconds, `ticket ${id}`).toBeNull();
      expect(row.metrics, `ticket ${id}`).toEqual(before.get(id)!.metrics);
    }
  });

  it('a deletion the export reports takes the ticket\'s KPI row with it, after a copy earlier in the same page', async () => {
    const store = open();
    await store.sync(admin, { now });
    const gone = [...store.all()][0]!.ticket.id;
    const copy = await admin.getTicket(gone);
    const deleting: HelpDesk = Object.create(admin, {
      incrementalTickets: {
        value: async function* (from: Parameters<HelpDesk['incrementalTickets']>[0], options: Parameters<HelpDesk['incrementalTickets']>[1]) {
          for await (const page of admin.incrementalTickets(from, options)) {
            const deletion = { id: gone, status: 'deleted', updated_at: now().toISOString() } as unknown as Ticket;
            yield { ...page, tickets: [...page.tickets, { ...copy, updated_at: now().toISOString() }, deletion] };
          }
        },
      },
    }) as HelpDesk;
    await store.sync(deleting, { now });
    expect(store.count()).toBe(TICKETS - 1);
    expect(rowsOf(store).has(gone)).toBe(false);
    store.close();
  });

  it('tickets another reader synced without metric sets are read with show_many, 100 a request, or with the export again when cheaper', async () => {
    // what queue does: the replica's sync without the metric sets
    const queueSync = async (file: string) => {
      const replica = TicketReplica.open({ path: file, identity: 'test' });
      await syncReplica(admin, replica, { now, pageSize: 100 });
      replica.close();
    };
    await queueSync(path);
    requests.length = 0;
    const store = open();
    // every row missing: 3 show_many requests, where the export again is 3 pages of 100 and the end
    const stats = await store.sync(admin, { now, pageSize: 100 });
    expect(stats).toMatchObject({ full: false, tickets: 0 });
    expect(requests.filter((r) => r.includes('/tickets/show_many'))).toHaveLength(3);
    expect(requests.filter((r) => r.includes('/incremental/'))).toHaveLength(1);
    expect(store.metricSetsRead).toBe(TICKETS);
    expect(store.count()).toBe(TICKETS);
    const rows = rowsOf(store);
    store.close();

    // with pages of 1,000 the export again (1 request) costs less than show_many (3)
    const other = join(dir, 'other.sqlite');
    await queueSync(other);
    requests.length = 0;
    const again = ReplicaKpiStore.open({ path: other, identity: 'test', ingest });
    const restarted = await again.sync(admin, { now });
    expect(restarted).toMatchObject({ full: true, tickets: TICKETS });
    expect(requests.filter((r) => r.includes('/tickets/show_many'))).toEqual([]);
    expect(requests.filter((r) => r.includes('start_time=0'))).toHaveLength(1);
    expect(rowsOf(again)).toEqual(rows);
    again.close();
  });

  it('a ticket show_many leaves out is dropped only when its own page says it is gone; a few are asked a sync, the rest wait', async () => {
    // what queue does: the replica's sync without the metric sets (every KPI row missing)
    const replica = TicketReplica.open({ path, identity: 'test' });
    await syncReplica(admin, replica, { now, pageSize: 100 });
    // a ticket deleted on the desk since: show_many leaves it out and its page answers 404
    const deleted = 999_999;
    const held = (await admin.getTicket(1)) as Ticket;
    replica.putTickets([{ ...held, id: deleted, updated_at: new Date(Date.parse(held.updated_at) + 1000).toISOString() }]);
    const ids = replica.ticketsAfter({}, 0, TICKETS, 'lean').map((t) => t.id);
    replica.close();
    // and tickets show_many leaves out although they exist (as an archived ticket may be)
    const leftOut = new Set(ids.slice(0, MISSING_CHECKS + 5));
    const omitting: HelpDesk = Object.create(admin, {
      getTickets: { value: async (wanted: number[], options: Parameters<HelpDesk['getTickets']>[1]) => (await admin.getTickets(wanted, options)).filter((t) => !leftOut.has(t.id)) },
    }) as HelpDesk;

    requests.length = 0;
    const store = open();
    await store.sync(omitting, { now, pageSize: 100 });
    const gets = () => requests.filter((r) => /\/tickets\/\d+(\.json)?(\?|$)/.test(r));
    // the deleted one's id sorts last: this sync's checks all go to those left out
    expect(gets()).toHaveLength(MISSING_CHECKS);
    const rows = rowsOf(store);
    for (const id of ids.slice(0, MISSING_CHECKS)) expect(rows.has(id), `ticket ${id}`).toBe(true);
    // not asked yet: kept in the replica, without a row, for the next sync
    const heldNow = () => {
      const r = TicketReplica.open({ path, identity: 'test' });
      try {
        return r.count();
      } finally {
        r.close();
      }
    };
    expect(heldNow()).toBe(TICKETS + 1);
    expect(rows.size).toBe(TICKETS - 5);
    for (const id of ids.slice(MISSING_CHECKS, MISSING_CHECKS + 5)) expect(rows.has(id), `ticket ${id}`).toBe(false);

    requests.length = 0;
    await store.sync(omitting, { now, pageSize: 100 });
    // the five left and the deleted one are asked now: the five kept, the deleted one dropped
    expect(gets()).toHaveLength(6);
    expect(heldNow()).toBe(TICKETS);
    expect(rowsOf(store).size).toBe(TICKETS);
    expect(rowsOf(store).has(deleted)).toBe(false);
    store.close();
  });

  it('an agent\'s rows (search export, show_many) equal an admin\'s', async () => {
    const byAdmin = open();
    await byAdmin.sync(admin, { now });
    const a = rowsOf(byAdmin);
    byAdmin.close();
    const agentPath = join(dir, 'agent.sqlite');
    const notices: string[] = [];
    const byAgent = ReplicaKpiStore.open({ path: agentPath, identity: 'agent', ingest });
    const stats = await byAgent.sync(agent, { now, onNotice: (m) => notices.push(m) });
    expect(stats.source).toBe('search');
    expect(notices.join('\n')).toMatch(/incremental export needs an admin; kpi reads the search export/);
    const b = rowsOf(byAgent);
    byAgent.close();
    expect(b.size).toBe(a.size);
    for (const [id, row] of a) expect({ ...b.get(id)!.ticket, rating: null }, `ticket ${id}`).toEqual({ ...row.ticket, rating: null });
    for (const [id, row] of a) expect(b.get(id)!.metrics, `ticket ${id}`).toEqual(row.metrics);
  });
  it('a read from the start that was interrupted goes on from its cursor, not from zero again', async () => {
    // its own desk: a read from the start is chosen when show_many would cost more than the
    // export (1,000 stale tickets: 10 show_many against 4 pages of 250)
    const bigHome = mkdtempSync(join(tmpdir(), 'deskops-kpi-from-start-'));
    await seedDesk({ home: bigHome, tickets: 1000, seed: 6, now: SEED_NOW });
    const big = await startDesk({ home: bigHome, rateLimit: 100_000, endpointLimits: false, now: seedClock });
    try {
      const log: string[] = [];
      const desk = await createHelpDesk(
        { kind: 'local', url: big.url, auth: { type: 'basic-token', email: big.adminEmail, token: big.token }, profile: 'local' },
        { logger: (e: { method: string; url: string }) => log.push(`${e.method} ${e.url}`), endpointLimits: [] },
      );
      // another reader (queue) fills the replica without metric sets: every ticket is stale
      const replica = TicketReplica.open({ path, identity: 'test' });
      await syncReplica(desk, replica, { now, pageSize: 250 });
      replica.close();
      const first = open();
      await expect(first.sync(dyingAfter(desk, 1), { now, pageSize: 250 })).rejects.toThrow('connection lost');
      expect(first.count()).toBe(250);
      first.close();
      log.length = 0;
      const second = open();
      await second.sync(desk, { now, pageSize: 250 });
      const exports = log.filter((r) => r.includes('/incremental/tickets'));
      expect(exports.filter((r) => r.includes('start_time='))).toEqual([]);
      expect(exports).toHaveLength(3);
      expect(log.filter((r) => r.includes('show_many'))).toEqual([]);
      expect(second.count()).toBe(1000);
      second.close();
    } finally {
      await big.close();
      rmSync(bigHome, { recursive: true, force: true });
    }
  });
  it('a score changed on an old rating counts from its ticket on a read from the start, once the ratings were listed', async () => {
    let store = open();
    await store.syncRatings(admin);
    await store.sync(admin, { now, pageSize: 300 });
    const rated = [...store.all()].find((r) => r.ticket.rating?.score === 'good')!;
    expect(rated).toBeDefined();
    store.close();
    // every ticket changed on the desk an hour later (read by another reader without metric
    // sets, so the next kpi reads the export from the start); the rated one's customer now says bad
    const bump = (t: Ticket): Ticket => ({
      ...t,
      updated_at: new Date(Date.parse(t.updated_at) + 3_600_000).toISOString(),
      ...(t.id === rated.ticket.id ? { satisfaction_rating: { ...(t.satisfaction_rating ?? {}), score: 'bad' } } : {}),
    }) as Ticket;
    const changed: HelpDesk = Object.create(admin, {
      incrementalTickets: {
        value: async function* (_from: Parameters<HelpDesk['incrementalTickets']>[0], options: Parameters<HelpDesk['incrementalTickets']>[1]) {
          for await (const page of admin.incrementalTickets({ startTime: 0 }, options)) yield { ...page, tickets: page.tickets.map(bump) };
        },
      },
    }) as HelpDesk;
    const replica = TicketReplica.open({ path, identity: 'test' });
    // (past EXPORT_EVERY_S: that reader reads the export, not the live list)
    await syncReplica(changed, replica, { now: () => new Date(now().getTime() + (EXPORT_EVERY_S + 1) * 1000), pageSize: 300 });
    replica.close();
    store = open();
    const stats = await store.sync(changed, { now, pageSize: 300 });
    expect(stats.full).toBe(true);
    expect([...store.all()].find((r) => r.ticket.id === rated.ticket.id)!.ticket.rating?.score).toBe('bad');
    store.close();
  });
});
