/**
 * Where the endpoint pacer counts the requests it sent. Zendesk's endpoint limits (10
 * incremental exports, 100 ticket updates a minute) are per account, so every deskops process
 * on one account draws from one window: a `kpi` and a `sweep run` started side by side must
 * not send 20 exports in a minute between them. `FileLedger` keeps the windows in a small
 * SQLite file per desk, shared by every process of the machine's user that talks to that
 * desk (two profiles of one account share it too); `MemoryLedger` keeps them in the process.
 *
 * The file's times are wall-clock milliseconds, the one clock processes share; a window is a
 * duration, so a clock step moves it by that much at worst.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface LedgerSlot {
  /** 0 when the request was counted; else how long to wait before trying again (ms). */
  waitMs: number;
  /** The counted request, for `landed`. */
  id?: number;
}

export interface RequestLedger {
  /**
   * Counts a request against `key`'s window if it fits (`limit` in the last `windowMs`);
   * otherwise counts nothing and says how long to wait before trying again.
   */
  take(key: string, limit: number, windowMs: number): LedgerSlot | Promise<LedgerSlot>;
  /**
   * The request's answer came: its time moves to now. The desk counts a request when it
   * lands, which may be seconds after it was counted here (the account's own limiter, a busy
   * machine), so the window frees from the later of the two.
   */
  landed(id: number): void;
  close?(): void;
}

/**
 * The window rule both ledgers apply once the entries older than the window are gone: with
 * `count` requests in it, the oldest at `oldest`, a new one fits (0) or waits until the oldest
 * leaves the window (at least 1 ms).
 */
export function windowWaitMs(count: number, oldest: number | null, limit: number, windowMs: number, now: number): number {
  if (count < limit) return 0;
  return Math.max(1, (oldest ?? now) + windowMs - now);
}

export class MemoryLedger implements RequestLedger {
  readonly #sent = new Map<string, Array<{ id: number; at: number }>>();
  readonly #byId = new Map<number, { id: number; at: number }>();
  readonly #now: () => number;
  #next = 1;

  constructor(now: () => number) {
    this.#now = now;
  }

  take(key: string, limit: number, windowMs: number): LedgerSlot {
    const entries = this.#sent.get(key) ?? [];
    this.#sent.set(key, entries);
    const now = this.#now();
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i]!.at <= now - windowMs) {
        this.#byId.delete(entries[i]!.id);
        entries.splice(i, 1);
      }
    }
    const waitMs = windowWaitMs(entries.length, entries.length ? Math.min(...entries.map((e) => e.at)) : null, limit, windowMs, now);
    if (waitMs > 0) return { waitMs };
    const entry = { id: this.#next++, at: now };
    entries.push(entry);
    this.#byId.set(entry.id, entry);
    return { waitMs: 0, id: entry.id };
  }

  landed(id: number): void {
    const entry = this.#byId.get(id);
    if (entry) entry.at = Math.max(entry.at, this.#now());
  }
}

type Db = {
  exec(sql: string): void;
  prepare(sql: string): { run(...args: unknown[]): unknown; get(...args: unknown[]): unknown };
  close(): void;
};

/**
 * The windows of one desk in `<home>/cache/budget-<host>.sqlite`. Opened on the first paced
 * request; if the file cannot be used (a read-only home, a damaged file) the process keeps
 * its own count, as before, and says so once through `onFallback`.
 */
export class FileLedger implements RequestLedger {
  readonly #path: string;
  readonly #now: () => number;
  readonly #onFallback?: (why: string) => void;
  #db: Db | undefined;
  #fallback: MemoryLedger | undefined;

  constructor(options: { path: string; now?: () => number; onFallback?: (why: string) => void }) {
    this.#path = options.path;
    this.#now = options.now ?? Date.now;
    this.#onFallback = options.onFallback;
  }

  async take(key: string, limit: number, windowMs: number): Promise<LedgerSlot> {
    if (this.#fallback) return this.#fallback.take(key, limit, windowMs);
    try {
      const db = await this.#open();
      const now = this.#now();
      // One writer at a time across processes: the count and the insert are one step.
      db.exec('BEGIN IMMEDIATE');
      try {
        db.prepare('DELETE FROM sent WHERE key = ? AND at <= ?').run(key, now - windowMs);
        const row = db.prepare('SELECT COUNT(*) AS n, MIN(at) AS first FROM sent WHERE key = ?').get(key) as { n: number; first: number | null };
        let slot: LedgerSlot;
        const waitMs = windowWaitMs(row.n, row.first, limit, windowMs, now);
        if (waitMs === 0) {
          const info = db.prepare('INSERT INTO sent (key, at) VALUES (?, ?)').run(key, now) as { lastInsertRowid: number | bigint };
          slot = { waitMs: 0, id: Number(info.lastInsertRowid) };
        } else slot = { waitMs };
        db.exec('COMMIT');
        return slot;
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    } catch (err) {
      this.#fallback = new MemoryLedger(this.#now);
      this.close();
      this.#onFallback?.(`the request budget shared with other deskops processes is not available (${err instanceof Error ? err.message : String(err)}); counting this process's requests only`);
      return this.#fallback.take(key, limit, windowMs);
    }
  }

  landed(id: number): void {
    if (this.#fallback) return this.#fallback.landed(id);
    try {
      this.#db?.prepare('UPDATE sent SET at = MAX(at, ?) WHERE rowid = ?').run(this.#now(), id);
    } catch {
      // the slot keeps the time it was counted at: a second of slack covers most of it
    }
  }

  async #open(): Promise<Db> {
    if (this.#db) return this.#db;
    mkdirSync(join(this.#path, '..'), { recursive: true, mode: 0o700 });
    // libsql is loaded only by commands that reach a paced endpoint.
    const Database = (await import('libsql')).default as unknown as new (path: string, options?: { timeout?: number }) => Db;
    if (this.#db) return this.#db;
    // waits up to 5 s for another process's step (a few statements) to end
    const db = new Database(this.#path, { timeout: 5 });
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('CREATE TABLE IF NOT EXISTS sent (key TEXT NOT NULL, at INTEGER NOT NULL)');
    db.exec('CREATE INDEX IF NOT EXISTS sent_key_at ON sent (key, at)');
    this.#db = db;
    return db;
  }

  close(): void {
    try {
      this.#db?.close();
    } catch {
      // closing a broken file changes nothing
    }
    this.#db = undefined;
  }
}

/** `<home>/cache/budget-<host>.sqlite` for a desk's base URL. */
export function ledgerPath(home: string, baseUrl: string): string {
  let host: string;
  try {
    host = new URL(baseUrl).host;
  } catch {
    host = baseUrl;
  }
  return join(home, 'cache', `budget-${host.replace(/[^A-Za-z0-9_.-]/g, '_')}.sqlite`);
}

