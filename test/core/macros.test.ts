import { describe, expect, it } from 'vitest';
import { MacroStaleError, macroSummary, planMacro, planRows, touchedFields } from '../../src/core/macros.js';
import type { Macro, Ticket } from '../../src/core/model.js';

const before: Ticket = {
  id: 42,
  subject: 'Charged twice',
  description: 'I was charged twice',
  status: 'open',
  priority: 'normal',
  type: null,
  requester_id: 7,
  assignee_id: 1002,
  group_id: 201,
  organization_id: null,
  tags: ['billing', 'waiting_on_us'],
  custom_fields: [],
  via: { channel: 'email' },
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-02T10:00:00Z',
};

const macro: Pick<Macro, 'id' | 'title' | 'actions'> = {
  id: 9,
  title: 'Apology: delay',
  actions: [
    { field: 'priority', value: 'high' },
    { field: 'status', value: 'open' },
    { field: 'assignee_id', value: 'current_user' },
    { field: 'group_id', value: '201' },
    { field: 'current_tags', value: 'apologised' },
    { field: 'remove_tags', value: 'waiting_on_us' },
    { field: 'comment_value', value: 'Sorry, {{ticket.requester.first_name}}' },
  ],
};

const after: Ticket = { ...before, priority: 'high', assignee_id: 1001, tags: ['billing', 'apologised'] };
const names = { user: (id: number) => ({ 1001: 'Alex Morgan', 1002: 'Priya Raman' })[id], group: (id: number) => ({ 201: 'Frontline' })[id] };

describe('planMacro', () => {
  it('lists each change, what stays as it is, and builds the one update for exactly those', () => {
    const plan = planMacro(macro, before, { ticket: after, comment: { body: 'Sorry, Dana', public: true } });
    expect(plan.priority).toEqual({ from: 'normal', to: 'high' });
    expect(plan.assignee).toEqual({ from: 1002, to: 1001 });
    expect(plan.status).toBeUndefined();
    expect(plan.unchanged).toEqual(['status', 'group']);
    expect(plan.tags).toEqual({ added: ['apologised'], removed: ['waiting_on_us'], replaced: false });
    expect(plan.update).toEqual({
      priority: 'high',
      assignee_id: 1001,
      additional_tags: ['apologised'],
      remove_tags: ['waiting_on_us'],
      comment: { body: 'Sorry, Dana', public: true },
    });
    expect(planRows(plan, names)).toEqual([
      ['comment', 'public reply to the requester'],
      ['priority', 'normal → high'],
      ['assignee', 'Priya Raman → Alex Morgan'],
      ['tags', '+apologised -waiting_on_us'],
      ['no change', 'status open, group Frontline (already so)'],
    ]);
  });

  it('refuses an answer for another version of the ticket: the preview would not be what is sent', () => {
    expect(() => planMacro(macro, before, { ticket: { ...after, updated_at: '2026-11-03T00:00:00Z' }, comment: null })).toThrow(MacroStaleError);
  });

  it('says when a macro changes nothing, with an empty update', () => {
    const plan = planMacro({ id: 1, title: 'Noop', actions: [{ field: 'status', value: 'open' }] }, before, { ticket: before, comment: null });
    expect(plan.update).toEqual({});
    expect(planRows(plan, names)).toEqual([['no change', 'status open (already so)']]);
  });

  it('shows a type and an internal note, and tags a macro replaces', () => {
    const plan = planMacro(
      { id: 2, title: 'Retag', actions: [{ field: 'set_tags', value: 'vip' }, { field: 'type', value: 'problem' }, { field: 'comment_mode_is_public', value: 'false' }] },
      before,
      { ticket: { ...before, tags: ['vip'], type: 'problem' }, comment: { body: 'moved', public: false } },
    );
    expect(planRows(plan, names)).toEqual([
      ['comment', 'internal note (agents only)'],
      ['type', '(none) → problem'],
      ['tags', 'set, +vip -billing -waiting_on_us'],
    ]);
    expect(plan.update).toMatchObject({ type: 'problem', comment: { public: false } });
  });
});

describe('macro summaries', () => {
  it('sums up the actions in one line, with names where known', () => {
    expect(macroSummary(macro.actions, names)).toBe('priority high · status open · assign to me · group Frontline · +apologised · -waiting_on_us · public reply');
    expect(macroSummary([{ field: 'assignee_id', value: '' }, { field: 'comment_mode_is_public', value: 'false' }, { field: 'comment_value', value: 'x' }])).toBe('unassign · internal note');
    expect([...touchedFields(macro.actions)].sort()).toEqual(['assignee', 'group', 'priority', 'status', 'tags']);
  });
});
