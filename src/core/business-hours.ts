/**
 * Business hours: the one place in core that counts time on a business calendar (working days,
 * opening hours, an IANA time zone). Follow-up sweeps use it for "2 business days since the
 * ticket went pending", "4 business hours since the transfer"; the KPI math for how long an
 * unanswered ticket has waited in business minutes (kpi --business-hours). Pure: instants in,
 * instants out. No date library: the zone's offset at an instant comes from Intl, which Node
 * ships with full ICU. (The embedded desk counts its own business minutes in src/desk/time.ts,
 * as Zendesk would on its side; the default calendar here is the same schedule.)
 *
 * A business day is one working day's worth of business hours (09:00-17:00 is 8 hours), so
 * "2 business days" after Friday 16:00 is Tuesday 16:00. Holidays are not modelled.
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** How far back or forward a walk over days goes before giving up (about 30 years). */
const MAX_DAYS = 11_000;

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessCalendar {
  /** IANA zone, e.g. "UTC", "Europe/Paris". */
  timeZone: string;
  /** Working days, 0 = Sunday ... 6 = Saturday. */
  days: number[];
  /** Opening and closing time, minutes after local midnight. */
  openMinute: number;
  closeMinute: number;
}

/** Monday to Friday, 09:00-17:00 UTC (Zendesk's default schedule). */
export const DEFAULT_CALENDAR: BusinessCalendar = { timeZone: 'UTC', days: [1, 2, 3, 4, 5], openMinute: 9 * 60, closeMinute: 17 * 60 };

export type DurationUnit = 'minutes' | 'hours' | 'days' | 'business_hours' | 'business_days';

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

const UNIT_WORDS: Array<[RegExp, DurationUnit]> = [
  [/^business[ _-]?days?$/, 'business_days'],
  [/^business[ _-]?hours?$/, 'business_hours'],
  [/^(d|days?)$/, 'days'],
  [/^(h|hours?)$/, 'hours'],
  [/^(m|min|mins|minutes?)$/, 'minutes'],
];

/** "2 business_days", "4 business hours", "36 hours", "3 days", "90 minutes"; undefined if not one. */
export function parseDuration(text: string): Duration | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z _-]+?)\s*$/i.exec(text);
  if (!m) return undefined;
  const amount = Number(m[1]);
  const word = m[2]!.toLowerCase();
  const unit = UNIT_WORDS.find(([re]) => re.test(word))?.[1];
  if (!unit || !Number.isFinite(amount) || amount < 0) return undefined;
  return { amount, unit };
}

export function formatDurationSpec(d: Duration): string {
  const one = d.amount === 1;
  const word = { minutes: 'minute', hours: 'hour', days: 'day', business_hours: 'business hour', business_days: 'business day' }[d.unit];
  return `${d.amount} ${word}${one ? '' : 's'}`;
}

/** "09:00" -> 540; undefined for anything else. */
export function parseClock(text: string): number | undefined {
  const m = /^([01]?\d|2[0-4]):([0-5]\d)$/.exec(text.trim());
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 24 * 60 ? minutes : undefined;
}

/** Whether Intl knows the zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Zone arithmetic

/** Zones whose offset is always 0, known without asking Intl. */
const isUtc = (zone: string) => zone === 'UTC' || zone === 'Etc/UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms (local = utc + offset). */
function offsetAt(zone: string, instant: number): number {
  if (isUtc(zone)) return 0;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** A local calendar date, as days since 1970-01-01 (its weekday is (n + 4) mod 7). */
type LocalDay = number;

function localDayOf(zone: string, instant: number): LocalDay {
  return Math.floor((instant + offsetAt(zone, instant)) / DAY_MS);
}

/** The instant of `minute` minutes after local midnight on `day` in `zone`. */
function instantOf(zone: string, day: LocalDay, minute: number): number {
  const wall = day * DAY_MS + minute * MINUTE_MS;
  let guess = wall - offsetAt(zone, wall);
  // Twice settles it, including across a DST change between the guess and the answer.
  guess = wall - offsetAt(zone, guess);
  return wall - offsetAt(zone, guess);
}

const weekday = (day: LocalDay) => (((day + 4) % 7) + 7) % 7;

/** The business window [open, close) of a local day, or null on a day off. */
function windowOf(cal: BusinessCalendar, day: LocalDay): [number, number] | null {
  if (!cal.days.includes(weekday(day)) || cal.closeMinute <= cal.openMinute) return null;
  return [instantOf(cal.timeZone, day, cal.openMinute), instantOf(cal.timeZone, day, cal.closeMinute)];
}

/** Length of one business day of the calendar, in ms. */
export function businessDayMs(cal: BusinessCalendar): number {
  return (cal.closeMinute - cal.openMinute) * MINUTE_MS;
}

/** 1970-01-04, the first Sunday of the epoch, as a local day. */
const FIRST_SUNDAY: LocalDay = 3;
const WEEK_MS = 7 * DAY_MS;

/**
 * Business ms from the first Sunday of the epoch to `instant`, on a calendar whose zone is UTC:
 * no offsets to look up, so whole weeks count at once and differences give durations in
 * constant time (the KPI math asks this once per unanswered ticket, for spans of months).
 */
function utcBusinessClock(instant: number, cal: BusinessCalendar): number {
  const perDay = Math.max(0, cal.closeMinute - cal.openMinute) * MINUTE_MS;
  const d = instant - FIRST_SUNDAY * DAY_MS;
  const week = Math.floor(d / WEEK_MS);
  const inWeek = d - week * WEEK_MS;
  const day = Math.floor(inWeek / DAY_MS); // 0 = Sunday
  const inDay = inWeek - day * DAY_MS;
  let workDays = 0;
  let before = 0;
  for (let w = 0; w < 7; w++) {
    if (!cal.days.includes(w)) continue;
    workDays++;
    if (w < day) before++;
  }
  const today = cal.days.includes(day) ? Math.min(Math.max(inDay - cal.openMinute * MINUTE_MS, 0), perDay) : 0;
  return (week * workDays + before) * perDay + today;
}

/** Business time between two instants in ms (0 when `to` is not after `from`). */
export function businessMsBetween(from: number, to: number, cal: BusinessCalendar): number {
  if (!(to > from)) return 0;
  if (isUtc(cal.timeZone)) return utcBusinessClock(to, cal) - utcBusinessClock(from, cal);
  let total = 0;
  const last = localDayOf(cal.timeZone, to);
  for (let day = localDayOf(cal.timeZone, from), n = 0; day <= last && n < MAX_DAYS; day++, n++) {
    const w = windowOf(cal, day);
    if (!w) continue;
    const start = Math.max(w[0], from);
    const end = Math.min(w[1], to);
    if (end > start) total += end - start;
  }
  return total;
}

/**
 * Whole business minutes between two unix times in seconds (0 when `to` is not after `from`),
 * on the embedded desk's schedule unless told otherwise: how the KPI math measures a wait
 * itself (every other KPI duration comes from the desk's ticket metrics).
 */
export function businessMinutesBetween(fromS: number, toS: number, cal: BusinessCalendar = DEFAULT_CALENDAR): number {
  if (toS <= fromS) return 0;
  return Math.floor(businessMsBetween(fromS * 1000, toS * 1000, cal) / MINUTE_MS);
}

/**
 * The latest instant `t` such that the business time from `t` to `now` is at least `ms`: a
 * ticket whose clock started at or before it has waited long enough. -Infinity when the calendar
 * has no business time at all.
 */
export function subtractBusinessMs(now: number, ms: number, cal: BusinessCalendar): number {
  if (ms <= 0) return now;
  let remaining = ms;
  for (let day = localDayOf(cal.timeZone, now), n = 0; n < MAX_DAYS; day--, n++) {
    const w = windowOf(cal, day);
    if (!w) continue;
    const end = Math.min(w[1], now);
    if (end <= w[0]) continue;
    const available = end - w[0];
    if (available >= remaining) return end - remaining;
    remaining -= available;
  }
  return Number.NEGATIVE_INFINITY;
}

/** A duration in ms of calendar time (business units are not calendar time). */
function calendarMs(d: Duration): number {
  switch (d.unit) {
    case 'minutes':
      return d.amount * MINUTE_MS;
    case 'hours':
      return d.amount * HOUR_MS;
    case 'days':
      return d.amount * DAY_MS;
    default:
      throw new Error(`${d.unit} is not calendar time`);
  }
}

/**
 * The cutoff for "at least `d` since": a clock that started at or before the returned instant
 * has run for at least `d` by `now`.
 */
export function cutoffFor(now: number, d: Duration, cal: BusinessCalendar): number {
  if (d.unit === 'business_hours') return subtractBusinessMs(now, d.amount * HOUR_MS, cal);
  if (d.unit === 'business_days') return subtractBusinessMs(now, d.amount * businessDayMs(cal), cal);
  return now - calendarMs(d);
}

/** How long since `from` in the duration's own unit (for explanations and tests). */
export function elapsedIn(from: number, now: number, unit: DurationUnit, cal: BusinessCalendar): number {
  switch (unit) {
    case 'business_hours':
      return businessMsBetween(from, now, cal) / HOUR_MS;
    case 'business_days':
      return businessMsBetween(from, now, cal) / businessDayMs(cal);
    case 'minutes':
      return (now - from) / MINUTE_MS;
    case 'hours':
      return (now - from) / HOUR_MS;
    case 'days':
      return (now - from) / DAY_MS;
  }
}
