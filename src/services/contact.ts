/**
 * The automated messages customers got from deskops lately, for the one contact policy
 * (core/contact-policy.ts): the tickets updated within the window that carry a deskops marker,
 * read once per plan. A survey's time is in its `survey_sent_at_<minute>` tag; a sweep message's
 * in the ticket's audits (only tickets with a sweep marker are read, one request each): the
 * latest update of deskops' that added a public comment. With a replica (synced by the
 * planner), the tickets updated within the window are selected from it instead of searched.
 */
import type { HelpDesk } from '../api/helpdesk.js';
import type { Contact } from '../core/contact-policy.js';
import type { Ticket, TicketAudit } from '../core/model.js';
import { addedTags, isOwnAudit, isSurveySent, touchedByDeskops } from '../core/own-messages.js';
import { SURVEY_SCALES, sentAtFromTags, typesSent } from '../core/survey.js';
import { isoSeconds } from '../core/time.js';
import { mapLimit } from './map-limit.js';
import { recentlyChanged } from './recent.js';
import { atOrAfter, type TicketSource } from './ticket-source.js';

/** Search export pages (the most Zendesk gives). */
const EXPORT_PAGE = 1_000;
/** Tickets whose audits are read at once. */
const CONCURRENCY = 3;

/** The latest automated message per requester within `hours` before `now` (empty when 0). */
export async function recentContacts(
  desk: Pick<HelpDesk, 'kind' | 'exportSearchTickets' | 'listTickets' | 'listAudits'>,
  now: Date,
  hours: number,
  onPhase?: (message: string) => void,
  /** The replica, synced already: the window's tickets are read from it, not searched. */
  source?: TicketSource,
): Promise<Map<number, Contact>> {
  const out = new Map<number, Contact>();
  if (hours <= 0) return out;
  const from = now.getTime() - hours * 3_600_000;
  onPhase?.(`reading the automated messages of the last ${hours} h (contact window)`);
  const tickets = new Map<number, Ticket>();
  if (source) {
    const since = new Date(from);
    for (const t of source.tickets()) if (atOrAfter(t.updated_at, since) && touchedByDeskops(t.tags ?? [])) tickets.set(t.id, t);
  } else {
    for await (const t of desk.exportSearchTickets(`type:ticket updated>=${isoSeconds(Math.floor(from / 1000))}`, { pageSize: EXPORT_PAGE })) {
      if (touchedByDeskops(t.tags ?? [])) tickets.set(t.id, t);
    }
    for (const [id, t] of await recentlyChanged(desk, now)) if (touchedByDeskops(t.tags ?? [])) tickets.set(id, t);
  }

  const note = (requesterId: number, contact: Contact) => {
    if (contact.at < from) return;
    const seen = out.get(requesterId);
    if (!seen || contact.at > seen.at) out.set(requesterId, contact);
  };
  const withSweeps: Ticket[] = [];
  for (const t of tickets.values()) {
    const tags = t.tags ?? [];
    const sent = sentAtFromTags(tags);
    if (sent) note(t.requester_id, { ticketId: t.id, at: sent.getTime(), what: surveyWhat(typesSent(tags)) });
    if (tags.some((tag) => tag.startsWith('sweep_'))) withSweeps.push(t);
  }
  await mapLimit(withSweeps, CONCURRENCY, async (t) => {
    const audits: TicketAudit[] = [];
    for await (const a of desk.listAudits(t.id)) audits.push(a);
    for (const a of audits) {
      if (!isOwnAudit(a) || !a.events.some((e) => e.type === 'Comment' && (e as { public?: boolean }).public)) continue;
      const added = addedTags(a);
      const survey = added.some(isSurveySent);
      const marker = added.find((tag) => tag.startsWith('sweep_'));
      note(t.requester_id, { ticketId: t.id, at: Date.parse(a.created_at), what: survey ? 'a survey' : `the follow-up ${marker?.replace(/^sweep_/, '') ?? 'message'}` });
    }
  });
  return out;
}

function surveyWhat(types: readonly string[]): string {
  const labels = types.map((t) => SURVEY_SCALES[t as keyof typeof SURVEY_SCALES]?.label ?? t.toUpperCase());
  return labels.length === 0 ? 'a survey' : `a survey (${labels.join(', ')})`;
}
