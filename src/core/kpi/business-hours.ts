/**
 * Business minutes for the one case the KPI math measures a duration itself: how long a ticket
 * that has no first reply has been waiting (SLA breaches with --business-hours). Every other
 * duration comes from the desk's ticket metrics, in the desk's own schedule.
 *
 * The schedule is the embedded desk's, Zendesk's default: Monday to Friday, 09:00-17:00 UTC.
 */
const DAY = 86_400;
const WEEK = 7 * DAY;
/** 1970-01-05 was a Monday. */
const MONDAY = 4 * DAY;
const OPEN = 9 * 3600;
const CLOSE = 17 * 3600;
const HOURS_A_DAY = CLOSE - OPEN;

/** Business seconds elapsed from the reference Monday to t: differences give durations. */
function businessClock(t: number): number {
  const d = t - MONDAY;
  const week = Math.floor(d / WEEK);
  const inWeek = d - week * WEEK;
  const day = Math.floor(inWeek / DAY);
  const inDay = inWeek - day * DAY;
  const today = day < 5 ? Math.min(Math.max(inDay - OPEN, 0), HOURS_A_DAY) : 0;
  return week * 5 * HOURS_A_DAY + Math.min(day, 5) * HOURS_A_DAY + today;
}

/** Whole business minutes between two unix times (0 when `to` is not after `from`). */
export function businessMinutesBetween(from: number, to: number): number {
  if (to <= from) return 0;
  return Math.floor((businessClock(to) - businessClock(from)) / 60);
}
