/**
 * Time on the desk: the store keeps unix seconds; the API speaks ISO 8601 with second
 * precision ("2026-11-01T10:00:00Z") as Zendesk does. Business hours are Mon-Fri 09:00-17:00 UTC.
 */
import { isoSeconds } from '../core/time.js';

export { isoSeconds };

export const MINUTE_S = 60;
export const HOUR_S = 3600;
export const DAY_S = 86_400;

export function unixNow(now: Date = new Date()): number {
  return Math.floor(now.getTime() / 1000);
}


export function isoOrNull(unix: number | null | undefined): string | null {
  return unix === null || unix === undefined ? null : isoSeconds(unix);
}

/** Parses an ISO date-time as unix seconds, or undefined. */
export function parseIsoSeconds(text: string): number | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

// 1970-01-05 was a Monday; weeks are counted from there.
const MONDAY_EPOCH_S = 4 * DAY_S;
const WEEK_S = 7 * DAY_S;
const OPEN_S = 9 * HOUR_S;
const BUSINESS_DAY_S = 8 * HOUR_S;

/** Business seconds from the reference Monday to `t` (monotonic, so differences give durations). */
function businessClock(t: number): number {
  const d = t - MONDAY_EPOCH_S;
  const week = Math.floor(d / WEEK_S);
  const inWeek = d - week * WEEK_S;
  const day = Math.floor(inWeek / DAY_S);
  const inDay = inWeek - day * DAY_S;
  const today = day < 5 ? Math.min(Math.max(inDay - OPEN_S, 0), BUSINESS_DAY_S) : 0;
  return week * 5 * BUSINESS_DAY_S + Math.min(day, 5) * BUSINESS_DAY_S + today;
}

/** Calendar minutes between two unix times (rounded, never negative). */
export function calendarMinutes(from: number, to: number): number {
  return Math.max(0, Math.round((to - from) / 60));
}

/** Minutes of business hours (Mon-Fri 09:00-17:00 UTC) between two unix times. */
export function businessMinutes(from: number, to: number): number {
  if (to <= from) return 0;
  return Math.round((businessClock(to) - businessClock(from)) / 60);
}
