/**
 * Request Tracker's statuses and priorities in deskops' (Zendesk's) terms, and back. Pure.
 *
 * Statuses (RT's default lifecycle: new, open, stalled, resolved, rejected, deleted):
 *
 * | RT status | read as  | written from      | why                                                                 |
 * | --------- | -------- | ----------------- | ------------------------------------------------------------------- |
 * | new       | new      | new               | same meaning                                                        |
 * | open      | open     | open              | same meaning                                                        |
 * | stalled   | pending  | pending, hold     | RT has one waiting status; like Zendesk's pending, RT's default     |
 * |           |          |                   | scrips reopen it when the requester writes. `hold` is written as    |
 * |           |          |                   | stalled too, so it reads back as pending                            |
 * | resolved  | solved   | solved, closed    | RT has no closed (archived) state after resolved                    |
 * | rejected  | closed   | (never written)   | done without being solved: closed, so it counts as finished         |
 * | deleted   | closed   | (never written)   | RT's search never returns deleted tickets; one read by id is closed |
 * | (other)   | open     |                   | a custom lifecycle status: treated as active work                   |
 *
 * Priorities: RT stores a number (RT 5 shows it with labels: Low = 0, Medium = 50,
 * High = 100 by default, each label from its number up). deskops uses the same thresholds:
 *
 * | deskops | written as | read from       | RT 5's default label |
 * | ------- | ---------- | --------------- | -------------------- |
 * | low     | 0          | below 50        | Low                  |
 * | normal  | 50         | 50 to 99        | Medium               |
 * | high    | 100        | 100 to 149      | High                 |
 * | urgent  | 150        | 150 and above   | High (above it)      |
 *
 * `priority: null` in an update writes 0. A ticket always has a number, so it is never read
 * as null.
 */
import type { TicketPriority, TicketStatus } from '../types.js';

export type RtStatus = 'new' | 'open' | 'stalled' | 'resolved' | 'rejected' | 'deleted';

const READ_STATUS: Record<string, TicketStatus> = {
  new: 'new',
  open: 'open',
  stalled: 'pending',
  resolved: 'solved',
  rejected: 'closed',
  deleted: 'closed',
};

const WRITE_STATUS: Record<TicketStatus, RtStatus> = {
  new: 'new',
  open: 'open',
  pending: 'stalled',
  hold: 'stalled',
  solved: 'resolved',
  closed: 'resolved',
};

/** deskops' status of an RT status (unknown custom statuses read as open). */
export function statusFromRt(status: string): TicketStatus {
  return READ_STATUS[status.toLowerCase()] ?? 'open';
}

/** The RT status written for a deskops status. */
export function statusToRt(status: TicketStatus): RtStatus {
  return WRITE_STATUS[status];
}

/** RT statuses a deskops status stands for in a search (the statuses read as it). */
export function rtStatusesFor(status: TicketStatus): RtStatus[] {
  switch (status) {
    case 'new':
      return ['new'];
    case 'open':
      return ['open'];
    case 'pending':
    case 'hold':
      return ['stalled'];
    case 'solved':
      return ['resolved'];
    case 'closed':
      return ['rejected'];
  }
}

/** Lower bound (inclusive) of each priority's range of RT numbers; the next one's is its upper bound. */
export const PRIORITY_FLOOR: Record<TicketPriority, number> = { low: 0, normal: 50, high: 100, urgent: 150 };

/** The number written for a priority (its floor); null writes 0. */
export function priorityToRt(priority: TicketPriority | null): number {
  return priority === null ? 0 : PRIORITY_FLOOR[priority];
}

/** The priority an RT number reads as; null when RT sent no number. */
export function priorityFromRt(value: unknown): TicketPriority | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(n)) return null;
  if (n >= PRIORITY_FLOOR.urgent) return 'urgent';
  if (n >= PRIORITY_FLOOR.high) return 'high';
  if (n >= PRIORITY_FLOOR.normal) return 'normal';
  return 'low';
}

/** `[from, to)` of RT numbers that read as a priority (`to` null for urgent). */
export function priorityRange(priority: TicketPriority): { from: number | null; to: number | null } {
  switch (priority) {
    case 'low':
      return { from: null, to: PRIORITY_FLOOR.normal };
    case 'normal':
      return { from: PRIORITY_FLOOR.normal, to: PRIORITY_FLOOR.high };
    case 'high':
      return { from: PRIORITY_FLOOR.high, to: PRIORITY_FLOOR.urgent };
    case 'urgent':
      return { from: PRIORITY_FLOOR.urgent, to: null };
  }
}
