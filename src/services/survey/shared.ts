/**
 * What sending, collecting and reporting surveys share: the bulk kind and defaults, the run
 * options and skip lists, and the searches for surveyed tickets and detractors' follow-ups.
 */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Ticket, TicketStatus } from '../../core/model.js';
import { withRecent } from '../recent.js';
import { atOrAfter, type TicketSource } from '../ticket-source.js';
import { FOLLOWUP_TAG, SURVEYED_TAG, sentAtFromTags } from '../../core/survey.js';
import type { BulkOutcome, BulkProgress, RunScope } from '../bulk/index.js';

export const SURVEY_KIND = 'survey';
export const DEFAULT_FATIGUE_DAYS = 30;
export const DEFAULT_SURVEY_STATUSES: readonly TicketStatus[] = ['solved'];
export const EXPORT_PAGE = 1000;

export interface Skip {
  ticket_id: number;
  reason: string;
}

export interface BulkRunOptions {
  scope: RunScope;
  now: () => Date;
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
  onStart?: (runId: string) => void;
  meta?: Record<string, unknown>;
  bulk?: { batchSize?: number; maxSends?: number; concurrency?: number };
}

export function outcomeList(outcomes: readonly BulkOutcome[], status: BulkOutcome['status']): Skip[] {
  return outcomes.filter((o) => o.status === status).map((o) => ({ ticket_id: o.ticketId, reason: o.reason ?? status }));
}

/**
 * Tickets surveyed at or after `since` (by their send-time tag), with that time: from the
 * replica when given (synced already), else searched, with `recent` (read live) winning.
 */
export async function* surveyedSince(desk: HelpDesk, since: Date, recent: ReadonlyMap<number, Ticket>, source?: TicketSource): AsyncIterable<{ ticket: Ticket; sentAt: Date }> {
  const tickets = source
    ? held(source, (t) => (t.tags ?? []).includes(SURVEYED_TAG) && atOrAfter(t.updated_at, since))
    : withRecent(desk.exportSearchTickets(`type:ticket tags:${SURVEYED_TAG} updated>=${since.toISOString()}`, { pageSize: EXPORT_PAGE }), recent, (t) => (t.tags ?? []).includes(SURVEYED_TAG));
  for await (const ticket of tickets) {
    const sentAt = sentAtFromTags(ticket.tags ?? []);
    if (sentAt && sentAt >= since) yield { ticket, sentAt };
  }
}

/**
 * Follow-up tickets made since `since` for detractors whose tickets were closed, with the
 * original's id: from the replica when given (synced already), else searched.
 */
export async function* followupsSince(desk: HelpDesk, since: Date, recent: ReadonlyMap<number, Ticket>, source?: TicketSource): AsyncIterable<{ ticket: Ticket; of: number }> {
  const wanted = (t: Ticket) => (t.tags ?? []).includes(FOLLOWUP_TAG) && Date.parse(t.created_at) >= since.getTime();
  const tickets = source
    ? held(source, (t) => (t.tags ?? []).includes(FOLLOWUP_TAG) && atOrAfter(t.created_at, since) && wanted(t))
    : withRecent(desk.exportSearchTickets(`type:ticket tags:${FOLLOWUP_TAG} created>=${since.toISOString()}`, { pageSize: EXPORT_PAGE }), recent, wanted);
  for await (const ticket of tickets) {
    const of = (ticket.tags ?? []).map((x) => FOLLOWUP_OF.exec(x)).find(Boolean);
    if (of) yield { ticket, of: Number(of[1]) };
  }
}

/**
 * The replica's tickets that pass `test`, by id (the search export's order), read whole before
 * the caller goes on: no read of the replica stays open while it reads the desk.
 */
function held(source: TicketSource, test: (t: Ticket) => boolean): Ticket[] {
  const out: Ticket[] = [];
  for (const t of source.tickets()) if (test(t)) out.push(t);
  return out;
}

/** On a follow-up ticket made for a detractor whose ticket was closed: the original's id. */
export const followupOfTag = (ticketId: number) => `survey_followup_of_${ticketId}`;
const FOLLOWUP_OF = /^survey_followup_of_(\d+)$/;
