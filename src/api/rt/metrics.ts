/**
 * Zendesk's ticket metrics computed from a Request Tracker ticket's history (RT keeps no such
 * record). Pure. Calendar minutes only: RT does not compute business time per ticket, so every
 * `business` value is null.
 *
 * | metric                          | from RT's transactions                                             |
 * | ------------------------------- | ------------------------------------------------------------------ |
 * | replies                         | Correspond transactions by someone who is not a requestor         |
 * | reply_time_in_minutes           | ticket creation to the first such reply                           |
 * | first/full_resolution_time      | creation to the first / last change to resolved or rejected       |
 * | solved_at                       | the last change to resolved or rejected, while the ticket is so   |
 * | reopens                         | changes from resolved or rejected back to another status          |
 * | agent_wait_time                 | time spent stalled (read as pending)                              |
 * | requester_wait_time             | time spent new or open                                            |
 * | on_hold_time                    | 0: no RT status reads as hold                                     |
 * | assignee_stations               | distinct owners the ticket had (Nobody excluded)                  |
 * | group_stations                  | 1 + queue changes                                                 |
 * | initially_assigned_at, assigned_at | first / last change of owner to someone                         |
 * | requester_updated_at            | the requestors' last message                                      |
 * | assignee_updated_at             | the current owner's last transaction                              |
 * | latest_comment_added_at         | the last Create, Correspond or Comment                            |
 */
import type { MinutesPair, Ticket, TicketMetric } from '../types.js';
import type { RtTransaction } from './records.js';

const SOLVED_RT = new Set(['resolved', 'rejected', 'deleted']);
const WAITING_RT = new Set(['stalled']);
const OWNER_CHANGES = new Set(['Set', 'Give', 'Take', 'Steal', 'Untake', 'Force']);

export interface MetricInput {
  ticket: Ticket;
  /** The RT status of the ticket now (new, open, stalled, resolved...). */
  rtStatus: string;
  /** User ids of the ticket's requestors. */
  requesterIds: readonly number[];
  /** RT's Nobody user id, when known (owner changes to Nobody are unassignments). */
  nobodyId?: number | null;
  /** Every transaction of the ticket that deskops read (any order). */
  transactions: readonly RtTransaction[];
  /** Now in ms since epoch: open intervals end here. */
  now: number;
}

function minutes(fromIso: string, toIso: string | null): MinutesPair {
  if (toIso === null) return { calendar: null, business: null };
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return { calendar: Number.isFinite(ms) ? Math.max(0, Math.round(ms / 60_000)) : null, business: null };
}

function duration(ms: number): MinutesPair {
  return { calendar: Math.max(0, Math.round(ms / 60_000)), business: null };
}

export function computeMetrics(input: MetricInput): TicketMetric {
  const { ticket, requesterIds } = input;
  const txns = [...input.transactions].sort((a, b) => a.id - b.id);
  const requesters = new Set(requesterIds);
  const created = ticket.created_at;
  const nobody = input.nobodyId ?? null;

  const messages = txns.filter((t) => t.type === 'Create' || t.type === 'Correspond' || t.type === 'Comment');
  const agentReplies = txns.filter((t) => t.type === 'Correspond' && t.creatorId !== null && !requesters.has(t.creatorId));
  const statusChanges = txns.filter((t) => t.type === 'Status' || (t.type === 'Set' && t.field === 'Status'));
  const ownerChanges = txns.filter((t) => t.field === 'Owner' && OWNER_CHANGES.has(t.type));
  const queueChanges = txns.filter((t) => t.type === 'Set' && t.field === 'Queue');

  // Status intervals from creation to now.
  let status = statusChanges[0]?.oldValue || input.rtStatus;
  let since = Date.parse(created);
  let waiting = 0;
  let requesterWait = 0;
  let reopens = 0;
  let firstSolved: string | null = null;
  let lastSolved: string | null = null;
  const spend = (until: number) => {
    const span = Math.max(0, until - since);
    if (WAITING_RT.has(status)) waiting += span;
    else if (!SOLVED_RT.has(status)) requesterWait += span;
  };
  for (const change of statusChanges) {
    const at = Date.parse(change.created);
    spend(at);
    const next = change.newValue;
    if (SOLVED_RT.has(next) && !SOLVED_RT.has(status)) {
      firstSolved ??= change.created;
      lastSolved = change.created;
    }
    if (SOLVED_RT.has(status) && !SOLVED_RT.has(next)) reopens++;
    status = next;
    since = at;
  }
  spend(Math.max(since, input.now));
  const solvedNow = SOLVED_RT.has(input.rtStatus);
  const solvedAt = solvedNow ? lastSolved ?? (ticket.status === 'solved' || ticket.status === 'closed' ? ticket.updated_at : null) : null;

  const assigned = ownerChanges.filter((t) => t.newValue !== '' && Number(t.newValue) !== nobody && t.newValue !== 'Nobody');
  const owners = new Set(assigned.map((t) => t.newValue));
  if (ticket.assignee_id !== null) owners.add(String(ticket.assignee_id));

  const last = <T>(list: readonly T[]): T | undefined => list[list.length - 1];
  const byRequester = messages.filter((t) => t.creatorId !== null && requesters.has(t.creatorId));
  const byAssignee = ticket.assignee_id === null ? [] : txns.filter((t) => t.creatorId === ticket.assignee_id);

  return {
    id: ticket.id,
    ticket_id: ticket.id,
    created_at: created,
    updated_at: ticket.updated_at,
    group_stations: 1 + queueChanges.length,
    assignee_stations: owners.size,
    reopens,
    replies: agentReplies.length,
    assignee_updated_at: last(byAssignee)?.created ?? null,
    requester_updated_at: last(byRequester)?.created ?? null,
    status_updated_at: last(statusChanges)?.created ?? created,
    initially_assigned_at: assigned[0]?.created ?? null,
    assigned_at: last(assigned)?.created ?? null,
    solved_at: solvedAt,
    latest_comment_added_at: last(messages)?.created ?? null,
    reply_time_in_minutes: minutes(created, agentReplies[0]?.created ?? null),
    first_resolution_time_in_minutes: minutes(created, firstSolved),
    full_resolution_time_in_minutes: minutes(created, solvedAt),
    agent_wait_time_in_minutes: duration(waiting),
    requester_wait_time_in_minutes: duration(requesterWait),
    on_hold_time_in_minutes: { calendar: 0, business: null },
  };
}
