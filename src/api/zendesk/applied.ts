/**
 * Did the desk apply an update whose answer was lost (5xx, reset, timeout)? Pure checks used
 * by the adapter's 'verify' retry mode, so an update is never applied twice.
 */
import type { Comment, Ticket, TicketUpdate } from '../types.js';

/** Comment text compared loosely: line endings, surrounding and repeated whitespace ignored. */
export function normalizeBody(text: string | undefined | null): string {
  return (text ?? '').replace(/\r\n?/g, '\n').replace(/\s+/g, ' ').trim();
}

/**
 * The comment the lost update added: same author, same body, created no earlier than the
 * request started (on the desk's clock, give or take `slackMs`).
 */
export function findAppliedComment(
  comments: readonly Comment[],
  wanted: { body: string; authorId: number },
  startedAt: number,
  slackMs: number,
): Comment | undefined {
  const body = normalizeBody(wanted.body);
  const since = startedAt - slackMs;
  return comments.find((c) => {
    if (c.author_id !== wanted.authorId) return false;
    if (normalizeBody(c.body) !== body && normalizeBody(c.plain_body) !== body) return false;
    const created = Date.parse(c.created_at);
    return !Number.isNaN(created) && created >= since;
  });
}

/** Whether `ticket` shows every field change of `update` (comments are checked separately). */
export function fieldsApplied(ticket: Ticket, update: TicketUpdate): boolean {
  if (update.status !== undefined && ticket.status !== update.status) return false;
  if (update.priority !== undefined && ticket.priority !== update.priority) return false;
  if (update.assignee_id !== undefined && ticket.assignee_id !== update.assignee_id) return false;
  if (update.group_id !== undefined && ticket.group_id !== update.group_id) return false;
  if (update.subject !== undefined && ticket.subject !== update.subject) return false;
  const tags = new Set(ticket.tags ?? []);
  if (update.tags !== undefined) {
    const wanted = new Set(update.tags);
    if (wanted.size !== tags.size || [...wanted].some((t) => !tags.has(t))) return false;
  }
  if (update.additional_tags?.some((t) => !tags.has(t))) return false;
  if (update.remove_tags?.some((t) => tags.has(t))) return false;
  if (update.custom_fields) {
    const have = new Map((ticket.custom_fields ?? []).map((f) => [f.id, f.value]));
    if (update.custom_fields.some((f) => have.get(f.id) !== f.value)) return false;
  }
  return true;
}

export function sameInstant(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = Date.parse(a);
  const y = Date.parse(b);
  return Number.isNaN(x) || Number.isNaN(y) ? a === b : x === y;
}
