/**
 * Reporting periods: `--since 30d|4w|3m`, `--from 2026-10-01 --to 2026-10-31` (whole UTC days,
 * both included), the previous period of the same length, and trend buckets (day, ISO week,
 * month, all UTC). Windows are half-open [from, to) in unix seconds. Pure: `now` is passed in.
 */
import { UsageError } from '../errors.js';
import type { Window } from './types.js';

export const DAY_S = 86_400;

export interface PeriodFlags {
  since?: string;
  from?: string;
  to?: string;
}

/** The longest period a report covers (about ten years). */
const MAX_DAYS = 3660;

/** Parses `--since`: 7d, 4w, 3m (calendar months), 1y. */
export function parseSince(text: string, now: number): Window {
  const m = /^\s*(\d{1,4})\s*([dwmy])\s*$/i.exec(text);
  if (!m) throw new UsageError(`--since must look like 7d, 4w, 3m or 1y, got "${text}"`);
  const n = Number(m[1]);
  if (n < 1) throw new UsageError(`--since must be at least 1, got "${text}"`);
  const unit = m[2]!.toLowerCase();
  let from: number;
  if (unit === 'd' || unit === 'w') {
    from = now - n * (unit === 'd' ? 1 : 7) * DAY_S;
  } else {
    from = addMonths(now, -(unit === 'm' ? n : 12 * n));
  }
  if ((now - from) / DAY_S > MAX_DAYS) throw new UsageError(`--since ${text} is too long: at most ${MAX_DAYS} days`);
  return { from, to: now };
}

/** Parses YYYY-MM-DD as the start of that UTC day (unix seconds). */
export function parseDay(text: string, flag: string): number {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} must be a date like 2026-10-01, got "${text}"`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new UsageError(`${flag}: ${text} is not a date on the calendar`);
  }
  return ms / 1000;
}

/**
 * The period of a report: --from/--to (whole days, --to included; --to defaults to now),
 * else --since, else `defaultSince`.
 */
export function resolvePeriod(flags: PeriodFlags, now: number, defaultSince = '30d'): Window {
  if (flags.since !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw new UsageError('use either --since or --from/--to, not both');
  }
  if (flags.from === undefined && flags.to !== undefined) throw new UsageError('--to needs --from');
  if (flags.from !== undefined) {
    const from = parseDay(flags.from, '--from');
    const to = flags.to !== undefined ? parseDay(flags.to, '--to') + DAY_S : now;
    if (to <= from) throw new UsageError(`--to must not be before --from (${flags.from} .. ${flags.to ?? 'now'})`);
    if ((to - from) / DAY_S > MAX_DAYS) throw new UsageError(`the period is too long: at most ${MAX_DAYS} days`);
    return { from, to };
  }
  return parseSince(flags.since ?? defaultSince, now);
}

/** The period of the same length just before `w`. */
export function previousWindow(w: Window): Window {
  return { from: w.from - (w.to - w.from), to: w.from };
}

export function windowDays(w: Window): number {
  return (w.to - w.from) / DAY_S;
}

export function inWindow(t: number | null | undefined, w: Window): t is number {
  return t !== null && t !== undefined && t >= w.from && t < w.to;
}

export type BucketSize = 'day' | 'week' | 'month';
export const BUCKET_SIZES: readonly BucketSize[] = ['day', 'week', 'month'];

export interface Bucket extends Window {
  /** 2026-10-05 (day), 2026-W41 (ISO week), 2026-10 (month). */
  label: string;
}

/** The most buckets a trend has. */
export const MAX_BUCKETS = 400;

export function parseBucketSize(text: string): BucketSize {
  const t = text.trim().toLowerCase();
  if (!(BUCKET_SIZES as readonly string[]).includes(t)) throw new UsageError(`--by must be one of ${BUCKET_SIZES.join(', ')}, got "${text}"`);
  return t as BucketSize;
}

/** Calendar buckets covering `w`, the first and last clipped to it. */
export function bucketWindows(w: Window, size: BucketSize): Bucket[] {
  const out: Bucket[] = [];
  let start = bucketStart(w.from, size);
  while (start < w.to) {
    const next = size === 'day' ? start + DAY_S : size === 'week' ? start + 7 * DAY_S : addMonths(start, 1);
    out.push({ label: bucketLabel(start, size), from: Math.max(start, w.from), to: Math.min(next, w.to) });
    if (out.length > MAX_BUCKETS) {
      throw new UsageError(`too many ${size}s in the period (more than ${MAX_BUCKETS}); use a larger --by or a shorter period`);
    }
    start = next;
  }
  return out;
}

function bucketStart(t: number, size: BucketSize): number {
  const day = Math.floor(t / DAY_S) * DAY_S;
  if (size === 'day') return day;
  if (size === 'week') {
    const weekday = (new Date(day * 1000).getUTCDay() + 6) % 7; // Monday = 0
    return day - weekday * DAY_S;
  }
  const d = new Date(day * 1000);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 1000;
}

function bucketLabel(start: number, size: BucketSize): string {
  const iso = new Date(start * 1000).toISOString();
  if (size === 'day') return iso.slice(0, 10);
  if (size === 'month') return iso.slice(0, 7);
  const { year, week } = isoWeek(start);
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** ISO 8601 week number of the UTC day containing t. */
export function isoWeek(t: number): { year: number; week: number } {
  const d = new Date(Math.floor(t / DAY_S) * DAY_S * 1000);
  const weekday = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  return { year, week: 1 + Math.round((d.getTime() - firstThursday.getTime()) / (7 * DAY_S * 1000)) };
}

/** t plus n calendar months (UTC), the day clamped to the target month's length. */
export function addMonths(t: number, n: number): number {
  const d = new Date(t * 1000);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const ms = Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  return Math.floor(ms / 1000);
}

/** Parses `--interval 30s|2m|90` (seconds) for --watch: from 5 seconds to a day. */
export function parseInterval(text: string): number {
  const m = /^\s*(\d{1,6})\s*(s|m|h)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`--interval must look like 30s, 2m or 1h, got "${text}"`);
  const seconds = Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2]?.toLowerCase() ?? 's') as 's' | 'm' | 'h'];
  if (seconds < 5 || seconds > DAY_S) throw new UsageError(`--interval must be between 5s and 24h, got "${text}"`);
  return seconds;
}

/** "2026-10-21" for a window boundary; the end is shown as the last day it includes. */
export function describeWindow(w: Window): string {
  const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  const lastIncluded = w.to - 1;
  const time = (t: number) => new Date(t * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const whole = w.from % DAY_S === 0 && w.to % DAY_S === 0;
  return whole ? `${day(w.from)} .. ${day(lastIncluded)}` : `${time(w.from)} .. ${time(w.to)} UTC`;
}
