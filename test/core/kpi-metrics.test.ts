/**
 * Each KPI against a small hand-computed fixture. The window is the week of 2026-11-01
 * (a Sunday) to 2026-11-08, UTC; `now` is its end unless a test says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { createAccumulator, type TicketMetricId } from '../../src/core/kpi/accumulators.js';
import { businessMinutesBetween } from '../../src/core/business-hours.js';
import { SLA_TARGET_MINUTES, parseSlaTargets } from '../../src/core/kpi/rules.js';
import type { KpiMetricSet, KpiRules, KpiTicket, MetricResult, Window } from '../../src/core/kpi/types.js';
import { businessMinutes as deskBusinessMinutes } from '../../src/desk/time.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const H = 3600;
const D = 86_400;
const W: Window = { from: at('2026-11-01T00:00:00Z'), to: at('2026-11-08T00:00:00Z') };
const MID = at('2026-11-04T12:00:00Z');

const RULES: KpiRules = {
  businessHours: false,
  complaintTags: ['complaint'],
  slaTargetMinutes: SLA_TARGET_MINUTES,
  handleTimeField: { id: 9001, title: 'Total time spent (sec)' },
  now: W.to,
};

let nextId = 1;
function ticket(over: Partial<KpiTicket> = {}): KpiTicket {
  return {
    id: nextId++,
    createdAt: MID - D,
    updatedAt: MID,
    status: 'open',
    priority: 'normal',
    channel: 'email',
    assigneeId: 1001,
    groupId: 201,
    tags: [],
    handleSeconds: null,
    complaintText: false,
    ...over,
  };
}

function metrics(over: Partial<KpiMetricSet> = {}): KpiMetricSet {
  return {
    solvedAt: null,
    replies: 0,
    reopens: 0,
    firstReplyMinutes: { calendar: null, business: null },
    resolutionMinutes: { calendar: null, business: null },
    ...over,
  };
}

const solved = (over: Partial<KpiMetricSet> = {}) => metrics({ solvedAt: MID, replies: 1, ...over });

function run(id: TicketMetricId, rows: Array<[KpiTicket, KpiMetricSet | null]>, rules: Partial<KpiRules> = {}, w: Window = W): MetricResult {
  const acc = createAccumulator(id, w, { ...RULES, ...rules });
  for (const [t, m] of rows) acc.add(t, m);
  return acc.finish();
}

describe('aht', () => {
  it('averages the time-tracking total over solved tickets that have one, and says how many are left out', () => {
    const r = run('aht', [
      [ticket({ handleSeconds: 600 }), solved()],
      [ticket({ handleSeconds: 1200 }), solved()],
      [ticket({ handleSeconds: null }), solved()],
      [ticket({ handleSeconds: 6000 }), solved({ solvedAt: W.from - 1 })], // solved before the period
      [ticket({ handleSeconds: 6000 }), metrics()], // unsolved
    ]);
    expect(r).toEqual({ value: 15, unit: 'min', n: 2, note: '1 of 3 solved tickets have no tracked time and are left out' });
  });

  it('is one ticket\'s own time when there is one', () => {
    expect(run('aht', [[ticket({ handleSeconds: 90 }), solved()]])).toMatchObject({ value: 1.5, n: 1 });
    expect(run('aht', [[ticket({ handleSeconds: 90 }), solved()]]).note).toBeUndefined();
  });

  it('is null with a note, never a made-up number, when no ticket has tracked time or the desk has no field', () => {
    const none = run('aht', [[ticket(), solved()], [ticket(), solved()]]);
    expect(none.value).toBeNull();
    expect(none.n).toBe(0);
    expect(none.note).toBe('none of the 2 tickets solved in the period has time in "Total time spent (sec)"');

    const noField = run('aht', [[ticket({ handleSeconds: 600 }), solved()]], { handleTimeField: null });
    expect(noField.value).toBeNull();
    expect(noField.note).toMatch(/no "Total time spent \(sec\)" ticket field.*time_tracking\.total_field_id/);

    expect(run('aht', [])).toMatchObject({ value: null, n: 0, note: 'no tickets solved in the period' });
  });
});

describe('fcr and reopen_rate', () => {
  const rows = (): Array<[KpiTicket, KpiMetricSet | null]> => [
    [ticket(), solved({ replies: 1, reopens: 0 })], // one touch
    [ticket(), solved({ replies: 1, reopens: 1 })], // reopened: not first contact
    [ticket(), solved({ replies: 2, reopens: 0 })], // two replies
    [ticket(), solved({ replies: 0, reopens: 0 })], // solved without a public reply
    [ticket(), solved({ replies: 1, solvedAt: W.to })], // solved just after the period
    [ticket(), metrics({ replies: 1 })], // unsolved
  ];

  it('fcr: solved with exactly one public agent reply and never reopened, over all tickets solved in the period', () => {
    expect(run('fcr', rows())).toEqual({ value: 25, unit: '%', n: 4 });
  });

  it('reopen_rate: tickets solved in the period that were reopened', () => {
    expect(run('reopen_rate', rows())).toEqual({ value: 25, unit: '%', n: 4 });
  });

  it('are null with a note when nothing was solved', () => {
    expect(run('fcr', [[ticket(), metrics()]])).toMatchObject({ value: null, n: 0, note: 'no tickets solved in the period' });
    expect(run('reopen_rate', [])).toMatchObject({ value: null, n: 0 });
  });
});

describe('csat, nps, ces', () => {
  it('csat: good / (good + bad) from ratings given in the period, and csat_N tags (4-5 satisfied) on tickets without a rating', () => {
    const r = run('csat', [
      [ticket({ rating: { score: 'good', at: MID } }), solved()],
      [ticket({ rating: { score: 'bad', at: MID } }), solved()],
      [ticket({ rating: { score: 'good', at: W.from - 10 } }), solved()], // rated before the period
      [ticket({ rating: { score: 'good', at: MID }, tags: ['csat_1'] }), solved()], // the rating wins over the tag
      [ticket({ tags: ['csat_5'] }), solved()],
      [ticket({ tags: ['csat_4'] }), solved()],
      [ticket({ tags: ['csat_3'] }), solved()],
      [ticket({ tags: ['csat_2', 'csat_5'] }), solved()], // conflicting: left out
      [ticket({ tags: ['csat_5'] }), solved({ solvedAt: W.from - 10 })], // answered before the period
      [ticket({ tags: ['csat_9', 'csat_x'] }), solved()], // not survey answers
    ]);
    // good: rating, rating, csat_5, csat_4 = 4; bad: rating, csat_3 = 2
    expect(r).toEqual({ value: 66.7, unit: '%', n: 6, note: '1 ticket with conflicting csat_N tags left out' });
  });

  it('csat counts an unsolved ticket\'s tag at its last update', () => {
    expect(run('csat', [[ticket({ tags: ['csat_5'], updatedAt: MID }), metrics()]])).toMatchObject({ value: 100, n: 1 });
    expect(run('csat', [[ticket({ tags: ['csat_5'], updatedAt: W.to + 1 }), metrics()]])).toMatchObject({ value: null, n: 0 });
  });

  it('nps: % promoters (9-10) minus % detractors (0-6)', () => {
    const tags = ['nps_10', 'nps_9', 'nps_7', 'nps_3', 'nps_0'];
    expect(run('nps', tags.map((t) => [ticket({ tags: [t] }), solved()]))).toEqual({ value: 0, unit: 'score', n: 5 });
    const more = ['nps_10', 'nps_10', 'nps_10', 'nps_6'];
    expect(run('nps', more.map((t) => [ticket({ tags: [t] }), solved()]))).toMatchObject({ value: 50, n: 4 });
  });

  it('ces: the mean of ces_N answers on 1-7', () => {
    const tags = ['ces_2', 'ces_3', 'ces_7'];
    expect(run('ces', tags.map((t) => [ticket({ tags: [t] }), solved()]))).toEqual({ value: 4, unit: 'score', n: 3 });
    expect(run('ces', [[ticket({ tags: ['ces_8'] }), solved()]])).toMatchObject({ value: null, n: 0 });
  });

  it('are null with a note when there are no answers', () => {
    for (const id of ['csat', 'nps', 'ces'] as const) {
      const r = run(id, [[ticket(), solved()]]);
      expect(r.value, id).toBeNull();
      expect(r.n, id).toBe(0);
      expect(r.note, id).toMatch(/^no /);
    }
  });
});

describe('first_reply_time and resolution_time', () => {
  const replied = (minutes: number, createdAt = MID - D) =>
    [ticket({ createdAt }), metrics({ replies: 1, firstReplyMinutes: { calendar: minutes, business: minutes } })] as [KpiTicket, KpiMetricSet];

  it('median and p90 of an even count interpolate between ranks', () => {
    const r = run('first_reply_time', [replied(40), replied(10), replied(30), replied(20)]);
    // sorted 10 20 30 40: median (20+30)/2 = 25; p90 at rank 2.7 = 30 + 0.7 * 10 = 37
    expect(r).toEqual({ value: { median: 25, p90: 37 }, unit: 'min', n: 4 });
  });

  it('counts a first reply in the period in which it was made, and notes tickets still without one', () => {
    const r = run('first_reply_time', [
      replied(7 * 24 * 60, W.from - 2 * D), // created before the period, answered in it
      replied(60, W.from - 3 * H), // answered before the period
      [ticket({ createdAt: MID }), metrics()], // no reply yet
      [ticket({ createdAt: MID, status: 'solved' }), metrics({ solvedAt: MID + H })], // solved without a reply
    ]);
    expect(r).toEqual({ value: { median: 10080, p90: 10080 }, unit: 'min', n: 1, note: '1 ticket created in the period has no reply yet' });
  });

  it('one ticket: median and p90 are its value', () => {
    const r = run('resolution_time', [[ticket(), solved({ resolutionMinutes: { calendar: 95, business: 50 } })]]);
    expect(r.value).toEqual({ median: 95, p90: 95 });
    expect(run('resolution_time', [[ticket(), solved({ resolutionMinutes: { calendar: 95, business: 50 } })]], { businessHours: true }).value).toEqual({ median: 50, p90: 50 });
  });

  it('are null with a note when there is nothing to measure', () => {
    expect(run('first_reply_time', [])).toEqual({ value: null, unit: 'min', n: 0, note: 'no first replies in the period' });
    expect(run('resolution_time', [[ticket(), metrics()]])).toMatchObject({ value: null, n: 0, note: 'no tickets solved in the period' });
  });
});

describe('business hours across a weekend', () => {
  // Friday 2026-11-06 16:00 UTC to Monday 2026-11-09 10:00 UTC: 66 calendar hours,
  // 2 business hours (Friday 16-17, Monday 9-10) on the embedded desk's Mon-Fri 09-17 schedule.
  const friday = at('2026-11-06T16:00:00Z');
  const monday = at('2026-11-09T10:00:00Z');
  const w: Window = { from: at('2026-11-02T00:00:00Z'), to: at('2026-11-16T00:00:00Z') };

  it('business minutes skip the night and the weekend, as the desk counts them', () => {
    expect(businessMinutesBetween(friday, monday)).toBe(120);
    expect(businessMinutesBetween(monday, friday)).toBe(0);
    expect(businessMinutesBetween(at('2026-11-07T10:00:00Z'), at('2026-11-08T20:00:00Z'))).toBe(0); // all weekend
    // Same schedule as src/desk/time.ts over many spans (the desk rounds, this floors whole minutes).
    let t = at('2026-10-30T07:13:00Z');
    for (let i = 0; i < 200; i++) {
      const span = ((i * 7919) % (9 * D)) + 60;
      expect(Math.abs(businessMinutesBetween(t, t + span) - deskBusinessMinutes(t, t + span))).toBeLessThanOrEqual(1);
      t += 3 * H + 17 * 60;
    }
  });

  it('--business-hours reads the business minutes: the same reply breaches a normal 8h target by the calendar only', () => {
    const rows: Array<[KpiTicket, KpiMetricSet]> = [
      [ticket({ createdAt: friday, priority: 'normal' }), metrics({ replies: 1, firstReplyMinutes: { calendar: 3960, business: 120 } })],
    ];
    expect(run('first_reply_time', rows, {}, w).value).toEqual({ median: 3960, p90: 3960 });
    expect(run('first_reply_time', rows, { businessHours: true }, w).value).toEqual({ median: 120, p90: 120 });
    expect(run('sla_breach_rate', rows, {}, w)).toMatchObject({ value: 100, n: 1 });
    expect(run('sla_breach_rate', rows, { businessHours: true }, w)).toMatchObject({ value: 0, n: 1 });
  });

  it('an unanswered ticket waits in business minutes too', () => {
    const rows: Array<[KpiTicket, KpiMetricSet]> = [[ticket({ createdAt: friday, priority: 'high' }), metrics()]];
    // 66 calendar hours is past the 4h target; 2 business hours is not (still waiting: not counted yet)
    expect(run('sla_breach_rate', rows, { now: monday }, w)).toMatchObject({ value: 100, n: 1 });
    const business = run('sla_breach_rate', rows, { now: monday, businessHours: true }, w);
    expect(business).toMatchObject({ value: null, n: 0 });
    expect(business.note).toMatch(/1 ticket still waiting within target not counted yet/);
  });
});

describe('sla_breach_rate', () => {
  it('first reply later than the target for the priority; unanswered tickets past their target count as breached', () => {
    const now = W.to;
    const r = run(
      'sla_breach_rate',
      [
        [ticket({ priority: 'urgent', createdAt: MID }), metrics({ firstReplyMinutes: { calendar: 30, business: 30 } })], // in time
        [ticket({ priority: 'urgent', createdAt: MID }), metrics({ firstReplyMinutes: { calendar: 90, business: 90 } })], // breached
        [ticket({ priority: 'low', createdAt: MID }), metrics({ firstReplyMinutes: { calendar: 20 * 60, business: 0 } })], // in time
        [ticket({ priority: 'normal', createdAt: now - 10 * H }), metrics()], // 10h unanswered > 8h: breached
        [ticket({ priority: 'high', createdAt: now - H }), metrics()], // 1h of 4h: still waiting
        [ticket({ priority: null, createdAt: MID }), metrics()], // no SLA
        [ticket({ priority: 'urgent', createdAt: W.from - H }), metrics()], // created before the period
      ],
      { now },
    );
    expect(r).toEqual({
      value: 50,
      unit: '%',
      n: 4,
      note: '1 ticket still waiting within target not counted yet; 1 ticket without a priority has no SLA',
    });
  });

  it('uses the targets of the setting kpi.sla_targets: hours per priority, null for none', () => {
    const rows: Array<[KpiTicket, KpiMetricSet]> = [
      [ticket({ priority: 'urgent', createdAt: MID }), metrics({ firstReplyMinutes: { calendar: 45, business: 45 } })],
      [ticket({ priority: 'low', createdAt: MID }), metrics({ firstReplyMinutes: { calendar: 30 * 60, business: 0 } })],
    ];
    expect(run('sla_breach_rate', rows)).toMatchObject({ value: 50, n: 2 }); // defaults: urgent 1h in time, low 24h breached
    const targets = parseSlaTargets({ urgent: 0.5, low: null });
    expect(targets).toMatchObject({ urgent: 30, high: 240, normal: 480 });
    expect(targets.low).toBeUndefined();
    expect(run('sla_breach_rate', rows, { slaTargetMinutes: targets })).toMatchObject({ value: 100, n: 1 });
    expect(() => parseSlaTargets({ urgnet: 1 })).toThrow('setting kpi.sla_targets.urgnet: unknown priority; use urgent, high, normal, low');
    expect(() => parseSlaTargets({ high: '4h' })).toThrow('setting kpi.sla_targets.high must be hours (a number above 0), got "4h"');
    expect(() => parseSlaTargets([1, 2])).toThrow(/must be an object of hours per priority/);
  });

  it('a ticket solved without a reply is judged by the time until it was solved', () => {
    const rows: Array<[KpiTicket, KpiMetricSet]> = [
      [ticket({ priority: 'urgent', createdAt: MID, status: 'solved' }), metrics({ solvedAt: MID + 30 * 60 })],
      [ticket({ priority: 'urgent', createdAt: MID, status: 'solved' }), metrics({ solvedAt: MID + 2 * H })],
    ];
    expect(run('sla_breach_rate', rows)).toMatchObject({ value: 50, n: 2 });
  });
});

describe('complaints', () => {
  it('counts tickets created in the period with a complaint tag or keyword; n is the tickets created', () => {
    const r = run('complaints', [
      [ticket({ createdAt: MID, tags: ['complaint'] }), null],
      [ticket({ createdAt: MID, complaintText: true }), null],
      [ticket({ createdAt: MID, tags: ['refund'] }), null],
      [ticket({ createdAt: W.from - 1, tags: ['complaint'] }), null],
    ]);
    expect(r).toEqual({ value: 2, unit: 'tickets', n: 3 });
    expect(run('complaints', [[ticket({ createdAt: MID, tags: ['escalated'] }), null]], { complaintTags: ['escalated'] }).value).toBe(1);
  });

  it('is zero, not null, when no tickets were created (zero complaints is a fact)', () => {
    expect(run('complaints', [])).toEqual({ value: 0, unit: 'tickets', n: 0 });
  });
});

describe('backlog', () => {
  it('tickets unsolved at the end of the period, by age then', () => {
    const end = W.to;
    const r = run('backlog', [
      [ticket({ createdAt: end - 12 * H }), metrics()], // <1d
      [ticket({ createdAt: end - 2 * D }), metrics()], // 1-3d
      [ticket({ createdAt: end - 5 * D }), metrics()], // 3-7d
      [ticket({ createdAt: end - 10 * D }), metrics()], // >7d
      [ticket({ createdAt: end - 3 * D, status: 'solved' }), metrics({ solvedAt: end + H })], // solved after the end: unsolved then
      [ticket({ createdAt: end - 3 * D, status: 'closed' }), metrics({ solvedAt: end - H })], // solved before the end
      [ticket({ createdAt: end + H }), metrics()], // created after the end
      [ticket({ createdAt: end - D, status: 'solved' }), null], // no metrics: its status decides
    ]);
    expect(r).toEqual({ value: 5, unit: 'tickets', n: 5, buckets: { '<1d': 1, '1-3d': 1, '3-7d': 2, '>7d': 1 } });
  });
});

describe('created and solved per day', () => {
  it('are tickets per day over the period, n the count', () => {
    const rows: Array<[KpiTicket, KpiMetricSet]> = [];
    for (let i = 0; i < 14; i++) rows.push([ticket({ createdAt: W.from + i * 12 * H }), metrics()]);
    for (let i = 0; i < 3; i++) rows.push([ticket({ createdAt: W.from - D }), solved({ solvedAt: W.from + i * H })]);
    expect(run('created', rows)).toEqual({ value: 2, unit: 'tickets/day', n: 14 });
    expect(run('solved', rows)).toEqual({ value: 0.43, unit: 'tickets/day', n: 3 });
    expect(run('created', [])).toEqual({ value: 0, unit: 'tickets/day', n: 0 });
  });
});
