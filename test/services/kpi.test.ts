/**
 * The KPI service against a real seeded desk in a temp home: the cache reads the incremental
 * export once, then only changes; an update on the desk shows up in the next run; the cached
 * numbers equal a straight read of the export; --no-cache, --refresh and a changed desk or
 * ingest rule start from scratch. Requests are counted with the client's logger.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHelpDesk } from '../../src/api/index.js';
import type { HelpDesk } from '../../src/api/helpdesk.js';
import { KpiComputation } from '../../src/core/kpi/compute.js';
import { previousWindow } from '../../src/core/kpi/period.js';
import { SLA_TARGET_MINUTES, toKpiMetricSet, toKpiTicket } from '../../src/core/kpi/rules.js';
import type { KpiMetricSet, KpiTicket, MetricId, Window } from '../../src/core/kpi/types.js';
import { seedDesk, startDesk, type RunningDesk } from '../../src/desk/index.js';
import { KpiTicketCache } from '../../src/services/kpi/cache.js';
import { parseCustomersCsv, readCustomersCsv } from '../../src/services/kpi/customers.js';
import { KpiSession, deskIdentity, kpiCachePath, resolveHandleTimeField } from '../../src/services/kpi/session.js';
import { replicaPath } from '../../src/services/replica/store.js';
import { SEED_NOW, seedClock } from '../desk/helpers.js';

const TICKETS = 300;
const DAY = 86_400;

let home: string;
let running: RunningDesk;
let desk: HelpDesk;
const requests: string[] = [];
const incremental = () => requests.filter((r) => r.includes('/incremental/tickets/cursor')).length;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'deskops-kpi-svc-'));
  await seedDesk({ home, tickets: TICKETS, seed: 3, now: SEED_NOW });
  // Not about limits: many sessions read the incremental export here, more than 10 a minute.
  running = await startDesk({ home, rateLimit: 100_000, endpointLimits: false, now: seedClock });
  desk = await createHelpDesk(
    { kind: 'local', url: running.url, auth: { type: 'basic-token', email: running.adminEmail, token: running.token }, profile: 'local' },
    { logger: (e) => requests.push(`${e.method} ${e.url}`), endpointLimits: [] },
  );
});
afterAll(async () => {
  await running.close();
  rmSync(home, { recursive: true, force: true });
});

// The seeded tickets, and anything the desk's clock (the same) stamps on an update in a test.
const nowS = () => Math.floor(seedClock().getTime() / 1000) + DAY;
const windowNow = (): Window => ({ from: Math.floor(SEED_NOW.getTime() / 1000) - 30 * DAY, to: nowS() });
const open = (over: Partial<Parameters<typeof KpiSession.open>[0]> = {}) =>
  KpiSession.open({ desk, home, now: () => new Date(nowS() * 1000), exportPageSize: 100, ...over });
const TICKET_METRICS: MetricId[] = ['aht', 'fcr', 'nps', 'ces', 'first_reply_time', 'resolution_time', 'complaints', 'backlog', 'sla_breach_rate', 'reopen_rate', 'created', 'solved'];

describe('the KPI ticket cache', () => {
  it('reads the whole export once, then only what changed since the saved cursor', async () => {
    requests.length = 0;
    const window = windowNow();
    const first = await open();
    const cold = await first.report({ metrics: ['created', 'backlog'], window, by: null });
    expect(cold.stats.sync).toEqual({ source: 'incremental', pages: 3, tickets: TICKETS, full: true, audits: 0 });
    expect(incremental()).toBe(3);
    expect(first.cache.count()).toBe(TICKETS);

    requests.length = 0;
    const warm = await first.report({ metrics: ['created', 'backlog'], window, by: null });
    expect(warm.stats.sync).toEqual({ source: 'incremental', pages: 1, tickets: 0, full: false, audits: 0 });
    expect(incremental()).toBe(1);
    expect(warm.report).toEqual(cold.report);
    first.close();

    // a new run (a new session on the same home) starts from the saved cursor
    requests.length = 0;
    const again = await open();
    const next = await again.report({ metrics: ['created', 'backlog'], window, by: null });
    expect(next.stats.sync.tickets).toBe(0);
    expect(incremental()).toBe(1);
    expect(next.report).toEqual(cold.report);
    again.close();
    // the rows are in the replica's file; no KPI cache file of its own
    expect(existsSync(replicaPath(home, 'local'))).toBe(true);
    expect(existsSync(kpiCachePath(home, 'local'))).toBe(false);
  });

  it('an update on the desk shows up in the next run, fetched alone', async () => {
    const session = await open();
    const window = windowNow();
    const before = await session.report({ metrics: ['backlog', 'solved'], window, by: null });
    const unsolved = [...session.cache.all()].find((r) => r.ticket.status === 'open' && r.ticket.createdAt < window.to)!;
    expect(unsolved).toBeDefined();
    await desk.updateTicket(unsolved.ticket.id, { status: 'solved', comment: { body: 'Sorted: the parcel was redelivered today.', public: true } });

    requests.length = 0;
    const after = await session.report({ metrics: ['backlog', 'solved'], window, by: null });
    expect(after.stats.sync.tickets).toBe(1);
    expect(incremental()).toBe(1);
    const metrics = (r: typeof before) => r.report.groups[0]!.metrics;
    expect(metrics(after).backlog!.value).toBe((metrics(before).backlog!.value as number) - 1);
    const row = [...session.cache.all()].find((r) => r.ticket.id === unsolved.ticket.id)!;
    expect(row.ticket.status).toBe('solved');
    expect(row.metrics!.solvedAt).not.toBeNull();
    session.close();
  });

  it('a warm run asks the desk for little: the export from its cursor, new ratings, no organizations', async () => {
    const all: MetricId[] = [...TICKET_METRICS, 'csat', 'churn_rate'];
    const session = await open();
    const window = windowNow();
    const cold = await session.report({ metrics: all, window, by: null });
    requests.length = 0;
    const warm = await session.report({ metrics: all, window, by: null });
    const asked = (path: string) => requests.filter((r) => r.includes(path)).length;
    expect(incremental()).toBe(1);
    expect(asked('/satisfaction_ratings')).toBe(1);
    expect(asked('/organizations')).toBe(0);
    expect(requests).toHaveLength(2);
    expect(warm.report).toEqual(cold.report);
    expect(typeof warm.report.groups[0]!.metrics.csat!.value).toBe('number');
    session.close();
  });

  it('keeps a few fields per ticket, never subjects, descriptions or comments', () => {
    const db = new Database(replicaPath(home, 'local'));
    try {
      const columns = (db.prepare('PRAGMA table_info(kpi_tickets)').all() as Array<{ name: string }>).map((c) => c.name);
      expect(columns).toContain('solved_at');
      expect(columns.length).toBeLessThanOrEqual(20);
      for (const c of columns) expect(c).not.toMatch(/subject|description|comment|body|requester|email/);
      expect((db.prepare("SELECT value FROM meta WHERE key = 'cursor'").get() as { value: string }).value).toMatch(/\S/);
    } finally {
      db.close();
    }
  });

  it('gives the same numbers as a straight read of the incremental export', async () => {
    const now = nowS();
    const window: Window = { from: Math.floor(SEED_NOW.getTime() / 1000) - 28 * DAY, to: now };
    const previous = previousWindow(window);
    const session = await open();
    const cached = (await session.report({ metrics: TICKET_METRICS, window, previous, by: 'group' })).report;
    const rules = { ...session.rules, now };
    session.close();

    const byId = new Map<number, [KpiTicket, KpiMetricSet | null]>();
    const ingest = { handleTimeFieldId: rules.handleTimeField?.id ?? null, complaintKeywords: ['complaint', 'unacceptable', 'third time'] };
    for await (const page of desk.incrementalTickets({ startTime: 0 }, { pageSize: 1000 })) {
      const ms = new Map(page.metric_sets.map((m) => [m.ticket_id, m]));
      for (const t of page.tickets) byId.set(t.id, [toKpiTicket(t, ingest), ms.has(t.id) ? toKpiMetricSet(ms.get(t.id)!) : null]);
    }
    const straight = new KpiComputation({ metrics: TICKET_METRICS, window, previous, by: 'group', rules });
    for (const [t, m] of byId.values()) straight.add(t, m);
    const groups = new Map((await desk.listGroups()).map((g) => [g.id, g.name]));
    expect(cached).toEqual(straight.finish({ groups }));
    expect(rules.handleTimeField).toEqual({ id: 9001, title: 'Total time spent (sec)' });
    expect(rules.slaTargetMinutes).toEqual(SLA_TARGET_MINUTES);
  });

  it('--no-cache reads everything afresh, leaves no file behind and agrees with the cache', async () => {
    const window = windowNow();
    const cached = await open();
    const a = await cached.report({ metrics: ['created', 'solved', 'backlog', 'csat'], window, by: 'channel' });
    cached.close();
    requests.length = 0;
    const off = await open({ cache: 'off' });
    const tempPath = off.cache.path;
    const b = await off.report({ metrics: ['created', 'solved', 'backlog', 'csat'], window, by: 'channel' });
    off.close();
    expect(b.stats.sync.full).toBe(true);
    expect(b.stats.sync.tickets).toBeGreaterThanOrEqual(TICKETS);
    expect(b.report).toEqual(a.report);
    expect(tempPath.startsWith(home)).toBe(false);
    expect(existsSync(tempPath)).toBe(false);
  });

  it('resumes an interrupted cold read from the cursor of the last page it saved, not from the start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskops-kpi-resume-'));
    try {
      const path = join(dir, 'kpi.sqlite');
      const ingest = { handleTimeFieldId: null, complaintKeywords: ['complaint'] };
      // The first read dies after its first page (a kill, a network cut, Ctrl-C).
      const dying: Parameters<KpiTicketCache['sync']>[0] = {
        ...desk,
        async *incrementalTickets(from, options) {
          let pages = 0;
          for await (const page of desk.incrementalTickets(from, options)) {
            yield page;
            if (++pages === 1) throw new Error('connection lost');
          }
        },
        exportSearchTickets: desk.exportSearchTickets.bind(desk),
        getTickets: desk.getTickets.bind(desk),
      };
      const first = KpiTicketCache.open({ path, identity: 'resume', ingest });
      await expect(first.sync(dying, { pageSize: 100 })).rejects.toThrow('connection lost');
      expect(first.count()).toBe(100);
      first.close();

      requests.length = 0;
      const second = KpiTicketCache.open({ path, identity: 'resume', ingest });
      const stats = await second.sync(desk, { pageSize: 100 });
      expect(stats).toMatchObject({ source: 'incremental', full: false, pages: 2, tickets: TICKETS - 100 });
      expect(requests.filter((r) => r.includes('start_time='))).toEqual([]);
      expect(second.count()).toBe(TICKETS);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts again for --refresh, another desk, other complaint keywords, or a cursor the desk refuses', async () => {
    const path = kpiCachePath(home, 'local');
    const identity = deskIdentity(desk.connection);
    const ingest = { handleTimeFieldId: 9001, complaintKeywords: ['complaint', 'unacceptable', 'third time'] };

    // (Request Tracker's cache: other desks keep the rows in the replica's file)
    const filled = KpiTicketCache.open({ path, identity, ingest });
    await filled.sync(desk);
    filled.close();
    const same = KpiTicketCache.open({ path, identity, ingest });
    expect(same.resetReason).toBeUndefined();
    expect(same.count()).toBeGreaterThan(0);
    same.close();

    const other = KpiTicketCache.open({ path, identity: `${identity}-elsewhere`, ingest });
    expect(other.resetReason).toBe('the profile points at another desk');
    expect(other.count()).toBe(0);
    await other.sync(desk);
    other.close();

    const keywords = KpiTicketCache.open({ path, identity: `${identity}-elsewhere`, ingest: { ...ingest, complaintKeywords: ['refund'] } });
    expect(keywords.resetReason).toBe('the time-tracking field or complaint keywords changed');
    await keywords.sync(desk);
    keywords.close();

    const refreshed = KpiTicketCache.open({ path, identity, ingest, refresh: true });
    expect(refreshed.resetReason).toBe('refresh asked for');
    expect(refreshed.count()).toBe(0);
    refreshed.close();

    // a cursor the desk no longer accepts: read from the beginning again
    const db = new Database(path);
    db.prepare("INSERT INTO meta (key, value) VALUES ('cursor', 'not-a-cursor') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
    db.close();
    const stale = KpiTicketCache.open({ path, identity, ingest });
    const stats = await stale.sync(desk);
    expect(stats.full).toBe(true);
    expect(stale.count()).toBe(TICKETS);
    stale.close();
  });

  it('the local desk is known by its agent and token, not its port; a remote desk by its URL', () => {
    const local = deskIdentity(desk.connection);
    expect(local).not.toContain(String(running.port));
    expect(local).not.toContain(running.token);
    expect(deskIdentity({ ...desk.connection, url: 'http://127.0.0.1:1' })).toBe(local);
    const remote = deskIdentity({ kind: 'zendesk', url: 'https://acme.zendesk.com', profile: 'acme', auth: { type: 'basic-token', email: 'a@acme.com', token: 't' } });
    expect(remote).toBe('acme zendesk https://acme.zendesk.com a@acme.com');
    expect(kpiCachePath('/h', 'acme/../x')).toBe('/h/cache/kpi-acme_.._x.sqlite');
  });
});

describe('churn sources', () => {
  it('reads the organizations of the desk', async () => {
    const session = await open();
    const { report, stats } = await session.report({ metrics: ['churn_rate'], window: windowNow(), by: null });
    session.close();
    expect(stats.customers).toBeGreaterThanOrEqual(40);
    const churn = report.groups[0]!.metrics.churn_rate!;
    expect(churn.n).toBeGreaterThan(0);
    expect(typeof churn.value).toBe('number');
  });

  it('or a customers CSV, with FILE:LINE for every problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskops-kpi-csv-'));
    try {
      const file = join(dir, 'customers.csv');
      writeFileSync(file, '\ufeffID,Name,active_from,churned_at,plan\n1,Acme,2025-01-01,,pro\n2,Globex,2025-02-01,2026-11-10,\n\n3,Initech,,2026-11-02T08:00:00Z,\n');
      const customers = await readCustomersCsv(file);
      expect(customers.map((c) => [c.id, c.name, c.churnedAt])).toEqual([
        ['1', 'Acme', null],
        ['2', 'Globex', Date.parse('2026-11-10T00:00:00Z') / 1000],
        ['3', 'Initech', Date.parse('2026-11-02T08:00:00Z') / 1000],
      ]);
      const session = await open({ customersFile: file });
      const w = { from: Date.parse('2026-11-01T00:00:00Z') / 1000, to: Date.parse('2026-12-01T00:00:00Z') / 1000 };
      const { report } = await session.report({ metrics: ['churn_rate'], window: w, by: null });
      session.close();
      expect(report.groups[0]!.metrics.churn_rate).toEqual({ value: 66.7, unit: '%', n: 3 });

      await expect(readCustomersCsv(join(dir, 'missing.csv'))).rejects.toThrow(/cannot read .*missing\.csv: no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = (text: string) => parseCustomersCsv(text, 'c.csv');
    await expect(bad('id,active_from\n1,2025-01-01\n2,2025-13-01\n')).rejects.toThrow('c.csv:3: active_from "2025-13-01" is not a date (use YYYY-MM-DD)');
    await expect(bad('id,churned_at\n1,\n2,yesterday\n')).rejects.toThrow('c.csv:3: churned_at "yesterday" is not a date');
    await expect(bad('customer,active_from\nacme,2025-01-01\n')).rejects.toThrow('c.csv:1: needs an "id" or "name" column (found: customer, active_from)');
    await expect(bad('id,name\n1,a\n2,b\n1,c\n')).rejects.toThrow('c.csv:4: customer "1" is listed twice (first on line 2)');
    await expect(bad('id,name\n1,a\n2,b,extra\n')).rejects.toThrow(/^c\.csv:3: Invalid Record Length/);
    await expect(bad('id,name\n1,"a\n')).rejects.toThrow(/^c\.csv:2: Quote Not Closed/);
    await expect(bad('id,active_from,churned_at\n1,2026-02-01,2026-01-01\n')).rejects.toThrow('c.csv:2: churned_at is before active_from');
    await expect(bad('')).rejects.toThrow('c.csv:1: no customers');
  });
});

describe('the time-tracking field', () => {
  it('is found by title, or taken from the setting', async () => {
    expect(await resolveHandleTimeField(desk, undefined)).toEqual({ id: 9001, title: 'Total time spent (sec)' });
    expect(await resolveHandleTimeField(desk, '9002')).toEqual({ id: 9002, title: 'Time spent last update (sec)' });
    expect(await resolveHandleTimeField({ listTicketFields: async () => [] }, undefined)).toBeNull();
  });
});
