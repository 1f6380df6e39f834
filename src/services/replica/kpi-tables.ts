/**
 * The KPI tables the replica's file holds beside the tickets (services/kpi/replica-store.ts
 * reads and writes them): per ticket only the fields the metrics read, reduced at the ticket
 * version (updated_ms) its metric set was read at; the satisfaction ratings; the
 * organizations as customers. Created and dropped with the replica's own tables (store.ts),
 * so `--fresh`, another desk or a new replica format empties them too. Their meta keys start
 * with `kpi_`.
 */
export const KPI_TABLES = kpiTablesSql('kpi_', true);

/**
 * The KPI tables named with `prefix`: the replica's (`kpi_`, each row with the ticket version,
 * updated_ms, its metric set was read at), and Request Tracker's own KPI cache file's (no
 * prefix, no version: services/kpi/cache.ts).
 */
export function kpiTablesSql(prefix: string, versioned: boolean): string {
  return `
CREATE TABLE IF NOT EXISTS ${prefix}tickets (
  id INTEGER PRIMARY KEY,${versioned ? '\n  version_ms INTEGER NOT NULL,' : ''}
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  priority TEXT,
  channel TEXT NOT NULL,
  assignee_id INTEGER,
  group_id INTEGER,
  tags TEXT NOT NULL,
  handle_seconds INTEGER,
  complaint_text INTEGER NOT NULL,
  has_metrics INTEGER NOT NULL,
  solved_at INTEGER,
  replies INTEGER,
  reopens INTEGER,
  reply_calendar REAL,
  reply_business REAL,
  resolution_calendar REAL,
  resolution_business REAL
);
CREATE INDEX IF NOT EXISTS ${prefix}tickets_updated ON ${prefix}tickets (updated_at);
CREATE TABLE IF NOT EXISTS ${prefix}ratings (ticket_id INTEGER PRIMARY KEY, score TEXT NOT NULL, at INTEGER NOT NULL, exact INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ${prefix}customers (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, active_from INTEGER, churned_at INTEGER, churn_source TEXT);
`;
}

export const DROP_KPI_TABLES = 'DROP TABLE IF EXISTS kpi_tickets; DROP TABLE IF EXISTS kpi_ratings; DROP TABLE IF EXISTS kpi_customers;';
