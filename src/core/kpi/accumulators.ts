/**
 * One accumulator per ticket metric: `add(ticket, metricSet)` for every ticket read, in any
 * order, then `finish()` once. They hold counters only (the two percentile metrics also keep
 * their minute values, see percentiles.ts), so memory does not grow with the ticket count.
 *
 * Each ticket is counted in the window of the event the metric is about (docs/kpi.md):
 *   created_at       created, complaints, sla_breach_rate
 *   solved_at        solved, aht, fcr, reopen_rate, resolution_time (latest solve)
 *   first reply      first_reply_time (created_at + reply time)
 *   rating given     csat from satisfaction ratings
 *   solved, else last update   survey tags (csat_N, nps_N, ces_N)
 *   window end       backlog (unsolved at that instant)
 */
import { METRICS } from './catalog.js';
import { businessMinutesBetween } from '../business-hours.js';
import { MinuteSample } from './percentiles.js';
import { DAY_S, inWindow, windowDays } from './period.js';
import { SURVEY_TAGS, isComplaint, surveyAnswer, type SurveyTagKind } from './rules.js';
import type { KpiMetricSet, KpiRules, KpiTicket, MetricId, MetricResult, MinutesPair, Window } from './types.js';

export interface MetricAccumulator {
  add(ticket: KpiTicket, metrics: KpiMetricSet | null): void;
  finish(): MetricResult;
}

export type TicketMetricId = Exclude<MetricId, 'churn_rate'>;

export const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const pct = (part: number, whole: number) => round((100 * part) / whole, 1);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const isSolvedStatus = (status: string) => status === 'solved' || status === 'closed';

/** Only tickets whose latest solve falls in the window, with their metric set. */
function solvedIn(w: Window, metrics: KpiMetricSet | null): metrics is KpiMetricSet {
  return metrics !== null && inWindow(metrics.solvedAt, w);
}

function minutesOf(pair: MinutesPair, rules: KpiRules): number | null {
  return rules.businessHours ? pair.business : pair.calendar;
}

function result(id: MetricId, value: MetricResult['value'], n: number, note?: string): MetricResult {
  return note === undefined ? { value, unit: METRICS[id].unit, n } : { value, unit: METRICS[id].unit, n, note };
}

/** aht: mean of the time-tracking total over tickets solved in the window that have one. */
class HandleTime implements MetricAccumulator {
  #solved = 0;
  #tracked = 0;
  #seconds = 0;
  constructor(private readonly w: Window, private readonly rules: KpiRules) {}
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    if (!solvedIn(this.w, m)) return;
    this.#solved++;
    if (t.handleSeconds !== null && t.handleSeconds > 0) {
      this.#tracked++;
      this.#seconds += t.handleSeconds;
    }
  }
  finish(): MetricResult {
    const field = this.rules.handleTimeField;
    if (field === null) {
      return result('aht', null, 0, 'the desk has no "Total time spent (sec)" ticket field (Time Tracking); set time_tracking.total_field_id to its id');
    }
    if (this.#solved === 0) return result('aht', null, 0, 'no tickets solved in the period');
    if (this.#tracked === 0) return result('aht', null, 0, `none of the ${plural(this.#solved, 'ticket')} solved in the period has time in "${field.title}"`);
    const note = this.#tracked < this.#solved
      ? `${this.#solved - this.#tracked} of ${plural(this.#solved, 'solved ticket')} have no tracked time and are left out`
      : undefined;
    return result('aht', round(this.#seconds / this.#tracked / 60, 1), this.#tracked, note);
  }
}

/** fcr: share of tickets solved in the window with exactly one public agent reply and no reopen. */
class FirstContactResolution implements MetricAccumulator {
  #solved = 0;
  #oneTouch = 0;
  constructor(private readonly w: Window) {}
  add(_t: KpiTicket, m: KpiMetricSet | null): void {
    if (!solvedIn(this.w, m)) return;
    this.#solved++;
    if (m.replies === 1 && m.reopens === 0) this.#oneTouch++;
  }
  finish(): MetricResult {
    if (this.#solved === 0) return result('fcr', null, 0, 'no tickets solved in the period');
    return result('fcr', pct(this.#oneTouch, this.#solved), this.#solved);
  }
}

/** reopen_rate: share of tickets solved in the window that were reopened at least once. */
class ReopenRate implements MetricAccumulator {
  #solved = 0;
  #reopened = 0;
  constructor(private readonly w: Window) {}
  add(_t: KpiTicket, m: KpiMetricSet | null): void {
    if (!solvedIn(this.w, m)) return;
    this.#solved++;
    if (m.reopens > 0) this.#reopened++;
  }
  finish(): MetricResult {
    if (this.#solved === 0) return result('reopen_rate', null, 0, 'no tickets solved in the period');
    return result('reopen_rate', pct(this.#reopened, this.#solved), this.#solved);
  }
}

/** When a survey answer in a tag counts: the ticket's latest solve, else its last update. */
function surveyTime(t: KpiTicket, m: KpiMetricSet | null): number {
  return m?.solvedAt ?? t.updatedAt;
}

/** Counts survey answers from tags, and the tickets whose tags disagree. */
class SurveyTags {
  conflicts = 0;
  constructor(private readonly w: Window, private readonly kind: SurveyTagKind) {}
  answer(t: KpiTicket, m: KpiMetricSet | null): number | null {
    if (!inWindow(surveyTime(t, m), this.w)) return null;
    const a = surveyAnswer(t.tags, this.kind);
    if (a === 'conflict') {
      this.conflicts++;
      return null;
    }
    return a;
  }
  note(): string | undefined {
    if (this.conflicts === 0) return undefined;
    return `${plural(this.conflicts, 'ticket')} with conflicting ${this.kind.prefix}_N tags left out`;
  }
}

/**
 * csat: good / (good + bad). Satisfaction ratings count when given in the window; a ticket
 * without a good/bad rating counts its csat_N tag (1-5, 4 and 5 satisfied) instead.
 */
class Csat implements MetricAccumulator {
  #good = 0;
  #bad = 0;
  #tags: SurveyTags;
  constructor(private readonly w: Window) {
    this.#tags = new SurveyTags(w, SURVEY_TAGS.csat);
  }
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    if (t.rating) {
      if (!inWindow(t.rating.at, this.w)) return;
      if (t.rating.score === 'good') this.#good++;
      else this.#bad++;
      return;
    }
    const a = this.#tags.answer(t, m);
    if (a === null) return;
    if (a >= 4) this.#good++;
    else this.#bad++;
  }
  finish(): MetricResult {
    const n = this.#good + this.#bad;
    if (n === 0) return result('csat', null, 0, joinNotes('no good/bad satisfaction ratings or csat_N tags in the period', this.#tags.note()));
    return result('csat', pct(this.#good, n), n, this.#tags.note());
  }
}

/** nps: % promoters (9-10) minus % detractors (0-6) over nps_N tags. */
class NetPromoter implements MetricAccumulator {
  #n = 0;
  #promoters = 0;
  #detractors = 0;
  #tags: SurveyTags;
  constructor(w: Window) {
    this.#tags = new SurveyTags(w, SURVEY_TAGS.nps);
  }
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    const a = this.#tags.answer(t, m);
    if (a === null) return;
    this.#n++;
    if (a >= 9) this.#promoters++;
    else if (a <= 6) this.#detractors++;
  }
  finish(): MetricResult {
    if (this.#n === 0) return result('nps', null, 0, joinNotes('no nps_N survey tags (0-10) in the period', this.#tags.note()));
    return result('nps', round((100 * (this.#promoters - this.#detractors)) / this.#n, 1), this.#n, this.#tags.note());
  }
}

/**
 * ces: mean of ces_N tags on the 1-7 agreement scale with "the company made it easy to handle my
 * issue" (the survey-ces template): 7 = strongly agree = low effort, so higher is better.
 */
class CustomerEffort implements MetricAccumulator {
  #n = 0;
  #sum = 0;
  #tags: SurveyTags;
  constructor(w: Window) {
    this.#tags = new SurveyTags(w, SURVEY_TAGS.ces);
  }
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    const a = this.#tags.answer(t, m);
    if (a === null) return;
    this.#n++;
    this.#sum += a;
  }
  finish(): MetricResult {
    if (this.#n === 0) return result('ces', null, 0, joinNotes('no ces_N survey tags (1-7) in the period', this.#tags.note()));
    return result('ces', round(this.#sum / this.#n, 2), this.#n, this.#tags.note());
  }
}

/** first_reply_time: median and p90 of reply_time_in_minutes, over first replies made in the window. */
class FirstReplyTime implements MetricAccumulator {
  #sample = new MinuteSample();
  #waiting = 0;
  #noBusiness = 0;
  constructor(private readonly w: Window, private readonly rules: KpiRules) {}
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    if (m === null) return;
    const calendar = m.firstReplyMinutes.calendar;
    if (calendar === null) {
      if (inWindow(t.createdAt, this.w) && !isSolvedStatus(t.status)) this.#waiting++;
      return;
    }
    if (!inWindow(t.createdAt + calendar * 60, this.w)) return;
    const minutes = minutesOf(m.firstReplyMinutes, this.rules);
    if (minutes === null) this.#noBusiness++;
    else this.#sample.add(minutes);
  }
  finish(): MetricResult {
    const notes: Array<string | undefined> = [];
    if (this.#waiting > 0) notes.push(`${plural(this.#waiting, 'ticket')} created in the period ${this.#waiting === 1 ? 'has' : 'have'} no reply yet`);
    if (this.#noBusiness > 0) notes.push(`${plural(this.#noBusiness, 'reply', 'replies')} without business minutes left out`);
    return percentileResult('first_reply_time', this.#sample, 'no first replies in the period', notes);
  }
}

/** resolution_time: median and p90 of full_resolution_time_in_minutes over tickets solved in the window. */
class ResolutionTime implements MetricAccumulator {
  #sample = new MinuteSample();
  #noBusiness = 0;
  constructor(private readonly w: Window, private readonly rules: KpiRules) {}
  add(_t: KpiTicket, m: KpiMetricSet | null): void {
    if (!solvedIn(this.w, m)) return;
    const minutes = minutesOf(m.resolutionMinutes, this.rules);
    if (minutes === null) {
      if (this.rules.businessHours && m.resolutionMinutes.calendar !== null) this.#noBusiness++;
      return;
    }
    this.#sample.add(minutes);
  }
  finish(): MetricResult {
    const notes = this.#noBusiness > 0 ? [`${plural(this.#noBusiness, 'ticket')} without business minutes left out`] : [];
    return percentileResult('resolution_time', this.#sample, 'no tickets solved in the period', notes);
  }
}

function percentileResult(id: MetricId, sample: MinuteSample, empty: string, notes: Array<string | undefined>): MetricResult {
  const n = sample.size;
  if (n === 0) return result(id, null, 0, joinNotes(empty, ...notes));
  const median = sample.percentile(0.5)!;
  const p90 = sample.percentile(0.9)!;
  return result(id, { median: round(median, 1), p90: round(p90, 1) }, n, joinNotes(...notes));
}

/** complaints: tickets created in the window with a complaint tag or keyword. n = tickets created. */
class Complaints implements MetricAccumulator {
  #created = 0;
  #complaints = 0;
  constructor(private readonly w: Window, private readonly rules: KpiRules) {}
  add(t: KpiTicket): void {
    if (!inWindow(t.createdAt, this.w)) return;
    this.#created++;
    if (isComplaint(t, this.rules.complaintTags)) this.#complaints++;
  }
  finish(): MetricResult {
    return result('complaints', this.#complaints, this.#created);
  }
}

export const BACKLOG_BUCKETS = ['<1d', '1-3d', '3-7d', '>7d'] as const;

/**
 * backlog: tickets created before the window's end and not solved at that instant, by age then.
 * "Solved at that instant" reads the latest solve: a ticket solved before the end and reopened
 * after it counts as unsolved (the export has no status history).
 */
class Backlog implements MetricAccumulator {
  #buckets = [0, 0, 0, 0];
  constructor(private readonly w: Window) {}
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    const end = this.w.to;
    if (t.createdAt >= end) return;
    const solvedBy = m !== null ? m.solvedAt !== null && m.solvedAt < end : isSolvedStatus(t.status);
    if (solvedBy) return;
    const ageDays = (end - t.createdAt) / DAY_S;
    this.#buckets[ageDays < 1 ? 0 : ageDays < 3 ? 1 : ageDays < 7 ? 2 : 3]!++;
  }
  finish(): MetricResult {
    const total = this.#buckets.reduce((a, b) => a + b, 0);
    return {
      ...result('backlog', total, total),
      buckets: Object.fromEntries(BACKLOG_BUCKETS.map((label, i) => [label, this.#buckets[i]!])),
    };
  }
}

/**
 * sla_breach_rate: of the tickets created in the window with a priority, the share whose first
 * reply came later than the target for that priority. A ticket with no reply is breached once
 * it has waited longer than the target (until it was solved, else until now); one still inside
 * its target is not counted yet.
 */
class SlaBreachRate implements MetricAccumulator {
  #n = 0;
  #breached = 0;
  #pending = 0;
  #noPriority = 0;
  constructor(private readonly w: Window, private readonly rules: KpiRules) {}
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    if (!inWindow(t.createdAt, this.w) || m === null) return;
    const target = t.priority === null ? undefined : this.rules.slaTargetMinutes[t.priority];
    if (target === undefined) {
      this.#noPriority++;
      return;
    }
    let waited: number | null;
    if (m.firstReplyMinutes.calendar !== null) {
      waited = minutesOf(m.firstReplyMinutes, this.rules);
      if (waited === null) return;
    } else {
      const end = m.solvedAt ?? this.rules.now;
      waited = this.rules.businessHours ? businessMinutesBetween(t.createdAt, end) : Math.max(0, (end - t.createdAt) / 60);
      if (waited <= target && m.solvedAt === null) {
        this.#pending++;
        return;
      }
    }
    this.#n++;
    if (waited > target) this.#breached++;
  }
  finish(): MetricResult {
    const notes: string[] = [];
    if (this.#pending > 0) notes.push(`${plural(this.#pending, 'ticket')} still waiting within target not counted yet`);
    if (this.#noPriority > 0) notes.push(`${plural(this.#noPriority, 'ticket')} without a priority ${this.#noPriority === 1 ? 'has' : 'have'} no SLA`);
    if (this.#n === 0) return result('sla_breach_rate', null, 0, joinNotes('no tickets with a priority created in the period', ...notes));
    return result('sla_breach_rate', pct(this.#breached, this.#n), this.#n, joinNotes(...notes));
  }
}

/** created / solved: tickets per day over the window; n is the count. */
class PerDay implements MetricAccumulator {
  #count = 0;
  constructor(private readonly id: 'created' | 'solved', private readonly w: Window) {}
  add(t: KpiTicket, m: KpiMetricSet | null): void {
    const at = this.id === 'created' ? t.createdAt : m?.solvedAt;
    if (inWindow(at, this.w)) this.#count++;
  }
  finish(): MetricResult {
    const days = windowDays(this.w);
    return result(this.id, days > 0 ? round(this.#count / days, 2) : null, this.#count);
  }
}

export function createAccumulator(id: TicketMetricId, w: Window, rules: KpiRules): MetricAccumulator {
  switch (id) {
    case 'aht':
      return new HandleTime(w, rules);
    case 'fcr':
      return new FirstContactResolution(w);
    case 'csat':
      return new Csat(w);
    case 'nps':
      return new NetPromoter(w);
    case 'ces':
      return new CustomerEffort(w);
    case 'first_reply_time':
      return new FirstReplyTime(w, rules);
    case 'resolution_time':
      return new ResolutionTime(w, rules);
    case 'complaints':
      return new Complaints(w, rules);
    case 'backlog':
      return new Backlog(w);
    case 'sla_breach_rate':
      return new SlaBreachRate(w, rules);
    case 'reopen_rate':
      return new ReopenRate(w);
    case 'created':
    case 'solved':
      return new PerDay(id, w);
  }
}

export function joinNotes(...notes: Array<string | undefined>): string | undefined {
  const list = notes.filter((n): n is string => Boolean(n));
  return list.length ? list.join('; ') : undefined;
}
