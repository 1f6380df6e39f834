/**
 * Request Tracker records in deskops' shapes: statuses and priorities both ways, ids that come
 * as strings, tickets, the thread and the metrics computed from RT's transactions.
 */
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/core/errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../../src/api/types.js';
import { priorityFromRt, priorityToRt, statusFromRt, statusToRt } from '../../src/api/rt/mapping.js';
import { commentsFrom, ticketFrom, toId, userFrom, type RtTransaction } from '../../src/api/rt/records.js';
import { computeMetrics } from '../../src/api/rt/metrics.js';

describe('statuses', () => {
  it('reads RT statuses as deskops statuses', () => {
    expect(['new', 'open', 'stalled', 'resolved', 'rejected', 'deleted', 'waiting-for-vendor'].map(statusFromRt)).toEqual([
      'new', 'open', 'pending', 'solved', 'closed', 'closed', 'open',
    ]);
  });

  it('writes deskops statuses as RT statuses', () => {
    expect(TICKET_STATUSES.map(statusToRt)).toEqual(['new', 'open', 'stalled', 'stalled', 'resolved', 'resolved']);
  });

  it('round-trips new, open, pending and solved', () => {
    for (const s of ['new', 'open', 'pending', 'solved'] as const) expect(statusFromRt(statusToRt(s))).toBe(s);
  });
});

describe('priorities', () => {
  it('writes each priority as the floor of its range and reads it back', () => {
    expect(TICKET_PRIORITIES.map(priorityToRt)).toEqual([0, 50, 100, 150]);
    for (const p of TICKET_PRIORITIES) expect(priorityFromRt(priorityToRt(p))).toBe(p);
    expect(priorityToRt(null)).toBe(0);
  });

  it('reads RT numbers (also as strings) by range', () => {
    expect([-5, 0, 49, '50', 99, 100, '149', 150, 999].map(priorityFromRt)).toEqual([
      'low', 'low', 'low', 'normal', 'normal', 'high', 'high', 'urgent', 'urgent',
    ]);
    expect(priorityFromRt('')).toBeNull();
  });
});

describe('records', () => {
  it('normalizes ids sent as strings and refuses logins', () => {
    expect(toId('7')).toBe(7);
    expect(toId(7)).toBe(7);
    expect(() => toId('root')).toThrow(ApiError);
  });

  it('maps a search item with expanded user blocks to a Zendesk-shaped ticket', () => {
    const t = ticketFrom(
      {
        id: '12',
        Subject: 'Printer on fire',
        Status: 'stalled',
        Priority: '100',
        Owner: { id: 27, Name: 'dee', RealName: 'Dee Agent', EmailAddress: 'dee@x.test' },
        Requestor: [{ id: 41, Name: 'bob@c.test', EmailAddress: 'bob@c.test', RealName: '' }],
        Creator: { id: 1, Name: 'RT_System' },
        Queue: { id: '3', Name: 'Billing' },
        Created: '2026-11-25T08:00:00Z',
        LastUpdated: '2026-11-25T09:00:00Z',
        Due: '1970-01-01T00:00:00Z',
        CustomFields: [
          { id: '2', name: 'Tags', values: ['vip', 'refund'] },
          { id: '3', name: 'Product', values: ['Printer'] },
          { id: '4', name: 'Empty', values: [] },
        ],
      },
      'http://rt.test/REST/2.0',
    );
    expect(t).toMatchObject({
      id: 12,
      status: 'pending',
      priority: 'high',
      assignee_id: 27,
      requester_id: 41,
      submitter_id: 1,
      group_id: 3,
      organization_id: null,
      tags: ['vip', 'refund'],
      custom_fields: [{ id: 3, value: 'Printer' }, { id: 4, value: null }],
      due_at: null,
      created_at: '2026-11-25T08:00:00Z',
      updated_at: '2026-11-25T09:00:00Z',
    });
  });

  it('reads an owner of Nobody as unassigned and empty custom fields ("") as none', () => {
    const t = ticketFrom({ id: 5, Status: 'new', Owner: { id: 6, Name: 'Nobody' }, CustomFields: '' }, 'http://rt.test/REST/2.0');
    expect(t.assignee_id).toBeNull();
    expect(t.tags).toEqual([]);
  });

  it('takes a user id from the self link when a summary has no id', () => {
    const u = userFrom({ Name: 'sam', RealName: 'Sam Second', EmailAddress: 'sam@x.test', Privileged: 1, _hyperlinks: [{ ref: 'self', id: 33 }] });
    expect(u).toMatchObject({ id: 33, name: 'Sam Second', email: 'sam@x.test', role: 'agent' });
  });

  it('builds the thread: Create and Correspond are public, Comment is an internal note', () => {
    const txn = (id: number, type: string, creatorId = 27): RtTransaction => ({
      id, ticketId: 1, type, field: '', oldValue: '', newValue: '', created: `2026-11-25T08:0${id}:00Z`, creatorId,
    });
    const comments = commentsFrom(
      [txn(3, 'Comment'), txn(1, 'Create', 41), txn(2, 'Correspond'), txn(4, 'Status')],
      [
        { transactionId: 1, contentType: 'text/plain', content: 'Help', filename: '', headers: 'X-RT-Interface: Email' },
        { transactionId: 2, contentType: 'text/html', content: '<p>On <b>it</b></p>', filename: '', headers: '' },
        { transactionId: 3, contentType: 'text/plain', content: 'call them', filename: '', headers: '' },
        { transactionId: 3, contentType: 'text/plain', content: 'log file', filename: 'log.txt', headers: '' },
      ],
    );
    expect(comments.map((c) => [c.id, c.public, c.author_id, c.body, c.via?.channel])).toEqual([
      [1, true, 41, 'Help', 'email'],
      [2, true, 27, 'On it', 'unknown'],
      [3, false, 27, 'call them', 'unknown'],
    ]);
  });
});

describe('metrics from transactions', () => {
  it('computes replies, reply time, resolution, reopens and stations', () => {
    const base = Date.parse('2026-11-25T08:00:00Z');
    const at = (min: number) => new Date(base + min * 60_000).toISOString();
    let id = 0;
    const txn = (min: number, type: string, extra: Partial<RtTransaction> = {}): RtTransaction => ({
      id: ++id, ticketId: 9, type, field: '', oldValue: '', newValue: '', created: at(min), creatorId: 27, ...extra,
    });
    const ticket = ticketFrom({ id: 9, Status: 'resolved', Created: at(0), LastUpdated: at(300), Owner: { id: 27, Name: 'dee' } }, 'http://rt.test/REST/2.0');
    const m = computeMetrics({
      ticket,
      rtStatus: 'resolved',
      requesterIds: [41],
      nobodyId: 6,
      now: base + 400 * 60_000,
      transactions: [
        txn(0, 'Create', { creatorId: 41 }),
        txn(30, 'Correspond'), // first agent reply after 30 min
        txn(30, 'Status', { field: 'Status', oldValue: 'new', newValue: 'open' }),
        txn(40, 'Set', { field: 'Owner', oldValue: '6', newValue: '27' }),
        txn(40, 'SetWatcher', { field: 'Owner', oldValue: '6', newValue: '27' }),
        txn(60, 'Status', { field: 'Status', oldValue: 'open', newValue: 'stalled' }),
        txn(120, 'Correspond', { creatorId: 41 }), // the requester answers: not a reply
        txn(120, 'Status', { field: 'Status', oldValue: 'stalled', newValue: 'open' }),
        txn(150, 'Status', { field: 'Status', oldValue: 'open', newValue: 'resolved' }),
        txn(200, 'Status', { field: 'Status', oldValue: 'resolved', newValue: 'open' }),
        txn(210, 'Set', { field: 'Queue', oldValue: '1', newValue: '3' }),
        txn(300, 'Status', { field: 'Status', oldValue: 'open', newValue: 'resolved' }),
      ],
    });
    expect(m).toMatchObject({
      ticket_id: 9,
      replies: 1,
      reopens: 1,
      group_stations: 2,
      assignee_stations: 1,
      reply_time_in_minutes: { calendar: 30, business: null },
      first_resolution_time_in_minutes: { calendar: 150 },
      full_resolution_time_in_minutes: { calendar: 300 },
      solved_at: at(300),
      agent_wait_time_in_minutes: { calendar: 60 },
      // new 30 + open 30 + open 30 + open 100
      requester_wait_time_in_minutes: { calendar: 190 },
      requester_updated_at: at(120),
      initially_assigned_at: at(40),
      latest_comment_added_at: at(120),
      status_updated_at: at(300),
    });
  });

  it('leaves solved_at and the reply time empty for an unanswered open ticket', () => {
    const ticket = ticketFrom({ id: 2, Status: 'open', Created: '2026-11-25T08:00:00Z', LastUpdated: '2026-11-25T08:00:00Z' }, 'http://rt.test/REST/2.0');
    const m = computeMetrics({ ticket, rtStatus: 'open', requesterIds: [41], transactions: [], now: Date.parse('2026-11-25T09:00:00Z') });
    expect(m.solved_at).toBeNull();
    expect(m.reply_time_in_minutes.calendar).toBeNull();
    expect(m.requester_wait_time_in_minutes.calendar).toBe(60);
  });
});
