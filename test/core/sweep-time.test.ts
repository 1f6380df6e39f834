import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CALENDAR,
  businessMsBetween,
  cutoffFor,
  elapsedIn,
  parseDuration,
  subtractBusinessMs,
  type BusinessCalendar,
} from '../../src/core/business-hours.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('business time (Mon-Fri 09:00-17:00 UTC)', () => {
  const cal = DEFAULT_CALENDAR;

  it('counts only working hours, across a weekend', () => {
    // 2026-11-20 is a Friday
    expect(businessMsBetween(at('2026-11-20T16:00:00Z'), at('2026-11-23T10:00:00Z'), cal)).toBe(2 * H);
    expect(businessMsBetween(at('2026-11-21T10:00:00Z'), at('2026-11-22T23:00:00Z'), cal)).toBe(0);
    expect(businessMsBetween(at('2026-11-23T08:00:00Z'), at('2026-11-23T18:00:00Z'), cal)).toBe(8 * H);
    expect(businessMsBetween(at('2026-11-23T12:00:00Z'), at('2026-11-23T11:00:00Z'), cal)).toBe(0);
  });

  it('2 business days after Friday 16:00 is Tuesday 16:00', () => {
    const pendingSince = at('2026-11-20T16:00:00Z');
    const cutoffAt = (now: string) => cutoffFor(at(now), { amount: 2, unit: 'business_days' }, cal);
    expect(pendingSince <= cutoffAt('2026-11-24T16:00:00Z')).toBe(true);
    expect(pendingSince <= cutoffAt('2026-11-24T15:59:00Z')).toBe(false);
    // the weekend adds nothing: Monday evening is still short
    expect(pendingSince <= cutoffAt('2026-11-23T23:00:00Z')).toBe(false);
    expect(subtractBusinessMs(at('2026-11-24T16:00:00Z'), 16 * H, cal)).toBe(pendingSince);
  });

  it('a clock started on a Saturday starts counting on Monday 09:00', () => {
    const since = at('2026-11-21T10:00:00Z');
    expect(elapsedIn(since, at('2026-11-23T13:00:00Z'), 'business_hours', cal)).toBe(4);
    expect(since <= cutoffFor(at('2026-11-23T13:00:00Z'), { amount: 4, unit: 'business_hours' }, cal)).toBe(true);
    expect(since <= cutoffFor(at('2026-11-23T12:59:00Z'), { amount: 4, unit: 'business_hours' }, cal)).toBe(false);
  });

  it('the cutoff is exactly the duration back, for many instants', () => {
    const d = { amount: 3, unit: 'business_days' } as const;
    for (let i = 0; i < 200; i++) {
      const now = at('2026-11-02T00:00:00Z') + i * 7_919_000; // every ~2.2 h over ~18 days
      const c = cutoffFor(now, d, cal);
      expect(businessMsBetween(c, now, cal)).toBe(24 * H);
      expect(businessMsBetween(c + 60_000, now, cal)).toBeLessThan(24 * H);
    }
  });

  it('calendar units are plain time', () => {
    expect(cutoffFor(at('2026-11-22T12:00:00Z'), { amount: 36, unit: 'hours' }, cal)).toBe(at('2026-11-21T00:00:00Z'));
    expect(cutoffFor(at('2026-11-22T12:00:00Z'), { amount: 1, unit: 'days' }, cal)).toBe(at('2026-11-21T12:00:00Z'));
  });
});

describe('business time in other zones', () => {
  it('follows the zone: 09:00 in Paris is 08:00 UTC in November', () => {
    const paris: BusinessCalendar = { ...DEFAULT_CALENDAR, timeZone: 'Europe/Paris' };
    expect(businessMsBetween(at('2026-11-23T07:00:00Z'), at('2026-11-23T09:00:00Z'), paris)).toBe(1 * H);
    expect(businessMsBetween(at('2026-11-23T00:00:00Z'), at('2026-11-24T00:00:00Z'), paris)).toBe(8 * H);
  });

  it('stays right across a DST change (New York, 1 November 2026)', () => {
    const ny: BusinessCalendar = { ...DEFAULT_CALENDAR, timeZone: 'America/New_York' };
    // Friday 30 Oct closes at 17:00 EDT = 21:00Z; Monday 2 Nov opens at 09:00 EST = 14:00Z
    expect(businessMsBetween(at('2026-10-30T20:00:00Z'), at('2026-11-02T15:00:00Z'), ny)).toBe(2 * H);
    expect(subtractBusinessMs(at('2026-11-02T15:00:00Z'), 2 * H, ny)).toBe(at('2026-10-30T20:00:00Z'));
  });

  it('takes a custom week and hours', () => {
    const sixDays: BusinessCalendar = { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6], openMinute: 8 * 60, closeMinute: 12 * 60 };
    expect(businessMsBetween(at('2026-11-21T00:00:00Z'), at('2026-11-23T00:00:00Z'), sixDays)).toBe(4 * H);
    expect(elapsedIn(at('2026-11-20T08:00:00Z'), at('2026-11-23T12:00:00Z'), 'business_days', sixDays)).toBe(3);
  });
});

describe('parseDuration', () => {
  it('reads the units rules use', () => {
    expect(parseDuration('2 business_days')).toEqual({ amount: 2, unit: 'business_days' });
    expect(parseDuration('1 business day')).toEqual({ amount: 1, unit: 'business_days' });
    expect(parseDuration('4 business_hours')).toEqual({ amount: 4, unit: 'business_hours' });
    expect(parseDuration('36 hours')).toEqual({ amount: 36, unit: 'hours' });
    expect(parseDuration('3d')).toEqual({ amount: 3, unit: 'days' });
    expect(parseDuration('90 minutes')).toEqual({ amount: 90, unit: 'minutes' });
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('3 fortnights')).toBeUndefined();
    expect(parseDuration('-2 days')).toBeUndefined();
  });
});
