/**
 * The KPI rows kept in the ticket replica's file (services/replica/kpi-tables.ts), for desks
 * the replica serves (Request Tracker keeps cache.ts's own file). One file, one sync, one
 * cursor: `sync` brings the replica up to date with the replica's own sync (so a `queue` after
 * a `kpi` run, and the other way round, reads only what changed), then reduces what kpi needs.
 *
 *  - As an admin the incremental export is asked for the metric sets too; each page's KPI rows
 *    commit in the page's transaction, with the tickets and the cursor past them.
 *  - Each KPI row records the ticket version (updated_at) its metric set was read at. The
 *    stored tickets whose row is missing or older (another command synced them without metric
 *    sets; an agent's search export never has them) are read again with show_many
 *    include=metric_sets, 100 a request, and reduced: O(changed / 100) requests. When that
 *    would cost more than reading the whole incremental export again (1,000 a request), the
 *    export is read from the start with the metric sets instead.
 *  - A ticket the desk deletes goes from the replica, its KPI row with it (store.ts); one
 *    show_many no longer returns is dropped likewise.
 *  - The ingest fingerprint (time-tracking field, complaint keywords) is kept in the meta
 *    table; when it changes, the rows' ticket columns are reduced again from the stored whole
 *    tickets (no request: the metric sets do not depend on it).
 *
 * Satisfaction ratings and organizations-as-customers are listed as in cache.ts (listings.ts
 * serves both), into kpi_ratings and kpi_customers.
 */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Ticket, TicketMetric } from '../../core/model.js';
import { ConfigError, NotFoundError, PermissionError } from '../../core/errors.js';
import { complaintMatcher, ingestFingerprint, toKpiMetricSet, toKpiTicket, type IngestRules } from '../../core/kpi/rules.js';
import type { KpiCustomer, KpiMetricSet, Window } from '../../core/kpi/types.js';
import { DROP_KPI_TABLES, KPI_TABLES } from '../replica/kpi-tables.js';
import { TicketReplica } from '../replica/store.js';
import { syncReplica } from '../replica/sync.js';
import { COLUMNS, fromRow, rowValues, withoutOwnTrafficOf, type CachedTicket, type Row, type SyncStats } from './cache.js';
import { organizations, syncRatings, type KpiTables } from './listings.js';

/** Bumped when the KPI tables change: the rows are read again (the replica's tickets stay). */
export const KPI_TABLES_SCHEMA = '1';
/** Ids a show_many request takes (Zendesk's maximum). */
const SHOW_MANY_IDS = 100;
/** Tickets an incremental export page holds (Zendesk's maximum). */
const EXPORT_PAGE = 1000;
/** Ids read with show_many between writes (the adapter sends their requests a few at a time). */
const METRIC_BATCH = 1000;
/**
 * Tickets show_many left out that a sync asks for one by one (a GET each): a 404 or 403 there
 * drops the ticket, a ticket found there is kept. The rest wait for the next sync.
 */
export const MISSING_CHECKS = 20;

export type KpiSyncDesk = Pick<HelpDesk, 'kind' | 'incrementalTickets' | 'exportSearchTickets' | 'listTickets' | 'getTickets' | 'getTicket' | 'listAudits'>;

export interface KpiStoreSyncOptions {
  now: () => Date;
  onProgress?: (tickets: number) => void;
  onNotice?: (message: string) => void;
  /** Tickets per incremental export page (default and Zendesk's maximum: 1000). */
  pageSize?: number;
}

export interface OpenKpiStoreOptions {
  /** The replica's file (replica/store.ts replicaPath), or a throwaway one (`--no-cache`). */
  path: string;
  identity: string;
  ingest: IngestRules;
  /** Start from an empty replica (`kpi --refresh`). */
  fresh?: boolean;
}

export class ReplicaKpiStore {
  readonly path: string;
  /** Why the KPI rows were reduced again or emptied on open, if they were. */
  readonly resetReason: string | undefined;
  /** Tickets whose metric sets the last sync read with show_many. */
  metricSetsRead = 0;
  readonly #replica: TicketReplica;
  readonly #ingest: IngestRules;
  readonly #matches: (text: string) => boolean;

  private constructor(replica: TicketReplica, ingest: IngestRules, resetReason: string | undefined) {
    this.#replica = replica;
    this.path = replica.path;
    this.#ingest = ingest;
    this.#matches = complaintMatcher(ingest.complaintKeywords);
    this.resetReason = resetReason;
  }

  static open(options: OpenKpiStoreOptions): ReplicaKpiStore {
    let replica: TicketReplica;
    try {
      replica = TicketReplica.open({ path: options.path, identity: options.identity, fresh: options.fresh });
    } catch (err) {
      if (err instanceof ConfigError && /is damaged/.test(err.message)) {
        throw new ConfigError(err.message, { hint: 'rebuild it with `deskops kpi --refresh` (it is read again from the desk)' });
      }
      throw err;
    }
    try {
      const fingerprint = ingestFingerprint(options.ingest);
      let reason: string | undefined;
      const db = replica.database;
      replica.transaction(() => {
        if (replica.meta('kpi_schema') !== KPI_TABLES_SCHEMA) {
          if (replica.meta('kpi_schema') !== undefined) reason = 'the cache format changed';
          db.exec(`${DROP_KPI_TABLES} ${KPI_TABLES} DELETE FROM meta WHERE key LIKE 'kpi\\_%' ESCAPE '\\';`);
          replica.setMeta('kpi_schema', KPI_TABLES_SCHEMA);
        }
        const held = replica.meta('kpi_ingest');
        if (held !== undefined && held !== fingerprint) {
          reason = 'the time-tracking field or complaint keywords changed';
          reduceAgain(replica, options.ingest);
        }
        replica.setMeta('kpi_ingest', fingerprint);
      });
      return new ReplicaKpiStore(replica, options.ingest, reason);
    } catch (err) {
      replica.close();
      throw err;
    }
  }

  count(): number {
    return (this.#replica.database.prepare('SELECT count(*) AS n FROM kpi_tickets').get() as { n: number }).n;
  }

  /**
   * Brings the replica up to date (its own sync, the metric sets asked for with the
   * incremental export), then reads the metric sets of the stored tickets whose KPI row is
   * missing or older than the ticket.
   */
  async sync(desk: KpiSyncDesk, options: KpiStoreSyncOptions): Promise<SyncStats> {
    const replica = this.#replica;
    this.metricSetsRead = 0;
    const audits = { audits: 0 };
    // Held tickets without a current KPI row: when reading their metric sets costs more than
    // the whole export, the export is read again from the start, with them.
    const stale = this.#staleIds().length;
    const total = replica.count();
    // A read from the start that was interrupted goes on from its cursor: decided again, the
    // tickets its pages had not reached yet would still be stale and send it back to zero.
    const resuming = replica.meta('kpi_from_start') !== undefined;
    const fromStart =
      !resuming &&
      replica.meta('source') !== 'search' &&
      replica.meta('cursor') !== undefined &&
      Math.ceil(stale / SHOW_MANY_IDS) > Math.ceil(total / (options.pageSize ?? EXPORT_PAGE)) + 1;
    if (fromStart) {
      replica.transaction(() => {
        replica.setMeta('cursor', undefined);
        replica.setMeta('kpi_from_start', '1');
      });
    }
    const replicaStats = await syncReplica(desk, replica, {
      now: options.now,
      onProgress: options.onProgress,
      pageSize: options.pageSize,
      metricSets: true,
      onIncrementalPage: async (page, full) => {
        const metrics = new Map(page.metric_sets.map((m) => [m.ticket_id, m]));
        const corrected = await withoutOwnTrafficOf(desk, page.tickets, metrics, audits);
        // The first, full read takes every rating's own time from the ratings list. Once the
        // ratings have been listed, later listings give only new ones: a score changed on an
        // older rating is seen on its ticket, whatever the read (from the start too).
        const ratingsFromTickets = !full || replica.meta('kpi_ratings_listed_at') !== undefined;
        return () => this.#writeRows(page.tickets, metrics, corrected, ratingsFromTickets);
      },
    });
    // read to the end: the next run decides afresh
    if (resuming || fromStart) replica.setMeta('kpi_from_start', undefined);
    if (replicaStats.source === 'search') {
      options.onNotice?.(
        "the incremental export needs an admin; kpi reads the search export and the changed tickets' metrics instead " +
          '(1 request per 100 changed tickets): a deleted ticket goes at the daily full read, and a rating counts at its ticket\'s last update',
      );
    }
    // The ratings list gives every rating its own time once it has been listed; until then (an
    // admin's first csat) and for agents, a new good/bad score counts at its ticket's update.
    const ratingsFromTickets = replicaStats.source === 'search' || replica.meta('kpi_ratings_listed_at') !== undefined;
    const ids = this.#staleIds();
    let checks = MISSING_CHECKS;
    for (let i = 0; i < ids.length; i += METRIC_BATCH) {
      const batch = ids.slice(i, i + METRIC_BATCH);
      const fresh = await desk.getTickets(batch, { include: ['metric_sets'] });
      const returned = new Set(fresh.map((t) => t.id));
      // Left out by show_many: deleted, or out of the user's sight, if the ticket's own page
      // says so too (show_many may leave out tickets that still exist, archived ones say);
      // those not asked yet stay as they are, for the next sync.
      const missing = batch.filter((id) => !returned.has(id));
      const gone: Ticket[] = [];
      for (const id of missing.slice(0, Math.max(0, checks))) {
        checks--;
        try {
          fresh.push(await desk.getTicket(id, { include: ['metric_sets'] }));
        } catch (err) {
          if (!(err instanceof NotFoundError || err instanceof PermissionError)) throw err;
          gone.push({ id, status: 'deleted' } as unknown as Ticket);
        }
      }
      const metrics = new Map<number, TicketMetric>();
      for (const t of fresh) if (t.metric_set) metrics.set(t.id, t.metric_set);
      const corrected = await withoutOwnTrafficOf(desk, fresh, metrics, audits);
      replica.transaction(() => {
        replica.putTickets([...fresh, ...gone]);
        this.#writeRows(fresh, metrics, corrected, ratingsFromTickets);
      });
      this.metricSetsRead += fresh.length;
    }
    return { source: replicaStats.source, pages: replicaStats.pages, tickets: replicaStats.read, full: replicaStats.full, audits: audits.audits };
  }

  /** The ids of stored tickets whose KPI row is missing or older than the ticket. */
  #staleIds(): number[] {
    const rows = this.#replica.database
      .prepare('SELECT t.id FROM tickets t LEFT JOIN kpi_tickets k ON k.id = t.id WHERE k.id IS NULL OR k.version_ms < t.updated_ms ORDER BY t.id')
      .all() as Array<{ id: number }>;
    return rows.map((r) => r.id);
  }

  /**
   * The KPI rows of tickets as read with their metric sets (each over an older row only). A
   * good/bad score not seen before is recorded as given at the ticket's update when
   * `ratingsFromTickets`. Runs inside the caller's transaction.
   */
  #writeRows(tickets: readonly Ticket[], metrics: ReadonlyMap<number, TicketMetric>, corrected: ReadonlyMap<number, KpiMetricSet>, ratingsFromTickets: boolean): void {
    const db = this.#replica.database;
    // the rows go ROWS_A_STATEMENT a statement (a statement a row costs the driver more than the writing)
    const rows: unknown[] = [];
    const remove = db.prepare('DELETE FROM kpi_tickets WHERE id = ?');
    const ratingOf = db.prepare('SELECT score FROM kpi_ratings WHERE ticket_id = ?');
    const putRating = db.prepare(
      `INSERT INTO kpi_ratings (ticket_id, score, at, exact) VALUES (?, ?, ?, 0)
       ON CONFLICT (ticket_id) DO UPDATE SET score = excluded.score, at = excluded.at, exact = 0`,
    );
    for (const t of tickets) {
      if ((t.status as string) === 'deleted') {
        // the replica removed it and its row; a copy earlier in the page is not written back
        this.#replica.writeRows(KPI_UPSERT, KPI_WIDTH, rows.splice(0));
        remove.run([t.id]);
        continue;
      }
      const m = metrics.get(t.id);
      const ticket = toKpiTicket(t, this.#ingest, this.#matches);
      rows.push(versionMs(t), ...rowValues(ticket, corrected.get(t.id) ?? (m ? toKpiMetricSet(m) : null)));
      const score = t.satisfaction_rating?.score;
      if (ratingsFromTickets && (score === 'good' || score === 'bad')) {
        const known = ratingOf.get([t.id]) as { score: string } | undefined;
        if (known?.score !== score) putRating.run([t.id, score, ticket.updatedAt]);
      }
    }
    this.#replica.writeRows(KPI_UPSERT, KPI_WIDTH, rows);
  }

  /**
   * The tickets that can count in a report over `range`: created before its end, and changed
   * since its start or still unsolved.
   */
  *rows(range: Window): Generator<CachedTicket> {
    const stmt = this.#replica.database.prepare(`${SELECT_ROWS} WHERE t.created_at < ? AND (t.updated_at >= ? OR t.solved_at IS NULL)`);
    for (const row of stmt.iterate([range.to, range.from]) as Iterable<Row>) yield fromRow(row);
  }

  *all(): Generator<CachedTicket> {
    const stmt = this.#replica.database.prepare(SELECT_ROWS);
    for (const row of stmt.iterate() as Iterable<Row>) yield fromRow(row);
  }

  /**
   * Brings the stored satisfaction ratings up to date: every rating the first time, then those
   * created since the last listing (good and bad only; the latest per ticket).
   */
  syncRatings(desk: Pick<HelpDesk, 'listSatisfactionRatings'>): Promise<number> {
    return syncRatings(this.#tables(), desk);
  }

  /** The desk's organizations as customers: stored when listed less than an hour ago, else listed again. */
  organizations(desk: Pick<HelpDesk, 'listOrganizations'>, now: () => Date): AsyncGenerator<KpiCustomer> {
    return organizations(this.#tables(), desk, now);
  }

  /** The replica's KPI tables (prefix and meta keys `kpi_`) for the listings. */
  #tables(): KpiTables {
    const replica = this.#replica;
    return {
      db: replica.database,
      prefix: 'kpi_',
      meta: (key) => replica.meta(key),
      setMeta: (key, value) => replica.setMeta(key, value),
      transaction: (fn) => replica.transaction(fn),
    };
  }

  close(): void {
    this.#replica.close();
  }
}

/** A KPI row over an older one only (its version: the ticket's update, versionMs). */
const KPI_UPSERT = `INSERT INTO kpi_tickets (version_ms, ${COLUMNS.join(', ')}) VALUES {values}
  ON CONFLICT (id) DO UPDATE SET version_ms = excluded.version_ms, ${COLUMNS.slice(1).map((c) => `${c} = excluded.${c}`).join(', ')}
  WHERE excluded.version_ms >= kpi_tickets.version_ms`;
const KPI_WIDTH = COLUMNS.length + 1;
const SELECT_ROWS = `SELECT ${COLUMNS.map((c) => `t.${c}`).join(', ')}, r.score AS rating_score, r.at AS rating_at
  FROM kpi_tickets t LEFT JOIN kpi_ratings r ON r.ticket_id = t.id`;

/** A ticket's version as the replica stores it (updated_ms). */
function versionMs(t: Ticket): number {
  const parsed = Date.parse(t.updated_at);
  return Number.isFinite(parsed) ? parsed : 0;
}

/** The KPI rows' ticket columns reduced again from the stored whole tickets (new ingest rules); the metric columns stay. */
function reduceAgain(replica: TicketReplica, ingest: IngestRules): void {
  const db = replica.database;
  const matches = complaintMatcher(ingest.complaintKeywords);
  const page = db.prepare('SELECT k.id, j.json FROM kpi_tickets k JOIN ticket_json j ON j.id = k.id WHERE k.id > ? ORDER BY k.id LIMIT 1000');
  const ticketColumns = COLUMNS.slice(1, 11); // created_at .. complaint_text
  const update = db.prepare(`UPDATE kpi_tickets SET ${ticketColumns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`);
  for (let after = 0; ; ) {
    const rows = page.all([after]) as Array<{ id: number; json: string }>;
    if (rows.length === 0) break;
    for (const r of rows) {
      const values = rowValues(toKpiTicket(JSON.parse(r.json) as Ticket, ingest, matches), null).slice(1, 11);
      update.run([...values, r.id]);
    }
    after = rows[rows.length - 1]!.id;
  }
}
