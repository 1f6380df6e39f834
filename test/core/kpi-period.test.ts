import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import {
  addMonths,
  bucketWindows,
  describeWindow,
  isoWeek,
  parseInterval,
  parseSince,
  previousWindow,
  resolvePeriod,
} from '../../src/core/kpi/period.js';
import { MinuteSample, percentileOfSorted } from '../../src/core/kpi/percentiles.js';
import { parseMetricId, parseMetricIds } from '../../src/core/kpi/catalog.js';
import { METRIC_IDS } from '../../src/core/kpi/types.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const D = 86_400;
const NOW = at('2026-11-20T12:00:00Z');

describe('periods', () => {
  it('--since counts days, weeks and calendar months back from now', () => {
    expect(parseSince('7d', NOW)).toEqual({ from: NOW - 7 * D, to: NOW });
    expect(parseSince('4w', NOW)).toEqual({ from: NOW - 28 * D, to: NOW });
    expect(parseSince('3m', NOW)).toEqual({ from: at('2026-08-20T12:00:00Z'), to: NOW });
    expect(parseSince('1y', NOW).from).toBe(at('2025-11-20T12:00:00Z'));
    // month arithmetic clamps to the shorter month
    expect(addMonths(at('2026-05-31T08:00:00Z'), -3)).toBe(at('2026-02-28T08:00:00Z'));
  });

  it('bad --since values are one-line usage errors', () => {
    for (const bad of ['', '7', 'd7', '0d', '7 days', '-3d', '2x', '99999d']) {
      expect(() => parseSince(bad, NOW), bad).toThrow(UsageError);
    }
    expect(() => parseSince('5x', NOW)).toThrow('--since must look like 7d, 4w, 3m or 1y, got "5x"');
  });

  it('--from/--to are whole UTC days with --to included; --to defaults to now', () => {
    expect(resolvePeriod({ from: '2026-10-01', to: '2026-10-31' }, NOW)).toEqual({ from: at('2026-10-01T00:00:00Z'), to: at('2026-11-01T00:00:00Z') });
    expect(resolvePeriod({ from: '2026-11-01' }, NOW)).toEqual({ from: at('2026-11-01T00:00:00Z'), to: NOW });
    expect(resolvePeriod({}, NOW)).toEqual({ from: NOW - 30 * D, to: NOW });
    expect(resolvePeriod({}, NOW, '90d')).toEqual({ from: NOW - 90 * D, to: NOW });
  });

  it('rejects impossible dates and contradictory flags', () => {
    expect(() => resolvePeriod({ from: '2026-02-30' }, NOW)).toThrow(/not a date on the calendar/);
    expect(() => resolvePeriod({ from: '10/01/2026' }, NOW)).toThrow(/--from must be a date like 2026-10-01/);
    expect(() => resolvePeriod({ to: '2026-10-31' }, NOW)).toThrow('--to needs --from');
    expect(() => resolvePeriod({ since: '7d', from: '2026-10-01' }, NOW)).toThrow(/either --since or --from/);
    expect(() => resolvePeriod({ from: '2026-10-31', to: '2026-10-01' }, NOW)).toThrow(/--to must not be before --from/);
  });

  it('the previous period has the same length and ends where the period starts', () => {
    const w = { from: at('2026-10-01T00:00:00Z'), to: at('2026-11-01T00:00:00Z') };
    expect(previousWindow(w)).toEqual({ from: at('2026-08-31T00:00:00Z'), to: w.from });
    expect(describeWindow(w)).toBe('2026-10-01 .. 2026-10-31');
  });

  it('buckets are calendar days, ISO weeks and months, cut to the period', () => {
    const w = { from: at('2026-12-30T06:00:00Z'), to: at('2027-01-13T00:00:00Z') };
    const weeks = bucketWindows(w, 'week');
    expect(weeks.map((b) => b.label)).toEqual(['2026-W53', '2027-W01', '2027-W02']);
    expect(weeks[0]).toEqual({ label: '2026-W53', from: w.from, to: at('2027-01-04T00:00:00Z') });
    expect(weeks[2]!.to).toBe(w.to);
    expect(bucketWindows(w, 'month').map((b) => b.label)).toEqual(['2026-12', '2027-01']);
    expect(bucketWindows(w, 'day')).toHaveLength(14); // 30 and 31 December, 1 to 12 January
    expect(isoWeek(at('2026-01-01T00:00:00Z'))).toEqual({ year: 2026, week: 1 });
    expect(isoWeek(at('2024-12-30T00:00:00Z'))).toEqual({ year: 2025, week: 1 });
    expect(() => bucketWindows({ from: 0, to: 500 * D }, 'day')).toThrow(/too many days/);
  });

  it('--interval takes seconds, minutes or hours within bounds', () => {
    expect(parseInterval('30s')).toBe(30);
    expect(parseInterval('2m')).toBe(120);
    expect(parseInterval('45')).toBe(45);
    expect(() => parseInterval('1s')).toThrow(/between 5s and 24h/);
    expect(() => parseInterval('soon')).toThrow(UsageError);
  });
});

describe('percentiles', () => {
  it('interpolate linearly between the closest ranks', () => {
    expect(percentileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentileOfSorted([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7);
    expect(percentileOfSorted([5], 0.9)).toBe(5);
    expect(percentileOfSorted([], 0.5)).toBeNull();
  });

  it('the sample grows past its first buffer and sorts numerically', () => {
    const s = new MinuteSample();
    for (let i = 1000; i >= 1; i--) s.add(i);
    s.add(Number.NaN);
    expect(s.size).toBe(1000);
    expect(s.percentile(0.5)).toBe(500.5);
    expect(s.percentile(0.9)).toBeCloseTo(900.1);
    expect(new MinuteSample().percentile(0.5)).toBeNull();
  });
});

describe('metric ids', () => {
  it('--metrics keeps the order given, once each (all of them in catalog order); unknown ids list the valid ones', () => {
    expect(parseMetricIds(undefined)).toEqual([...METRIC_IDS]);
    expect(parseMetricIds('solved, AHT,aht')).toEqual(['solved', 'aht']);
    expect(() => parseMetricIds('aht,speed')).toThrow(`unknown metric "speed"; valid metrics: ${METRIC_IDS.join(', ')}`);
    expect(() => parseMetricIds(' , ')).toThrow(UsageError);
    expect(parseMetricId('CSAT')).toBe('csat');
    expect(() => parseMetricId('mood')).toThrow(UsageError);
  });
});
