/**
 * deskops' own messages on a ticket. Every automated message (a survey request, a sweep
 * reminder, check-in, transfer follow-up, closing note or group nudge, collect's note) goes out
 * in one update together with a marker tag, which is how each lands exactly once. So an update
 * (an audit) that adds a tag starting `survey_` or `sweep_` is deskops', and its comments are
 * not a person's: KPIs do not count them as replies (kpi/own-traffic.ts), and sweep rules do not
 * read them as the last public reply or a hand-off note. Pure.
 */
import type { AuditEvent, Comment, TicketAudit } from './model.js';

/** Tag prefixes of deskops' markers: surveys (send, answer, review) and sweeps. */
export const OWN_MARKER_PREFIXES: readonly string[] = ['survey_', 'sweep_'];

export const isOwnMarker = (tag: string): boolean => OWN_MARKER_PREFIXES.some((p) => tag.toLowerCase().startsWith(p));

/** Tags that say a survey request went out in that update. */
export const isSurveySent = (tag: string): boolean => /^survey_(?:(?:csat|nps|ces)_)?sent(?:_at_\d{12})?$/i.test(tag);

/** Whether a ticket's tags show deskops ever wrote to it: only then are its audits worth reading. */
export function touchedByDeskops(tags: readonly string[]): boolean {
  return tags.some(isOwnMarker);
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : []);

/** The tags an audit adds. */
export function addedTags(audit: TicketAudit): string[] {
  const out: string[] = [];
  for (const e of audit.events) {
    if ((e.type === 'Change' || e.type === 'Create') && (e as { field_name?: string }).field_name === 'tags') {
      const before = new Set(list((e as { previous_value?: unknown }).previous_value));
      for (const t of list((e as { value?: unknown }).value)) if (!before.has(t)) out.push(t);
    }
  }
  return out;
}

/** Whether an audit is one of deskops' own updates. */
export const isOwnAudit = (audit: TicketAudit): boolean => addedTags(audit).some(isOwnMarker);

/**
 * The comments people wrote, from a ticket's audits, oldest first: deskops' own comments left
 * out. The first comment of the first audit is the description and stays.
 */
export function peopleComments(audits: readonly TicketAudit[]): Comment[] {
  const out: Comment[] = [];
  for (const audit of audits) {
    if (isOwnAudit(audit)) continue;
    for (const e of audit.events) {
      if (e.type !== 'Comment') continue;
      const c = e as Extract<AuditEvent, { type: 'Comment' }>;
      out.push({ id: c.id, type: 'Comment', author_id: c.author_id, body: c.body, public: c.public, created_at: audit.created_at });
    }
  }
  return out;
}
