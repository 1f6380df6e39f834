/**
 * Ticket metrics and SLA targets, computed from a ticket's events the way Zendesk defines them.
 *
 * Events are what the store records on every change: `status` (from -> to), `group` and
 * `assignee` (from -> to, ids as text), and `comment` (from = author role "agent" | "end-user",
 * to = "public" | "private"). The first comment is the ticket's description.
 *
 * Durations are in calendar minutes and in business minutes (Mon-Fri 09:00-17:00 UTC). As in
 * Zendesk, wait times add up the time spent in each status up to the last status change:
 * requester wait = new + open + hold, agent wait = pending, on hold = hold.
 */
import type { MinutesPair, SlaPolicyMetric, TicketMetric, TicketPriority, TicketStatus } from '../core/model.js';
import { businessMinutes, calendarMinutes, isoOrNull, isoSeconds } from './time.js';

export type EventKind = 'status' | 'group' | 'assignee' | 'comment' | 'tags';

/**
 * One change to a ticket. Events of one update share `at` (the desk gives every update of a
 * ticket its own second), which is how the audits endpoint groups them. `tags` holds the tag
 * lists before and after, space-separated; `by` is who made the change (absent in the seed,
 * whose comments name their authors).
 */
export interface EventRow {
  at: number;
  kind: EventKind;
  from: string | null;
  to: string | null;
  by?: number;
}

export interface MetricTicket {
  id: number;
  status: TicketStatus;
  priority: TicketPriority | null;
  created_at: number;
  updated_at: number;
}

/** Zendesk's ticket_metric ids differ from ticket ids; the desk derives them. */
export const METRIC_ID_OFFSET = 10_000_000;

const pair = (from: number, to: number): MinutesPair => ({ calendar: calendarMinutes(from, to), business: businessMinutes(from, to) });
const NULL_PAIR: MinutesPair = { calendar: null, business: null };

const isAgentPublicReply = (e: EventRow, index: number) => e.kind === 'comment' && e.from === 'agent' && e.to === 'public' && index > 0;

export function computeTicketMetric(ticket: MetricTicket, events: readonly EventRow[]): TicketMetric {
  let groupStations = 0;
  let assigneeStations = 0;
  let reopens = 0;
  let replies = 0;
  let initiallyAssignedAt: number | null = null;
  let assignedAt: number | null = null;
  let statusUpdatedAt: number | null = null;
  let firstSolvedAt: number | null = null;
  let lastSolvedAt: number | null = null;
  let latestCommentAt: number | null = null;
  let requesterUpdatedAt: number | null = null;
  let assigneeUpdatedAt: number | null = null;
  let firstReplyAt: number | null = null;
  const waits = { requester: [0, 0], agent: [0, 0], hold: [0, 0] };

  let commentIndex = 0;
  let segmentStatus: string | null = null;
  let segmentStart = ticket.created_at;
  for (const e of events) {
    switch (e.kind) {
      case 'group':
        if (e.to !== null) groupStations++;
        break;
      case 'assignee':
        if (e.to !== null) {
          assigneeStations++;
          initiallyAssignedAt ??= e.at;
          assignedAt = e.at;
        }
        break;
      case 'status': {
        if (segmentStatus !== null) addWait(waits, segmentStatus, segmentStart, e.at);
        segmentStatus = e.to;
        segmentStart = e.at;
        if (e.from !== null) statusUpdatedAt = e.at;
        if (e.from === 'solved' && e.to !== 'closed' && e.to !== 'solved') reopens++;
        if (e.to === 'solved') {
          firstSolvedAt ??= e.at;
          lastSolvedAt = e.at;
        }
        break;
      }
      case 'comment':
        latestCommentAt = e.at;
        if (e.from === 'end-user') requesterUpdatedAt = e.at;
        else assigneeUpdatedAt = e.at;
        if (isAgentPublicReply(e, commentIndex)) {
          replies++;
          firstReplyAt ??= e.at;
        }
        commentIndex++;
        break;
    }
  }

  const solved = ticket.status === 'solved' || ticket.status === 'closed';
  return {
    id: METRIC_ID_OFFSET + ticket.id,
    ticket_id: ticket.id,
    created_at: isoSeconds(ticket.created_at),
    updated_at: isoSeconds(ticket.updated_at),
    group_stations: groupStations,
    assignee_stations: assigneeStations,
    reopens,
    replies,
    assignee_updated_at: isoOrNull(assigneeUpdatedAt),
    requester_updated_at: isoOrNull(requesterUpdatedAt ?? ticket.created_at),
    status_updated_at: isoOrNull(statusUpdatedAt ?? ticket.created_at),
    initially_assigned_at: isoOrNull(initiallyAssignedAt),
    assigned_at: isoOrNull(assignedAt),
    solved_at: solved ? isoOrNull(lastSolvedAt) : null,
    latest_comment_added_at: isoOrNull(latestCommentAt),
    reply_time_in_minutes: firstReplyAt === null ? NULL_PAIR : pair(ticket.created_at, firstReplyAt),
    first_resolution_time_in_minutes: firstSolvedAt === null ? NULL_PAIR : pair(ticket.created_at, firstSolvedAt),
    full_resolution_time_in_minutes: solved && lastSolvedAt !== null ? pair(ticket.created_at, lastSolvedAt) : NULL_PAIR,
    agent_wait_time_in_minutes: minutes(waits.agent),
    requester_wait_time_in_minutes: minutes(waits.requester),
    on_hold_time_in_minutes: minutes(waits.hold),
  };
}

function addWait(waits: Record<'requester' | 'agent' | 'hold', number[]>, status: string, from: number, to: number): void {
  const cal = to - from;
  const bus = businessMinutes(from, to) * 60;
  const add = (key: 'requester' | 'agent' | 'hold') => {
    waits[key]![0]! += cal;
    waits[key]![1]! += bus;
  };
  if (status === 'new' || status === 'open' || status === 'hold') add('requester');
  if (status === 'pending') add('agent');
  if (status === 'hold') add('hold');
}

function minutes([calendarSeconds, businessSeconds]: number[]): MinutesPair {
  return { calendar: Math.round(calendarSeconds! / 60), business: Math.round(businessSeconds! / 60) };
}

/** SLA targets by priority, in hours (calendar), for first and next reply. */
export const REPLY_TARGET_HOURS: Record<TicketPriority, number> = { urgent: 1, high: 4, normal: 8, low: 24 };

/**
 * The `slas.policy_metrics` Zendesk sideloads with include=slas: first reply time, and next
 * reply time once a customer has written after an agent's public reply. A metric is paused
 * while the ticket is pending or on hold, achieved once answered (or solved); breach_at is
 * set only on active metrics. Tickets without a priority have no SLA policy.
 */
export function computeSlas(ticket: MetricTicket, events: readonly EventRow[]): { policy_metrics: SlaPolicyMetric[] } {
  if (ticket.priority === null) return { policy_metrics: [] };
  const hours = REPLY_TARGET_HOURS[ticket.priority];
  const paused = ticket.status === 'pending' || ticket.status === 'hold';
  const done = ticket.status === 'solved' || ticket.status === 'closed';

  let firstReplyAt: number | null = null;
  let lastAgentReplyAt: number | null = null;
  let customerAfterReplyAt: number | null = null;
  let index = 0;
  for (const e of events) {
    if (e.kind !== 'comment') continue;
    if (isAgentPublicReply(e, index)) {
      firstReplyAt ??= e.at;
      lastAgentReplyAt = e.at;
      customerAfterReplyAt = null;
    } else if (e.from === 'end-user' && e.to === 'public' && lastAgentReplyAt !== null) {
      customerAfterReplyAt ??= e.at;
    }
    index++;
  }

  const metric = (name: SlaPolicyMetric['metric'], achieved: boolean, startedAt: number): SlaPolicyMetric => {
    const stage: SlaPolicyMetric['stage'] = achieved || done ? 'achieved' : paused ? 'paused' : 'active';
    return { metric: name, stage, breach_at: stage === 'active' ? isoSeconds(startedAt + hours * 3600) : null, hours };
  };
  const out: SlaPolicyMetric[] = [metric('first_reply_time', firstReplyAt !== null, ticket.created_at)];
  if (firstReplyAt !== null && (customerAfterReplyAt !== null || lastAgentReplyAt !== firstReplyAt)) {
    out.push(metric('next_reply_time', customerAfterReplyAt === null, customerAfterReplyAt ?? lastAgentReplyAt!));
  }
  return { policy_metrics: out };
}

/** Events as the tickets.events column keeps them: a JSON array of [at, kind, from, to]. */
export function encodeEvents(events: readonly EventRow[]): string {
  return JSON.stringify(events.map((e) => (e.by === undefined ? [e.at, e.kind, e.from, e.to] : [e.at, e.kind, e.from, e.to, e.by])));
}

export function decodeEvents(column: string): EventRow[] {
  return (JSON.parse(column) as Array<[number, EventKind, string | null, string | null, number?]>).map(([at, kind, from, to, by]) =>
    by === undefined ? { at, kind, from, to } : { at, kind, from, to, by },
  );
}
