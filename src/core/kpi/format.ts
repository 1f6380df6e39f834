/**
 * How KPI values read to a person (tables, the watch dashboard): units, changes with arrows,
 * and whether a change is good news. Machine formats (--json, --csv) keep the raw numbers.
 */
import { formatMinutes } from '../time.js';
import { METRICS } from './catalog.js';
import type { MetricId, MetricValue } from './types.js';

function minutes(m: number): string {
  if (Math.abs(m) < 60) return Number.isInteger(m) ? `${m}m` : `${m.toFixed(1)}m`;
  const sign = m < 0 ? '-' : '';
  return sign + formatMinutes(Math.abs(m));
}

/** One number of a metric in its unit: "12.3%", "4h 05m", "3.1", "183" (also trend's axis labels). */
export function formatScalar(id: MetricId, v: number): string {
  return scalar(id, v);
}

function scalar(id: MetricId, v: number): string {
  switch (METRICS[id].unit) {
    case 'tickets':
      return v.toFixed(0);
    case '%':
      return `${v.toFixed(1)}%`;
    case 'min':
      return minutes(v);
    case 'tickets/day':
      return v.toFixed(1);
    case 'score':
      return id === 'ces' ? v.toFixed(2) : v.toFixed(1);
    default:
      return String(v);
  }
}

/** "12.3%", "4h 05m", "median 42m · p90 3h 10m", or "-" for no value. */
export function formatMetricValue(id: MetricId, value: MetricValue | undefined): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return scalar(id, value);
  return `${minutes(value.median)} / p90 ${minutes(value.p90)}`;
}

/** "▲ 2.1 pts", "▼ 12m", "= 0" or "" when there is nothing to compare. */
export function formatChange(id: MetricId, change: number | null | undefined): string {
  if (change === null || change === undefined) return '';
  if (change === 0) return '= 0';
  const arrow = change > 0 ? '▲' : '▼';
  const size = Math.abs(change);
  const unit = METRICS[id].unit;
  const text = unit === '%' ? `${size.toFixed(1)} pts` : unit === 'min' ? minutes(size) : scalar(id, size);
  return `${arrow} ${text}`;
}

/** Whether the change is good or bad news for this metric (null when neither or no change). */
export function changeVerdict(id: MetricId, change: number | null | undefined): 'good' | 'bad' | null {
  const better = METRICS[id].better;
  if (change === null || change === undefined || change === 0 || better === null) return null;
  return (change > 0) === (better === 'up') ? 'good' : 'bad';
}

/** The unit as a column shows it. */
export function unitLabel(id: MetricId): string {
  // durations read as 8h 49m or 2d 13h on a terminal (minutes stay in --json and --csv)
  if (METRICS[id].percentiles) return 'median / p90';
  return METRICS[id].unit === 'min' ? 'time' : METRICS[id].unit;
}
