/**
 * A ticket's audits (GET /api/v2/tickets/{id}/audits) built from its recorded events: the
 * events of one update share a second, so each second with events is one audit, oldest first.
 * Comments come from the comments table in order (the nth comment event is the nth comment).
 * The author is the comment's author, else whoever made the change, else -1 (the desk itself,
 * as Zendesk names automations); the seed's status changes without a comment have no author.
 */
import type { AuditEvent, TicketAudit } from '../core/model.js';
import type { EventRow } from './metrics.js';
import type { CommentRow } from './records.js';
import { isoSeconds } from './time.js';

/** Audit ids are derived per ticket: unique on the desk, increasing within a ticket. */
const AUDIT_ID_STRIDE = 100_000;

const FIELD_NAMES: Record<Exclude<EventRow['kind'], 'comment'>, string> = {
  status: 'status',
  group: 'group_id',
  assignee: 'assignee_id',
  tags: 'tags',
};

export function ticketAudits(ticketId: number, events: readonly EventRow[], comments: readonly CommentRow[]): TicketAudit[] {
  const audits: TicketAudit[] = [];
  let commentIndex = 0;
  let eventId = 0;
  let current: TicketAudit | null = null;
  let currentAt: number | null = null;
  let authored = false;
  for (const e of events) {
    if (current === null || e.at !== currentAt) {
      current = { id: ticketId * AUDIT_ID_STRIDE + audits.length + 1, ticket_id: ticketId, created_at: isoSeconds(e.at), author_id: -1, events: [], via: { channel: 'api' } };
      currentAt = e.at;
      authored = false;
      audits.push(current);
    }
    const creating = audits.length === 1;
    if (e.by !== undefined && !authored) current.author_id = e.by;
    let event: AuditEvent;
    if (e.kind === 'comment') {
      const row = comments[commentIndex++];
      const author = row?.author_id ?? e.by ?? -1;
      event = { id: ++eventId, type: 'Comment', author_id: author, body: row?.body ?? '', public: e.to === 'public' };
      current.author_id = author;
      authored = true;
    } else if (e.kind === 'tags') {
      const list = (v: string | null) => (v ? v.split(' ').filter(Boolean) : []);
      event = { id: ++eventId, type: creating ? 'Create' : 'Change', field_name: 'tags', value: list(e.to), previous_value: list(e.from) };
    } else {
      const create = e.from === null && creating;
      event = create
        ? { id: ++eventId, type: 'Create', field_name: FIELD_NAMES[e.kind], value: e.to }
        : { id: ++eventId, type: 'Change', field_name: FIELD_NAMES[e.kind], value: e.to, previous_value: e.from };
    }
    current.events.push(event);
  }
  return audits;
}
