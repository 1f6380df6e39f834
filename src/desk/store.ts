/**
 * The desk's data access: a thin layer over the SQLite database with cached prepared
 * statements and the lookups every handler needs (users, groups, organizations, tickets).
 * Writes to tickets live in ticket-writes.ts.
 */
import { getMeta, SEARCH_INDEX_COLUMNS, type Db } from './db.js';
import {
  TICKET_COLUMNS,
  USER_COLUMNS,
  type CommentRow,
  type GroupRow,
  type OrganizationRow,
  type TicketRow,
  type UserRow,
} from './records.js';
import type { RowQuery } from './pagination.js';

type Statement = ReturnType<Db['prepare']>;

export class DeskStore {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Db) {}

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  // Parameters always go as one array: libsql treats a single object argument as named parameters.
  all<R>(sql: string, params: unknown[] = []): R[] {
    return this.statement(sql).all(params) as R[];
  }

  get<R>(sql: string, params: unknown[] = []): R | undefined {
    return this.statement(sql).get(params) as R | undefined;
  }

  /** Runs a write; returns the number of rows changed. */
  run(sql: string, params: unknown[] = []): number {
    return this.statement(sql).run(params).changes;
  }

  readonly query: RowQuery = (sql, params) => this.all(sql, params);

  /** A write transaction, taking the write lock up front (another process may share the db). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate() as T;
  }

  /**
   * Brings the search index up to `cutoff` (unix seconds): every ticket changed since the
   * last catch-up whose change is at least the index lag old. Ticket changes are numbered
   * (update_seq) in the order the desk's clock stamps them, so one watermark is enough.
   * Without a cutoff (no lag) every change is indexed, stamps a second ahead included.
   */
  catchUpSearchIndex(cutoff?: number): void {
    const watermark = Number(this.meta('indexed_seq') ?? 0);
    const due = this.get<{ top: number | null }>(
      `SELECT max(update_seq) AS top FROM tickets WHERE update_seq > ?${cutoff === undefined ? '' : ' AND updated_at <= ?'}`,
      cutoff === undefined ? [watermark] : [watermark, cutoff],
    )?.top;
    if (due === null || due === undefined) return;
    this.transaction(() => {
      this.run(
        `INSERT OR REPLACE INTO search_index (${SEARCH_INDEX_COLUMNS}) SELECT ${SEARCH_INDEX_COLUMNS} FROM tickets WHERE update_seq > ? AND update_seq <= ?`,
        [watermark, due],
      );
      this.run("INSERT INTO meta (key, value) VALUES ('indexed_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(due)]);
    });
  }

  meta(key: string): string | undefined {
    return getMeta(this.db, key);
  }

  count(sql: string, params: unknown[] = []): number {
    return (this.get<{ n: number }>(sql, params)?.n ?? 0) as number;
  }

  // --- users, groups, organizations ---

  user(id: number): UserRow | undefined {
    return this.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`, [id]);
  }

  userByEmail(email: string): UserRow | undefined {
    return this.get<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`, [email.trim().toLowerCase()]);
  }

  usersByIds(ids: readonly number[]): UserRow[] {
    if (ids.length === 0) return [];
    return this.all<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, [JSON.stringify(ids)]);
  }

  group(id: number): GroupRow | undefined {
    return this.get<GroupRow>('SELECT id, name, description, created_at, updated_at FROM groups WHERE id = ?', [id]);
  }

  groups(): GroupRow[] {
    return this.all<GroupRow>('SELECT id, name, description, created_at, updated_at FROM groups ORDER BY id');
  }

  organization(id: number): OrganizationRow | undefined {
    return this.get<OrganizationRow>('SELECT * FROM organizations WHERE id = ?', [id]);
  }

  organizationsByIds(ids: readonly number[]): OrganizationRow[] {
    if (ids.length === 0) return [];
    return this.all<OrganizationRow>('SELECT * FROM organizations WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id', [JSON.stringify(ids)]);
  }

  // --- tickets and comments ---

  ticket(id: number): TicketRow | undefined {
    return this.get<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM tickets WHERE id = ?`, [id]);
  }

  ticketsByIds(ids: readonly number[]): TicketRow[] {
    if (ids.length === 0) return [];
    return this.all<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM tickets WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, [JSON.stringify(ids)]);
  }

  /** The events column of each ticket asked for, by ticket id. */
  eventsByTicket(ids: readonly number[]): Map<number, string> {
    const out = new Map<number, string>();
    if (ids.length === 0) return out;
    const rows = this.all<{ id: number; events: string }>('SELECT id, events FROM tickets WHERE id IN (SELECT value FROM json_each(?))', [
      JSON.stringify(ids),
    ]);
    for (const row of rows) out.set(row.id, row.events);
    return out;
  }

  comments(ticketId: number): CommentRow[] {
    return this.all<CommentRow>(
      'SELECT ticket_id, id, author_id, body, public, channel, created_at FROM comments WHERE ticket_id = ? ORDER BY id',
      [ticketId],
    );
  }
}
