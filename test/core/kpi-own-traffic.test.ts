/**
 * core/kpi/own-traffic.ts: deskops' own comments and survey-answer reopens taken out of a
 * ticket's metric set, one rule per test, on audits written as Zendesk records them.
 */
import { describe, expect, it } from 'vitest';
import type { AuditEvent, TicketAudit } from '../../src/core/model.js';
import { touchedByDeskops, withoutOwnTraffic } from '../../src/core/kpi/own-traffic.js';
import type { KpiMetricSet } from '../../src/core/kpi/types.js';

const REQUESTER = 500;
const AGENT = 7;
const DESKOPS = 8; // the agent deskops runs as
const T0 = Date.parse('2026-11-02T09:00:00Z') / 1000;
const H = 3600;

let eventId = 0;
const comment = (author: number, isPublic = true): AuditEvent => ({ id: ++eventId, type: 'Comment', author_id: author, body: '...', public: isPublic });
const status = (from: string | null, to: string): AuditEvent => ({ id: ++eventId, type: 'Change', field_name: 'status', value: to, previous_value: from });
const tags = (before: string[], after: string[]): AuditEvent => ({ id: ++eventId, type: 'Change', field_name: 'tags', value: after, previous_value: before });

function audit(hours: number, author: number, ...events: AuditEvent[]): TicketAudit {
  return { id: ++eventId, ticket_id: 1, created_at: new Date((T0 + hours * H) * 1000).toISOString(), author_id: author, events };
}

const created = audit(0, REQUESTER, comment(REQUESTER), { id: ++eventId, type: 'Create', field_name: 'status', value: 'new' });

/** The desk's metric set for a history: what Zendesk would report (deskops' traffic included). */
function deskMetrics(m: Partial<KpiMetricSet>): KpiMetricSet {
  return { solvedAt: null, replies: 0, reopens: 0, firstReplyMinutes: { calendar: null, business: null }, resolutionMinutes: { calendar: null, business: null }, ...m };
}

const minutes = (hours: number) => ({ calendar: hours * 60, business: hours * 60 });
const run = (metrics: KpiMetricSet, audits: TicketAudit[], currentStatus: string) =>
  withoutOwnTraffic({ metrics, createdAt: T0, status: currentStatus, requesterId: REQUESTER, audits, businessMinutes: (a, b) => Math.round((b - a) / 60) });

/** Replied at 1h and solved at 2h by a person: one touch. */
const solvedByAgent = [created, audit(1, AGENT, comment(AGENT), status('new', 'open')), audit(2, AGENT, status('open', 'solved'))];
const solvedMetrics = { solvedAt: T0 + 2 * H, replies: 1, firstReplyMinutes: minutes(1), resolutionMinutes: minutes(2) };

describe('deskops-touched tickets', () => {
  it('are the ones with a survey_ or sweep_ tag', () => {
    expect(touchedByDeskops(['billing', 'survey_nps_sent'])).toBe(true);
    expect(touchedByDeskops(['sweep_pending_reminder_1'])).toBe(true);
    expect(touchedByDeskops(['billing', 'nps_9', 'vip'])).toBe(false);
  });
});

describe('withoutOwnTraffic', () => {
  it('a ticket deskops never wrote to keeps the desk metric set as it is', () => {
    const metrics = deskMetrics(solvedMetrics);
    expect(run(metrics, solvedByAgent, 'solved').metrics).toEqual(metrics);
  });

  it('a survey request is not a reply; the answer\'s reopen and collect\'s re-solve are neither a reopen nor a resolution', () => {
    const audits = [
      ...solvedByAgent,
      audit(30, DESKOPS, comment(DESKOPS), tags([], ['survey_nps_sent', 'survey_sent', 'survey_sent_solved'])),
      audit(40, REQUESTER, comment(REQUESTER), status('solved', 'open')),
      audit(41, DESKOPS, comment(DESKOPS, false), status('open', 'solved'), tags(['survey_nps_sent'], ['survey_nps_sent', 'survey_nps_answered', 'nps_9'])),
    ];
    const desk = deskMetrics({ solvedAt: T0 + 41 * H, replies: 2, reopens: 1, firstReplyMinutes: minutes(1), resolutionMinutes: minutes(41) });
    const { metrics, ownReplies, ownReopens } = run(desk, audits, 'solved');
    expect(metrics).toEqual(deskMetrics(solvedMetrics));
    expect({ ownReplies, ownReopens }).toEqual({ ownReplies: 1, ownReopens: 1 });
  });

  it('a ticket reopened by a survey answer that nobody has handled yet still counts as solved at its solve', () => {
    const audits = [
      ...solvedByAgent,
      audit(30, DESKOPS, comment(DESKOPS), tags([], ['survey_csat_sent'])),
      audit(40, REQUESTER, comment(REQUESTER), status('solved', 'open')),
    ];
    const desk = deskMetrics({ solvedAt: null, replies: 2, reopens: 1, firstReplyMinutes: minutes(1) });
    expect(run(desk, audits, 'open').metrics).toEqual(deskMetrics(solvedMetrics));
  });

  it('a detractor whose reopened ticket a person works and solves again: a real reopen and a new resolution', () => {
    const audits = [
      ...solvedByAgent,
      audit(30, DESKOPS, comment(DESKOPS), tags([], ['survey_nps_sent'])),
      audit(40, REQUESTER, comment(REQUESTER), status('solved', 'open')),
      audit(41, DESKOPS, comment(DESKOPS, false), tags(['survey_nps_sent'], ['survey_nps_sent', 'survey_detractor', 'nps_2'])),
      audit(45, AGENT, comment(AGENT), status('open', 'solved')),
    ];
    const desk = deskMetrics({ solvedAt: T0 + 45 * H, replies: 3, reopens: 1, firstReplyMinutes: minutes(1), resolutionMinutes: minutes(45) });
    expect(run(desk, audits, 'solved').metrics).toEqual(
      deskMetrics({ solvedAt: T0 + 45 * H, replies: 2, reopens: 1, firstReplyMinutes: minutes(1), resolutionMinutes: minutes(45) }),
    );
  });

  it('a customer reopening a ticket that got no survey is a reopen', () => {
    const audits = [
      ...solvedByAgent,
      audit(10, DESKOPS, comment(DESKOPS), tags([], ['sweep_check_in_1'])),
      audit(20, REQUESTER, comment(REQUESTER), status('solved', 'open')),
    ];
    const desk = deskMetrics({ solvedAt: null, replies: 2, reopens: 1, firstReplyMinutes: minutes(1) });
    expect(run(desk, audits, 'open').metrics).toEqual(deskMetrics({ replies: 1, reopens: 1, firstReplyMinutes: minutes(1) }));
  });

  it('a sweep follow-up sent before anyone replied is not the first reply: the person\'s reply is', () => {
    const audits = [
      created,
      audit(3, DESKOPS, comment(DESKOPS), status('new', 'open'), tags([], ['sweep_transfer_followup'])),
      audit(5, AGENT, comment(AGENT)),
    ];
    const desk = deskMetrics({ replies: 2, firstReplyMinutes: minutes(3) });
    expect(run(desk, audits, 'open').metrics).toEqual(deskMetrics({ replies: 1, firstReplyMinutes: minutes(5) }));
  });

  it('with only deskops\' messages, there is no first reply yet', () => {
    const audits = [created, audit(3, DESKOPS, comment(DESKOPS), tags([], ['sweep_pending_reminder_1']))];
    const desk = deskMetrics({ replies: 1, firstReplyMinutes: minutes(3) });
    expect(run(desk, audits, 'pending').metrics).toEqual(deskMetrics({}));
  });

  it('private notes of deskops (a group nudge) change nothing', () => {
    const audits = [...solvedByAgent.slice(0, 2), audit(1.5, DESKOPS, comment(DESKOPS, false), tags([], ['sweep_group_nudge'])), solvedByAgent[2]!];
    const metrics = deskMetrics(solvedMetrics);
    expect(run(metrics, audits, 'solved').metrics).toEqual(metrics);
  });
});
