import { describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/core/model.js';
import { ConfigError } from '../../src/core/errors.js';
import {
  DEFAULT_URGENCY_WEIGHTS,
  angerSignals,
  parseUrgencyWeights,
  rankByUrgency,
  slaState,
  slaSummary,
  slaTargetMinutes,
  urgencyScore,
} from '../../src/core/urgency.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function ticket(over: Partial<Ticket> = {}): Ticket {
  return {
    id: 1,
    subject: 'Question about my order',
    description: 'Hello, where is my parcel? Thanks',
    status: 'open',
    priority: 'normal',
    type: 'question',
    requester_id: 100,
    assignee_id: null,
    group_id: null,
    organization_id: null,
    tags: [],
    custom_fields: [],
    via: { channel: 'email' },
    created_at: iso(NOW - 48 * HOUR),
    updated_at: iso(NOW),
    ...over,
  };
}

const codes = (t: Ticket, ctx: Parameters<typeof urgencyScore>[1] = { now: NOW }) =>
  urgencyScore(t, ctx).reasons.map((r) => r.code);

describe('urgencyScore', () => {
  it('adds up the reasons, highest first', () => {
    const r = urgencyScore(ticket({ priority: 'urgent', via: { channel: 'phone' } }), { now: NOW, vip: true });
    expect(r.reasons.map((x) => x.code)).toEqual(['priority', 'vip', 'channel']);
    expect(r.reasons.map((x) => x.points)).toEqual([30, 20, 8]);
    expect(r.score).toBe(58);
    for (let i = 1; i < r.reasons.length; i++) expect(r.reasons[i - 1]!.points).toBeGreaterThanOrEqual(r.reasons[i]!.points);
  });

  it('scores a breached SLA by how long ago, capped', () => {
    const slas = (breach: number) => ({
      slas: { policy_metrics: [{ metric: 'first_reply_time' as const, stage: 'active' as const, breach_at: iso(breach) }] },
    });
    const justNow = urgencyScore(ticket(slas(NOW - 1000)), { now: NOW }).reasons.find((r) => r.code === 'sla_breached')!;
    const twoHours = urgencyScore(ticket(slas(NOW - 2 * HOUR)), { now: NOW }).reasons.find((r) => r.code === 'sla_breached')!;
    const aWeek = urgencyScore(ticket(slas(NOW - 168 * HOUR)), { now: NOW }).reasons.find((r) => r.code === 'sla_breached')!;
    expect(justNow.points).toBe(40);
    expect(twoHours.points).toBe(44);
    expect(twoHours.label).toBe('SLA breached 2h ago (first reply time)');
    expect(aWeek.points).toBe(60);
  });

  it('scores an SLA due soon more the closer it is, and ignores paused or distant targets', () => {
    const due = (ms: number, stage: 'active' | 'paused' = 'active') =>
      ticket({ slas: { policy_metrics: [{ metric: 'next_reply_time', stage, breach_at: iso(NOW + ms) }] } });
    const soon = urgencyScore(due(15 * 60_000), { now: NOW }).reasons.find((r) => r.code === 'sla_due_soon')!;
    const later = urgencyScore(due(90 * 60_000), { now: NOW }).reasons.find((r) => r.code === 'sla_due_soon')!;
    expect(soon.points).toBeGreaterThan(later.points);
    expect(soon.label).toBe('SLA due in 15m (next reply time)');
    expect(codes(due(5 * HOUR))).not.toContain('sla_due_soon');
    expect(codes(due(-HOUR, 'paused'))).not.toContain('sla_breached');
  });

  it('takes the earliest active breach of several targets', () => {
    const t = ticket({
      slas: {
        policy_metrics: [
          { metric: 'first_reply_time', stage: 'achieved', breach_at: null },
          { metric: 'next_reply_time', stage: 'active', breach_at: iso(NOW + HOUR) },
          { metric: 'requester_wait_time', stage: 'active', breach_at: iso(NOW - HOUR) },
        ],
      },
    });
    expect(slaState(t, NOW)).toEqual({ metric: 'requester_wait_time', breachAt: iso(NOW - HOUR), msLeft: -HOUR });
    expect(slaState(ticket(), NOW)).toBeNull();
  });

  it('gives the running target with its size in minutes, whichever unit the desk used', () => {
    const t = ticket({
      slas: {
        policy_metrics: [
          { metric: 'first_reply_time', stage: 'achieved', breach_at: null, hours: 1 },
          { metric: 'next_reply_time', stage: 'active', breach_at: iso(NOW + HOUR), hours: 8 },
        ],
      },
    });
    expect(slaSummary(t, NOW)).toEqual({ metric: 'next_reply_time', breachAt: iso(NOW + HOUR), msLeft: HOUR, targetMinutes: 480 });
    expect(slaSummary(ticket({ slas: { policy_metrics: [{ metric: 'first_reply_time', stage: 'paused', breach_at: null }] } }), NOW)).toBeNull();
    expect(slaTargetMinutes({ minutes: 30 })).toBe(30);
    expect(slaTargetMinutes({ days: 2 })).toBe(2880);
    expect(slaTargetMinutes({ hours: 1, minutes: 30 })).toBe(90);
    expect(slaTargetMinutes({})).toBeNull();
  });

  it('counts the customer\'s wait only while the ticket is new or open, capped', () => {
    const open = urgencyScore(ticket({ updated_at: iso(NOW - 5 * HOUR) }), { now: NOW }).reasons.find((r) => r.code === 'waiting')!;
    expect(open).toMatchObject({ points: 5, label: 'customer waiting 5h' });
    expect(codes(ticket({ status: 'pending', updated_at: iso(NOW - 5 * HOUR) }))).not.toContain('waiting');
    const long = urgencyScore(ticket({ updated_at: iso(NOW - 200 * HOUR) }), { now: NOW }).reasons.find((r) => r.code === 'waiting')!;
    expect(long.points).toBe(24);
    // the latest customer message dates the wait when known
    const fromMessage = urgencyScore(ticket({ updated_at: iso(NOW - HOUR) }), {
      now: NOW,
      latestCustomerMessage: { at: iso(NOW - 10 * HOUR), body: 'hi' },
    }).reasons.find((r) => r.code === 'waiting')!;
    expect(fromMessage.points).toBe(10);
  });

  it('finds anger signals in the latest customer message, else the description', () => {
    expect(angerSignals('This is the THIRD time I am writing!!! I will cancel and want a refund. Unacceptable.')).toEqual([
      'asking again',
      'cancel',
      'refund',
      'unacceptable',
      'capitals',
      '!!!',
    ]);
    expect(angerSignals('Still nothing. Nobody has answered my emails')).toEqual(['asking again']);
    expect(angerSignals('Hi! Could you send the VAT invoice via UPS? Thanks!')).toEqual([]);
    expect(angerSignals('')).toEqual([]);

    const calm = ticket({ description: 'Please help me export my data.' });
    expect(codes(calm)).not.toContain('anger');
    const angryLater = urgencyScore(calm, { now: NOW, latestCustomerMessage: { at: iso(NOW), body: 'Still NOTHING. This is ridiculous!!' } });
    const anger = angryLater.reasons.find((r) => r.code === 'anger')!;
    expect(anger.label).toBe('angry customer: asking again, unacceptable, capitals, !!!');
    expect(anger.points).toBe(20);
  });

  it('flags complaints by tag or wording, VIPs, reopens (capped) and transfers', () => {
    expect(codes(ticket({ tags: ['complaint'] }))).toContain('complaint');
    expect(codes(ticket({ description: 'I want to make a complaint about the courier' }))).toContain('complaint');
    expect(codes(ticket())).not.toContain('complaint');
    expect(codes(ticket(), { now: NOW, vip: true })).toContain('vip');
    const reopened = urgencyScore(ticket(), { now: NOW, reopens: 5 }).reasons.find((r) => r.code === 'reopened')!;
    expect(reopened).toMatchObject({ points: 18, label: 'reopened 5×' });
    expect(codes(ticket({ tags: ['transferred'] }))).toContain('transferred');
  });

  it('leaves out reasons worth nothing and unknown channels', () => {
    const r = urgencyScore(ticket({ priority: 'low', status: 'pending', via: { channel: 'carrier-pigeon' } }), { now: NOW });
    expect(r.reasons).toEqual([]);
    expect(r.score).toBe(0);
    expect(codes(ticket({ via: { channel: 'constructor' } }))).not.toContain('channel');
  });

  it('uses the weights it is given', () => {
    const weights = parseUrgencyWeights({ vip: 100, priority: { normal: 0 } });
    const r = urgencyScore(ticket({ status: 'pending' }), { now: NOW, vip: true, weights });
    expect(r.reasons).toEqual([{ code: 'vip', label: 'VIP organization', points: 100 }]);
  });
});

describe('rankByUrgency', () => {
  it('sorts by score, then the earliest SLA breach, then the oldest ticket, then id', () => {
    const base = { status: 'pending' as const, priority: 'low' as const };
    const a = ticket({ ...base, id: 1, created_at: iso(NOW - HOUR) });
    const b = ticket({ ...base, id: 2, created_at: iso(NOW - 2 * HOUR) });
    const c = ticket({ ...base, id: 3, priority: 'urgent' });
    const d = ticket({ ...base, id: 4, created_at: iso(NOW - HOUR) });
    const ranked = rankByUrgency([a, b, c, d], (t) => t, () => ({ now: NOW }));
    expect(ranked.map((r) => r.item.id)).toEqual([3, 2, 1, 4]);
    expect(ranked[0]!.urgency.score).toBe(30);
  });

  it('ranks a large queue with each ticket scored once', () => {
    const tickets = Array.from({ length: 5000 }, (_, i) =>
      ticket({ id: i + 1, priority: (['low', 'normal', 'high', 'urgent'] as const)[i % 4], updated_at: iso(NOW - (i % 50) * HOUR) }),
    );
    let calls = 0;
    const ranked = rankByUrgency(tickets, (t) => t, () => {
      calls++;
      return { now: NOW };
    });
    expect(calls).toBe(5000);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1]!.urgency.score).toBeGreaterThanOrEqual(ranked[i]!.urgency.score);
  });
});

describe('parseUrgencyWeights', () => {
  it('returns the defaults for no setting, and merges a partial one', () => {
    expect(parseUrgencyWeights(undefined)).toEqual(DEFAULT_URGENCY_WEIGHTS);
    const w = parseUrgencyWeights({ slaBreached: 60, priority: { urgent: 50 }, channel: { whatsapp: 7 } });
    expect(w.slaBreached).toBe(60);
    expect(w.priority).toEqual({ ...DEFAULT_URGENCY_WEIGHTS.priority, urgent: 50 });
    expect(w.channel.whatsapp).toBe(7);
    expect(w.channel.phone).toBe(8);
    // the defaults are not changed by a merge
    expect(DEFAULT_URGENCY_WEIGHTS.priority.urgent).toBe(30);
  });

  it.each([
    [{ vip: 'lots' }, 'urgency.weights.vip'],
    [{ vip: -1 }, 'urgency.weights.vip'],
    [{ vip: Number.NaN }, 'urgency.weights.vip'],
    [{ priority: { critical: 5 } }, 'urgency.weights.priority.critical'],
    [{ priority: 5 }, 'urgency.weights.priority'],
    [{ channel: { phone: '8' } }, 'urgency.weights.channel.phone'],
    [{ vipp: 3 }, 'urgency.weights.vipp'],
    [[1, 2], 'urgency.weights'],
    ['heavy', 'urgency.weights'],
  ])('refuses %j with a ConfigError naming %s', (raw, key) => {
    let error: unknown;
    try {
      parseUrgencyWeights(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`setting ${key} `);
    expect((error as ConfigError).exitCode).toBe(1);
  });
});
