import { describe, expect, it } from 'vitest';
import { parseFaultSpec, FaultInjector } from '../../src/desk/faults.js';
import { computeSlas, computeTicketMetric, type EventRow } from '../../src/desk/metrics.js';
import { SlidingWindowLimiter } from '../../src/desk/ratelimit.js';
import { compileSearch, tokenize } from '../../src/desk/search.js';
import { businessMinutes, isoSeconds } from '../../src/desk/time.js';

const at = (iso: string) => Date.parse(iso) / 1000;

describe('business minutes (Mon-Fri 09:00-17:00 UTC)', () => {
  it('counts only business hours', () => {
    // 2026-11-20 is a Friday.
    expect(businessMinutes(at('2026-11-20T10:00:00Z'), at('2026-11-20T11:30:00Z'))).toBe(90);
    expect(businessMinutes(at('2026-11-20T16:00:00Z'), at('2026-11-23T10:00:00Z'))).toBe(120); // over the weekend
    expect(businessMinutes(at('2026-11-21T08:00:00Z'), at('2026-11-22T20:00:00Z'))).toBe(0); // Saturday to Sunday
    expect(businessMinutes(at('2026-11-16T00:00:00Z'), at('2026-11-23T00:00:00Z'))).toBe(5 * 8 * 60); // one week
    expect(businessMinutes(at('2026-11-20T18:00:00Z'), at('2026-11-20T17:00:00Z'))).toBe(0);
  });
});

describe('ticket metrics from events', () => {
  const created = at('2026-11-16T09:00:00Z'); // a Monday
  const e = (iso: string, kind: EventRow['kind'], from: string | null, to: string | null): EventRow => ({ at: at(iso), kind, from, to });
  const events: EventRow[] = [
    e('2026-11-16T09:00:00Z', 'status', null, 'new'),
    e('2026-11-16T09:00:00Z', 'group', null, '201'),
    e('2026-11-16T09:00:00Z', 'comment', 'end-user', 'public'),
    e('2026-11-16T09:30:00Z', 'assignee', null, '1001'),
    e('2026-11-16T09:30:00Z', 'status', 'new', 'open'),
    e('2026-11-16T10:00:00Z', 'comment', 'agent', 'private'),
    e('2026-11-16T11:00:00Z', 'comment', 'agent', 'public'),
    e('2026-11-16T11:00:00Z', 'status', 'open', 'pending'),
    e('2026-11-16T13:00:00Z', 'comment', 'end-user', 'public'),
    e('2026-11-16T13:00:00Z', 'status', 'pending', 'open'),
    e('2026-11-16T13:10:00Z', 'group', '201', '203'),
    e('2026-11-16T13:10:00Z', 'assignee', '1001', '1007'),
    e('2026-11-16T14:00:00Z', 'comment', 'agent', 'public'),
    e('2026-11-16T14:00:00Z', 'status', 'open', 'solved'),
    e('2026-11-17T09:00:00Z', 'comment', 'end-user', 'public'),
    e('2026-11-17T09:00:00Z', 'status', 'solved', 'open'),
    e('2026-11-17T10:00:00Z', 'comment', 'agent', 'public'),
    e('2026-11-17T10:00:00Z', 'status', 'open', 'solved'),
  ];

  it('computes stations, reopens, replies and durations as Zendesk defines them', () => {
    const m = computeTicketMetric({ id: 7, status: 'solved', priority: 'high', created_at: created, updated_at: at('2026-11-17T10:00:00Z') }, events);
    expect(m).toMatchObject({
      ticket_id: 7,
      group_stations: 2,
      assignee_stations: 2,
      reopens: 1,
      replies: 3,
      initially_assigned_at: '2026-11-16T09:30:00Z',
      assigned_at: '2026-11-16T13:10:00Z',
      solved_at: '2026-11-17T10:00:00Z',
      requester_updated_at: '2026-11-17T09:00:00Z',
      reply_time_in_minutes: { calendar: 120, business: 120 },
      first_resolution_time_in_minutes: { calendar: 300, business: 300 },
      full_resolution_time_in_minutes: { calendar: 1500, business: 540 },
      agent_wait_time_in_minutes: { calendar: 120, business: 120 },
      on_hold_time_in_minutes: { calendar: 0, business: 0 },
    });
    // new 30m + open 90m + open 60m (before the first solve) + open 60m (after the reopen)
    expect(m.requester_wait_time_in_minutes).toEqual({ calendar: 240, business: 240 });
  });

  it('derives SLA stages and breach times from the priority', () => {
    const open = { id: 1, status: 'open' as const, priority: 'high' as const, created_at: created, updated_at: created };
    const first = events.slice(0, 5);
    expect(computeSlas(open, first).policy_metrics).toEqual([
      { metric: 'first_reply_time', stage: 'active', breach_at: isoSeconds(created + 4 * 3600), hours: 4 },
    ]);
    expect(computeSlas({ ...open, status: 'pending' }, first).policy_metrics[0]!.stage).toBe('paused');
    const waiting = events.slice(0, 10); // the customer wrote after the first reply
    expect(computeSlas(open, waiting).policy_metrics).toEqual([
      { metric: 'first_reply_time', stage: 'achieved', breach_at: null, hours: 4 },
      { metric: 'next_reply_time', stage: 'active', breach_at: '2026-11-16T17:00:00Z', hours: 4 },
    ]);
    expect(computeSlas({ ...open, priority: null }, first).policy_metrics).toEqual([]);
  });
});

describe('search query parsing', () => {
  it('tokenizes quotes, negation and operators', () => {
    expect(tokenize('status<solved -tags:spam group:"Level 2" "double charge" refund')).toEqual([
      { negate: false, field: 'status', op: '<', value: 'solved' },
      { negate: true, field: 'tags', op: ':', value: 'spam' },
      { negate: false, field: 'group', op: ':', value: 'Level 2' },
      { negate: false, field: null, op: ':', value: 'double charge' },
      { negate: false, field: null, op: ':', value: 'refund' },
    ]);
  });

  it('ORs several values of one field and ANDs the rest', () => {
    const q = compileSearch('status:open status:pending priority>=high', { meId: 1, now: 0 });
    expect(q.where).toEqual(['priority_rank >= ?', '((status = ?) OR (status = ?))']);
    expect(q.params).toEqual([2, 'open', 'pending']);
  });
});

describe('fault specs and the rate limiter', () => {
  it('parses fault specs', () => {
    expect(parseFaultSpec('429=0.1, 500=0.05,reset=0.01,slow=0.02')).toEqual([
      ['429', 0.1],
      ['500', 0.05],
      ['reset', 0.01],
      ['slow', 0.02],
    ]);
    expect(parseFaultSpec('')).toEqual([]);
    expect(parseFaultSpec('404=0.1')).toMatch(/KIND one of 429, 500, reset, slow/);
    const injector = new FaultInjector([['500', 1]], 1);
    expect([injector.draw(), injector.draw()]).toEqual(['500', '500']);
  });

  it('slides a 60 s window', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(2, () => now);
    expect(limiter.take()).toMatchObject({ allowed: true, remaining: 1 });
    now = 30_000;
    expect(limiter.take()).toMatchObject({ allowed: true, remaining: 0 });
    expect(limiter.take()).toMatchObject({ allowed: false, retryAfter: 30 });
    now = 60_001;
    expect(limiter.take()).toMatchObject({ allowed: true, remaining: 0 });
  });
});
