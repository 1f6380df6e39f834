/**
 * The shared business-hours module: what sweeps and KPI both count on. The sweep-facing
 * behaviour (cutoffs, zones, DST, durations) is in sweep-time.test.ts; the KPI-facing one
 * (--business-hours) in kpi-metrics.test.ts. Here: the UTC shortcut agrees with the day-by-day
 * walk, and whole business minutes agree with the embedded desk's own count.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALENDAR, businessMinutesBetween, businessMsBetween, type BusinessCalendar } from '../../src/core/business-hours.js';
import { businessMinutes as deskBusinessMinutes } from '../../src/desk/time.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);

describe('business time on a UTC calendar', () => {
  // "Etc/GMT" is UTC too, but not known as such without Intl: it takes the day-by-day walk.
  const walked = (cal: BusinessCalendar): BusinessCalendar => ({ ...cal, timeZone: 'Etc/GMT' });
  const calendars: Record<string, BusinessCalendar> = {
    default: DEFAULT_CALENDAR,
    sixShortDays: { timeZone: 'UTC', days: [1, 2, 3, 4, 5, 6], openMinute: 8 * 60, closeMinute: 12 * 60 },
    weekendsOnly: { timeZone: 'UTC', days: [6, 0], openMinute: 10 * 60, closeMinute: 24 * 60 },
    allDay: { timeZone: 'Etc/UTC', days: [0, 1, 2, 3, 4, 5, 6], openMinute: 0, closeMinute: 24 * 60 },
    closed: { timeZone: 'UTC', days: [], openMinute: 9 * 60, closeMinute: 17 * 60 },
    emptyHours: { timeZone: 'UTC', days: [1, 2, 3], openMinute: 17 * 60, closeMinute: 9 * 60 },
  };

  for (const [name, cal] of Object.entries(calendars)) {
    it(`counts what the day-by-day walk counts (${name})`, () => {
      let from = at('2026-10-29T05:17:23Z');
      for (let i = 0; i < 300; i++) {
        const span = ((i * 7_919_777) % (40 * 24 * H)) + 1_000;
        expect(businessMsBetween(from, from + span, cal)).toBe(businessMsBetween(from, from + span, walked(cal)));
        from += 5 * H + 13 * 60_000 + 7_000;
      }
    });
  }

  it('spans of years in one step, and before 1970 too', () => {
    // 2024-01-01 and 2026-01-01 are Mondays; 2024 and 2025 have 523 weekdays between them
    expect(businessMsBetween(at('2024-01-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), DEFAULT_CALENDAR)).toBe(523 * 8 * H);
    expect(businessMsBetween(at('1969-12-26T16:00:00Z'), at('1969-12-29T10:00:00Z'), DEFAULT_CALENDAR)).toBe(2 * H);
  });
});

describe('businessMinutesBetween (unix seconds, the desk schedule)', () => {
  const s = (iso: string) => at(iso) / 1000;

  it('floors to whole minutes and is 0 backwards', () => {
    expect(businessMinutesBetween(s('2026-11-23T09:00:00Z'), s('2026-11-23T09:01:59Z'))).toBe(1);
    expect(businessMinutesBetween(s('2026-11-23T08:00:00Z'), s('2026-11-23T09:00:59Z'))).toBe(0);
    expect(businessMinutesBetween(s('2026-11-23T12:00:00Z'), s('2026-11-23T11:00:00Z'))).toBe(0);
    expect(businessMinutesBetween(s('2026-11-20T16:30:00Z'), s('2026-11-23T09:30:00Z'))).toBe(60);
  });

  it('equals the embedded desk count to the minute on whole minutes', () => {
    let t = s('2026-10-30T07:13:00Z');
    for (let i = 0; i < 300; i++) {
      const span = (((i * 7919) % (12 * 24 * 60)) + 1) * 60;
      expect(businessMinutesBetween(t, t + span)).toBe(deskBusinessMinutes(t, t + span));
      t += 3 * 3600 + 17 * 60;
    }
  });

  it('takes another calendar', () => {
    const paris: BusinessCalendar = { ...DEFAULT_CALENDAR, timeZone: 'Europe/Paris' };
    // 09:00 in Paris is 08:00 UTC in November
    expect(businessMinutesBetween(s('2026-11-23T07:00:00Z'), s('2026-11-23T09:00:00Z'), paris)).toBe(60);
  });
});
