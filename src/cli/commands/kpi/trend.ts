import type { CliContext } from '../../context.js';
import { painter, printList, outputMode, type Column, type OutputFlags } from '../../output.js';
import { METRICS, parseMetricId } from '../../../core/kpi/catalog.js';
import { formatMetricValue, formatScalar, unitLabel } from '../../../core/kpi/format.js';
import { UsageError } from '../../../core/errors.js';
import { bucketWindows, describeWindow, parseBucketSize, resolvePeriod } from '../../../core/kpi/period.js';
import type { TrendPoint } from '../../../core/kpi/compute.js';
import type { MetricId } from '../../../core/kpi/types.js';
import { nowSeconds, openKpiSession, type SourceFlags } from './shared.js';

interface TrendFlags extends SourceFlags, OutputFlags {
  by?: string;
  /** Flags of `kpi` itself that a trend does not take. */
  compare?: string;
  metrics?: string;
  watch?: boolean;
}

const scalar = (p: TrendPoint, key: 'median' | 'p90' = 'median'): number | null =>
  p.value === null ? null : typeof p.value === 'number' ? p.value : p.value[key];

export async function kpiTrend(ctx: CliContext, metricArg: string, flags: TrendFlags): Promise<void> {
  for (const [flag, set] of [['--compare', flags.compare], ['--metrics', flags.metrics], ['--watch', flags.watch]] as const) {
    if (set !== undefined) throw new UsageError(`kpi trend does not take ${flag}`);
  }
  const mode = outputMode(flags, ctx.io);
  const metric = parseMetricId(metricArg);
  const size = parseBucketSize(flags.by ?? 'week');
  const window = resolvePeriod(flags, nowSeconds(ctx), '90d');
  const buckets = bucketWindows(window, size);
  const { session, endProgress } = await openKpiSession(ctx, flags);
  const { points } = await session.trend({ metric, buckets });
  endProgress();

  if (mode === 'json') {
    await printList(ctx.io, points, [], flags, {
      toJson: (p) => ({ period: p.period, value: p.value, n: p.n, ...(p.note ? { note: p.note } : {}) }),
    });
    return;
  }
  const percentiles = METRICS[metric].percentiles === true;
  if (mode === 'csv' || mode === 'plain') {
    const columns: Column<TrendPoint>[] = [
      { key: 'period', header: 'period' },
      { key: percentiles ? 'median' : 'value', header: 'value', get: (p) => scalar(p) },
      ...(percentiles ? [{ key: 'p90', header: 'p90', get: (p: TrendPoint) => scalar(p, 'p90') }] : []),
      { key: 'n', header: 'n' },
      { key: 'note', header: 'note', get: (p) => p.note ?? '' },
    ];
    await printList(ctx.io, points, columns, flags);
    return;
  }

  const paint = await painter(ctx.io);
  ctx.io.out(paint('strong', `${METRICS[metric].label} (${unitLabel(metric)}${percentiles ? ', chart: median' : ''}) by ${size}, ${describeWindow(window)}`));
  const chart = await renderChart(points, ctx.io.columns ?? 80, metric);
  if (chart) ctx.io.out(chart);
  else ctx.io.err(`deskops: no chart: ${points.length < 2 ? 'fewer than 2 points with a value' : `${points.length} points do not fit ${ctx.io.columns ?? 80} columns; use a larger --by`}`);
  const columns: Column<TrendPoint>[] = [
    { key: 'period', header: 'PERIOD' },
    { key: 'value', header: 'VALUE', get: (p) => formatMetricValue(metric, p.value), align: 'right' },
    { key: 'n', header: 'N', align: 'right' },
    { key: 'note', header: 'NOTE', get: (p) => p.note ?? '', flex: true, tone: () => 'muted' },
  ];
  await printList(ctx.io, points, columns, flags);
}

/** An asciichart line chart of the values (medians for percentiles), or null when it cannot be drawn. */
async function renderChart(points: TrendPoint[], columns: number, metric: MetricId): Promise<string | null> {
  const values = points.map((p) => scalar(p));
  const known = values.filter((v): v is number => v !== null);
  const labelWidth = 12;
  if (known.length < 2 || values.length + labelWidth > columns) return null;
  const { plot } = await loadAsciichart();
  // Gaps (no value in a bucket) are drawn as the previous value, so the line stays readable.
  let last = known[0]!;
  const series = values.map((v) => (v === null ? last : (last = v)));
  // As wide as the terminal allows: each point drawn over `step` columns (at most 8).
  const step = Math.max(1, Math.min(8, Math.floor((columns - labelWidth - 1) / series.length)));
  const wide = series.flatMap((v) => Array<number>(step).fill(v));
  return plot(wide, { height: 10, format: (x: number) => formatScalar(metric, x).padStart(labelWidth - 2) });
}

interface AsciiChart {
  plot(series: number[], config?: { height?: number; format?: (x: number, i: number) => string }): string;
}

/** asciichart is CommonJS: its functions are on the default export. */
async function loadAsciichart(): Promise<AsciiChart> {
  const mod = (await import('asciichart')) as unknown as { default?: AsciiChart } & Partial<AsciiChart>;
  return typeof mod.plot === 'function' ? (mod as AsciiChart) : mod.default!;
}
