/**
 * The desk's listings the KPI rows keep beside the tickets: the satisfaction ratings and the
 * organizations as customers. One implementation for both stores: the replica's file (tables
 * and meta keys prefixed `kpi_`: replica-store.ts) and Request Tracker's own KPI cache file
 * (no prefix: cache.ts); the tables are replica/kpi-tables.ts kpiTablesSql's.
 */
import type Database from 'libsql';
import type { HelpDesk } from '../../api/helpdesk.js';
import { organizationCustomer } from '../../core/kpi/churn.js';
import { unixOf } from '../../core/kpi/rules.js';
import type { KpiCustomer } from '../../core/kpi/types.js';

/** How long a stored list of organizations is used before it is read again. */
export const ORGANIZATIONS_TTL_S = 3600;
/** Ratings are listed again from this long before the newest one listed (late writes on the desk). */
const RATINGS_OVERLAP_S = 3600;

/** A store's KPI tables: its connection, the tables' prefix (its meta keys take it too), its meta and transactions. */
export interface KpiTables {
  db: InstanceType<typeof Database>;
  prefix: string;
  meta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  transaction(fn: () => void): void;
}

/**
 * Brings the stored satisfaction ratings up to date: every rating the first time, then those
 * created since the last listing (good and bad only; the latest per ticket). Returns the
 * ratings read.
 */
export async function syncRatings(tables: KpiTables, desk: Pick<HelpDesk, 'listSatisfactionRatings'>): Promise<number> {
  const { db, prefix: p } = tables;
  // The watermark is the newest creation time listed, on the desk's own clock.
  const since = tables.meta(`${p}ratings_listed_at`);
  let newest = since === undefined ? 0 : Number(since);
  const put = db.prepare(
    `INSERT INTO ${p}ratings (ticket_id, score, at, exact) VALUES (?, ?, ?, 1)
     ON CONFLICT (ticket_id) DO UPDATE SET score = excluded.score, at = excluded.at, exact = 1
     WHERE ${p}ratings.exact = 0 OR excluded.at >= ${p}ratings.at`,
  );
  const options = since === undefined ? {} : { startTime: Math.max(0, Number(since) - RATINGS_OVERLAP_S) };
  let read = 0;
  const batch: Array<[number, string, number]> = [];
  const flush = (rows: Array<[number, string, number]>) =>
    tables.transaction(() => {
      for (const r of rows) put.run(r);
    });
  for await (const r of desk.listSatisfactionRatings(options)) {
    read++;
    newest = Math.max(newest, unixOf(r.created_at) ?? 0);
    if (r.score !== 'good' && r.score !== 'bad') continue;
    const at = unixOf(r.updated_at) ?? unixOf(r.created_at);
    if (at === null) continue;
    batch.push([r.ticket_id, r.score, at]);
    if (batch.length >= 500) flush(batch.splice(0));
  }
  flush(batch.splice(0));
  tables.setMeta(`${p}ratings_listed_at`, String(newest));
  return read;
}

/** The stored customers' columns. */
interface CustomerRow {
  id: string;
  name: string;
  active_from: number | null;
  churned_at: number | null;
  churn_source: 'date' | 'tag' | null;
}

/**
 * The desk's organizations as customers: those stored when listed less than an hour ago, else
 * listed again and stored (the list and its time in one transaction).
 */
export async function* organizations(tables: KpiTables, desk: Pick<HelpDesk, 'listOrganizations'>, now: () => Date): AsyncGenerator<KpiCustomer> {
  const { db, prefix: p } = tables;
  const listedAt = Number(tables.meta(`${p}organizations_listed_at`) ?? NaN);
  const nowS = Math.floor(now().getTime() / 1000);
  if (!(nowS - listedAt < ORGANIZATIONS_TTL_S && nowS >= listedAt)) {
    const customers: KpiCustomer[] = [];
    for await (const org of desk.listOrganizations()) customers.push(organizationCustomer(org));
    const insert = db.prepare(`INSERT OR REPLACE INTO ${p}customers (id, name, active_from, churned_at, churn_source) VALUES (?, ?, ?, ?, ?)`);
    tables.transaction(() => {
      db.exec(`DELETE FROM ${p}customers`);
      for (const c of customers) insert.run([c.id, c.name, c.activeFrom, c.churnedAt, c.churnSource ?? null]);
      tables.setMeta(`${p}organizations_listed_at`, String(nowS));
    });
  }
  for (const r of db.prepare(`SELECT id, name, active_from, churned_at, churn_source FROM ${p}customers`).all() as CustomerRow[]) {
    const c: KpiCustomer = { id: r.id, name: r.name, activeFrom: r.active_from, churnedAt: r.churned_at };
    yield r.churn_source ? { ...c, churnSource: r.churn_source } : c;
  }
}
