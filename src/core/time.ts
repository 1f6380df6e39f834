/** Small, pure time helpers shared by commands and screens, and the one clock type. */
import { UsageError } from './errors.js';

/**
 * The clock: every "now" in deskops comes from one of these, handed down from the CLI context
 * (or, for the embedded desk, from whoever starts it). Nothing else reads the system time for
 * a date; durations (timeouts, pacing, latency) may use timers.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/**
 * A clock that reads `start` now and then moves on with real time: demo data seeded at a
 * fixed date stays "fresh" to a desk and a client that share this clock, on any date the
 * machine says it is, while waits, windows and job deadlines still pass.
 */
export function clockFrom(start: Date, real: () => number = Date.now): Clock {
  const offset = start.getTime() - real();
  return () => new Date(real() + offset);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "45s", "12m", "5h", "3d", "14w" for a duration in ms (negative durations keep their sign). */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a < MINUTE) return `${sign}${Math.floor(a / 1000)}s`;
  if (a < HOUR) return `${sign}${Math.floor(a / MINUTE)}m`;
  if (a < 2 * DAY) return `${sign}${Math.floor(a / HOUR)}h`;
  if (a < 60 * DAY) return `${sign}${Math.floor(a / DAY)}d`;
  return `${sign}${Math.floor(a / (7 * DAY))}w`;
}

/** Age of an ISO timestamp relative to now, e.g. "3d". Empty for missing or invalid dates. */
export function formatAge(iso: string | null | undefined, now: Date): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return formatDuration(now.getTime() - t);
}

/** "2026-11-25 14:03" in UTC: stable across machines, readable in a table. */
export function formatTimestamp(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/** Minutes as "1h 05m" / "3d 4h" / "12m". */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return '';
  const m = Math.round(minutes);
  if (m < 60) return `${m}m`;
  if (m < 48 * 60) return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(m / 1440)}d ${Math.floor((m % 1440) / 60)}h`;
}

/** Unix seconds to "2026-11-01T10:00:00Z" (second precision, as Zendesk writes times). */
export function isoSeconds(unix: number): string {
  return new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A duration in milliseconds from "150ms", "0.2s" or a bare number of ms (at most `maxMs`); `what` names it in errors. */
export function parseDurationMs(value: string, what: string, maxMs: number): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(value.trim());
  if (!m) throw new UsageError(`${what} must be a duration like 150ms or 0.2s, got ${JSON.stringify(value)}`);
  const ms = Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 's' ? 1000 : 1));
  if (ms > maxMs) throw new UsageError(`${what} must be at most ${maxMs} ms, got ${value.trim()}`);
  return ms;
}
