/**
 * The KPI ticket cache of a desk the ticket replica does not serve (Request Tracker; other
 * desks keep their KPI rows in the replica's file: replica-store.ts, which shares this file's
 * row form, COLUMNS, rowValues, fromRow and withoutOwnTrafficOf).
 *
 * One SQLite file per profile (<home>/cache/kpi-<profile>.sqlite, WAL)
 * holding, per ticket, only the fields the metrics read (core/kpi/types.ts KpiTicket and
 * KpiMetricSet) and the incremental export cursor. `sync` reads the desk's incremental export
 * from that cursor page by page and upserts, so a run after the first fetches only the tickets
 * changed since; `rows` iterates the cache for the computation without loading it whole.
 *
 * Satisfaction ratings are cached too (good/bad per ticket and when it was given): the first
 * time all of them are listed, later only those created since the last listing, and a ticket
 * that comes through the export with a new good/bad score records it at its update time (a
 * survey sent long ago and answered now). Organizations, for churn, are listed again when the
 * cached list is older than an hour.
 *
 * An agent may not read the incremental export (Zendesk answers 403: it is for admins). Then
 * the cache fills from the search export instead: tickets updated since the newest update
 * read last time, less SEARCH_OVERLAP_S for search's index lag, each page of ids read again
 * with show_many for their metric sets (two requests per 100 changed tickets). What that
 * loses: deleted tickets are not seen (they stay until `kpi --refresh`), and a rating's time
 * is its ticket's last update (the ratings list is for admins too).
 *
 * The file remembers which desk it was read from (identity) and how tickets were reduced
 * (ingest fingerprint: the time-tracking field, the complaint keywords); when either differs,
 * or the schema changed, it starts again from an empty cache.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import type { HelpDesk, IncrementalTicketPage } from '../../api/helpdesk.js';
import type { Ticket, TicketAudit, TicketMetric } from '../../core/model.js';
import { DEFAULT_CALENDAR, businessMsBetween } from '../../core/business-hours.js';
import { touchedByDeskops, withoutOwnTraffic } from '../../core/kpi/own-traffic.js';
import { mapLimit } from '../map-limit.js';
import { ApiError, ConfigError, PermissionError, databaseFiles, isDamagedDatabase } from '../../core/errors.js';
import { isoSeconds } from '../../core/time.js';
import { SEARCH_LAG_BOUND_S } from '../recent.js';
import { complaintMatcher, ingestFingerprint, toKpiMetricSet, toKpiTicket, unixOf, type IngestRules } from '../../core/kpi/rules.js';
import type { KpiCustomer, KpiMetricSet, KpiTicket, Window } from '../../core/kpi/types.js';
import { kpiTablesSql } from '../replica/kpi-tables.js';
import { organizations, syncRatings, type KpiTables } from './listings.js';

type Db = InstanceType<typeof Database>;

/** Bumped when the table changes: an older cache is rebuilt. */
export const KPI_CACHE_SCHEMA = '3';
/** Tickets per incremental export page (Zendesk's maximum). */
export const EXPORT_PAGE_SIZE = 1000;
/** Search export reads start this long before the newest update read last time: search's index lag. */
export const SEARCH_OVERLAP_S = SEARCH_LAG_BOUND_S;
/** How often a cache that fell back to the search export asks the incremental export again. */
const SOURCE_RECHECK_S = 86_400;
/** Tickets per search export page, as Zendesk recommends (large pages can time out). */
export const SEARCH_EXPORT_PAGE = 100;

/** Tickets whose audits are read at once when deskops' own traffic is taken out. */
const OWN_TRAFFIC_CONCURRENCY = 4;

/** Business minutes as the desk counts them (its schedule is core's default calendar). */
const deskBusinessMinutes = (from: number, to: number) => (to <= from ? 0 : Math.round(businessMsBetween(from * 1000, to * 1000, DEFAULT_CALENDAR) / 60_000));

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);${kpiTablesSql('', false)}`;

/** The reduced ticket row's columns (the replica's kpi_tickets has these and the version read). */
export const COLUMNS = [
  'id', 'created_at', 'updated_at', 'status', 'priority', 'channel', 'assignee_id', 'group_id', 'tags',
  'handle_seconds', 'complaint_text', 'has_metrics', 'solved_at', 'replies', 'reopens',
  'reply_calendar', 'reply_business', 'resolution_calendar', 'resolution_business',
] as const;

export interface Row {
  rating_score: string | null;
  rating_at: number | null;
  id: number;
  created_at: number;
  updated_at: number;
  status: string;
  priority: string | null;
  channel: string;
  assignee_id: number | null;
  group_id: number | null;
  tags: string;
  handle_seconds: number | null;
  complaint_text: number;
  has_metrics: number;
  solved_at: number | null;
  replies: number | null;
  reopens: number | null;
  reply_calendar: number | null;
  reply_business: number | null;
  resolution_calendar: number | null;
  resolution_business: number | null;
}

export interface CachedTicket {
  ticket: KpiTicket;
  metrics: KpiMetricSet | null;
}

export interface SyncStats {
  /** Where the changes came from: the incremental export, or (for agents) the search export. */
  source: 'incremental' | 'search';
  /** Export pages read. */
  pages: number;
  /** Tickets in those pages (a ticket changed twice during the read comes twice). */
  tickets: number;
  /** True when the read started from the beginning (empty cache). */
  full: boolean;
  /** Tickets whose audits were read to take deskops' own traffic out of their metrics. */
  audits: number;
}

export interface SyncOptions {
  onProgress?: (tickets: number) => void;
  /** Said once per sync when the cache falls back to the search export. */
  onNotice?: (message: string) => void;
  now?: () => Date;
  /** Tickets per export page (default and Zendesk's maximum: 1000). */
  pageSize?: number;
}

export interface OpenCacheOptions {
  path: string;
  /** Which desk the cache belongs to (profile, URL, agent). */
  identity: string;
  ingest: IngestRules;
  /** Start from an empty cache whatever it holds (`kpi --refresh`). */
  refresh?: boolean;
}

export class KpiTicketCache {
  readonly path: string;
  /** Why the cache was emptied on open, if it was. */
  readonly resetReason: string | undefined;
  readonly #db: Db;
  readonly #ingest: IngestRules;
  readonly #matches: (text: string) => boolean;

  private constructor(db: Db, path: string, ingest: IngestRules, resetReason: string | undefined) {
    this.#db = db;
    this.path = path;
    this.#ingest = ingest;
    this.#matches = complaintMatcher(ingest.complaintKeywords);
    this.resetReason = resetReason;
  }

  static open(options: OpenCacheOptions): KpiTicketCache {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    const db = new Database(options.path, { timeout: 5 });
    try {
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
      try {
        chmodSync(options.path, 0o600);
      } catch {
        // not fatal: the directory is 0700
      }
      db.exec(SCHEMA);
      const meta = (key: string) => (db.prepare('SELECT value FROM meta WHERE key = ?').get([key]) as { value: string } | undefined)?.value;
      const fingerprint = ingestFingerprint(options.ingest);
      let reason: string | undefined;
      const schema = meta('schema');
      if (options.refresh) reason = 'refresh asked for';
      else if (schema !== undefined && schema !== KPI_CACHE_SCHEMA) reason = 'the cache format changed';
      else if (meta('identity') !== undefined && meta('identity') !== options.identity) reason = 'the profile points at another desk';
      else if (meta('ingest') !== undefined && meta('ingest') !== fingerprint) reason = 'the time-tracking field or complaint keywords changed';
      const hadData = meta('cursor') !== undefined || meta('search_since') !== undefined;
      if (reason !== undefined || schema === undefined) {
        db.exec('DROP TABLE IF EXISTS tickets; DROP TABLE IF EXISTS ratings; DROP TABLE IF EXISTS customers; DELETE FROM meta;');
        db.exec(SCHEMA);
      }
      const set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      set.run(['schema', KPI_CACHE_SCHEMA]);
      set.run(['identity', options.identity]);
      set.run(['ingest', fingerprint]);
      return new KpiTicketCache(db, options.path, options.ingest, hadData ? reason : undefined);
    } catch (err) {
      db.close();
      if (!isDamagedDatabase(err)) throw err;
      // A cache holds nothing that cannot be read again: --refresh rebuilds a damaged one.
      if (options.refresh) {
        for (const file of databaseFiles(options.path)) rmSync(file, { force: true });
        return KpiTicketCache.open(options);
      }
      throw new ConfigError(`the KPI cache ${options.path} is damaged (${err instanceof Error ? err.message : String(err)})`, {
        hint: 'rebuild it with `deskops kpi --refresh` (it is read again from the desk)',
      });
    }
  }

  /** The incremental export cursor the next sync starts from, if any. */
  cursor(): string | undefined {
    return this.#meta('cursor');
  }

  /** When the cache last finished a sync (ISO), if ever. */
  syncedAt(): string | undefined {
    return this.#meta('synced_at');
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM tickets').get() as { n: number }).n;
  }

  /**
   * Reads the desk's changes since the cursor (everything, the first time) and upserts them,
   * one transaction per page, the cursor saved with each page so an interrupted read resumes.
   * A cursor the desk no longer accepts starts the read again from the beginning.
   */
  async sync(desk: Pick<HelpDesk, 'incrementalTickets' | 'exportSearchTickets' | 'getTickets' | 'listAudits'>, options: SyncOptions = {}): Promise<SyncStats> {
    const nowS = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
    // An agent's cache reads the search export; once a day it asks the incremental export
    // again, in case the user has become an admin.
    const askedAt = Number(this.#meta('source_checked_at') ?? 0);
    if (this.#meta('source') !== 'search' || nowS - askedAt > SOURCE_RECHECK_S) {
      const cursor = this.cursor();
      try {
        return await this.#read(desk, cursor === undefined ? { startTime: 0 } : { cursor }, options);
      } catch (err) {
        if (err instanceof PermissionError) {
          // Remembered: later runs go straight to the search export (`--refresh` asks again).
          this.#setMeta('source', 'search');
          this.#setMeta('source_checked_at', String(nowS));
        } else if (cursor !== undefined && err instanceof ApiError && (err.status === 400 || err.status === 422)) {
          this.#clear();
          return this.#read(desk, { startTime: 0 }, options);
        } else {
          throw err;
        }
      }
    }
    options.onNotice?.(
      'the incremental export needs an admin; kpi reads the search export and the tickets\' metrics instead ' +
        '(2 requests per 100 changed tickets): deleted tickets are not seen until `kpi --refresh`, and a rating counts at its ticket\'s last update',
    );
    return this.#readSearch(desk, options);
  }

  /**
   * Writes tickets as read (with their metric sets), removing deleted ones. A good/bad score
   * the cache has not seen is recorded as given at (about) the ticket's update, unless the
   * ratings list gives every rating its own time (`ratingsFromTickets` false).
   */
  #ticketWriter(
    ratingsFromTickets: boolean,
  ): (tickets: readonly Ticket[], metrics: ReadonlyMap<number, TicketMetric>, corrected: ReadonlyMap<number, KpiMetricSet>) => void {
    const upsert = this.#db.prepare(
      `INSERT INTO tickets (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    const remove = this.#db.prepare('DELETE FROM tickets WHERE id = ?');
    const ratingOf = this.#db.prepare('SELECT score FROM ratings WHERE ticket_id = ?');
    const putRating = this.#db.prepare(
      `INSERT INTO ratings (ticket_id, score, at, exact) VALUES (?, ?, ?, 0)
       ON CONFLICT (ticket_id) DO UPDATE SET score = excluded.score, at = excluded.at, exact = 0`,
    );
    return (tickets, metrics, corrected) => {
      for (const t of tickets) {
        if ((t.status as string) === 'deleted') {
          remove.run([t.id]);
          continue;
        }
        const m = metrics.get(t.id);
        const ticket = toKpiTicket(t, this.#ingest, this.#matches);
        upsert.run(rowValues(ticket, corrected.get(t.id) ?? (m ? toKpiMetricSet(m) : null)));
        const score = t.satisfaction_rating?.score;
        if (ratingsFromTickets && (score === 'good' || score === 'bad')) {
          const known = ratingOf.get([t.id]) as { score: string } | undefined;
          if (known?.score !== score) putRating.run([t.id, score, ticket.updatedAt]);
        }
      }
    };
  }

  async #read(desk: Pick<HelpDesk, 'incrementalTickets' | 'listAudits'>, from: { startTime: number } | { cursor: string }, options: SyncOptions): Promise<SyncStats> {
    const full = 'startTime' in from;
    this.#setMeta('source', 'incremental');
    // The first, full read takes every rating's own time from the ratings list.
    const writeTickets = this.#ticketWriter(!full);
    const setMeta = this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    const writePage = this.#db.transaction((page: IncrementalTicketPage, metrics: Map<number, TicketMetric>, corrected: Map<number, KpiMetricSet>) => {
      writeTickets(page.tickets, metrics, corrected);
      if (page.after_cursor) setMeta.run(['cursor', page.after_cursor]);
    });
    const stats: SyncStats = { source: 'incremental', pages: 0, tickets: 0, full, audits: 0 };
    for await (const page of desk.incrementalTickets(from, { pageSize: options.pageSize ?? EXPORT_PAGE_SIZE })) {
      const metrics = new Map(page.metric_sets.map((m) => [m.ticket_id, m]));
      writePage(page, metrics, await withoutOwnTrafficOf(desk, page.tickets, metrics, stats));
      stats.pages++;
      stats.tickets += page.tickets.length;
      options.onProgress?.(stats.tickets);
    }
    setMeta.run(['synced_at', (options.now?.() ?? new Date()).toISOString()]);
    return stats;
  }

  /**
   * The search export's way (for agents): the ids of tickets updated since the last read (less
   * the index-lag overlap), read again 100 at a time with show_many for their metric sets. The
   * newest update read is saved at the end; an interrupted read starts again from the last.
   */
  async #readSearch(desk: Pick<HelpDesk, 'exportSearchTickets' | 'getTickets' | 'listAudits'>, options: SyncOptions): Promise<SyncStats> {
    const since = this.#meta('search_since');
    const full = since === undefined;
    let newest = full ? 0 : Number(since);
    const from = Math.max(0, newest - SEARCH_OVERLAP_S);
    // The ratings list is for admins too: a rating counts at its ticket's update.
    const writeTickets = this.#ticketWriter(true);
    const write = this.#db.transaction((tickets: Ticket[], metrics: Map<number, TicketMetric>, corrected: Map<number, KpiMetricSet>) => {
      writeTickets(tickets, metrics, corrected);
    });
    const stats: SyncStats = { source: 'search', pages: 0, tickets: 0, full, audits: 0 };
    let ids: number[] = [];
    const flush = async () => {
      if (ids.length === 0) return;
      const fresh = await desk.getTickets(ids, { include: ['metric_sets'] });
      ids = [];
      const metrics = new Map<number, TicketMetric>();
      for (const t of fresh) if (t.metric_set) metrics.set(t.id, t.metric_set);
      write(fresh, metrics, await withoutOwnTrafficOf(desk, fresh, metrics, stats));
      stats.pages++;
      stats.tickets += fresh.length;
      options.onProgress?.(stats.tickets);
    };
    for await (const t of desk.exportSearchTickets(`updated>=${isoSeconds(from)}`, { pageSize: SEARCH_EXPORT_PAGE })) {
      ids.push(t.id);
      newest = Math.max(newest, unixOf(t.updated_at) ?? 0);
      if (ids.length >= SEARCH_EXPORT_PAGE) await flush();
    }
    await flush();
    this.#setMeta('search_since', String(newest));
    this.#setMeta('synced_at', (options.now?.() ?? new Date()).toISOString());
    return stats;
  }

  /**
   * The cached tickets that can count in a report over `range`: created before its end, and
   * changed since its start or still unsolved (a ticket touched by anything in the range was
   * updated then or later; the backlog needs the unsolved ones).
   */
  *rows(range: Window): Generator<CachedTicket> {
    const stmt = this.#db.prepare(
      `${SELECT_ROWS} WHERE t.created_at < ? AND (t.updated_at >= ? OR t.solved_at IS NULL)`,
    );
    for (const row of stmt.iterate([range.to, range.from]) as Iterable<Row>) yield fromRow(row);
  }

  /** Every cached ticket. */
  *all(): Generator<CachedTicket> {
    const stmt = this.#db.prepare(SELECT_ROWS);
    for (const row of stmt.iterate() as Iterable<Row>) yield fromRow(row);
  }

  /**
   * Brings the cached satisfaction ratings up to date: every rating the first time, then those
   * created since the last listing (good and bad only; the latest per ticket).
   */
  syncRatings(desk: Pick<HelpDesk, 'listSatisfactionRatings'>): Promise<number> {
    return syncRatings(this.#tables(), desk);
  }

  /**
   * The desk's organizations as customers: from the cache when listed less than an hour ago,
   * else listed again (and cached).
   */
  organizations(desk: Pick<HelpDesk, 'listOrganizations'>, now: () => Date = () => new Date()): AsyncGenerator<KpiCustomer> {
    return organizations(this.#tables(), desk, now);
  }

  /** The cache's KPI tables (no prefix) for the listings. */
  #tables(): KpiTables {
    return {
      db: this.#db,
      prefix: '',
      meta: (key) => this.#meta(key),
      setMeta: (key, value) => this.#setMeta(key, value),
      transaction: (fn) => this.#db.transaction(fn)(),
    };
  }

  close(): void {
    this.#db.close();
  }

  #meta(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM meta WHERE key = ?').get([key]) as { value: string } | undefined)?.value;
  }

  #setMeta(key: string, value: string): void {
    this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run([key, value]);
  }

  #clear(): void {
    this.#db.exec("DELETE FROM tickets; DELETE FROM ratings; DELETE FROM meta WHERE key IN ('cursor', 'search_since', 'source', 'source_checked_at', 'synced_at', 'ratings_listed_at');");
  }
}

const SELECT_ROWS = `SELECT ${COLUMNS.map((c) => `t.${c}`).join(', ')}, r.score AS rating_score, r.at AS rating_at
  FROM tickets t LEFT JOIN ratings r ON r.ticket_id = t.id`;

export function rowValues(t: KpiTicket, m: KpiMetricSet | null): unknown[] {
  return [
    t.id, t.createdAt, t.updatedAt, t.status, t.priority, t.channel, t.assigneeId, t.groupId, t.tags.join(' '),
    t.handleSeconds, t.complaintText ? 1 : 0, m ? 1 : 0, m?.solvedAt ?? null, m?.replies ?? null, m?.reopens ?? null,
    m?.firstReplyMinutes.calendar ?? null, m?.firstReplyMinutes.business ?? null,
    m?.resolutionMinutes.calendar ?? null, m?.resolutionMinutes.business ?? null,
  ];
}

export function fromRow(r: Row): CachedTicket {
  return {
    ticket: {
      id: r.id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      status: r.status,
      priority: r.priority,
      channel: r.channel,
      assigneeId: r.assignee_id,
      groupId: r.group_id,
      tags: r.tags === '' ? [] : r.tags.split(' '),
      handleSeconds: r.handle_seconds,
      complaintText: r.complaint_text === 1,
      rating: r.rating_score === 'good' || r.rating_score === 'bad' ? { score: r.rating_score, at: r.rating_at! } : null,
    },
    metrics: r.has_metrics
      ? {
          solvedAt: r.solved_at,
          replies: r.replies ?? 0,
          reopens: r.reopens ?? 0,
          firstReplyMinutes: { calendar: r.reply_calendar, business: r.reply_business },
          resolutionMinutes: { calendar: r.resolution_calendar, business: r.resolution_business },
        }
      : null,
  };
}

/**
 * The metric sets of the tickets deskops wrote to (a survey, a sweep message: their marker
 * tags say so), without deskops' own traffic (core/kpi/own-traffic.ts): their audits are read,
 * OWN_TRAFFIC_CONCURRENCY at a time, one request per 100 audits. Other tickets keep the desk's.
 * `stats.audits` counts the tickets whose audits were read.
 */
export async function withoutOwnTrafficOf(
  desk: Pick<HelpDesk, 'listAudits'>,
  tickets: readonly Ticket[],
  metrics: ReadonlyMap<number, TicketMetric>,
  stats: { audits: number },
): Promise<Map<number, KpiMetricSet>> {
  const out = new Map<number, KpiMetricSet>();
  const todo = tickets.filter((t) => metrics.has(t.id) && (t.status as string) !== 'deleted' && touchedByDeskops(t.tags ?? []));
  await mapLimit(todo, OWN_TRAFFIC_CONCURRENCY, async (t) => {
    const audits: TicketAudit[] = [];
    for await (const a of desk.listAudits(t.id)) audits.push(a);
    stats.audits++;
    const { metrics: fixed } = withoutOwnTraffic({
      metrics: toKpiMetricSet(metrics.get(t.id)!),
      createdAt: unixOf(t.created_at) ?? 0,
      status: t.status,
      requesterId: t.requester_id ?? null,
      audits,
      businessMinutes: deskBusinessMinutes,
    });
    out.set(t.id, fixed);
  });
  return out;
}
