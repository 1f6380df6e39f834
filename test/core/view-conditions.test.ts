/**
 * A desk view's conditions evaluated locally: the cases the demo views do not reach (no
 * priority, is_not on an empty id, the hour an "is" covers), and every condition it does not
 * evaluate named, so the caller reads the view from the desk instead of guessing.
 * (test/desk/view-conditions.test.ts compares it with the embedded desk on every demo view.)
 */
import { describe, expect, it } from 'vitest';
import { compileViewConditions, type ViewReader } from '../../src/core/view-conditions.js';
import type { RuleCondition, Ticket } from '../../src/core/model.js';

const NOW = new Date('2026-03-10T12:00:00Z');
const reader: ViewReader = { userId: 7, now: NOW };
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();

function ticket(over: Partial<Ticket>): Ticket {
  return {
    id: 1,
    subject: 's',
    description: 'd',
    status: 'open',
    priority: null,
    type: null,
    requester_id: 100,
    submitter_id: 100,
    assignee_id: null,
    group_id: null,
    organization_id: null,
    tags: [],
    custom_fields: [],
    via: { channel: 'email' },
    created_at: hoursAgo(10),
    updated_at: hoursAgo(1),
    ...over,
  } as Ticket;
}

function select(all: RuleCondition[], tickets: Ticket[], any: RuleCondition[] = []): number[] {
  const compiled = compileViewConditions({ all, any });
  if (!compiled.ok) throw new Error(compiled.unknown.join('; '));
  return tickets.filter((t) => compiled.matches(t, reader)).map((t) => t.id);
}

describe('compileViewConditions', () => {
  const byPriority = [ticket({ id: 1, priority: null }), ticket({ id: 2, priority: 'low' }), ticket({ id: 3, priority: 'high' }), ticket({ id: 4, priority: 'urgent' })];

  it('orders priorities as Zendesk does; a ticket without one matches only is_not and is ""', () => {
    expect(select([{ field: 'priority', operator: 'less_than', value: 'high' }], byPriority)).toEqual([2]);
    expect(select([{ field: 'priority', operator: 'greater_than', value: 'low' }], byPriority)).toEqual([3, 4]);
    expect(select([{ field: 'priority', operator: 'is_not', value: 'urgent' }], byPriority)).toEqual([1, 2, 3]);
    expect(select([{ field: 'priority', operator: 'is', value: '' }], byPriority)).toEqual([1]);
    expect(select([{ field: 'priority', operator: 'is_not', value: '' }], byPriority)).toEqual([2, 3, 4]);
  });

  it('reads ids as numbers or strings, "" as none, current_user as the reader', () => {
    const ts = [ticket({ id: 1, assignee_id: null }), ticket({ id: 2, assignee_id: 7 }), ticket({ id: 3, assignee_id: 8, requester_id: 7 })];
    expect(select([{ field: 'assignee_id', operator: 'is', value: 'current_user' }], ts)).toEqual([2]);
    expect(select([{ field: 'assignee_id', operator: 'is_not', value: '' }], ts)).toEqual([2, 3]);
    expect(select([{ field: 'assignee_id', operator: 'is_not', value: 8 }], ts)).toEqual([1, 2]);
    expect(select([{ field: 'requester_id', operator: 'is', value: 'current_user' }], ts)).toEqual([3]);
    expect(compileViewConditions({ all: [{ field: 'assignee_id', operator: 'is', value: 'current_user' }], any: [] })).toMatchObject({ ok: true, usesCurrentUser: true });
    expect(compileViewConditions({ all: [{ field: 'assignee_id', operator: 'is', value: '' }], any: [] })).toMatchObject({ ok: true, usesCurrentUser: false });
  });

  it('takes every `all` and one of `any`; tags match whole tags, in any case', () => {
    const ts = [ticket({ id: 1, tags: ['refund'] }), ticket({ id: 2, tags: ['refund_issued'], group_id: 5 }), ticket({ id: 3, tags: ['vip', 'refund'], status: 'pending' })];
    expect(select([{ field: 'current_tags', operator: 'includes', value: 'Refund angry' }], ts)).toEqual([1, 3]);
    expect(select([{ field: 'current_tags', operator: 'not_includes', value: 'refund vip' }], ts)).toEqual([2]);
    const any = [{ field: 'current_tags', operator: 'includes', value: 'vip' }, { field: 'group_id', operator: 'is', value: '5' }];
    expect(select([{ field: 'status', operator: 'less_than', value: 'solved' }], ts, any)).toEqual([2, 3]);
    expect(select([{ field: 'status', operator: 'is', value: 'open' }], ts, any)).toEqual([2]);
  });

  it('counts hours since created or updated: less_than, greater_than, and is the hour that starts then', () => {
    const ts = [ticket({ id: 1, created_at: hoursAgo(2.5) }), ticket({ id: 2, created_at: hoursAgo(3.5) }), ticket({ id: 3, created_at: hoursAgo(30) })];
    expect(select([{ field: 'NEW', operator: 'less_than', value: 3 }], ts)).toEqual([1]);
    expect(select([{ field: 'NEW', operator: 'greater_than', value: '3' }], ts)).toEqual([2, 3]);
    expect(select([{ field: 'NEW', operator: 'is', value: 3 }], ts)).toEqual([2]);
    expect(select([{ field: 'updated_at', operator: 'less_than', value: 2 }], ts)).toEqual([1, 2, 3]);
  });

  it('names every condition it does not evaluate, and compiles nothing then', () => {
    const compiled = compileViewConditions({
      all: [
        { field: 'status', operator: 'less_than', value: 'solved' },
        { field: 'organization_id', operator: 'is', value: '12' },
        { field: 'priority', operator: 'is', value: 'critical' },
      ],
      any: [
        { field: 'via_id', operator: 'is', value: 4 },
        { field: 'current_tags', operator: 'is', value: 'vip' },
        { field: 'updated_at', operator: 'greater_than_business_hours', value: 4 },
        { field: 'group_id', operator: 'is', value: 'current_groups' },
      ],
    });
    expect(compiled).toEqual({
      ok: false,
      unknown: [
        'organization_id is "12" (is a field deskops does not evaluate)',
        'priority is "critical" (is not one of low, normal, high, urgent)',
        'via_id is 4 (is a field deskops does not evaluate)',
        'current_tags is "vip" (takes includes or not_includes, not is)',
        'updated_at greater_than_business_hours 4 (takes is, less_than or greater_than, not greater_than_business_hours)',
        'group_id is "current_groups" (is not an id)',
      ],
    });
    expect(compileViewConditions({ all: [], any: [] })).toEqual({ ok: false, unknown: ['no conditions'] });
    expect(compileViewConditions(undefined)).toEqual({ ok: false, unknown: ['no conditions'] });
  });
});
