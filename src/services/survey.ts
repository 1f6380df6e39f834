/**
 * Surveys: send CSAT, NPS and CES requests to solved tickets, collect the answers, close the
 * loop on detractors, and report. Sends and collection are bulk writes on the same machinery
 * as follow-up sweeps (services/bulk: budget, journal, lock, update_many executor): each
 * ticket's change carries a marker tag in the same update as its comment, as a safe update,
 * so it lands exactly once however the run is interrupted; running it again finishes the work.
 *
 *   planSurveySend      eligible solved tickets: not surveyed before, requester not surveyed
 *                       within the fatigue window, one ticket per requester per run
 *   executeSurveySend   renders each survey from its template and sends the batches
 *   planSurveyCollect   surveyed tickets with a reply from the requester, the score read
 *   executeSurveyCollect  stores each score (field + tag), flags what needs a person, and
 *                       reopens detractors' tickets for their group with an internal note
 *   surveyReport        response rate, distribution, CSAT %, NPS, CES mean, the review queue
 *
 * Reading scores and the report math are pure (core/survey.ts).
 */
import type { Group, HelpDesk, Organization, Ticket, TicketField, TicketStatus, TicketUpdate, User } from '../api/helpdesk.js';
import { ApiError, NotFoundError, UsageError } from '../core/errors.js';
import { buildRenderContext, renderTemplate, templateVariables, type ReplyTemplate } from '../core/templates.js';
import {
  DETRACTOR_TAG,
  FOLLOWUP_TAG,
  REVIEW_TAG,
  SURVEYED_TAG,
  SURVEY_SCALES,
  SURVEY_TYPES,
  answeredTag,
  findAnswer,
  isDetractor,
  quoteAnswer,
  reviewTag,
  scoreFromTags,
  scoreTag,
  sentAtFromTags,
  sentAtTag,
  sentTag,
  surveyFigures,
  typesSent,
  type SurveyFigures,
  type SurveyReading,
  type SurveyRecord,
  type SurveyType,
} from '../core/survey.js';
import { findTemplate, type TemplateLibrary } from './replies.js';
import {
  endRun,
  runBulk,
  startRun,
  type BulkItem,
  type BulkOutcome,
  type BulkProgress,
  type PlanTuple,
  type PreparedChange,
  type Recheck,
  type RunScope,
} from './bulk/index.js';

export const SURVEY_KIND = 'survey';
export const DEFAULT_FATIGUE_DAYS = 30;
export const DEFAULT_SURVEY_STATUSES: readonly TicketStatus[] = ['solved'];
const DAY_MS = 86_400_000;
const EXPORT_PAGE = 1000;

export interface Skip {
  ticket_id: number;
  reason: string;
}

// ---------------------------------------------------------------------------------------------
// Sending

export interface SendPlanOptions {
  type: SurveyType;
  now: Date;
  /** Tickets solved at or after this (ignored with ticketIds). */
  since: Date;
  ticketIds?: number[];
  statuses: readonly TicketStatus[];
  fatigueDays: number;
  onPhase?: (message: string) => void;
}

export interface SendPlan {
  type: SurveyType;
  now: Date;
  statuses: readonly TicketStatus[];
  /** Tickets looked at. */
  candidates: number;
  eligible: Ticket[];
  skipped: Skip[];
}

/** Which tickets get the survey, and why the others do not. Reads only. */
export async function planSurveySend(desk: HelpDesk, options: SendPlanOptions): Promise<SendPlan> {
  const { type, now } = options;
  const candidates: Ticket[] = [];
  const skipped: Skip[] = [];
  if (options.ticketIds) {
    const ids = [...new Set(options.ticketIds)];
    const found = new Map<number, Ticket>();
    for (let i = 0; i < ids.length; i += 100) for (const t of await desk.getTickets(ids.slice(i, i + 100))) found.set(t.id, t);
    for (const id of ids) {
      const t = found.get(id);
      if (t) candidates.push(t);
      else skipped.push({ ticket_id: id, reason: 'ticket not found' });
    }
  } else {
    for (const status of options.statuses) {
      options.onPhase?.(`reading ${status} tickets solved since ${options.since.toISOString().slice(0, 10)}`);
      const q = `type:ticket status:${status} solved>=${options.since.toISOString()}`;
      for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) candidates.push(t);
    }
  }

  // Requesters surveyed within the fatigue window (any survey type), from the send-time tags.
  const fatigueStart = new Date(now.getTime() - options.fatigueDays * DAY_MS);
  const fatigued = new Map<number, { ticketId: number; at: Date }>();
  if (options.fatigueDays > 0) {
    options.onPhase?.(`reading tickets surveyed since ${fatigueStart.toISOString().slice(0, 10)}`);
    const q = `type:ticket tags:${SURVEYED_TAG} updated>=${fatigueStart.toISOString()}`;
    for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) {
      const at = sentAtFromTags(t.tags ?? []);
      if (!at || at < fatigueStart) continue;
      const seen = fatigued.get(t.requester_id);
      if (!seen || at > seen.at) fatigued.set(t.requester_id, { ticketId: t.id, at });
    }
  }

  // Most recently solved first: a requester with several solved tickets is asked about the last.
  candidates.sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at) || b.id - a.id);
  const chosen = new Map<number, number>();
  const eligible: Ticket[] = [];
  for (const t of candidates) {
    const reason = sendSkipReason(t, options, fatigued, chosen);
    if (reason) {
      skipped.push({ ticket_id: t.id, reason });
      continue;
    }
    chosen.set(t.requester_id, t.id);
    eligible.push(t);
  }
  eligible.sort((a, b) => a.id - b.id);
  skipped.sort((a, b) => a.ticket_id - b.ticket_id);
  return { type, now, statuses: options.statuses, candidates: candidates.length, eligible, skipped };
}

function sendSkipReason(
  t: Ticket,
  options: Pick<SendPlanOptions, 'statuses' | 'fatigueDays'>,
  fatigued: Map<number, { ticketId: number; at: Date }>,
  chosen: Map<number, number>,
): string | null {
  if (t.status === 'closed') return 'closed: the desk allows no change to a closed ticket';
  if (!options.statuses.includes(t.status)) return `status is ${t.status}, not ${options.statuses.join(' or ')}`;
  const sent = typesSent(t.tags ?? []);
  if (sent.length > 0) return `already surveyed (${sent.map((s) => SURVEY_SCALES[s].label).join(', ')})`;
  const f = fatigued.get(t.requester_id);
  if (f && f.ticketId !== t.id) return `requester surveyed on #${f.ticketId} on ${f.at.toISOString().slice(0, 10)}, within ${options.fatigueDays} days`;
  const other = chosen.get(t.requester_id);
  if (other !== undefined) return `requester gets this survey on #${other}`;
  return null;
}

/** The people and records survey templates read, fetched 100 at a time. */
class SurveyRenderer {
  private readonly users = new Map<number, User>();
  private readonly orgs = new Map<number, Organization>();
  private readonly groups: Map<number, Group>;
  private readonly reads: { assignee: boolean; organization: boolean };

  constructor(
    private readonly desk: HelpDesk,
    readonly template: ReplyTemplate,
    private readonly me: User,
    groups: Group[],
  ) {
    this.groups = new Map(groups.map((g) => [g.id, g]));
    const vars = templateVariables(template);
    const reads = (p: string) => vars.some((v) => v === p || v.startsWith(`${p}.`));
    this.reads = { assignee: reads('ticket.assignee'), organization: reads('ticket.organization') };
  }

  async prefetch(tickets: readonly Ticket[]): Promise<void> {
    const userIds = new Set<number>();
    const orgIds = new Set<number>();
    for (const t of tickets) {
      if (!this.users.has(t.requester_id)) userIds.add(t.requester_id);
      if (this.reads.assignee && t.assignee_id !== null && !this.users.has(t.assignee_id)) userIds.add(t.assignee_id);
      if (this.reads.organization && t.organization_id !== null && !this.orgs.has(t.organization_id)) orgIds.add(t.organization_id);
    }
    const ids = [...userIds];
    for (let i = 0; i < ids.length; i += 100) for (const u of await this.desk.getUsers(ids.slice(i, i + 100))) this.users.set(u.id, u);
    const orgs = [...orgIds];
    for (let i = 0; i < orgs.length; i += 100) for (const o of await this.desk.getOrganizations(orgs.slice(i, i + 100))) this.orgs.set(o.id, o);
  }

  /** The survey comment, the marker and the send-time tag, as one update; or why not. */
  change(type: SurveyType, ticket: Ticket, at: Date): PreparedChange | { error: string } {
    try {
      const context = buildRenderContext({
        ticket,
        requester: this.users.get(ticket.requester_id),
        assignee: ticket.assignee_id !== null ? this.users.get(ticket.assignee_id) : undefined,
        group: ticket.group_id !== null ? this.groups.get(ticket.group_id) : undefined,
        organization: ticket.organization_id !== null ? this.orgs.get(ticket.organization_id) : undefined,
        me: this.me,
      });
      const body = renderTemplate(this.template, context);
      if (body.trim() === '') return { error: `template ${this.template.name} rendered an empty survey` };
      const update: TicketUpdate = {
        comment: { body, public: true },
        // A solved ticket stays solved: the survey is not new work.
        status: ticket.status,
        additional_tags: [...new Set([...(this.template.set.tags ?? []), SURVEYED_TAG, sentTag(type), sentAtTag(at)])],
      };
      if (this.template.set.priority) update.priority = this.template.set.priority;
      return { update, stamp: ticket.updated_at };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }
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

export interface SendResult {
  run_id: string;
  status: 'completed' | 'partial' | 'interrupted';
  type: SurveyType;
  template: string;
  candidates: number;
  eligible: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Found already on the desk when checked (after an ambiguous failure). */
  verified: number;
  skips: Skip[];
  failures: Skip[];
  batches: number;
}

/** The survey template for a type: --template, else survey-<type>. Checked before anything is read. */
export function surveyTemplate(library: TemplateLibrary, type: SurveyType, name?: string, locale?: string): ReplyTemplate {
  const template = findTemplate(library, name ?? `survey-${type}`, locale);
  if (!template.public) throw new UsageError(`template ${template.name} is an internal note; a survey must be a public reply`);
  return template;
}

/** Sends the plan's surveys. Call with the profile's survey lock held. */
export async function executeSurveySend(desk: HelpDesk, plan: SendPlan, template: ReplyTemplate, options: BulkRunOptions): Promise<SendResult> {
  const { type } = plan;
  const [me, groups] = await Promise.all([desk.me(), desk.listGroups()]);
  const renderer = new SurveyRenderer(desk, template, me, groups);
  const byId = new Map(plan.eligible.map((t) => [t.id, t]));
  const items: BulkItem[] = plan.eligible.map((t) => ({ key: `${t.id}:${type}`, ticketId: t.id, marker: sentTag(type), group: type, wave: 0, lazy: true }));
  const journal = startRun(options.scope, { ...options.meta, command: 'survey send', type, template: template.name, now: plan.now.toISOString() });
  options.onStart?.(journal.runId);
  journal.appendPlan(items.map((i): PlanTuple => [i.key, i.ticketId, i.marker, i.group, '']));

  const decide = async (tickets: Ticket[]): Promise<Map<number, Recheck>> => {
    await renderer.prefetch(tickets);
    const out = new Map<number, Recheck>();
    for (const t of tickets) {
      const change = renderer.change(type, t, options.now());
      out.set(t.id, 'error' in change ? { kind: 'fail', reason: change.error } : { kind: 'send', change });
    }
    return out;
  };
  let result;
  try {
    result = await runBulk(
      desk,
      journal,
      items,
      {
        prepare: async (batch) => {
          const decided = await decide(batch.map((i) => byId.get(i.ticketId)!));
          return new Map(batch.map((i) => [i.key, decided.get(i.ticketId)!]));
        },
        // The ticket changed, or a send was ambiguous and did not land: decide again on it as it is now.
        recheck: async (pairs) => {
          const out = new Map<string, Recheck>();
          const still: Ticket[] = [];
          for (const { item, ticket } of pairs) {
            const reason = sendSkipReason(ticket, { statuses: plan.statuses, fatigueDays: 0 }, new Map(), new Map());
            if (reason) out.set(item.key, { kind: 'skip', reason: `no longer eligible: ${reason}` });
            else still.push(ticket);
          }
          const decided = await decide(still);
          for (const { item, ticket } of pairs) if (!out.has(item.key)) out.set(item.key, decided.get(ticket.id)!);
          return out;
        },
        onProgress: options.onProgress,
      },
      { signal: options.signal, ...options.bulk },
    );
  } catch (err) {
    journal.close();
    throw err;
  }
  const counts = countOutcomes(result.outcomes);
  const status = result.interrupted ? 'interrupted' : counts.failed > 0 ? 'partial' : 'completed';
  endRun(journal, status, { planned: items.length, ...counts });
  return {
    run_id: journal.runId,
    status,
    type,
    template: template.name,
    candidates: plan.candidates,
    eligible: plan.eligible.length,
    sent: counts.sent,
    skipped: plan.skipped.length + counts.skipped,
    failed: counts.failed,
    verified: result.outcomes.filter((o) => o.verified).length,
    skips: [...plan.skipped, ...outcomeList(result.outcomes, 'skipped')].sort((a, b) => a.ticket_id - b.ticket_id),
    failures: outcomeList(result.outcomes, 'failed'),
    batches: result.batches,
  };
}

function countOutcomes(outcomes: readonly BulkOutcome[]): { sent: number; skipped: number; failed: number } {
  const c = { sent: 0, skipped: 0, failed: 0 };
  for (const o of outcomes) c[o.status]++;
  return c;
}

function outcomeList(outcomes: readonly BulkOutcome[], status: BulkOutcome['status']): Skip[] {
  return outcomes.filter((o) => o.status === status).map((o) => ({ ticket_id: o.ticketId, reason: o.reason ?? status }));
}

// ---------------------------------------------------------------------------------------------
// Collecting

export interface CollectOptions {
  now: Date;
  /** Surveys sent at or after this. */
  since: Date;
  types?: readonly SurveyType[];
  onPhase?: (message: string) => void;
}

export interface Answer {
  ticket_id: number;
  type: SurveyType;
  /** The score read, or null when it needs a person. */
  score: number | null;
  detractor: boolean;
  /** Why it needs a person. */
  review?: string;
  /** The answer's text (for the detractor's note and the review queue). */
  text: string;
  ticket: Ticket;
}

export interface CollectPlan {
  now: Date;
  /** Surveyed tickets in the window. */
  surveyed: number;
  /** Surveys with no answer stored yet. */
  open: number;
  /** Of those, the ones whose thread was read (a reply may be there). */
  read: number;
  answers: Answer[];
  /** Surveys still waiting for the customer. */
  unanswered: number;
}

/**
 * Reads the replies to surveys sent in the window that have no answer stored yet. A thread is
 * read only when the customer may have written: the ticket is no longer solved (a customer's
 * reply reopens a solved ticket), or it changed well after the survey went out.
 */
export async function planSurveyCollect(desk: HelpDesk, options: CollectOptions): Promise<CollectPlan> {
  const types = options.types ?? SURVEY_TYPES;
  options.onPhase?.(`reading tickets surveyed since ${options.since.toISOString().slice(0, 10)}`);
  const open: Array<{ ticket: Ticket; type: SurveyType; sentAt: Date }> = [];
  let surveyed = 0;
  for await (const t of desk.exportSearchTickets(`type:ticket tags:${SURVEYED_TAG} updated>=${options.since.toISOString()}`, { pageSize: EXPORT_PAGE })) {
    const tags = t.tags ?? [];
    const sentAt = sentAtFromTags(tags);
    if (!sentAt || sentAt < options.since) continue;
    surveyed++;
    for (const type of typesSent(tags)) {
      if (!types.includes(type)) continue;
      if (tags.includes(answeredTag(type)) || tags.includes(reviewTag(type))) continue;
      open.push({ ticket: t, type, sentAt });
    }
  }
  const toRead = open.filter(({ ticket, sentAt }) => mayHaveAnswered(ticket, sentAt));
  const answers: Answer[] = [];
  let n = 0;
  for (const o of toRead) {
    if (++n % 25 === 0) options.onPhase?.(`reading replies: ${n}/${toRead.length}`);
    const a = await readAnswer(desk, o.ticket, o.type, o.sentAt);
    if (a) answers.push(a);
  }
  answers.sort((a, b) => a.ticket_id - b.ticket_id);
  return { now: options.now, surveyed, open: open.length, read: toRead.length, answers, unanswered: open.length - answers.length };
}

const ANSWER_SLACK_MS = 10 * 60_000;

function mayHaveAnswered(t: Ticket, sentAt: Date): boolean {
  if (t.status !== 'solved' && t.status !== 'closed') return true;
  return Date.parse(t.updated_at) > sentAt.getTime() + ANSWER_SLACK_MS;
}

async function readAnswer(desk: HelpDesk, ticket: Ticket, type: SurveyType, sentAt: Date): Promise<Answer | null> {
  const comments = [];
  for await (const c of desk.listComments(ticket.id)) comments.push({ authorId: c.author_id, public: c.public, body: c.plain_body ?? c.body, createdAt: c.created_at });
  const found = findAnswer(comments, ticket.requester_id, sentAt, type);
  if (!found || found.reading.kind === 'none') return null;
  return answerFrom(ticket, type, found.reading, found.comment.body, isLastComment(comments, found.comment));
}

function isLastComment(comments: Array<{ createdAt: string }>, c: { createdAt: string }): boolean {
  return comments.every((x) => Date.parse(x.createdAt) <= Date.parse(c.createdAt));
}

function answerFrom(ticket: Ticket, type: SurveyType, reading: Exclude<SurveyReading, { kind: 'none' }>, text: string, last: boolean): Answer & { last: boolean } {
  return {
    ticket_id: ticket.id,
    type,
    score: reading.kind === 'score' ? reading.score : null,
    detractor: reading.kind === 'score' && isDetractor(type, reading.score),
    ...(reading.kind === 'review' ? { review: reading.reason } : {}),
    text,
    ticket,
    last,
  };
}

export interface CollectResult {
  run_id: string | null;
  status: 'completed' | 'partial' | 'interrupted';
  surveyed: number;
  open: number;
  answered: number;
  scored: number;
  review: number;
  detractors: number;
  unanswered: number;
  failed: number;
  answers: Array<{ ticket_id: number; type: SurveyType; score: number | null; detractor: boolean; review?: string; stored: boolean }>;
  failures: Skip[];
}

/** The survey score field on the desk (title "Survey score" or key survey_score), if it has one. */
export function findScoreField(fields: readonly TicketField[]): TicketField | undefined {
  return fields.find((f) => f.key === 'survey_score' || /^survey score$/i.test(f.title.trim()));
}

/**
 * Stores every answer read (score field + score tag + answered marker), flags the unreadable
 * ones for a person, and reopens detractors' tickets for their group with an internal note
 * quoting the answer. One update per ticket and answer, exactly once (the marker).
 */
export async function executeSurveyCollect(desk: HelpDesk, plan: CollectPlan, options: BulkRunOptions): Promise<CollectResult> {
  const base = {
    surveyed: plan.surveyed,
    open: plan.open,
    unanswered: plan.unanswered,
  };
  if (plan.answers.length === 0) {
    return { run_id: null, status: 'completed', ...base, answered: 0, scored: 0, review: 0, detractors: 0, failed: 0, answers: [], failures: [] };
  }
  const field = findScoreField(await desk.listTicketFields());
  const byKey = new Map(plan.answers.map((a) => [`${a.ticket_id}:${a.type}:collect`, a as Answer & { last?: boolean }]));
  const items: BulkItem[] = [];
  const waves = new Map<number, number>();
  for (const [key, a] of byKey) {
    const wave = waves.get(a.ticket_id) ?? 0;
    waves.set(a.ticket_id, wave + 1);
    items.push({ key, ticketId: a.ticket_id, marker: a.score === null ? reviewTag(a.type) : answeredTag(a.type), group: a.type, wave, change: wave === 0 ? collectChange(a, field) : undefined });
  }
  const journal = startRun(options.scope, { ...options.meta, command: 'survey collect', now: plan.now.toISOString() });
  options.onStart?.(journal.runId);
  journal.appendPlan(items.map((i): PlanTuple => [i.key, i.ticketId, i.marker, i.group, '']));
  let result;
  try {
    result = await runBulk(
      desk,
      journal,
      items,
      {
        // The ticket changed since it was read (the customer wrote again?): read the answer again.
        recheck: async (pairs) => {
          const out = new Map<string, Recheck>();
          for (const { item, ticket } of pairs) {
            const a = byKey.get(item.key)!;
            const sentAt = sentAtFromTags(ticket.tags ?? []);
            const again = sentAt ? await readAnswer(desk, ticket, a.type, sentAt) : null;
            if (!again) {
              out.set(item.key, { kind: 'skip', reason: 'the answer is no longer there' });
              continue;
            }
            if ((again.score === null ? reviewTag(a.type) : answeredTag(a.type)) !== item.marker) {
              out.set(item.key, { kind: 'skip', reason: 'the answer changed; the next collect reads it' });
              continue;
            }
            byKey.set(item.key, again);
            out.set(item.key, { kind: 'send', change: collectChange(again, field) });
          }
          return out;
        },
        onProgress: options.onProgress,
      },
      { signal: options.signal, ...options.bulk },
    );
  } catch (err) {
    journal.close();
    throw err;
  }
  const counts = countOutcomes(result.outcomes);
  const status = result.interrupted ? 'interrupted' : counts.failed > 0 ? 'partial' : 'completed';
  endRun(journal, status, { planned: items.length, ...counts });
  const stored = new Set(result.outcomes.filter((o) => o.status === 'sent').map((o) => o.key));
  const answers = [...byKey.entries()].map(([key, a]) => ({
    ticket_id: a.ticket_id,
    type: a.type,
    score: a.score,
    detractor: a.detractor,
    ...(a.review ? { review: a.review } : {}),
    stored: stored.has(key),
  }));
  const done = answers.filter((a) => a.stored);
  return {
    run_id: journal.runId,
    status,
    ...base,
    answered: done.length,
    scored: done.filter((a) => a.score !== null).length,
    review: done.filter((a) => a.score === null).length,
    detractors: done.filter((a) => a.detractor).length,
    failed: counts.failed,
    answers,
    failures: outcomeList(result.outcomes, 'failed'),
  };
}

/** The one update that records an answer on its ticket. */
export function collectChange(a: Answer & { last?: boolean }, field: TicketField | undefined): PreparedChange {
  const scale = SURVEY_SCALES[a.type];
  const update: TicketUpdate = {};
  const tags: string[] = [];
  if (a.score === null) {
    tags.push(reviewTag(a.type), REVIEW_TAG);
    update.comment = {
      public: false,
      body: `${scale.label} survey answer needs a person: ${a.review}.\n\n${quoteAnswer(a.text)}\n\nRecord it with \`deskops survey score ${a.ticket_id} --type ${a.type} <score>\` (${scale.direction}).`,
    };
  } else {
    tags.push(answeredTag(a.type), scoreTag(a.type, a.score));
    if (field) update.custom_fields = [{ id: field.id, value: String(a.score) }];
    if (a.detractor) {
      tags.push(DETRACTOR_TAG, FOLLOWUP_TAG);
      update.status = 'open';
      update.comment = {
        public: false,
        body:
          `${scale.label} ${a.score} (${scale.direction}): a detractor. Please follow up with the customer: ` +
          `acknowledge it, apologise for what went wrong, and say what will change.\n\n${quoteAnswer(a.text)}`,
      };
    } else if (a.ticket.status === 'open' && a.last && !a.text.includes('?')) {
      // The answer alone reopened a solved ticket: it goes back to solved.
      update.status = 'solved';
    }
  }
  update.additional_tags = tags;
  return { update, stamp: a.ticket.updated_at };
}

/** Records a score a person read (an answer flagged for review), exactly as collect would have. */
export function manualAnswer(ticket: Ticket, type: SurveyType, score: number, text: string): Answer {
  return { ticket_id: ticket.id, type, score, detractor: isDetractor(type, score), text, ticket };
}

// ---------------------------------------------------------------------------------------------
// Report

export type ReportBy = 'group' | 'agent' | 'channel';

export interface ReportOptions {
  now: Date;
  since: Date;
  by?: ReportBy;
  onPhase?: (message: string) => void;
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
  /** Zendesk's native good/bad satisfaction ratings in the window. */
  ratings: { good: number; bad: number; csat: number | null } | null;
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
  for await (const t of desk.exportSearchTickets(`type:ticket tags:${SURVEYED_TAG} updated>=${options.since.toISOString()}`, { pageSize: EXPORT_PAGE })) {
    const sentAt = sentAtFromTags(t.tags ?? []);
    if (sentAt && sentAt >= options.since) tickets.push(t);
  }
  const names = await keyNames(desk, tickets, options.by);
  for (const t of tickets) {
    const tags = t.tags ?? [];
    const key = keyOf(t, options.by, names);
    for (const type of typesSent(tags)) {
      const flagged = tags.includes(reviewTag(type)) && !tags.includes(answeredTag(type));
      records.push({ type, key, score: scoreFromTags(tags, type), review: flagged });
      if (flagged) review.push({ ticket_id: t.id, type, subject: t.subject ?? '', status: t.status });
    }
    if (tags.includes(FOLLOWUP_TAG) && t.status !== 'solved' && t.status !== 'closed') followupsOpen++;
  }
  let ratings: SurveyReport['ratings'] = null;
  try {
    let good = 0;
    let bad = 0;
    for await (const r of desk.listSatisfactionRatings({ startTime: Math.floor(options.since.getTime() / 1000) })) {
      if (r.score === 'good') good++;
      else if (r.score === 'bad') bad++;
    }
    ratings = { good, bad, csat: good + bad > 0 ? Math.round((1000 * good) / (good + bad)) / 10 : null };
  } catch (err) {
    // A desk without native ratings (Request Tracker), or an account without the feature:
    // the report has the survey scores only.
    if (!(err instanceof NotFoundError) && !(err instanceof ApiError && (err.status === 403 || err.status === 404))) throw err;
  }
  return {
    since: options.since.toISOString(),
    by: options.by ?? null,
    rows: surveyFigures(records),
    ratings,
    review: review.sort((a, b) => a.ticket_id - b.ticket_id),
    followups_open: followupsOpen,
  };
}

async function keyNames(desk: HelpDesk, tickets: readonly Ticket[], by: ReportBy | undefined): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  if (by === 'group') for (const g of await desk.listGroups()) names.set(g.id, g.name);
  if (by === 'agent') {
    const ids = [...new Set(tickets.map((t) => t.assignee_id).filter((id): id is number => id !== null))];
    for (let i = 0; i < ids.length; i += 100) for (const u of await desk.getUsers(ids.slice(i, i + 100))) names.set(u.id, u.name);
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
