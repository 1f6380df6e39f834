import { describe, expect, it } from 'vitest';
import { HandleTimer, timeTrackingValues } from '../../src/core/handle-time.js';
import { applyUpdateLocally, escalationNote, parseStatus, parseTagInput, raisePriority } from '../../src/core/triage.js';
import type { Ticket } from '../../src/core/model.js';

const FIELDS = { totalFieldId: 9001, lastUpdateFieldId: 9002 };

describe('HandleTimer', () => {
  it('counts the time a ticket has the focus, per ticket, and hands it over once', () => {
    let now = 0;
    const timer = new HandleTimer(() => now);
    timer.focus(1);
    now += 30_000;
    timer.focus(2); // 30 s banked on 1
    now += 10_000;
    timer.focus(1); // 10 s on 2
    now += 5_000;
    expect(timer.elapsedMs(1)).toBe(35_000);
    expect(timer.take(1)).toBe(35);
    now += 2_000;
    expect(timer.take(1)).toBe(2); // counting again from the last update
    expect(timer.take(2)).toBe(10);
    expect(timer.take(2)).toBe(0);
  });

  it('carries the part of a second left over, so quick changes in a row still add up', () => {
    let now = 0;
    const timer = new HandleTimer(() => now);
    timer.focus(3);
    const taken: number[] = [];
    for (let i = 0; i < 5; i++) {
      now += 400; // an agent who acts fast: five changes, 400 ms apart
      taken.push(timer.take(3));
    }
    expect(taken).toEqual([0, 0, 1, 0, 1]);
    expect(timer.elapsedMs(3)).toBe(0);
  });

  it('stops counting without focus and gives seconds back after a refused update', () => {
    let now = 0;
    const timer = new HandleTimer(() => now);
    timer.focus(7);
    now += 4_000;
    timer.focus(null);
    now += 60_000;
    expect(timer.take(7)).toBe(4);
    timer.restore(7, 4);
    expect(timer.take(7)).toBe(4);
  });
});

describe('timeTrackingValues', () => {
  it('adds to the total the ticket holds and sets the last update', () => {
    const ticket = { custom_fields: [{ id: 9001, value: 120 }, { id: 9002, value: 20 }] };
    expect(timeTrackingValues(ticket, 45, FIELDS)).toEqual([
      { id: 9001, value: 165 },
      { id: 9002, value: 45 },
    ]);
    expect(timeTrackingValues({ custom_fields: [{ id: 9001, value: null }] }, 3, FIELDS)[0]).toEqual({ id: 9001, value: 3 });
    expect(timeTrackingValues({ custom_fields: [{ id: 9001, value: '60' }] }, 3, FIELDS)[0]).toEqual({ id: 9001, value: 63 });
    expect(timeTrackingValues(ticket, 0, FIELDS)).toEqual([]);
  });
});

describe('triage core', () => {
  it('raises the priority one step, keeping urgent', () => {
    expect(raisePriority('low')).toBe('normal');
    expect(raisePriority('normal')).toBe('high');
    expect(raisePriority('high')).toBe('urgent');
    expect(raisePriority('urgent')).toBe('urgent');
    expect(raisePriority(null)).toBe('high');
  });

  it('parses statuses and tags, refusing bad ones', () => {
    expect(parseStatus(' Pending ')).toBe('pending');
    expect(() => parseStatus('closed')).toThrow(/unknown status "closed"/);
    expect(() => parseStatus('bogus')).toThrow(/unknown status/);
    expect(parseTagInput('vip, -spam +Refund')).toEqual({ add: ['vip', 'refund'], remove: ['spam'] });
    expect(() => parseTagInput('  ')).toThrow(/no tags/);
  });

  it('writes an escalation note with the reason and the priority change', () => {
    const note = escalationNote({ reason: 'VIP waiting 2 days', group: 'escalations', from: 'normal', to: 'high', agent: 'Ana' });
    expect(note).toBe('Escalated to escalations by Ana.\nReason: VIP waiting 2 days\nPriority raised from normal to high.');
  });

  it('applies an update to a local copy without touching the original', () => {
    const t = {
      id: 1,
      status: 'open',
      priority: 'low',
      assignee_id: null,
      group_id: 3,
      tags: ['a', 'b'],
      custom_fields: [{ id: 9001, value: 5 }],
    } as unknown as Ticket;
    const next = applyUpdateLocally(t, {
      status: 'pending',
      priority: 'high',
      assignee_id: 9,
      additional_tags: ['c', 'a'],
      remove_tags: ['b'],
      custom_fields: [{ id: 9001, value: 50 }, { id: 9002, value: 45 }],
    });
    expect(next).toMatchObject({ status: 'pending', priority: 'high', assignee_id: 9, group_id: 3, tags: ['a', 'c'] });
    expect(next.custom_fields).toEqual([{ id: 9001, value: 50 }, { id: 9002, value: 45 }]);
    expect(t.tags).toEqual(['a', 'b']);
    expect(t.status).toBe('open');
  });
});
