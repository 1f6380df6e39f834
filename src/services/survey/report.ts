/**
 * The survey report: response rate, distribution, CSAT %, NPS, CES mean per group, agent or
 * channel, the desk's own satisfaction ratings, and the answers waiting for a person.
 */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Ticket, TicketStatus } from '../../core/model.js';
import { ApiError, NotFoundError, PermissionError } from '../../core/errors.js';
import { recentlyChanged } from '../recent.js';
import {
  FOLLOWUP_TAG,
  SURVEY_TYPES,
  answeredTag,
  reviewTag,
  scoreFromTags,
  surveyFigures,
  typesSent,
  type SurveyFigures,
  type SurveyRecord,
  type SurveyType,
} from '../../core/survey.js';
import { followupsSince, surveyedSince } from './shared.js';
import type { TicketSource } from '../ticket-source.js';

export type ReportBy = 'group' | 'agent' | 'channel';

export interface ReportOptions {
  now: Date;
  since: Date;
  by?: ReportBy;
  onPhase?: (message: string) => void;
  /** The tickets held locally (the profile's replica): synced once, then the surveyed tickets and follow-ups are read from it, not searched. */
  source?: TicketSource;
}

export interface ReviewRow {
  ticket_id: number;
  type: SurveyType;
  subject: string;
  status: TicketStatus;
}

export interface SurveyReport {
  since: string;
  by: ReportBy | null;
  rows: SurveyFigures[];
  /** Zendesk's native good/bad satisfaction ratings in the window (null when they cannot be read). */
  ratings: { good: number; bad: number; csat: number | null } | null;
  /** Why `ratings` is null when the desk has them but this user may not read them. */
  ratings_note?: string;
  review: ReviewRow[];
  /** Detractor follow-ups still open. */
  followups_open: number;
}

export async function surveyReport(desk: HelpDesk, options: ReportOptions): Promise<SurveyReport> {
  options.onPhase?.('reading surveyed tickets');
  const records: SurveyRecord[] = [];
  const review: ReviewRow[] = [];
  let followupsOpen = 0;
  const tickets: Ticket[] = [];
  const { source } = options;
  if (source) await source.sync();
  // Search trails the desk: what changed in the last minutes is read live (a replica synced now has it).
  const recent = source ? new Map<number, Ticket>() : await recentlyChanged(desk, options.now);
  for await (const { ticket } of surveyedSince(desk, options.since, recent, source)) tickets.push(ticket);
  // Scores of closed tickets' detractors live on their follow-up tickets.
  const followupScores = new Map<string, number>();
  for await (const { ticket: t, of } of followupsSince(desk, options.since, recent, source)) {
    if (t.status !== 'solved' && t.status !== 'closed') followupsOpen++;
    for (const type of SURVEY_TYPES) {
      const score = scoreFromTags(t.tags ?? [], type);
      if (score !== null) followupScores.set(`${of}:${type}`, score);
    }
  }
  const names = await keyNames(desk, tickets, options.by);
  for (const t of tickets) {
    const tags = t.tags ?? [];
    const key = keyOf(t, options.by, names);
    for (const type of typesSent(tags)) {
      const flagged = tags.includes(reviewTag(type)) && !tags.includes(answeredTag(type));
      records.push({ type, key, score: scoreFromTags(tags, type) ?? followupScores.get(`${t.id}:${type}`) ?? null, review: flagged });
      if (flagged) review.push({ ticket_id: t.id, type, subject: t.subject ?? '', status: t.status });
    }
    if (tags.includes(FOLLOWUP_TAG) && t.status !== 'solved' && t.status !== 'closed') followupsOpen++;
  }
  let ratings: SurveyReport['ratings'] = null;
  let ratingsNote: string | undefined;
  try {
    let good = 0;
    let bad = 0;
    for await (const r of desk.listSatisfactionRatings({ startTime: Math.floor(options.since.getTime() / 1000) })) {
      if (r.score === 'good') good++;
      else if (r.score === 'bad') bad++;
    }
    ratings = { good, bad, csat: good + bad > 0 ? Math.round((1000 * good) / (good + bad)) / 10 : null };
  } catch (err) {
    // A desk without native ratings (Request Tracker), an account without the feature, or an
    // agent (the list is for admins): the report has the survey scores, from deskops' own tags.
    if (err instanceof PermissionError) ratingsNote = 'the satisfaction ratings list needs an admin; the report has the survey answers only';
    else if (!(err instanceof NotFoundError) && !(err instanceof ApiError && err.status === 404)) throw err;
  }
  return {
    since: options.since.toISOString(),
    by: options.by ?? null,
    rows: surveyFigures(records),
    ratings,
    ...(ratingsNote ? { ratings_note: ratingsNote } : {}),
    review: review.sort((a, b) => a.ticket_id - b.ticket_id),
    followups_open: followupsOpen,
  };
}

async function keyNames(desk: HelpDesk, tickets: readonly Ticket[], by: ReportBy | undefined): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  if (by === 'group') for (const g of await desk.listGroups()) names.set(g.id, g.name);
  if (by === 'agent') {
    const ids = [...new Set(tickets.map((t) => t.assignee_id).filter((id): id is number => id !== null))];
    if (ids.length > 0) for (const u of await desk.getUsers(ids)) names.set(u.id, u.name);
  }
  return names;
}

function keyOf(t: Ticket, by: ReportBy | undefined, names: Map<number, string>): string {
  switch (by) {
    case 'group':
      return t.group_id === null ? '(no group)' : (names.get(t.group_id) ?? `group ${t.group_id}`);
    case 'agent':
      return t.assignee_id === null ? '(unassigned)' : (names.get(t.assignee_id) ?? `agent ${t.assignee_id}`);
    case 'channel':
      return String(t.via?.channel ?? 'unknown');
    default:
      return '';
  }
}
