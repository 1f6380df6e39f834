/**
 * deskops' own traffic taken out of a ticket's metrics. Surveys, sweep reminders, check-ins,
 * transfer follow-ups and closing notes go out as agent comments, and a survey answer reopens a
 * solved ticket until `survey collect` sets it back; the desk counts all of that in the ticket's
 * metric set (replies, reopens, first reply, latest solve). This reads the ticket's audits and
 * gives the metric set a person's work alone would have.
 *
 * Which updates are deskops': every automated message goes out in one update with a marker tag
 * (exactly once, services/bulk), so an audit that adds a tag starting `survey_` or `sweep_` is
 * deskops'. What is corrected, and nothing else:
 * - replies: public comments in deskops' audits are not agent replies;
 * - first reply: when deskops' comment was the first public reply, the first reply is the first
 *   public reply by a person (no reply yet when there is none);
 * - reopens: a reopen made by deskops, or by the requester answering a survey sent on the solved
 *   ticket, is not a reopen; the solve that sets it back (collect's) is not a resolution, so the
 *   ticket's resolution stays the solve before the survey. If a person solves it instead (a
 *   detractor's follow-up), the reopen was real work and counts, with that solve;
 * - solved_at and resolution time follow from the solves that count; a ticket reopened by a
 *   survey answer and not yet touched by a person still counts as solved at its earlier solve.
 * Pure: the audits, the desk's metric set and a business-minutes function come in.
 */
import type { AuditEvent, TicketAudit } from '../model.js';
import type { KpiMetricSet, MinutesPair } from './types.js';
import { unixOf } from './rules.js';
import { addedTags, isOwnMarker, isSurveySent } from '../own-messages.js';

export { touchedByDeskops } from '../own-messages.js';

interface StatusChange {
  from: string | null;
  to: string;
}

function statusChangeOf(e: AuditEvent): StatusChange | null {
  if ((e.type !== 'Change' && e.type !== 'Create') || (e as { field_name?: string }).field_name !== 'status') return null;
  const to = (e as { value?: unknown }).value;
  const from = (e as { previous_value?: unknown }).previous_value;
  return typeof to === 'string' ? { from: typeof from === 'string' ? from : null, to } : null;
}

const isSolved = (s: string | null) => s === 'solved' || s === 'closed';

export interface OwnTrafficInput {
  /** The desk's metric set, reduced (rules.ts toKpiMetricSet). */
  metrics: KpiMetricSet;
  /** The ticket's creation and current status. */
  createdAt: number;
  status: string;
  requesterId: number | null;
  /** Every audit of the ticket, oldest first. */
  audits: readonly TicketAudit[];
  /** Business minutes between two unix times, on the desk's schedule. */
  businessMinutes: (from: number, to: number) => number;
}

export interface OwnTrafficResult {
  metrics: KpiMetricSet;
  /** deskops' comments that were public (not counted as replies). */
  ownReplies: number;
  /** Reopens that were deskops' or a survey answer's. */
  ownReopens: number;
}

/** The metric set without deskops' own comments and survey-answer reopens. */
export function withoutOwnTraffic(input: OwnTrafficInput): OwnTrafficResult {
  const { metrics, createdAt, requesterId } = input;
  let ownReplies = 0;
  let ownReopens = 0;
  let firstReply: number | null = null;
  let firstReplyWasOwn = false;
  let anyReply = false;
  let commentIndex = 0;
  let status: string | null = null;
  let surveyed = false;
  let held = false;
  let lastSolve: number | null = null;
  let movedSolve = false;

  for (const audit of input.audits) {
    const at = unixOf(audit.created_at) ?? 0;
    const added = addedTags(audit);
    const own = added.some(isOwnMarker);
    let personWrote = false;
    // In order: on Request Tracker one audit can hold the desk reopening a resolved ticket for a
    // message and the message's own status change after it.
    for (const e of audit.events) {
      if (e.type === 'Comment') {
        const c = e as Extract<AuditEvent, { type: 'Comment' }>;
        const reply = commentIndex > 0 && c.public && c.author_id !== requesterId;
        commentIndex++;
        if (!reply) continue;
        if (own) {
          ownReplies++;
          if (!anyReply) firstReplyWasOwn = true;
        } else {
          personWrote = true;
          firstReply ??= at;
        }
        anyReply = true;
        continue;
      }
      const change = statusChangeOf(e);
      if (!change) continue;
      const from = change.from ?? status;
      if (isSolved(from) && !isSolved(change.to)) {
        const byRequester = requesterId !== null && audit.author_id === requesterId;
        if (own || (surveyed && byRequester)) {
          ownReopens++;
          held = true;
        }
      }
      if (change.to === 'solved' && from !== 'solved') {
        if (held && own) {
          // collect setting the answered ticket back to solved: not a resolution
          movedSolve = true;
        } else {
          // a person solved it: a new resolution; a survey reopen before it was real work
          if (held) ownReopens--;
          lastSolve = at;
          surveyed = false;
        }
        held = false;
      }
      status = change.to;
    }
    if (held && personWrote) {
      // A person answered the reopened ticket: the reopen is real work from here on.
      ownReopens--;
      held = false;
    }
    if (own && added.some(isSurveySent) && isSolved(status)) surveyed = true;
  }

  const out: KpiMetricSet = {
    ...metrics,
    replies: Math.max(0, metrics.replies - ownReplies),
    reopens: Math.max(0, metrics.reopens - Math.max(0, ownReopens)),
  };
  if (firstReplyWasOwn) out.firstReplyMinutes = firstReply === null ? NULL_PAIR : pairOf(createdAt, firstReply, input.businessMinutes);
  if (ownReopens > 0 || movedSolve) {
    const solvedNow = isSolved(input.status) || held;
    const solvedAt = solvedNow ? lastSolve : null;
    out.solvedAt = solvedAt;
    out.resolutionMinutes = solvedAt === null ? NULL_PAIR : pairOf(createdAt, solvedAt, input.businessMinutes);
  }
  return { metrics: out, ownReplies, ownReopens: Math.max(0, ownReopens) };
}

const NULL_PAIR: MinutesPair = { calendar: null, business: null };

function pairOf(from: number, to: number, business: (from: number, to: number) => number): MinutesPair {
  return { calendar: Math.max(0, Math.round((to - from) / 60)), business: business(from, to) };
}
