import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Comment, Ticket, TicketMetric } from '../../src/core/model.js';
import { DEFAULT_CALENDAR } from '../../src/core/business-hours.js';
import { parseRuleFile } from '../../src/core/sweep-rules.js';
import {
  candidateFilter,
  candidateQuery,
  candidateTest,
  filterLocally,
  explainStep,
  groupChangedSincePublicReply,
  planSweep,
  summarizeThread,
  transferInstant,
  type PlanContext,
  type TicketFacts,
} from '../../src/core/sweep-plan.js';
import { shippedSweepsDir } from '../../src/services/sweep.js';

const shipped = parseRuleFile(readFileSync(join(shippedSweepsDir(), 'default.yml'), 'utf8'), 'default.yml');
const steps = shipped.steps;
const step = (id: string) => steps.find((s) => s.id === id)!;
const groups = [
  { id: 201, name: 'Frontline' },
  { id: 202, name: 'Escalations' },
];
/** Tuesday 24 November 2026, 16:00 UTC. */
const TUESDAY_4PM = new Date('2026-11-24T16:00:00Z');
const ctx = (now: Date = TUESDAY_4PM): PlanContext => ({ now, calendar: DEFAULT_CALENDAR, groups });

function ticket(over: Partial<Ticket> & { id: number }): Ticket {
  return {
    subject: `Ticket ${over.id}`,
    description: 'Help',
    status: 'open',
    priority: 'normal',
    type: 'question',
    requester_id: 1000 + over.id,
    assignee_id: 11,
    group_id: 201,
    organization_id: null,
    tags: [],
    custom_fields: [],
    via: { channel: 'email' },
    created_at: '2026-11-02T09:00:00Z',
    updated_at: '2026-11-20T16:00:00Z',
    ...over,
  };
}

function metric(ticketId: number, over: Partial<TicketMetric> = {}): TicketMetric {
  const none = { calendar: null, business: null };
  return {
    id: 10_000_000 + ticketId,
    ticket_id: ticketId,
    created_at: '2026-11-02T09:00:00Z',
    updated_at: '2026-11-20T16:00:00Z',
    group_stations: 1,
    assignee_stations: 1,
    reopens: 0,
    replies: 1,
    assignee_updated_at: null,
    requester_updated_at: null,
    status_updated_at: null,
    initially_assigned_at: null,
    assigned_at: null,
    solved_at: null,
    latest_comment_added_at: null,
    reply_time_in_minutes: none,
    first_resolution_time_in_minutes: none,
    full_resolution_time_in_minutes: none,
    agent_wait_time_in_minutes: none,
    requester_wait_time_in_minutes: none,
    on_hold_time_in_minutes: none,
    ...over,
  };
}

const fired = (facts: TicketFacts[], now?: Date) => planSweep(steps, facts, ctx(now)).actions.map((a) => `${a.ticketId}:${a.stepId}`);

describe('pending reminders', () => {
  const pendingSinceFriday = (id: number, tags: string[] = [], updated = '2026-11-20T16:00:00Z'): TicketFacts => ({
    ticket: ticket({ id, status: 'pending', tags, updated_at: updated }),
    metric: metric(id, { status_updated_at: '2026-11-20T16:00:00Z' }),
  });

  it('the first reminder comes 2 business days after going pending, the weekend not counted', () => {
    expect(fired([pendingSinceFriday(1)], new Date('2026-11-24T15:59:00Z'))).toEqual([]);
    expect(fired([pendingSinceFriday(1)], TUESDAY_4PM)).toEqual(['1:pending_reminder/1']);
    // calendar time alone (Sunday, two days later) is not enough
    expect(fired([pendingSinceFriday(1)], new Date('2026-11-22T17:00:00Z'))).toEqual([]);
  });

  it('the second after 5, the closing note after 7, each after the one before', () => {
    const fiveDays = new Date('2026-11-27T16:00:00Z'); // Friday: 5 business days
    const reminded = pendingSinceFriday(2, ['sweep_pending_reminder_1'], '2026-11-24T16:00:00Z');
    expect(fired([reminded], fiveDays)).toEqual(['2:pending_reminder/2']);
    // no reminder 1 yet: that comes first, never two steps at once
    expect(fired([pendingSinceFriday(3)], fiveDays)).toEqual(['3:pending_reminder/1']);
    // reminder 1 sent an hour ago (late): reminder 2 waits for min_gap (1 business day since the update)
    expect(fired([pendingSinceFriday(4, ['sweep_pending_reminder_1'], '2026-11-27T15:00:00Z')], fiveDays)).toEqual([]);
    const sevenDays = new Date('2026-12-01T16:00:00Z'); // Tuesday after
    expect(fired([pendingSinceFriday(5, ['sweep_pending_reminder_1', 'sweep_pending_reminder_2'], '2026-11-27T16:00:00Z')], sevenDays)).toEqual([
      '5:pending_reminder/3',
    ]);
  });

  it('markers prevent repeats: a done step never fires again', () => {
    const later = new Date('2026-12-20T16:00:00Z');
    expect(fired([pendingSinceFriday(6, ['sweep_pending_reminder_1'], '2026-12-18T16:00:00Z')], TUESDAY_4PM)).toEqual([]);
    expect(fired([pendingSinceFriday(7, ['sweep_pending_reminder_1', 'sweep_pending_reminder_2', 'sweep_pending_reminder_3'])], later)).toEqual([]);
    // a later step's marker rules out the earlier steps: the ticket goes on to the next one
    expect(fired([pendingSinceFriday(8, ['sweep_pending_reminder_2'])], later)).toEqual(['8:pending_reminder/3']);
  });

  it('a ticket no longer pending gets nothing', () => {
    const f = pendingSinceFriday(9);
    f.ticket.status = 'open';
    expect(explainStep(step('pending_reminder/1'), f, ctx())).toEqual({ kind: 'no', reason: 'status is open' });
  });

  it('asks for metrics before deciding, and only for tickets that pass the cheap checks', () => {
    const plan = planSweep(steps, [{ ticket: ticket({ id: 10, status: 'pending' }) }, { ticket: ticket({ id: 11, status: 'new' }) }], ctx());
    expect(plan.needs.metrics).toEqual([10]);
    expect(plan.actions).toEqual([]);
  });
});

describe('solved check-in', () => {
  const solved = (id: number, solvedAt: string, tags: string[] = []): TicketFacts => ({
    ticket: ticket({ id, status: 'solved', tags }),
    metric: metric(id, { solved_at: solvedAt }),
  });

  it('fires 1 to 3 days after solving, once', () => {
    expect(fired([solved(20, '2026-11-22T16:00:00Z')])).toEqual(['20:solved_check_in']);
    expect(fired([solved(21, '2026-11-24T04:00:00Z')])).toEqual([]); // 12 hours
    expect(fired([solved(22, '2026-11-20T12:00:00Z')])).toEqual([]); // 4 days
    expect(fired([solved(23, '2026-11-22T16:00:00Z', ['sweep_solved_check_in'])])).toEqual([]);
  });

  it('not for requests closed because the customer never answered', () => {
    expect(fired([solved(24, '2026-11-22T16:00:00Z', ['closed_no_response'])])).toEqual([]);
    expect(fired([solved(25, '2026-11-22T16:00:00Z', ['sweep_pending_reminder_3'])])).toEqual([]);
  });
});

describe('after a transfer', () => {
  const agentA = { id: 11, role: 'agent' as const, default_group_id: 201 };
  const agentB = { id: 12, role: 'agent' as const, default_group_id: 202 };
  const people = new Map([agentA, agentB].map((a) => [a.id, a]));
  const comment = (id: number, author: number, isPublic: boolean, at: string): Comment => ({ id, type: 'Comment', author_id: author, body: `c${id}`, public: isPublic, created_at: at });

  /** Moved from Frontline (201) to Escalations (202) with a hand-off note at `handoff`. */
  const transferred = (id: number, handoff: string, thread: Comment[] = []): TicketFacts => {
    const t = ticket({ id, status: 'open', group_id: 202, tags: ['transferred'] });
    const comments = [
      comment(1, t.requester_id, true, '2026-11-23T09:00:00Z'),
      comment(2, 11, true, '2026-11-23T10:00:00Z'),
      comment(3, 11, false, handoff),
      ...thread,
    ];
    return { ticket: t, metric: metric(id, { group_stations: 2 }), thread: summarizeThread(t, comments, people) };
  };

  it('nothing heard from the new group in 4 business hours: the customer note and the group nudge, in two waves', () => {
    const plan = planSweep(steps, [transferred(30, '2026-11-24T11:00:00Z')], ctx());
    expect(plan.actions.map((a) => [a.stepId, a.wave])).toEqual([
      ['transfer_followup', 0],
      ['transfer_nudge', 1],
    ]);
  });

  it('the group nudge follows the customer note, also in a later run when it was missed', () => {
    const f = transferred(37, '2026-11-24T11:00:00Z');
    f.ticket.tags = ['transferred', 'sweep_transfer_followup'];
    expect(fired([f])).toEqual(['37:transfer_nudge']);
    f.ticket.tags.push('sweep_transfer_nudge');
    expect(fired([f])).toEqual([]);
  });

  it('waits 4 business hours from the hand-off, not from the last reply', () => {
    expect(fired([transferred(31, '2026-11-24T13:00:00Z')])).toEqual([]);
    // handed over Monday 16:00: 1 h Monday + 7 h Tuesday
    expect(fired([transferred(32, '2026-11-23T16:00:00Z')])).toEqual(['32:transfer_followup', '32:transfer_nudge']);
  });

  it('nothing when the new group has replied publicly', () => {
    const f = transferred(33, '2026-11-24T09:00:00Z', [comment(4, 12, true, '2026-11-24T10:00:00Z')]);
    expect(groupChangedSincePublicReply(f)).toBe(false);
    expect(fired([f])).toEqual([]);
  });

  it('never asks for comments of a ticket that never changed group', () => {
    const plan = planSweep(steps, [{ ticket: ticket({ id: 34, tags: ['escalated'] }), metric: metric(34, { group_stations: 1 }) }], ctx());
    expect(plan.needs).toEqual({ metrics: [], thread: [] });
    const plan2 = planSweep(steps, [{ ticket: ticket({ id: 35, tags: ['escalated'] }), metric: metric(35, { group_stations: 3 }) }], ctx());
    expect(plan2.needs.thread).toEqual([35]);
  });

  it('estimates the transfer from the hand-off note, else the assignment after the last reply', () => {
    const f = transferred(36, '2026-11-24T11:00:00Z');
    expect(transferInstant(f)).toBe(Date.parse('2026-11-24T11:00:00Z'));
    const noNote: TicketFacts = {
      ticket: f.ticket,
      metric: metric(36, { group_stations: 2, assigned_at: '2026-11-24T12:00:00Z' }),
      thread: { lastPublicReplyAt: '2026-11-23T10:00:00Z', lastPublicReplyGroupId: 201, handoffAt: null },
    };
    expect(transferInstant(noNote)).toBe(Date.parse('2026-11-24T12:00:00Z'));
  });
});

describe('on hold', () => {
  it('nudges the assignee after 5 days on hold', () => {
    const hold = (id: number, since: string): TicketFacts => ({ ticket: ticket({ id, status: 'hold' }), metric: metric(id, { status_updated_at: since }) });
    expect(fired([hold(40, '2026-11-19T15:00:00Z'), hold(41, '2026-11-20T12:00:00Z')])).toEqual(['40:hold_nudge']);
  });
});

describe('candidate searches', () => {
  it('narrow by status and the final marker, for the uncapped export', () => {
    const byRule = (rule: string) => steps.filter((s) => s.rule === rule);
    expect(candidateQuery(byRule('pending_reminder'), ctx())).toBe('type:ticket status:pending -tags:sweep_pending_reminder_3');
    expect(candidateQuery(byRule('transfer_followup'), ctx())).toBe(
      'type:ticket status:new status:open status:pending status:hold -tags:sweep_transfer_followup tags:transferred tags:escalated',
    );
  });

  it('turn ages on the ticket clock into date bounds', () => {
    const rule = parseRuleFile('rules:\n  - name: stale\n    when: { status: open, since: updated, at_least: 2 days, at_most: 30 days }\n    then: { status: pending }\n', 'x.yml').steps;
    expect(candidateQuery(rule, ctx())).toBe('type:ticket status:open -tags:sweep_stale updated<2026-11-22T16:00:01Z updated>2026-10-25T15:59:59Z');
  });
});

describe('candidate tests (the searches evaluated on tickets held locally)', () => {
  const stale = parseRuleFile('rules:\n  - name: stale\n    when: { status: open, since: updated, at_least: 2 days, at_most: 30 days }\n    then: { status: pending }\n', 'x.yml').steps;

  it('compare times in whole seconds, as search does: updated<16:00:01 holds up to 16:00:00.999', () => {
    const test = candidateTest(candidateFilter(stale, ctx()));
    expect(test(ticket({ id: 1, updated_at: '2026-11-22T16:00:00Z' }))).toBe(true);
    expect(test(ticket({ id: 2, updated_at: '2026-11-22T16:00:00.999Z' }))).toBe(true);
    expect(test(ticket({ id: 3, updated_at: '2026-11-22T16:00:01Z' }))).toBe(false);
    // updated>15:59:59 starts at 16:00:00
    expect(test(ticket({ id: 4, updated_at: '2026-10-25T16:00:00Z' }))).toBe(true);
    expect(test(ticket({ id: 5, updated_at: '2026-10-25T15:59:59.999Z' }))).toBe(false);
  });

  it('read statuses, the final marker, tags (any of them), group, priority and channel as the query does', () => {
    const rule = parseRuleFile(
      'rules:\n  - name: r\n    when: { status: [open, pending], tags_any: [vip, Refund], group: Escalations, priority: [high, none], channel: [email] }\n    then: { status: pending }\n',
      'x.yml',
    ).steps;
    const f = candidateFilter(rule, ctx());
    expect(candidateQuery(rule, ctx())).toBe('type:ticket status:open status:pending -tags:sweep_r tags:vip tags:refund group:202 priority:high priority:none via:email');
    const test = candidateTest(f);
    const base = { status: 'open' as const, tags: ['vip'], group_id: 202, priority: 'high' as const, via: { channel: 'email' } } as Partial<Ticket>;
    expect(test(ticket({ id: 1, ...base }))).toBe(true);
    expect(test(ticket({ id: 2, ...base, tags: ['REFUND'] }))).toBe(true);
    expect(test(ticket({ id: 3, ...base, priority: null }))).toBe(true);
    expect(test(ticket({ id: 4, ...base, status: 'hold' }))).toBe(false);
    expect(test(ticket({ id: 5, ...base, tags: ['vip', 'sweep_r'] }))).toBe(false);
    expect(test(ticket({ id: 6, ...base, tags: ['other'] }))).toBe(false);
    expect(test(ticket({ id: 7, ...base, group_id: 201 }))).toBe(false);
    expect(test(ticket({ id: 8, ...base, priority: 'low' }))).toBe(false);
    expect(test(ticket({ id: 9, ...base, via: { channel: 'web' } } as Partial<Ticket> & { id: number }))).toBe(false);
    expect(filterLocally(f)).toEqual({ ok: true });
  });

  it('leave to search a tag search reads its own way', () => {
    const rule = parseRuleFile('rules:\n  - name: r\n    when: { tags: [promo*] }\n    then: { status: pending }\n', 'x.yml').steps;
    expect(filterLocally(candidateFilter(rule, ctx()))).toEqual({ ok: false, why: 'search reads the tag "promo*" its own way' });
  });
});

describe('group conditions', () => {
  it('match by name or id', () => {
    const rule = parseRuleFile('rules:\n  - name: esc\n    when: { status: open, group: Escalations }\n    then: { status: pending }\n', 'x.yml').steps;
    const plan = planSweep(rule, [{ ticket: ticket({ id: 50, group_id: 202 }) }, { ticket: ticket({ id: 51, group_id: 201 }) }], ctx());
    expect(plan.actions.map((a) => a.ticketId)).toEqual([50]);
  });
});
