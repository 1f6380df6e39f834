/**
 * KPI reports on the page: the human table (labels, units, arrows colored by whether the
 * change is good news, notes under it), JSON keyed by metric id, and flat CSV / plain rows.
 */
import type { Io } from '../../io.js';
import { painter, printList, printRecord, type Column, type OutputFlags, type OutputMode } from '../../output.js';
import { METRICS } from '../../../core/kpi/catalog.js';
import { changeVerdict, formatChange, formatMetricValue, unitLabel } from '../../../core/kpi/format.js';
import { describeWindow, windowDays } from '../../../core/kpi/period.js';
import type { KpiReport, MetricEntry, MetricId, MetricValue } from '../../../core/kpi/types.js';

/** The JSON of one metric: {value, unit, n, previous?, change?, note?, buckets?}. */
export function entryJson(e: MetricEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { value: e.value, unit: e.unit, n: e.n };
  if (e.previous !== undefined) {
    out.previous = e.previous;
    out.change = e.change ?? null;
  }
  if (e.note) out.note = e.note;
  if (e.buckets) out.buckets = e.buckets;
  return out;
}

function metricsJson(metrics: KpiReport['groups'][number]['metrics']): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metrics).map(([id, e]) => [id, entryJson(e!)]));
}

interface HumanRow {
  group: string;
  id: MetricId;
  entry: MetricEntry;
}

/** One flat row of --csv / --plain. */
export interface FlatRow {
  group: string;
  metric: string;
  value: number | null;
  unit: string;
  n: number;
  previous?: number | null;
  change?: number | null;
  note: string;
}

const part = (v: MetricValue | undefined, key: 'median' | 'p90'): number | null =>
  v === null || v === undefined ? null : typeof v === 'number' ? v : v[key];

/** Flat rows: percentiles split into metric.median and metric.p90, backlog ages as backlog.<age>. */
export function flatRows(report: KpiReport): FlatRow[] {
  const rows: FlatRow[] = [];
  const compare = report.previous !== undefined;
  for (const g of report.groups) {
    for (const [id, e] of Object.entries(g.metrics) as Array<[MetricId, MetricEntry]>) {
      const base = (metric: string, value: number | null, previous: number | null | undefined, change?: number | null): FlatRow => ({
        group: g.name,
        metric,
        value,
        unit: e.unit,
        n: e.n,
        ...(compare ? { previous: previous ?? null, change: change ?? null } : {}),
        note: e.note ?? '',
      });
      if (METRICS[id].percentiles) {
        const pc = compare ? part(e.value, 'p90') : null;
        const pp = compare ? part(e.previous, 'p90') : null;
        rows.push(base(`${id}.median`, part(e.value, 'median'), part(e.previous, 'median'), e.change));
        rows.push(base(`${id}.p90`, part(e.value, 'p90'), part(e.previous, 'p90'), pc !== null && pp !== null ? Math.round((pc - pp) * 100) / 100 : null));
      } else {
        rows.push(base(id, typeof e.value === 'number' ? e.value : null, typeof e.previous === 'number' ? e.previous : null, e.change));
        for (const [age, count] of Object.entries(e.buckets ?? {})) rows.push({ ...base(`${id}.${age}`, count, undefined), note: '' });
      }
    }
  }
  return rows;
}

export async function printKpiReport(
  io: Io,
  report: KpiReport,
  flags: OutputFlags,
  mode: OutputMode,
  options: { businessHours?: boolean } = {},
): Promise<void> {
  if (mode === 'json') {
    if (report.by === null) {
      await printRecord(io, metricsJson(report.groups[0]?.metrics ?? {}), flags, () => '');
    } else {
      await printList(io, report.groups, [], flags, { toJson: (g) => ({ group: g.name, key: g.key, metrics: metricsJson(g.metrics) }) });
    }
    return;
  }
  const compare = report.previous !== undefined;
  if (mode === 'csv' || mode === 'plain') {
    // the first column is named after what the rows are grouped by: agent, group, channel...
    const first = report.by ?? 'group';
    const keys = [first, 'metric', 'value', 'unit', 'n', ...(compare ? ['previous', 'change'] : []), 'note'];
    const rows = flatRows(report).map(({ group, ...rest }) => ({ [first]: group, ...rest }));
    await printList(io, rows, keys.map((key) => ({ key, header: key })), flags);
    return;
  }

  const paint = await painter(io);
  const days = windowDays(report.window);
  const title = `KPIs ${describeWindow(report.window)} (${Number.isInteger(days) ? days : days.toFixed(1)} days${options.businessHours ? ', times in business hours' : ''})`;
  io.out(paint('strong', compare ? `${title}, compared with ${describeWindow(report.previous!)}` : title));
  const rows: HumanRow[] = report.groups.flatMap((g) =>
    (Object.entries(g.metrics) as Array<[MetricId, MetricEntry]>).map(([id, entry]) => ({ group: g.name, id, entry })),
  );
  const columns: Column<HumanRow>[] = [
    ...(report.by !== null ? [{ key: 'group', header: report.by.toUpperCase(), get: (r: HumanRow) => r.group, maxWidth: 24 }] : []),
    { key: 'metric', header: 'METRIC', get: (r) => METRICS[r.id].label, flex: true },
    { key: 'value', header: 'VALUE', get: (r) => formatMetricValue(r.id, r.entry.value), align: 'right' },
    { key: 'unit', header: 'UNIT', get: (r) => unitLabel(r.id), tone: () => 'muted' },
    { key: 'n', header: 'N', get: (r) => r.entry.n, align: 'right' },
    ...(compare
      ? [
          { key: 'previous', header: 'PREVIOUS', get: (r: HumanRow) => formatMetricValue(r.id, r.entry.previous), align: 'right' as const },
          {
            key: 'change',
            header: 'CHANGE',
            get: (r: HumanRow) => formatChange(r.id, r.entry.change),
            align: 'right' as const,
            tone: (r: HumanRow) => changeVerdict(r.id, r.entry.change) ?? 'muted',
          },
        ]
      : []),
  ];
  await printList(io, rows, columns, flags, { emptyMessage: 'no groups with tickets in the period' });
  const notes = rows.filter((r) => r.entry.note);
  if (notes.length > 0) {
    io.out('');
    for (const r of notes) {
      const who = report.by !== null ? `${r.group} · ` : '';
      io.out(paint('muted', `${who}${r.id}: ${r.entry.note}`));
    }
  }
}
