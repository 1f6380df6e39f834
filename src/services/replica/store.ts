/**
 * The ticket replica: one SQLite file per profile (<home>/cache/replica-<profile>.sqlite, WAL)
 * holding the desk's tickets as the desk sent them, and what was read
 * about them at a given version (updated_at): SLA targets and metric sets (show_many
 * sideloads), the requester's latest message (the thread), and the people, groups and
 * organizations the lists name. Reads (queue, triage's refresh, ticket list) come from here;
 * sync.ts brings it up to date with what changed. Writes never go through it: they go to the
 * desk as safe updates, so a stale copy cannot overwrite anyone's change.
 *
 * A copy is replaced only by one at least as new (updated_at), so a lagging search result
 * never undoes a newer copy read live. Each page of a sync is one transaction with the sync
 * state it advances (the incremental export cursor), so an interrupted sync resumes from the
 * last page committed, and what it read about a ticket stays valid while its version does.
 *
 * The seam for other readers (sweeps, surveys): `tickets(where)` streams the stored
 * tickets, `syncState()` says how fresh they are. See ReplicaReader. The KPI rows are tables
 * of this file too (kpi-tables.ts: created and dropped with these; a deleted ticket takes its
 * row), written by services/kpi/replica-store.ts through `database`.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'libsql';
import type { Group, Organization, Ticket, TicketMetric, User } from '../../core/model.js';
import { ConfigError, databaseFiles, isDamagedDatabase } from '../../core/errors.js';
import { TEXT_SIGNALS_VERSION, URGENCY_FEATURES_VERSION, ticketTextSignals, type TextSignals, type UrgencyFeatures } from '../../core/urgency.js';
import { DROP_KPI_TABLES, KPI_TABLES } from './kpi-tables.js';

type Db = InstanceType<typeof Database>;

/** Bumped when the tables change: an older replica is read again from the desk. */
export const REPLICA_SCHEMA = '7';

// The whole tickets (ticket_json) are kept apart from what ranking and lists read (tickets):
// a read of every lean copy then walks a few hundred dense pages, not a page per ticket.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tickets (
  id INTEGER PRIMARY KEY,
  updated_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  assignee_id INTEGER,
  group_id INTEGER,
  -- [leanTicket, its text signals or 0] (leanColumn)
  lean TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ticket_json (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tickets_status ON tickets (status, updated_ms);
-- lean: [ticket_id, updated_at, leanSideloads], as readAbout hands them on
CREATE TABLE IF NOT EXISTS sideloads (ticket_id INTEGER PRIMARY KEY, updated_at TEXT NOT NULL, lean TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facts (ticket_id INTEGER PRIMARY KEY, updated_at TEXT NOT NULL, json TEXT NOT NULL);
-- what an unsolved ticket's score depends on at a version (core/urgency UrgencyFeatures, as JSON):
-- a queue reads these for the whole view, and whole tickets only for those that can reach its top
CREATE TABLE IF NOT EXISTS rank (ticket_id INTEGER PRIMARY KEY, updated_ms INTEGER NOT NULL, features TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
-- vip: 1 when the organization counts as VIP for urgency (services/queue isVipOrganization)
CREATE TABLE IF NOT EXISTS organizations (id INTEGER PRIMARY KEY, read_s INTEGER NOT NULL, vip INTEGER NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS groups (id INTEGER PRIMARY KEY, json TEXT NOT NULL);
${KPI_TABLES}`;

/** The replica's file for a profile. */
export function replicaPath(home: string, profile: string): string {
  return join(home, 'cache', `replica-${profile.replace(/[^A-Za-z0-9_.-]/g, '_')}.sqlite`);
}

export interface OpenReplicaOptions {
  path: string;
  /** Which desk the replica belongs to (services/desk-identity deskIdentity). */
  identity: string;
  /** Start empty whatever it holds (`--fresh`). */
  fresh?: boolean;
}

/** Which tickets `tickets()` streams. */
export interface TicketWhere {
  /** Only these statuses (default: all). */
  statuses?: readonly string[];
  /** Newest change first (default: by id). */
  newestFirst?: boolean;
  /** Only this assignee's (null: the unassigned). */
  assigneeId?: number | null;
  /** Only this group's (null: those in no group). */
  groupId?: number | null;
}

/** What a reader elsewhere (KPI, sweeps, surveys) may use: the tickets and how fresh they are. */
export interface ReplicaReader {
  tickets(where?: TicketWhere): Generator<Ticket>;
  count(where?: TicketWhere): number;
  syncState(): { syncedAt: string | undefined; source: string | undefined };
}

export class TicketReplica implements ReplicaReader {
  readonly path: string;
  readonly #db: Db;
  readonly #prepared = new Map<string, ReturnType<Db['prepare']>>();
  #inTransaction = false;

  private constructor(db: Db, path: string) {
    this.#db = db;
    this.path = path;
  }

  static open(options: OpenReplicaOptions): TicketReplica {
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
    let db: Db;
    try {
      db = new Database(options.path, { timeout: 5 });
    } catch (err) {
      throw damaged(options.path, err);
    }
    try {
      // Two processes of one profile (two terminals) may open it at once: wait for each other.
      db.exec('PRAGMA busy_timeout = 5000;');
      // Switching a new file to WAL takes it whole, and SQLite does not wait for that: retry.
      for (let attempt = 1; ; attempt++) {
        try {
          db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
          break;
        } catch (err) {
          if (attempt >= 50 || !/locked|busy/i.test(err instanceof Error ? err.message : String(err))) throw err;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.floor(Math.random() * 30));
        }
      }
      try {
        chmodSync(options.path, 0o600);
      } catch {
        // not fatal: the directory is 0700
      }
      // Checked and set up under the write lock, so two first opens do not both start over.
      db.transaction(() => {
        db.exec(SCHEMA);
        const meta = (key: string) => (db.prepare('SELECT value FROM meta WHERE key = ?').get([key]) as { value: string } | undefined)?.value;
        if (options.fresh || meta('schema') !== REPLICA_SCHEMA || meta('identity') !== options.identity) {
          db.exec(
            'DROP TABLE IF EXISTS tickets; DROP TABLE IF EXISTS ticket_json; DROP TABLE IF EXISTS sideloads; DROP TABLE IF EXISTS facts; DROP TABLE IF EXISTS rank; DROP TABLE IF EXISTS users; ' +
              `DROP TABLE IF EXISTS organizations; DROP TABLE IF EXISTS groups; ${DROP_KPI_TABLES} DELETE FROM meta;`,
          );
          db.exec(SCHEMA);
        }
        const set = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
        set.run(['schema', REPLICA_SCHEMA]);
        set.run(['identity', options.identity]);
        // What is derived from the stored tickets (the lean form, the text signals) is derived
        // again here when the code that derives it changed: no request to the desk.
        if (meta('derived') !== DERIVED_VERSION) {
          rederive(db);
          set.run(['derived', DERIVED_VERSION]);
        }
      }).immediate();
      return new TicketReplica(db, options.path);
    } catch (err) {
      db.close();
      if (!isDamagedDatabase(err)) throw err;
      // It holds nothing that cannot be read again: --fresh starts a new one.
      if (options.fresh) {
        for (const file of databaseFiles(options.path)) rmSync(file, { force: true });
        return TicketReplica.open(options);
      }
      throw damaged(options.path, err);
    }
  }

  close(): void {
    this.#db.close();
  }

  /**
   * The file's connection, for the tables other readers keep beside the tickets (the KPI rows,
   * kpi-tables.ts): written in this replica's transactions (`transaction`).
   */
  get database(): Db {
    return this.#db;
  }

  // --- sync state -------------------------------------------------------------------------

  meta(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM meta WHERE key = ?').get([key]) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string | undefined): void {
    if (value === undefined) this.#db.prepare('DELETE FROM meta WHERE key = ?').run([key]);
    else this.#db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run([key, value]);
  }

  syncState(): { syncedAt: string | undefined; source: string | undefined } {
    return { syncedAt: this.meta('synced_at'), source: this.meta('source') };
  }

  /** Changes when another connection (another process) commits to the file. */
  dataVersion(): number {
    return (this.#db.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
  }

  /**
   * While a whole desk is read into the replica (the first fill, --fresh, an agent's daily full
   * read), its pages are committed without waiting for the disk (synchronous OFF): the WAL's
   * checkpoints otherwise wait on fsync several times a fill. A crash of the process loses
   * nothing committed; a power cut during a fill can leave a file that --fresh reads again
   * (it holds nothing the desk does not have). Back to NORMAL once the fill ends.
   */
  async filling<T>(fn: () => Promise<T>): Promise<T> {
    this.#db.exec('PRAGMA synchronous = OFF;');
    try {
      return await fn();
    } finally {
      this.#db.exec('PRAGMA synchronous = NORMAL;');
    }
  }

  /** Runs fn in one transaction (a sync page and the state it advances commit together). */
  transaction<T>(fn: () => T): T {
    // one level: a transaction inside another joins it
    if (this.#inTransaction) return fn();
    this.#inTransaction = true;
    try {
      // IMMEDIATE: the write lock up front, so a second process waits (busy_timeout) instead of
      // failing to upgrade a read lock mid-transaction
      return this.#db.transaction(fn).immediate();
    } finally {
      this.#inTransaction = false;
    }
  }

  // --- tickets ----------------------------------------------------------------------------

  /**
   * Stores tickets as the desk sent them, each only over an older copy (or the same version),
   * and removes deleted ones. Sideloads carried on a ticket are kept apart, for its version.
   * Returns how many copies changed.
   */
  putTickets(tickets: readonly Ticket[]): number {
    // written ROWS_A_STATEMENT rows a statement: a statement per row costs the driver more than the writing
    const rows: unknown[] = [];
    const jsonRows: unknown[] = [];
    const remove = this.#db.prepare('DELETE FROM tickets WHERE id = ?');
    const removeJson = this.#db.prepare('DELETE FROM ticket_json WHERE id = ?');
    const removeKpi = this.#db.prepare('DELETE FROM kpi_tickets WHERE id = ?');
    // What was read for the queue is of no use once a ticket is solved (a reopened one is a
    // new version, read again): dropped, so the tables stay the size of the unsolved work.
    // (Only a stored ticket has any: they are removed with it.)
    const forget = ['sideloads', 'facts', 'rank'].map((table) => this.#db.prepare(`DELETE FROM ${table} WHERE ticket_id = ?`));
    let changed = 0;
    this.transaction(() => {
      // the stored versions of the batch, in a few statements rather than one per ticket
      const held = this.#versions(tickets.map((t) => t.id));
      for (const t of tickets) {
        if ((t.status as string) === 'deleted') {
          // what the batch wrote before it goes first, so a copy of this ticket earlier in the
          // batch is not written back after its deletion
          this.writeRows(TICKET_UPSERT, 6, rows.splice(0));
          this.writeRows(JSON_UPSERT, 2, jsonRows.splice(0));
          changed += remove.run([t.id]).changes;
          removeJson.run([t.id]);
          removeKpi.run([t.id]);
          for (const f of forget) f.run([t.id]);
          held.delete(t.id);
          continue;
        }
        const before = held.get(t.id);
        if (before !== undefined && (t.status === 'solved' || t.status === 'closed')) for (const f of forget) f.run([t.id]);
        const parsed = Date.parse(t.updated_at);
        const ms = Number.isFinite(parsed) ? parsed : 0;
        if (before === undefined || before < ms) changed++;
        const { slas, metric_set: metricSet } = t;
        // an older copy than the one stored is not written (the upsert's WHERE would refuse it)
        if (before === undefined || before <= ms) {
          const plain = storedForm(t);
          rows.push(t.id, ms, t.status, t.assignee_id ?? null, t.group_id ?? null, leanColumn(plain));
          jsonRows.push(t.id, JSON.stringify(plain));
          held.set(t.id, ms);
        }
        if (slas !== undefined && metricSet !== undefined) this.putSideloads(t.id, t.updated_at, { slas, metricSet });
      }
      this.writeRows(TICKET_UPSERT, 6, rows);
      this.writeRows(JSON_UPSERT, 2, jsonRows);
    });
    return changed;
  }

  /**
   * Runs `statement` (an INSERT whose VALUES come in at {values}) over `flat`, `width` values a
   * row, ROWS_A_STATEMENT rows a statement (the KPI rows are written through it too). Rows go
   * in order, so a later row for the same key meets the earlier one as a conflict.
   */
  writeRows(statement: string, width: number, flat: readonly unknown[]): void {
    const per = ROWS_A_STATEMENT * width;
    for (let i = 0; i < flat.length; i += per) {
      const chunk = flat.slice(i, i + per);
      this.#rowsStatement(statement, width, chunk.length / width).run(chunk);
    }
  }

  /** `statement` for `n` rows, prepared once per file (full batches reuse it). */
  #rowsStatement(statement: string, width: number, n: number): ReturnType<Db['prepare']> {
    const key = `${n}|${statement}`;
    let prepared = this.#prepared.get(key);
    if (!prepared) {
      const row = `(${new Array(width).fill('?').join(', ')})`;
      prepared = this.#db.prepare(statement.replace('{values}', new Array(n).fill(row).join(', ')));
      if (n === ROWS_A_STATEMENT) this.#prepared.set(key, prepared);
    }
    return prepared;
  }

  /** The stored updated_ms of those of these ids held. */
  #versions(ids: readonly number[]): Map<number, number> {
    const out = new Map<number, number>();
    for (const r of this.#byIds<{ id: number; updated_ms: number }>('SELECT id, updated_ms FROM tickets WHERE id IN ({ids})', ids)) out.set(r.id, r.updated_ms);
    return out;
  }

  /** Removes the tickets not in `keep` (a full read found them gone: deleted on the desk). */
  removeTicketsNotIn(keep: ReadonlySet<number>): number {
    const ids = (this.#db.prepare('SELECT id FROM tickets').all() as Array<{ id: number }>).map((r) => r.id).filter((id) => !keep.has(id));
    const remove = ['tickets WHERE id', 'ticket_json WHERE id', 'sideloads WHERE ticket_id', 'facts WHERE ticket_id', 'rank WHERE ticket_id', 'kpi_tickets WHERE id'].map((what) => this.#db.prepare(`DELETE FROM ${what} = ?`));
    this.transaction(() => {
      for (const id of ids) for (const r of remove) r.run([id]);
    });
    return ids.length;
  }

  *tickets(where: TicketWhere = {}): Generator<Ticket> {
    const { sql, params } = whereSql(where);
    const stmt = this.#db.prepare(`SELECT j.json FROM tickets t JOIN ticket_json j ON j.id = t.id${sql} ORDER BY ${where.newestFirst ? 't.updated_ms DESC, t.id DESC' : 't.id'}`);
    for (const row of stmt.iterate(params) as Iterable<{ json: string }>) yield JSON.parse(row.json) as Ticket;
  }

  /**
   * The tickets in the lean form ranking reads (see leanTicket): a fraction of the whole to
   * parse, for queues that show a few rows of thousands. By id. `signals` gets each one's
   * text signals (core/urgency ticketTextSignals), read when its version was stored.
   */
  leanTickets(where: TicketWhere = {}, signals?: Map<number, TextSignals>): Ticket[] {
    const { sql, params } = whereSql(where);
    const pairs = this.#jsonArray<LeanColumn>(`SELECT lean AS v FROM tickets${sql}`, params);
    pairs.sort((a, b) => a[0].id - b[0].id);
    const out: Ticket[] = new Array(pairs.length);
    for (let i = 0; i < pairs.length; i++) {
      const [t, s] = pairs[i]!;
      out[i] = t;
      signals?.set(t.id, s === 0 ? NO_SIGNALS : s);
    }
    return out;
  }

  /** The whole stored tickets of these ids (those held). */
  ticketsByIds(ids: readonly number[]): Map<number, Ticket> {
    const out = new Map<number, Ticket>();
    for (const row of this.#byIds<{ json: string }>('SELECT json FROM ticket_json WHERE id IN ({ids})', [...new Set(ids)])) {
      const t = JSON.parse(row.json) as Ticket;
      out.set(t.id, t);
    }
    return out;
  }

  /** Up to `limit` tickets with an id above `afterId`, by id: pages that hold no statement open between them. */
  ticketsAfter(where: TicketWhere, afterId: number, limit: number, form: 'whole' | 'lean' = 'whole'): Ticket[] {
    const { sql, params } = whereSql(where);
    const column = form === 'lean' ? 't.lean' : 'j.json';
    const join = form === 'lean' ? '' : ' JOIN ticket_json j ON j.id = t.id';
    const rows = this.#jsonArray<Ticket | LeanColumn>(`SELECT ${column} AS v FROM tickets t${join}${sql ? `${sql} AND` : ' WHERE'} t.id > ? ORDER BY t.id LIMIT ?`, [
      ...params,
      afterId,
      limit,
    ]);
    const tickets = form === 'lean' ? (rows as LeanColumn[]).map((c) => c[0]) : (rows as Ticket[]);
    return tickets.sort((a, b) => a.id - b.id);
  }

  count(where: TicketWhere = {}): number {
    const { sql, params } = whereSql(where);
    return (this.#db.prepare(`SELECT count(*) AS n FROM tickets${sql}`).get(params) as { n: number }).n;
  }

  /** The newest change stored, in ms (0 when empty). */
  newestUpdateMs(): number {
    return (this.#db.prepare('SELECT max(updated_ms) AS m FROM tickets').get() as { m: number | null }).m ?? 0;
  }

  // --- what was read about a ticket at a version ---------------------------------------------

  /** A ticket's SLA targets and metric set at a version, whole and in the lean form ranking reads (leanSideloads). */
  putSideloads(ticketId: number, updatedAt: string, value: StoredSideloads): void {
    this.#db
      .prepare(
        'INSERT INTO sideloads (ticket_id, updated_at, json, lean) VALUES (?, ?, ?, ?) ON CONFLICT (ticket_id) DO UPDATE SET updated_at = excluded.updated_at, json = excluded.json, lean = excluded.lean',
      )
      .run([ticketId, updatedAt, JSON.stringify(value), JSON.stringify([ticketId, updatedAt, leanSideloads(value)])]);
  }

  /** The whole stored sideloads of these tickets at these versions (those held). */
  sideloadsAt(versions: ReadonlyMap<number, string>): Map<number, StoredSideloads> {
    const out = new Map<number, StoredSideloads>();
    for (const row of this.#byIds<{ json: string }>('SELECT json_array(ticket_id, updated_at, json(json)) AS json FROM sideloads WHERE ticket_id IN ({ids})', [...versions.keys()])) {
      const [id, updatedAt, value] = JSON.parse(row.json) as [number, string, StoredSideloads];
      if (versions.get(id) === updatedAt) out.set(id, value);
    }
    return out;
  }

  putFacts(ticketId: number, updatedAt: string, value: unknown): void {
    this.#db
      .prepare('INSERT INTO facts (ticket_id, updated_at, json) VALUES (?, ?, ?) ON CONFLICT (ticket_id) DO UPDATE SET updated_at = excluded.updated_at, json = excluded.json')
      .run([ticketId, updatedAt, JSON.stringify(value)]);
  }

  /**
   * What was read about tickets, with the version it was read at: the sideloads in their lean
   * form (leanSideloads), the facts whole; those `keep` (table, id, version) accepts. Each
   * table is parsed whole, as one string (it holds the unsolved tickets' at most).
   */
  readAbout(
    keep: (table: 'sideloads' | 'facts', id: number, updatedAt: string) => boolean = () => true,
    /** Only these tickets' (default: every ticket's). */
    ids?: readonly number[],
  ): {
    sideloads: Array<{ id: number; updatedAt: string; value: StoredSideloads }>;
    facts: Array<{ id: number; updatedAt: string; value: unknown }>;
  } {
    const read = <T>(table: 'sideloads' | 'facts', triple: string) => {
      const out: Array<{ id: number; updatedAt: string; value: T }> = [];
      const select = `SELECT ${triple} AS v FROM ${table}`;
      const rows = ids ? this.#jsonArrayByIds<[number, string, T]>(`${select} WHERE ticket_id IN ({ids})`, ids) : this.#jsonArray<[number, string, T]>(select);
      for (const [id, updatedAt, value] of rows) if (keep(table, id, updatedAt)) out.push({ id, updatedAt, value });
      return out;
    };
    return {
      sideloads: read<StoredSideloads>('sideloads', 'lean'),
      facts: read<unknown>('facts', 'json_array(ticket_id, updated_at, json(json))'),
    };
  }

  // --- what a ticket's score depends on -----------------------------------------------------

  /** Keeps the features (core/urgency urgencyFeatures) of tickets at their versions (updated_at). */
  putRank(rows: ReadonlyArray<{ updatedAt: string; features: UrgencyFeatures }>): void {
    const flat: unknown[] = [];
    for (const r of rows) {
      const ms = Date.parse(r.updatedAt);
      flat.push(r.features[0], Number.isFinite(ms) ? ms : 0, JSON.stringify(r.features));
    }
    this.transaction(() => this.writeRows(RANK_UPSERT, 3, flat));
  }

  /**
   * The features of the tickets `where` selects, those kept for their stored version; and the
   * ids of the rest (none kept, or for an older version): those a queue reads whole.
   */
  rankFeatures(where: TicketWhere): { features: UrgencyFeatures[]; unknown: number[] } {
    // one pass: the features where kept, else the bare id
    const { sql, params } = whereSql(where);
    const rows = this.#jsonArray<UrgencyFeatures | number>(`SELECT coalesce(r.features, t.id) AS v ${WITH_RANK}${sql}`, params);
    const features: UrgencyFeatures[] = [];
    const unknown: number[] = [];
    for (const r of rows) {
      if (typeof r === 'number') unknown.push(r);
      else features.push(r);
    }
    return { features, unknown };
  }

  /** The ids of the tickets `where` selects whose features are not kept for their stored version. */
  rankUnknown(where: TicketWhere): number[] {
    const { sql, params } = whereSql(where, 'r.ticket_id IS NULL');
    return this.#jsonArray<number>(`SELECT t.id AS v ${WITH_RANK}${sql}`, params);
  }

  /**
   * The lean copies (leanTickets) of these ids, those held that `where` selects (still: another
   * process may have stored a newer copy since the ids were chosen), by id; `signals` gets
   * their text signals.
   */
  leanTicketsByIds(ids: readonly number[], signals?: Map<number, TextSignals>, where: TicketWhere = {}): Ticket[] {
    const out: Ticket[] = [];
    const { sql, params } = whereSql(where, 'id IN ({ids})');
    for (const row of this.#byIds<{ lean: string }>(`SELECT lean FROM tickets${sql}`, [...new Set(ids)], params)) {
      const [t, s] = JSON.parse(row.lean) as LeanColumn;
      out.push(t);
      signals?.set(t.id, s === 0 ? NO_SIGNALS : s);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  // --- people, groups, organizations ---------------------------------------------------------

  users(ids: Iterable<number>): Map<number, User> {
    const out = new Map<number, User>();
    for (const row of this.#byIds<{ json: string }>('SELECT json FROM users WHERE id IN ({ids})', [...new Set(ids)])) {
      const u = JSON.parse(row.json) as User;
      out.set(u.id, u);
    }
    return out;
  }

  /** The rows `sql` finds with its `{ids}` list filled, 500 ids a statement (SQLite's variables are bounded); `params` follow the ids. */
  *#byIds<R>(sql: string, ids: readonly number[], params: readonly unknown[] = []): Generator<R> {
    for (const chunk of chunked(ids)) {
      yield* this.#db.prepare(sql.replace('{ids}', chunk.map(() => '?').join(', '))).all([...chunk, ...params]) as R[];
    }
  }

  /** #jsonArray over the `{ids}` of `select` filled 500 ids a statement (as #byIds); `params` follow the ids. */
  #jsonArrayByIds<T>(select: string, ids: readonly number[], params: readonly unknown[] = []): T[] {
    const out: T[] = [];
    for (const chunk of chunked(ids)) out.push(...this.#jsonArray<T>(select.replace('{ids}', chunk.map(() => '?').join(', ')), [...chunk, ...params]));
    return out;
  }

  /**
   * The values (JSON texts, one column `v`) of what `select` finds, as one array: SQLite joins
   * them into one string, parsed at once; a driver call a row costs more than the JSON (10,000
   * rows: some 100 ms against 30).
   */
  #jsonArray<T>(select: string, params: readonly unknown[] = []): T[] {
    const row = this.#db.prepare(`SELECT '[' || group_concat(v, ',') || ']' AS json FROM (${select})`).get([...params]) as { json: string | null };
    return row.json ? (JSON.parse(row.json) as T[]) : [];
  }

  putUsers(users: readonly User[]): void {
    const put = this.#db.prepare('INSERT INTO users (id, json) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json');
    this.transaction(() => {
      for (const u of users) put.run([u.id, JSON.stringify(u)]);
    });
  }

  /** Organizations read at or after `sinceS` (unix seconds). */
  organizations(ids: Iterable<number>, sinceS: number): Map<number, Organization> {
    const out = new Map<number, Organization>();
    // a queue asks for the organizations of a whole view: one string a chunk
    for (const o of this.#jsonArrayByIds<Organization>('SELECT json AS v FROM organizations WHERE id IN ({ids}) AND read_s >= ?', [...new Set(ids)], [sinceS])) out.set(o.id, o);
    return out;
  }

  /**
   * Of these organizations, those read at or after `sinceS` (held) and which of them are VIP:
   * a queue of a whole view asks this of every organization in it, and reads the rows' alone.
   */
  vipOrganizations(ids: Iterable<number>, sinceS: number): { held: Set<number>; vip: Set<number> } {
    const held = new Set<number>();
    const vip = new Set<number>();
    const select = 'SELECT json_array(id, vip) AS v FROM organizations WHERE id IN ({ids}) AND read_s >= ?';
    for (const [id, isVip] of this.#jsonArrayByIds<[number, number]>(select, [...new Set(ids)], [sinceS])) {
      held.add(id);
      if (isVip) vip.add(id);
    }
    return { held, vip };
  }

  /** Keeps organizations as read at `readS`, with whether each is VIP. */
  putOrganizations(orgs: readonly Organization[], readS: number, isVip: (o: Organization) => boolean): void {
    const put = this.#db.prepare(
      'INSERT INTO organizations (id, read_s, vip, json) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET read_s = excluded.read_s, vip = excluded.vip, json = excluded.json',
    );
    this.transaction(() => {
      for (const o of orgs) put.run([o.id, readS, isVip(o) ? 1 : 0, JSON.stringify(o)]);
    });
  }

  groups(): Group[] {
    return (this.#db.prepare('SELECT json FROM groups ORDER BY rowid').all() as Array<{ json: string }>).map((r) => JSON.parse(r.json) as Group);
  }

  putGroups(groups: readonly Group[], readS: number): void {
    const put = this.#db.prepare('INSERT INTO groups (id, json) VALUES (?, ?)');
    this.transaction(() => {
      this.#db.exec('DELETE FROM groups');
      for (const g of groups) put.run([g.id, JSON.stringify(g)]);
      this.setMeta('groups_read_s', String(readS));
    });
  }
}

/** A ticket's show_many sideloads as stored (services/queue Sideloads). */
export interface StoredSideloads {
  slas?: Ticket['slas'];
  metricSet?: TicketMetric;
}

/**
 * What ranking reads of the sideloads: the active SLA targets, and of the metric set the
 * reopens, the group stations and the requester's last update (a screen's rows are given the
 * whole, sideloadsAt).
 */
export function leanSideloads(value: StoredSideloads): StoredSideloads {
  const out: StoredSideloads = {};
  if (value.slas) out.slas = { ...value.slas, policy_metrics: (value.slas.policy_metrics ?? []).filter((m) => m.stage === 'active') };
  if (value.metricSet) {
    const m = value.metricSet;
    out.metricSet = { reopens: m.reopens, group_stations: m.group_stations, requester_updated_at: m.requester_updated_at } as TicketMetric;
  }
  return out;
}

const NO_SIGNALS: TextSignals = Object.freeze({ anger: Object.freeze([]) as readonly string[], complaint: false });

/**
 * The `lean` column: the lean ticket and its text signals, 0 for none, as most have. Only
 * unsolved tickets are ranked: a solved one's are not read (reopened, it is a new version).
 */
type LeanColumn = [Ticket, TextSignals | 0];

function leanColumn(t: Ticket): string {
  const s = t.status === 'solved' || t.status === 'closed' ? undefined : ticketTextSignals(t);
  const column: LeanColumn = [leanTicket(t), !s || (s.anger.length === 0 && !s.complaint) ? 0 : s];
  return JSON.stringify(column);
}

const ROWS_A_STATEMENT = 100;

/** A ticket as stored: without the sideloads (kept apart, for its version) and search's result_type. */
function storedForm(t: Ticket): Ticket {
  // the exports' tickets carry none of them: stored as they came, without a copy
  if (!('slas' in t) && !('metric_set' in t) && !('result_type' in t)) return t;
  const out: Record<string, unknown> = {};
  for (const k in t) if (k !== 'slas' && k !== 'metric_set' && k !== 'result_type') out[k] = (t as unknown as Record<string, unknown>)[k];
  return out as unknown as Ticket;
}
const TICKET_UPSERT = `INSERT INTO tickets (id, updated_ms, status, assignee_id, group_id, lean) VALUES {values}
  ON CONFLICT (id) DO UPDATE SET updated_ms = excluded.updated_ms, status = excluded.status,
    assignee_id = excluded.assignee_id, group_id = excluded.group_id, lean = excluded.lean
  WHERE excluded.updated_ms >= tickets.updated_ms`;
/** The tickets (t), each with its features (r) where kept for its stored version. */
const WITH_RANK = 'FROM tickets t LEFT JOIN rank r ON r.ticket_id = t.id AND r.updated_ms = t.updated_ms';
const RANK_UPSERT = 'INSERT INTO rank (ticket_id, updated_ms, features) VALUES {values} ON CONFLICT (ticket_id) DO UPDATE SET updated_ms = excluded.updated_ms, features = excluded.features';
const JSON_UPSERT = 'INSERT INTO ticket_json (id, json) VALUES {values} ON CONFLICT (id) DO UPDATE SET json = excluded.json';

/**
 * What ranking a ticket reads (core/urgency, the views' conditions, names, threads; the subject
 * goes with the latest customer message a thread gives). Its description is read once, when
 * the version is stored, for the text signals (kept with the lean copy in the `lean` column);
 * the rows shown are read whole.
 */
const LEAN_FIELDS = ['id', 'subject', 'status', 'priority', 'type', 'requester_id', 'assignee_id', 'group_id', 'organization_id', 'tags', 'created_at', 'updated_at'] as const;

/** A ticket cut to what ranking reads: the fields above and the channel. */
export function leanTicket(t: Ticket): Ticket {
  const lean: Record<string, unknown> = {};
  for (const k of LEAN_FIELDS) if (k in t) lean[k] = t[k];
  if (t.via !== undefined) lean.via = t.via && typeof t.via === 'object' ? { channel: t.via.channel } : t.via;
  return lean as unknown as Ticket;
}

/** Names the code that derives columns from a stored ticket: a change derives them again (rederive). */
const DERIVED_VERSION = `[lean,signals of the unsolved]|${LEAN_FIELDS.join(',')}|${TEXT_SIGNALS_VERSION}|features ${URGENCY_FEATURES_VERSION}`;

function rederive(db: Db): void {
  const page = db.prepare('SELECT id, json FROM ticket_json WHERE id > ? ORDER BY id LIMIT 1000');
  const setTicket = db.prepare('UPDATE tickets SET lean = ? WHERE id = ?');
  for (let after = 0; ; ) {
    const tickets = page.all([after]) as Array<{ id: number; json: string }>;
    if (tickets.length === 0) break;
    for (const r of tickets) setTicket.run([leanColumn(JSON.parse(r.json) as Ticket), r.id]);
    after = tickets[tickets.length - 1]!.id;
  }
  // the features were read with the signals: read again by the next queue that ranks them
  db.exec('DELETE FROM rank');
  const sideloads = db.prepare('SELECT ticket_id, updated_at, json FROM sideloads').all() as Array<{ ticket_id: number; updated_at: string; json: string }>;
  const setSideloads = db.prepare('UPDATE sideloads SET lean = ? WHERE ticket_id = ?');
  for (const r of sideloads) setSideloads.run([JSON.stringify([r.ticket_id, r.updated_at, leanSideloads(JSON.parse(r.json) as StoredSideloads)]), r.ticket_id]);
}

/** Ids 500 at a time: SQLite's variables a statement are bounded. */
function chunked(ids: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ids.length; i += 500) out.push(ids.slice(i, i + 500));
  return out;
}

/** The WHERE clause of `where`, after `first` (a term of the caller's, whose values come first). */
function whereSql(where: TicketWhere, first?: string): { sql: string; params: unknown[] } {
  const terms: string[] = first ? [first] : [];
  const params: unknown[] = [];
  if (where.statuses) {
    terms.push(where.statuses.length === 0 ? '0' : `status IN (${where.statuses.map(() => '?').join(', ')})`);
    params.push(...where.statuses);
  }
  if (where.assigneeId === null) terms.push('assignee_id IS NULL');
  else if (where.assigneeId !== undefined) {
    terms.push('assignee_id = ?');
    params.push(where.assigneeId);
  }
  if (where.groupId === null) terms.push('group_id IS NULL');
  else if (where.groupId !== undefined) {
    terms.push('group_id = ?');
    params.push(where.groupId);
  }
  return { sql: terms.length > 0 ? ` WHERE ${terms.join(' AND ')}` : '', params };
}

/** How a damaged replica is read again, whichever command met the damage (not all take --fresh). */
export const REPLICA_AGAIN = 'read it again from the desk: deskops queue --fresh (or delete the file)';

function damaged(path: string, err: unknown): ConfigError {
  return new ConfigError(`the ticket replica ${path} is damaged (${err instanceof Error ? err.message : String(err)})`, {
    hint: REPLICA_AGAIN,
  });
}
