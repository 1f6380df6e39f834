/**
 * The KPI catalog: each metric's id, label, unit and which direction of change is good.
 * The formulas are in accumulators.ts and churn.ts, and written out in docs/kpi.md.
 */
import { UsageError } from '../errors.js';
import { METRIC_IDS, type MetricId } from './types.js';

export interface MetricDefinition {
  id: MetricId;
  label: string;
  unit: string;
  /** Which way is better; null when neither is (ticket volume). */
  better: 'up' | 'down' | null;
  /** The value is {median, p90}. */
  percentiles?: boolean;
  /** Computed per customer, not per ticket: not split by --by. */
  perCustomer?: boolean;
}

export const METRICS: Readonly<Record<MetricId, MetricDefinition>> = {
  aht: { id: 'aht', label: 'Average handle time', unit: 'min', better: 'down' },
  fcr: { id: 'fcr', label: 'First contact resolution', unit: '%', better: 'up' },
  csat: { id: 'csat', label: 'CSAT (% satisfied)', unit: '%', better: 'up' },
  nps: { id: 'nps', label: 'NPS', unit: 'score', better: 'up' },
  ces: { id: 'ces', label: 'CES (ease, 1-7, 7 = low effort)', unit: 'score', better: 'up' },
  churn_rate: { id: 'churn_rate', label: 'Customer churn rate', unit: '%', better: 'down', perCustomer: true },
  first_reply_time: { id: 'first_reply_time', label: 'First reply time', unit: 'min', better: 'down', percentiles: true },
  resolution_time: { id: 'resolution_time', label: 'Resolution time', unit: 'min', better: 'down', percentiles: true },
  complaints: { id: 'complaints', label: 'Complaints', unit: 'tickets', better: 'down' },
  backlog: { id: 'backlog', label: 'Backlog (unsolved at end)', unit: 'tickets', better: 'down' },
  sla_breach_rate: { id: 'sla_breach_rate', label: 'First reply SLA breaches', unit: '%', better: 'down' },
  reopen_rate: { id: 'reopen_rate', label: 'Reopen rate', unit: '%', better: 'down' },
  created: { id: 'created', label: 'Created', unit: 'tickets/day', better: null },
  solved: { id: 'solved', label: 'Solved', unit: 'tickets/day', better: 'up' },
};

export function isMetricId(id: string): id is MetricId {
  return (METRIC_IDS as readonly string[]).includes(id);
}

/** Parses `--metrics a,b`; undefined means all. Unknown ids are a UsageError listing the valid ones. */
export function parseMetricIds(list: string | undefined): MetricId[] {
  if (list === undefined) return [...METRIC_IDS];
  const ids = list.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (ids.length === 0) throw new UsageError(`--metrics needs at least one metric id: ${METRIC_IDS.join(', ')}`);
  const unknown = ids.filter((id) => !isMetricId(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown metric ${unknown.map((u) => `"${u}"`).join(', ')}; valid metrics: ${METRIC_IDS.join(', ')}`);
  }
  // In the order asked for (a table reads as the user listed it), no duplicates.
  return [...new Set(ids)] as MetricId[];
}

/** One metric id (for `kpi trend <metric>`). */
export function parseMetricId(text: string): MetricId {
  const id = text.trim().toLowerCase();
  if (!isMetricId(id)) throw new UsageError(`unknown metric "${text}"; valid metrics: ${METRIC_IDS.join(', ')}`);
  return id;
}
