import { describe, expect, it } from 'vitest';
import type { JobStatus, Ticket, TicketField, User } from '../../src/core/model.js';
import { ConfigError, UsageError } from '../../src/core/errors.js';
import { applyToMany, planAction, resolveTimeTrackingFields, withHandleTime } from '../../src/services/triage.js';
import { iterate, memoryDesk } from './memoryDesk.js';

const agent = (id: number, name: string): User => ({ id, name, email: `${name.split(' ')[0]!.toLowerCase()}@desk.test`, role: 'agent', organization_id: null });
const AGENTS = [agent(1, 'Ana Lopez'), agent(2, 'Sam Lee')];

function ticket(id: number, over: Partial<Ticket> = {}): Ticket {
  return {
    id,
    subject: 's',
    description: 'd',
    status: 'open',
    priority: 'normal',
    type: null,
    requester_id: 50,
    assignee_id: null,
    group_id: null,
    organization_id: null,
    tags: [],
    custom_fields: [{ id: 9001, value: 100 }],
    via: { channel: 'email' },
    created_at: '2026-03-01T00:00:00Z',
    updated_at: '2026-03-01T00:00:00Z',
    ...over,
  };
}

function env() {
  return memoryDesk({
    me: async () => AGENTS[0],
    listUsers: (o: { role: string }) => iterate(o.role === 'agent' ? AGENTS : []),
    getUsers: async (ids: number[]) => AGENTS.filter((a) => ids.includes(a.id)),
    listGroups: async () => [
      { id: 10, name: 'frontline' },
      { id: 11, name: 'escalations' },
    ],
  });
}

describe('planAction', () => {
  it('resolves an agent by name and "me"', async () => {
    const { desk } = env();
    const byName = await planAction({ desk, escalationGroup: 'escalations', timeFields: null }, { kind: 'assign', who: 'sam lee' });
    expect(byName.updateFor(ticket(1))).toEqual({ assignee_id: 2 });
    expect(byName.summary).toBe('assigned to Sam Lee');
    const me = await planAction({ desk, escalationGroup: 'escalations', timeFields: null }, { kind: 'assign', who: 'me' });
    expect(me.updateFor(ticket(1))).toEqual({ assignee_id: 1 });
  });

  it('refuses an unknown agent, group, status or priority before anything is sent', async () => {
    const { desk, calls } = env();
    const plan = (action: Parameters<typeof planAction>[1], group = 'escalations') =>
      planAction({ desk, escalationGroup: group, timeFields: null }, action);
    await expect(plan({ kind: 'assign', who: 'Nobody Here' })).rejects.toBeInstanceOf(UsageError);
    await expect(plan({ kind: 'escalate', reason: 'x' }, 'tier 3')).rejects.toThrow(/group "tier 3" not found/);
    await expect(plan({ kind: 'status', status: 'bogus' })).rejects.toBeInstanceOf(UsageError);
    await expect(plan({ kind: 'priority', priority: 'critical' })).rejects.toBeInstanceOf(UsageError);
    await expect(plan({ kind: 'note', body: '   ' })).rejects.toBeInstanceOf(UsageError);
    expect(calls.some((c) => c.method === 'updateTicket' || c.method === 'updateMany')).toBe(false);
  });

  it('escalates to the group with the priority one step up and a documented internal note', async () => {
    const { desk } = env();
    const plan = await planAction({ desk, escalationGroup: 'escalations', timeFields: null }, { kind: 'escalate', reason: 'VIP, third contact' });
    const update = plan.updateFor(ticket(1, { priority: 'high' }));
    expect(update).toMatchObject({ group_id: 11, priority: 'urgent', additional_tags: ['escalated'] });
    expect(update.comment).toEqual({
      public: false,
      body: 'Escalated to escalations by Ana Lopez.\nReason: VIP, third contact\nPriority raised from high to urgent.',
    });
    expect(plan.updateFor(ticket(2, { priority: 'low' })).priority).toBe('normal');
  });

  it('sends a rendered template as the one update sendReply would: the exact body, public or a note, with the template\'s changes', async () => {
    const { desk, calls } = env();
    const reply = {
      ticketId: 1,
      body: 'Hi Dana,\n\nsorry for the wait.',
      public: true,
      set: { status: 'pending' as const, tags: ['apologised'] },
      template: 'apology-delay',
      locale: 'en',
      vars: {},
      ticketUpdatedAt: '2026-03-01T00:00:00Z',
      unusedVars: [],
    };
    const plan = await planAction({ desk, escalationGroup: 'escalations', timeFields: null }, { kind: 'templateReply', reply, note: false });
    expect(plan.summary).toBe('reply sent (apology-delay)');
    expect(plan.updateFor(ticket(1))).toEqual({ comment: { body: reply.body, public: true }, status: 'pending', additional_tags: ['apologised'] });
    expect(() => plan.updateFor(ticket(2))).toThrow(UsageError);
    const note = await planAction({ desk, escalationGroup: 'escalations', timeFields: null }, { kind: 'templateReply', reply, note: true });
    expect(note.summary).toBe('internal note added (apology-delay)');
    expect(note.updateFor(ticket(1)).comment).toEqual({ body: reply.body, public: false });
    await expect(planAction({ desk, escalationGroup: 'escalations', timeFields: null }, { kind: 'templateReply', reply: { ...reply, body: ' ' }, note: false })).rejects.toBeInstanceOf(UsageError);
    expect(calls).toHaveLength(0);
  });

  it('adds and removes tags', async () => {
    const { desk } = env();
    const plan = await planAction({ desk, escalationGroup: 'escalations', timeFields: null }, { kind: 'tag', input: 'refund -spam' });
    expect(plan.updateFor(ticket(1))).toEqual({ additional_tags: ['refund'], remove_tags: ['spam'] });
  });
});

describe('handle time in updates', () => {
  it('adds both Time Tracking fields to the update', () => {
    const fields = { totalFieldId: 9001, lastUpdateFieldId: 9002 };
    expect(withHandleTime({ priority: 'high' }, ticket(1), 42, fields)).toEqual({
      priority: 'high',
      custom_fields: [
        { id: 9001, value: 142 },
        { id: 9002, value: 42 },
      ],
    });
    expect(withHandleTime({ priority: 'high' }, ticket(1), 0, fields)).toEqual({ priority: 'high' });
    expect(withHandleTime({ priority: 'high' }, ticket(1), 42, null)).toEqual({ priority: 'high' });
  });

  it('finds the fields by title, or takes them from config, and refuses bad config', async () => {
    const fields: TicketField[] = [
      { id: 9001, title: 'Total time spent (sec)', type: 'integer' },
      { id: 9002, title: 'Time spent last update (sec)', type: 'integer' },
    ];
    const { desk, calls } = memoryDesk({ listTicketFields: async () => fields });
    expect(await resolveTimeTrackingFields(desk, {})).toEqual({ totalFieldId: 9001, lastUpdateFieldId: 9002 });
    expect(await resolveTimeTrackingFields(desk, { totalFieldId: 5, lastUpdateFieldId: '6' })).toEqual({ totalFieldId: 5, lastUpdateFieldId: 6 });
    expect(calls).toHaveLength(1);
    await expect(resolveTimeTrackingFields(desk, { totalFieldId: 'abc' })).rejects.toThrow(ConfigError);
    await expect(resolveTimeTrackingFields(desk, { totalFieldId: 'abc' })).rejects.toThrow(/time_tracking\.total_field_id/);
    const none = memoryDesk({ listTicketFields: async () => [] });
    expect(await resolveTimeTrackingFields(none.desk, {})).toBeNull();
  });
});

describe('applyToMany', () => {
  it('reports each ticket\'s outcome from the job and re-reads the changed ones', async () => {
    const job: JobStatus = {
      id: 'job1',
      status: 'completed',
      total: 3,
      progress: 3,
      message: 'Completed',
      results: [
        { id: 1, success: true, status: 'Updated' },
        { id: 2, success: false, error: 'TicketClosed', details: 'closed tickets cannot be updated' },
        { id: 3, success: true, status: 'Updated' },
      ],
    };
    const { desk, calls } = memoryDesk({
      updateMany: async () => ({ ...job, status: 'queued', results: null }),
      waitForJob: async () => job,
      getTickets: async (ids: number[]) => ids.map((id) => ticket(id, { priority: 'high' })),
    });
    const outcomes = await applyToMany(desk, [1, 2, 3].map((id) => ({ ticket: ticket(id), update: { priority: 'high' as const } })));
    expect(outcomes.map((o) => [o.id, o.ok])).toEqual([[1, true], [2, false], [3, true]]);
    expect(outcomes[1]!.error).toBe('closed tickets cannot be updated');
    expect(outcomes[0]!.ticket?.priority).toBe('high');
    const sent = calls.find((c) => c.method === 'updateMany')!.args[0] as { tickets: Array<{ id: number }> };
    expect(sent.tickets.map((t) => t.id)).toEqual([1, 2, 3]);
    expect(calls.find((c) => c.method === 'getTickets')!.args[0]).toEqual([1, 3]);
  });

  it('marks every ticket failed when the job cannot be queued', async () => {
    const { desk } = memoryDesk({
      updateMany: async () => {
        throw new Error('desk down');
      },
    });
    const outcomes = await applyToMany(desk, [{ ticket: ticket(1), update: { status: 'pending' } }]);
    expect(outcomes).toEqual([{ id: 1, ok: false, error: 'desk down' }]);
  });
});
