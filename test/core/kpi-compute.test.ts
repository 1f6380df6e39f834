import { describe, expect, it } from 'vitest';
import type { Organization, Ticket, TicketMetric } from '../../src/core/model.js';
import { ConfigError } from '../../src/core/errors.js';
import { ChurnAccumulator, organizationCustomer } from '../../src/core/kpi/churn.js';
import { KpiComputation, KpiTrend, changeOf, groupKeys } from '../../src/core/kpi/compute.js';
import { changeVerdict, formatChange, formatMetricValue } from '../../src/core/kpi/format.js';
import { bucketWindows, previousWindow } from '../../src/core/kpi/period.js';
import {
  SLA_TARGET_MINUTES,
  complaintMatcher,
  ingestFingerprint,
  parseFieldIdSetting,
  parseListSetting,
  surveyAnswer,
  SURVEY_TAGS,
  toKpiMetricSet,
  toKpiTicket,
} from '../../src/core/kpi/rules.js';
import type { KpiCustomer, KpiMetricSet, KpiRules, KpiTicket, Window } from '../../src/core/kpi/types.js';

const at = (iso: string) => Date.parse(iso) / 1000;
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

function ticket(over: Partial<KpiTicket> = {}): KpiTicket {
  return {
    id: 1, createdAt: MID, updatedAt: MID, status: 'open', priority: 'normal', channel: 'email',
    assigneeId: 1001, groupId: 201, tags: [], handleSeconds: null, complaintText: false, ...over,
  };
}
const solvedAt = (t: number): KpiMetricSet => ({
  solvedAt: t, replies: 1, reopens: 0,
  firstReplyMinutes: { calendar: 10, business: 10 }, resolutionMinutes: { calendar: 60, business: 60 },
});

describe('reading desk records', () => {
  const deskTicket = (over: Partial<Ticket> = {}): Ticket => ({
    id: 42, subject: 'Third time asking!', description: 'Where is my order?', status: 'open', priority: 'high', type: null,
    requester_id: 2001, assignee_id: null, group_id: 201, organization_id: null, tags: ['Refund', 'refund'],
    custom_fields: [{ id: 9001, value: '600' }, { id: 9002, value: 60 }], via: { channel: 'chat' },
    created_at: '2026-11-02T10:00:00Z', updated_at: '2026-11-03T10:00:00Z', ...over,
  });

  it('keeps only what the metrics read: handle time from the configured field, complaint keywords decided once', () => {
    const t = toKpiTicket(deskTicket(), { handleTimeFieldId: 9001, complaintKeywords: ['third time'] });
    expect(t).toEqual({
      id: 42, createdAt: at('2026-11-02T10:00:00Z'), updatedAt: at('2026-11-03T10:00:00Z'), status: 'open', priority: 'high',
      channel: 'chat', assigneeId: null, groupId: 201, tags: ['refund'], handleSeconds: 600, complaintText: true,
    });
    expect(toKpiTicket(deskTicket(), { handleTimeFieldId: null, complaintKeywords: [] })).toMatchObject({ handleSeconds: null, complaintText: false });
    const zero = deskTicket({ custom_fields: [{ id: 9001, value: 0 }] });
    expect(toKpiTicket(zero, { handleTimeFieldId: 9001, complaintKeywords: [] }).handleSeconds).toBeNull();
  });

  it('reduces a metric set to solve, replies, reopens and the two minute pairs', () => {
    const m = {
      id: 1, ticket_id: 42, created_at: '', updated_at: '', group_stations: 1, assignee_stations: 1, reopens: 1, replies: 3,
      assignee_updated_at: null, requester_updated_at: null, status_updated_at: null, initially_assigned_at: null, assigned_at: null,
      solved_at: '2026-11-05T00:00:00Z', latest_comment_added_at: null,
      reply_time_in_minutes: { calendar: 30, business: 12 }, first_resolution_time_in_minutes: { calendar: 1, business: 1 },
      full_resolution_time_in_minutes: { calendar: 4000, business: null }, agent_wait_time_in_minutes: { calendar: 0, business: 0 },
      requester_wait_time_in_minutes: { calendar: 0, business: 0 }, on_hold_time_in_minutes: { calendar: 0, business: 0 },
    } satisfies TicketMetric;
    expect(toKpiMetricSet(m)).toEqual({
      solvedAt: at('2026-11-05T00:00:00Z'), replies: 3, reopens: 1,
      firstReplyMinutes: { calendar: 30, business: 12 }, resolutionMinutes: { calendar: 4000, business: null },
    });
  });

  it('complaint keywords start at a word, any case, spaces matching any whitespace', () => {
    const m = complaintMatcher(['complaint', 'unacceptable', 'third time']);
    expect(m('This is UNACCEPTABLE.')).toBe(true);
    expect(m('Formal complaints department')).toBe(true);
    expect(m('the third\n time I write')).toBe(true);
    expect(m('a noncomplaint matter')).toBe(false);
    expect(m('Where is my parcel?')).toBe(false);
    expect(complaintMatcher([])('complaint')).toBe(false);
    expect(complaintMatcher(['a.b'])('axb')).toBe(false);
  });

  it('survey answers in tags, conflicts flagged', () => {
    expect(surveyAnswer(['csat_4', 'vip'], SURVEY_TAGS.csat)).toBe(4);
    expect(surveyAnswer(['nps_0'], SURVEY_TAGS.nps)).toBe(0);
    expect(surveyAnswer(['nps_11', 'ces_0'], SURVEY_TAGS.nps)).toBeNull();
    expect(surveyAnswer(['ces_2', 'ces_2'], SURVEY_TAGS.ces)).toBe(2);
    expect(surveyAnswer(['ces_2', 'ces_6'], SURVEY_TAGS.ces)).toBe('conflict');
  });

  it('settings: lists as arrays or comma text, field ids as numbers; bad shapes are config errors', () => {
    expect(parseListSetting(undefined, 'kpi.complaint_tags', ['complaint'])).toEqual(['complaint']);
    expect(parseListSetting('Complaint, angry ,', 'kpi.complaint_tags', [])).toEqual(['complaint', 'angry']);
    expect(parseListSetting(['A', 'a'], 'kpi.complaint_tags', [])).toEqual(['a']);
    expect(() => parseListSetting(3, 'kpi.complaint_tags', [])).toThrow(ConfigError);
    expect(parseFieldIdSetting('9001', 'time_tracking.total_field_id')).toBe(9001);
    expect(() => parseFieldIdSetting(-1, 'time_tracking.total_field_id')).toThrow(ConfigError);
    expect(ingestFingerprint({ handleTimeFieldId: 1, complaintKeywords: ['B', 'a'] })).toBe(
      ingestFingerprint({ handleTimeFieldId: 1, complaintKeywords: ['a', 'b'] }),
    );
    expect(ingestFingerprint({ handleTimeFieldId: 1, complaintKeywords: [] })).not.toBe(ingestFingerprint({ handleTimeFieldId: 2, complaintKeywords: [] }));
  });
});

describe('churn_rate', () => {
  const c = (over: Partial<KpiCustomer>): KpiCustomer => ({ id: 'x', name: 'x', activeFrom: null, churnedAt: null, ...over });

  it('churned in the period over active at its start', () => {
    const acc = new ChurnAccumulator(W);
    acc.add(c({ activeFrom: W.from - 100 * D })); // stays
    acc.add(c({ activeFrom: W.from - 100 * D, churnedAt: MID })); // churned in the period
    acc.add(c({ activeFrom: null, churnedAt: W.from })); // churned on the first instant: active at start, churned
    acc.add(c({ activeFrom: W.from - 100 * D, churnedAt: W.from - D })); // gone before: not active at start
    acc.add(c({ activeFrom: MID - D, churnedAt: MID })); // joined and left inside: in neither count
    acc.add(c({ activeFrom: W.from - D, churnedAt: W.to + D })); // churns after the period
    expect(acc.finish()).toEqual({ value: 50, unit: '%', n: 4 });
  });

  it('is null with a note without customers, or with none active at the start', () => {
    expect(new ChurnAccumulator(W).finish()).toMatchObject({ value: null, n: 0, note: 'no customers (organizations); pass --customers FILE.csv' });
    const late = new ChurnAccumulator(W, 'customers.csv');
    late.add(c({ activeFrom: MID }));
    expect(late.finish()).toMatchObject({ value: null, n: 0, note: 'no customers active at the start of the period' });
  });

  it('organizations: churned_at field, else a churned tag dated by the last update (noted)', () => {
    const org = (over: Partial<Organization>): Organization => ({
      id: 301, name: 'Acme', tags: [], organization_fields: {}, created_at: '2025-01-01T00:00:00Z', updated_at: '2026-11-03T00:00:00Z', ...over,
    });
    expect(organizationCustomer(org({ organization_fields: { churned_at: '2026-11-02' } }))).toEqual({
      id: '301', name: 'Acme', activeFrom: at('2025-01-01T00:00:00Z'), churnedAt: at('2026-11-02T00:00:00Z'), churnSource: 'date',
    });
    const tagged = organizationCustomer(org({ tags: ['churned'] }));
    expect(tagged).toMatchObject({ churnedAt: at('2026-11-03T00:00:00Z'), churnSource: 'tag' });
    expect(organizationCustomer(org({ organization_fields: { churned_at: null, vip: true } })).churnedAt).toBeNull();
    const acc = new ChurnAccumulator(W);
    acc.add(tagged);
    acc.add(organizationCustomer(org({})));
    expect(acc.finish()).toEqual({ value: 50, unit: '%', n: 2, note: '1 churned customer has only a churned tag, dated by the last update' });
  });
});

describe('KpiComputation', () => {
  it('one set of accumulators per group and window; previous and change side by side', () => {
    const previous = previousWindow(W);
    const k = new KpiComputation({ metrics: ['created', 'solved', 'churn_rate'], window: W, previous, by: 'group', rules: RULES });
    k.add(ticket({ id: 1, groupId: 201, createdAt: MID }), null);
    k.add(ticket({ id: 2, groupId: 201, createdAt: MID }), solvedAt(MID));
    k.add(ticket({ id: 3, groupId: 201, createdAt: previous.from + D }), null);
    k.add(ticket({ id: 4, groupId: null, createdAt: MID }), null);
    k.add(ticket({ id: 5, groupId: 202, createdAt: W.from - 300 * D }), solvedAt(W.from - 200 * D)); // counts nowhere
    k.addCustomer({ id: 'a', name: 'a', activeFrom: null, churnedAt: MID }); // ignored: churn is not split
    const report = k.finish({ groups: new Map([[201, 'Frontline'], [202, 'Billing']]) });
    expect(report.by).toBe('group');
    expect(report.previous).toEqual(previous);
    expect(report.groups.map((g) => g.name)).toEqual(['Frontline', '(no group)']);
    const frontline = report.groups[0]!.metrics;
    expect(frontline.created).toEqual({ value: 0.29, unit: 'tickets/day', n: 2, previous: 0.14, change: 0.15 });
    expect(frontline.solved).toMatchObject({ value: 0.14, n: 1, previous: 0, change: 0.14 });
    expect(frontline.churn_rate).toMatchObject({ value: null, n: 0, note: 'churn is per customer and not split by group; run without --by' });
  });

  it('without --by: one group "all", churn from the customers', () => {
    const k = new KpiComputation({ metrics: ['backlog', 'churn_rate'], window: W, by: null, rules: RULES });
    expect(k.wantsCustomers).toBe(true);
    k.add(ticket({ createdAt: MID }), null);
    k.addCustomer({ id: 'a', name: 'a', activeFrom: null, churnedAt: MID });
    k.addCustomer({ id: 'b', name: 'b', activeFrom: null, churnedAt: null });
    const report = k.finish();
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]!.key).toBe('all');
    expect(report.groups[0]!.metrics.churn_rate).toEqual({ value: 50, unit: '%', n: 2 });
    expect(report.groups[0]!.metrics.backlog).toMatchObject({ value: 1 });
    expect(Object.keys(report.groups[0]!.metrics)).toEqual(['backlog', 'churn_rate']);
  });

  it('a ticket counts under each of its tags; none under "(no tags)"', () => {
    expect(groupKeys(ticket({ tags: ['a', 'b'] }), 'tag')).toEqual(['a', 'b']);
    expect(groupKeys(ticket({ tags: [] }), 'tag')).toEqual(['none']);
    expect(groupKeys(ticket({ priority: null }), 'priority')).toEqual(['none']);
    const k = new KpiComputation({ metrics: ['created'], window: W, by: 'tag', rules: RULES });
    k.add(ticket({ tags: ['refund', 'vip'] }), null);
    k.add(ticket({ tags: ['refund'] }), null);
    k.add(ticket({ tags: [] }), null);
    expect(k.finish().groups.map((g) => [g.name, g.metrics.created!.n])).toEqual([['refund', 2], ['vip', 1], ['(no tags)', 1]]);
  });

  it('priority groups list the most urgent first', () => {
    const k = new KpiComputation({ metrics: ['created'], window: W, by: 'priority', rules: RULES });
    for (const p of ['low', 'urgent', null, 'normal', 'high']) k.add(ticket({ priority: p }), null);
    expect(k.finish().groups.map((g) => g.name)).toEqual(['urgent', 'high', 'normal', 'low', '(no priority)']);
  });

  it('change compares medians of percentiles and is null when a side is missing', () => {
    expect(changeOf({ median: 30, p90: 90 }, { median: 45, p90: 60 })).toBe(-15);
    expect(changeOf(12.5, 10)).toBe(2.5);
    expect(changeOf(null, 10)).toBeNull();
    expect(changeOf(3, null)).toBeNull();
  });
});

describe('KpiTrend', () => {
  it('one accumulator per bucket', () => {
    const buckets = bucketWindows(W, 'day');
    const trend = new KpiTrend('created', buckets, RULES);
    trend.add(ticket({ createdAt: W.from + 3600 }), null);
    trend.add(ticket({ createdAt: W.from + 7200 }), null);
    trend.add(ticket({ createdAt: W.to - 1 }), null);
    const points = trend.finish();
    expect(points).toHaveLength(7);
    expect(points[0]).toMatchObject({ period: '2026-11-01', value: 2, n: 2 });
    expect(points[6]).toMatchObject({ period: '2026-11-07', value: 1, n: 1 });
    expect(points.slice(1, 6).every((p) => p.n === 0)).toBe(true);
  });

  it('churn per bucket from the customers', () => {
    const trend = new KpiTrend('churn_rate', bucketWindows(W, 'week'), RULES);
    expect(trend.wantsCustomers).toBe(true);
    trend.addCustomer({ id: 'a', name: 'a', activeFrom: null, churnedAt: MID });
    trend.addCustomer({ id: 'b', name: 'b', activeFrom: null, churnedAt: null });
    expect(trend.finish().map((p) => [p.period, p.value])).toEqual([['2026-W44', 0], ['2026-W45', 50]]);
  });
});

describe('formatting', () => {
  it('values read with their unit', () => {
    expect(formatMetricValue('csat', 73.14)).toBe('73.1%');
    expect(formatMetricValue('aht', 37.7)).toBe('37.7m');
    expect(formatMetricValue('first_reply_time', { median: 526, p90: 1441.4 })).toBe('8h 46m / p90 24h 01m');
    expect(formatMetricValue('ces', 4)).toBe('4.00');
    expect(formatMetricValue('nps', null)).toBe('-');
  });

  it('changes carry an arrow, and are good or bad news by the metric\'s direction', () => {
    expect(formatChange('csat', 4.3)).toBe('▲ 4.3 pts');
    expect(formatChange('resolution_time', -274)).toBe('▼ 4h 34m');
    expect(formatChange('complaints', 0)).toBe('= 0');
    expect(changeVerdict('csat', 4.3)).toBe('good');
    expect(changeVerdict('aht', 2)).toBe('bad');
    expect(changeVerdict('first_reply_time', -31)).toBe('good');
    // CES is asked as agreement with "the company made it easy": 7 is the least effort
    expect(changeVerdict('ces', 0.5)).toBe('good');
    expect(changeVerdict('ces', -0.5)).toBe('bad');
    expect(changeVerdict('solved', 3)).toBe('good');
    expect(changeVerdict('created', 3)).toBeNull();
    expect(changeVerdict('backlog', 0)).toBeNull();
  });
});
