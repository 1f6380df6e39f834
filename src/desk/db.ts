/**
 * The desk's SQLite database (libsql, better-sqlite3 API): opening it in WAL mode, the schema,
 * and the meta key/value table. Times are unix seconds; tags are stored as " a b " so that
 * `LIKE '% a %'` finds one; custom fields as JSON. A ticket's metric events (metrics.ts) are a
 * JSON column of the ticket: they are only ever read and written with it.
 */
import { rmSync } from 'node:fs';
import Database from 'libsql';
import { ConfigError, databaseFiles, isDamagedDatabase } from '../core/errors.js';

export type Db = InstanceType<typeof Database>;

/** Bumped when the schema changes: a desk with another version is re-seeded on start. */
// 2: the demo account has an admin beside its agents. 3: search reads a lagging index.
// 4: views and macros.
export const SCHEMA_VERSION = '4';

/**
 * What search sees of a ticket: the searchable columns, copied from tickets once a change is
 * older than the desk's index lag (search.ts catchUpSearchIndex), as Zendesk's search index
 * trails its tickets by up to a few minutes.
 */
export const SEARCH_INDEX_COLUMNS =
  'id, subject, description, status, status_rank, priority, priority_rank, type, requester_id, submitter_id, assignee_id, ' +
  'group_id, organization_id, tags, custom_fields, channel, created_at, updated_at, update_seq, solved_at, search_text, ' +
  'csat_id, csat_score, csat_comment';

/** A ticket's columns that search sees: the tickets table has them, and the search index a copy. */
const SEARCHABLE_TICKET_COLUMNS = `
  id INTEGER PRIMARY KEY, subject TEXT NOT NULL, description TEXT NOT NULL,
  status TEXT NOT NULL, status_rank INTEGER NOT NULL, priority TEXT, priority_rank INTEGER,
  type TEXT, requester_id INTEGER NOT NULL, submitter_id INTEGER, assignee_id INTEGER, group_id INTEGER,
  organization_id INTEGER, tags TEXT NOT NULL DEFAULT ' ', custom_fields TEXT NOT NULL DEFAULT '{}',
  channel TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  update_seq INTEGER NOT NULL DEFAULT 0, solved_at INTEGER, search_text TEXT NOT NULL,
  csat_id INTEGER, csat_score TEXT, csat_comment TEXT`;

const TABLES = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE groups (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE organizations (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, domain_names TEXT NOT NULL DEFAULT '[]',
  tags TEXT NOT NULL DEFAULT ' ', fields TEXT NOT NULL DEFAULT '{}', notes TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE users (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
  organization_id INTEGER, default_group_id INTEGER, signature TEXT, time_zone TEXT NOT NULL DEFAULT 'UTC',
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE tickets (${SEARCHABLE_TICKET_COLUMNS}, events TEXT NOT NULL DEFAULT '[]');
CREATE TABLE search_index (${SEARCHABLE_TICKET_COLUMNS});
CREATE TABLE comments (
  ticket_id INTEGER NOT NULL, id INTEGER NOT NULL, author_id INTEGER NOT NULL, body TEXT NOT NULL,
  public INTEGER NOT NULL, channel TEXT NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (ticket_id, id)) WITHOUT ROWID;
CREATE TABLE satisfaction_ratings (
  id INTEGER PRIMARY KEY, ticket_id INTEGER NOT NULL, score TEXT NOT NULL, comment TEXT,
  requester_id INTEGER NOT NULL, assignee_id INTEGER, group_id INTEGER,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, response TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE views (
  id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT, active INTEGER NOT NULL, position INTEGER NOT NULL,
  owner_id INTEGER, group_id INTEGER, conditions TEXT NOT NULL, execution TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE macros (
  id INTEGER PRIMARY KEY, title TEXT NOT NULL, description TEXT, active INTEGER NOT NULL, position INTEGER NOT NULL,
  owner_id INTEGER, group_id INTEGER, actions TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE job_statuses (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, total INTEGER NOT NULL, progress INTEGER NOT NULL,
  message TEXT, results TEXT, payload TEXT NOT NULL, author_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
`;

/**
 * Created after the bulk insert of a seed (faster than maintaining them row by row). Comments
 * need none: they are clustered by ticket (a WITHOUT ROWID table keyed by ticket).
 */
const INDEXES = `
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_role ON users (role, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE UNIQUE INDEX tickets_seq ON tickets (update_seq);
CREATE INDEX tickets_status ON tickets (status_rank, updated_at);
CREATE INDEX tickets_assignee ON tickets (assignee_id);
CREATE INDEX tickets_requester ON tickets (requester_id);
CREATE INDEX tickets_group ON tickets (group_id);
CREATE INDEX tickets_org ON tickets (organization_id);
CREATE INDEX search_updated ON search_index (updated_at, id);
CREATE INDEX search_created ON search_index (created_at, id);
CREATE INDEX search_status ON search_index (status_rank, updated_at);
CREATE INDEX ratings_ticket ON satisfaction_ratings (ticket_id);
CREATE INDEX ratings_created ON satisfaction_ratings (created_at, id);
`;

const ALL_TABLES = [
  'meta', 'groups', 'organizations', 'users', 'tickets', 'search_index', 'comments',
  'satisfaction_ratings', 'idempotency_keys', 'job_statuses', 'views', 'macros',
];

/**
 * Opens the desk's database. A damaged file is a ConfigError naming it and what to do; with
 * `replaceDamaged` (a seed, which rebuilds everything anyway) it is deleted and made anew.
 */
export function openDb(path: string, options: { replaceDamaged?: boolean } = {}): Db {
  const db = new Database(path, { timeout: 5 });
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    return db;
  } catch (err) {
    db.close();
    if (!isDamagedDatabase(err)) throw err;
    if (options.replaceDamaged) {
      for (const file of databaseFiles(path)) rmSync(file, { force: true });
      return openDb(path);
    }
    throw new ConfigError(`the embedded desk's database ${path} is damaged (${err instanceof Error ? err.message : String(err)})`, {
      hint: 'start it again from fresh demo data with `deskops desk reset --yes` (changes made on the demo desk are lost)',
    });
  }
}

/** The seed's `seeded_at` if the desk holds demo data of the current schema, else undefined. */
export function seededAt(db: Db): string | undefined {
  try {
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    if (version?.value !== SCHEMA_VERSION) return undefined;
    const row = db.prepare("SELECT value FROM meta WHERE key = 'seeded_at'").get() as { value: string } | undefined;
    return row?.value;
  } catch {
    return undefined; // no meta table yet: a new desk
  }
}

/** Drops everything and creates empty tables (indexes come later, see createIndexes). */
export function recreateSchema(db: Db): void {
  for (const table of ALL_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
  db.exec(TABLES);
}

export function createIndexes(db: Db): void {
  db.exec(INDEXES);
}

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get([key]) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run([key, value]);
}

/**
 * Inserts rows many at a time (one multi-row INSERT per batch): a seed writes millions of
 * rows and the per-statement call is what costs. Call flush() before reading the table.
 */
export class BatchInsert {
  private readonly width: number;
  private readonly full: ReturnType<Db['prepare']>;
  private buffer: unknown[] = [];
  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly columns: readonly string[],
    private readonly rowsPerBatch = 64,
  ) {
    this.width = columns.length;
    this.full = db.prepare(this.sql(rowsPerBatch));
  }

  push(row: readonly unknown[]): void {
    for (const value of row) this.buffer.push(value);
    if (this.buffer.length === this.width * this.rowsPerBatch) {
      this.full.run(this.buffer);
      this.buffer = [];
    }
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    this.db.prepare(this.sql(this.buffer.length / this.width)).run(this.buffer);
    this.buffer = [];
  }

  private sql(rows: number): string {
    const one = `(${this.columns.map(() => '?').join(', ')})`;
    return `INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES ${Array(rows).fill(one).join(', ')}`;
  }
}
