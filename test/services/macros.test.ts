/**
 * Previewing a macro on a desk that answers with the comment's placeholders as written (as
 * Zendesk's API may): the ones deskops knows are filled from the ticket after the macro, the
 * rest named and posted as written; the preview and the update carry the same text.
 */
import { describe, expect, it } from 'vitest';
import type { Macro, Ticket, User } from '../../src/core/model.js';
import { previewMacro } from '../../src/services/macros.js';
import { memoryDesk } from './memoryDesk.js';

const ticket: Ticket = {
  id: 42,
  subject: 'Charged twice',
  description: 'I was charged twice',
  status: 'open',
  priority: 'normal',
  type: null,
  requester_id: 7,
  assignee_id: null,
  group_id: 203,
  organization_id: null,
  tags: [],
  custom_fields: [],
  via: { channel: 'email' },
  created_at: '2026-11-01T10:00:00Z',
  updated_at: '2026-11-02T10:00:00Z',
};
const dana: User = { id: 7, name: 'Dana Whitfield', email: 'dana@example.com', role: 'end-user', organization_id: null };
const sam: User = { id: 1001, name: 'Sam Ortiz', email: 'sam@example.com', role: 'agent', organization_id: null, signature: 'Sam\nBilling' };
const macro: Macro = {
  id: 9,
  title: 'Take it',
  active: true,
  restriction: null,
  actions: [{ field: 'assignee_id', value: 'current_user' }, { field: 'comment_value', value: 'x' }],
};

describe('previewMacro', () => {
  it('fills the placeholders the desk left, names the ones it cannot, and sends what it shows', async () => {
    const { desk, calls } = memoryDesk({
      getTicket: async () => ticket,
      applyMacro: async () => ({
        ticket: { ...ticket, assignee_id: 1001 },
        comment: { body: 'Hi {{ticket.requester.first_name}}, {{ticket.assignee.name}} here ({{ticket.group.name}}). {{dc.refund_policy}}\n{{current_user.signature}}', public: true },
      }),
      me: async () => sam,
      getUsers: async (ids: number[]) => [dana, sam].filter((u) => ids.includes(u.id)),
      listGroups: async () => [{ id: 203, name: 'Billing' }],
    });
    const preview = await previewMacro(desk, 42, macro);
    const body = 'Hi Dana, Sam Ortiz here (Billing). {{dc.refund_policy}}\nSam\nBilling';
    expect(preview.plan.comment).toEqual({ body, public: true });
    expect(preview.plan.update).toEqual({ assignee_id: 1001, comment: { body, public: true } });
    expect(preview.unfilled).toEqual(['{{dc.refund_policy}}']);
    expect(preview.rows).toContainEqual(['placeholders', '{{dc.refund_policy}} left as written: deskops cannot fill it']);
    expect(preview.rows).toContainEqual(['assignee', 'nobody → Sam Ortiz']);
    expect(calls.filter((c) => c.method === 'applyMacro')).toHaveLength(1);
  });

  it('reads the ticket again once when it changed between the read and the desk\'s answer', async () => {
    let reads = 0;
    const { desk } = memoryDesk({
      getTicket: async () => (++reads === 1 ? ticket : { ...ticket, updated_at: '2026-11-03T00:00:00Z' }),
      applyMacro: async () => ({ ticket: { ...ticket, assignee_id: 1001, updated_at: '2026-11-03T00:00:00Z' }, comment: null }),
      getUsers: async () => [sam],
    });
    const preview = await previewMacro(desk, 42, macro);
    expect(reads).toBe(2);
    expect(preview.plan.before.updated_at).toBe('2026-11-03T00:00:00Z');
  });
});
