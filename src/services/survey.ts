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
 *   planSurveyCollect   surveyed tickets with a reply from the requester, the score read (a
 *                       reply with none is for a person; an out-of-office reply is skipped)
 *   executeSurveyCollect  stores each score (field + tag), flags what needs a person, and
 *                       reopens detractors' tickets for their group with an internal note
 *   surveyReport        response rate, distribution, CSAT %, NPS, CES mean, the review queue
 *
 * Reading scores and the report math are pure (core/survey.ts).
 */
import type { HelpDesk } from '../api/helpdesk.js';
import type { Group, Organization, Ticket, TicketField, TicketStatus, TicketUpdate, User } from '../core/model.js';
import { ApiError, Cancelled, NotFoundError, PermissionError, UsageError, isAccessError } from '../core/errors.js';
import { asTheyAreNow, recentlyChanged, withRecent } from './recent.js';
import { buildRenderContext, renderTemplate, templateVariables, type ReplyTemplate } from '../core/templates.js';
import {
  DETRACTOR_TAG,
  FOLLOWUP_TAG,
  REVIEW_TAG,
  SENT_ON_SOLVED_TAG,
  SURVEYED_TAG,
  SURVEY_SCALES,
  SURVEY_TYPES,
  answeredTag,
  asksNothingMore,
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
import { findTemplate, replyUpdate, type TemplateLibrary } from './replies.js';
import { mapLimit } from './queue.js';
import { slimTicket } from './tickets.js';
import {
  endRun,
  runBulk,
  runStopped,
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
  let candidates: Ticket[] = [];
  const skipped: Skip[] = [];
  if (options.ticketIds) {
    const ids = [...new Set(options.ticketIds)];
    const found = new Map<number, Ticket>();
    for (const t of await desk.getTickets(ids)) found.set(t.id, t);
    for (const id of ids) {
      const t = found.get(id);
      if (t) candidates.push(t);
      else skipped.push({ ticket_id: id, reason: 'ticket not found' });
    }
  } else {
    for (const status of options.statuses) {
      // A solved ticket counts from its solve; an open, pending or on-hold one from its last update.
      const clock = status === 'solved' ? 'solved' : 'updated';
      options.onPhase?.(`reading ${status} tickets ${clock} since ${options.since.toISOString().slice(0, 10)}`);
      const q = `type:ticket status:${status} ${clock}>=${options.since.toISOString()}`;
      for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) candidates.push(t);
    }
  }
  // Search trails the desk: tickets changed in the last minutes are taken as they are now.
  const recent = options.ticketIds ? new Map<number, Ticket>() : await recentlyChanged(desk, now);
  candidates = asTheyAreNow(candidates, recent);

  // Requesters surveyed within the fatigue window (any survey type), from the send-time tags.
  const fatigueStart = new Date(now.getTime() - options.fatigueDays * DAY_MS);
  const fatigued = new Map<number, { ticketId: number; at: Date }>();
  if (options.fatigueDays > 0) {
    options.onPhase?.(`reading tickets surveyed since ${fatigueStart.toISOString().slice(0, 10)}`);
    const q = `type:ticket tags:${SURVEYED_TAG} updated>=${fatigueStart.toISOString()}`;
    const surveyed = (t: Ticket) => {
      const at = sentAtFromTags(t.tags ?? []);
      if (!at || at < fatigueStart) return;
      const seen = fatigued.get(t.requester_id);
      if (!seen || at > seen.at) fatigued.set(t.requester_id, { ticketId: t.id, at });
    };
    for await (const t of desk.exportSearchTickets(q, { pageSize: EXPORT_PAGE })) surveyed(recent.get(t.id) ?? t);
    // Surveyed in the last minutes: not in search yet.
    for (const t of recent.values()) surveyed(t);
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
    // The desk asks for 100 ids a request.
    if (userIds.size > 0) for (const u of await this.desk.getUsers([...userIds])) this.users.set(u.id, u);
    if (orgIds.size > 0) for (const o of await this.desk.getOrganizations([...orgIds])) this.orgs.set(o.id, o);
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
      // The same update a reply from this template makes (its set: status, priority, tags)...
      const update = replyUpdate({
        ticketId: ticket.id,
        body,
        public: true,
        set: this.template.set,
        template: this.template.name,
        locale: this.template.locale,
        vars: {},
        ticketUpdatedAt: ticket.updated_at,
        unusedVars: [],
      });
      // ...where a solved ticket stays solved (the survey is not new work), plus the markers.
      update.status ??= ticket.status;
      update.additional_tags = [...new Set([...(update.additional_tags ?? []), SURVEYED_TAG, sentTag(type), sentAtTag(at), ...(ticket.status === 'solved' ? [SENT_ON_SOLVED_TAG] : [])])];
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
  if (template.category !== 'survey') throw new UsageError(`template ${template.name} is not a survey (its category is ${template.category}); pick one with category: survey`);
  if (!template.public) throw new UsageError(`template ${template.name} is an internal note; a survey must be a public reply`);
  const other = SURVEY_TYPES.find((t) => t !== type && (template.set.tags ?? []).includes(sentTag(t)));
  if (other) {
    throw new UsageError(`template ${template.name} is a ${SURVEY_SCALES[other].label} survey (it adds ${sentTag(other)}), not ${SURVEY_SCALES[type].label}`, {
      hint: `use --type ${other}, or a ${SURVEY_SCALES[type].label} template such as survey-${type}`,
    });
  }
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
    throw runStopped(journal, err, `run the same \`deskops survey send\` again (tickets already surveyed are skipped)`);
  }
  const status = result.interrupted ? 'interrupted' : result.failed > 0 ? 'partial' : 'completed';
  endRun(journal, status, { planned: items.length, sent: result.sent, skipped: result.skipped, failed: result.failed });
  return {
    run_id: journal.runId,
    status,
    type,
    template: template.name,
    candidates: plan.candidates,
    eligible: plan.eligible.length,
    sent: result.sent,
    skipped: plan.skipped.length + result.skipped,
    failed: result.failed,
    verified: result.outcomes.filter((o) => o.verified).length,
    skips: [...plan.skipped, ...outcomeList(result.outcomes, 'skipped')].sort((a, b) => a.ticket_id - b.ticket_id),
    failures: outcomeList(result.outcomes, 'failed'),
    batches: result.batches,
  };
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
  /**
   * The customer's replies hold the answer and nothing that asks for more (thanks and praise
   * at most), and are the last word on the ticket.
   */
  asksNothingMore?: boolean;
}

export interface CollectPlan {
  now: Date;
  /** Surveyed tickets in the window. */
  surveyed: number;
  /** Surveys with no answer stored yet. */
  open: number;
  /** Of those, the ones whose thread was read (the customer wrote after the survey). */
  read: number;
  answers: Answer[];
  /** Surveys still waiting for the customer. */
  unanswered: number;
  /** Of those, the ones where only an automatic reply (out of office) came: skipped, not flagged. */
  automatic: Skip[];
}

/** Tickets surveyed at or after `since` (by their send-time tag), with that time. */
async function* surveyedSince(desk: HelpDesk, since: Date, recent: ReadonlyMap<number, Ticket>): AsyncIterable<{ ticket: Ticket; sentAt: Date }> {
  const search = desk.exportSearchTickets(`type:ticket tags:${SURVEYED_TAG} updated>=${since.toISOString()}`, { pageSize: EXPORT_PAGE });
  for await (const ticket of withRecent(search, recent, (t) => (t.tags ?? []).includes(SURVEYED_TAG))) {
    const sentAt = sentAtFromTags(ticket.tags ?? []);
    if (sentAt && sentAt >= since) yield { ticket, sentAt };
  }
}

/** Follow-up tickets made since `since` for detractors whose tickets were closed, with the original's id. */
async function* followupsSince(desk: HelpDesk, since: Date, recent: ReadonlyMap<number, Ticket>): AsyncIterable<{ ticket: Ticket; of: number }> {
  const search = desk.exportSearchTickets(`type:ticket tags:${FOLLOWUP_TAG} created>=${since.toISOString()}`, { pageSize: EXPORT_PAGE });
  const wanted = (t: Ticket) => (t.tags ?? []).includes(FOLLOWUP_TAG) && Date.parse(t.created_at) >= since.getTime();
  for await (const ticket of withRecent(search, recent, wanted)) {
    const of = (ticket.tags ?? []).map((x) => FOLLOWUP_OF.exec(x)).find(Boolean);
    if (of) yield { ticket, of: Number(of[1]) };
  }
}

/** Threads read at once. */
const READ_CONCURRENCY = 3;
const ANSWER_SLACK_MS = 10 * 60_000;

/**
 * Reads the replies to surveys sent in the window that have no answer stored yet. A thread is
 * read only when the customer wrote after the survey went out: the ticket metrics' requester
 * update time says so, 100 tickets a request (a desk without them: the ticket changed since).
 */
export async function planSurveyCollect(desk: HelpDesk, options: CollectOptions): Promise<CollectPlan> {
  const types = options.types ?? SURVEY_TYPES;
  options.onPhase?.(`reading tickets surveyed since ${options.since.toISOString().slice(0, 10)}`);
  // Search trails the desk: surveys sent and answered in the last minutes are read live.
  const recent = await recentlyChanged(desk, options.now);
  // Closed tickets that already got a follow-up ticket for their detractor's answer.
  const followedUp = new Set<string>();
  for await (const { ticket: t, of } of followupsSince(desk, options.since, recent)) {
    for (const type of SURVEY_TYPES) if ((t.tags ?? []).includes(answeredTag(type))) followedUp.add(`${of}:${type}`);
  }
  const open: Array<{ ticket: Ticket; type: SurveyType; sentAt: Date }> = [];
  let surveyed = 0;
  for await (const { ticket: t, sentAt } of surveyedSince(desk, options.since, recent)) {
    const tags = t.tags ?? [];
    surveyed++;
    for (const type of typesSent(tags)) {
      if (!types.includes(type)) continue;
      if (tags.includes(answeredTag(type)) || tags.includes(reviewTag(type))) continue;
      if (followedUp.has(`${t.id}:${type}`)) continue;
      open.push({ ticket: slimTicket(t, false), type, sentAt });
    }
  }
  const wrote = await requesterUpdates(desk, [...new Set(open.map((o) => o.ticket.id))]);
  const toRead = open.filter(({ ticket, sentAt }) => mayHaveAnswered(ticket, sentAt, wrote));
  let n = 0;
  const found = await mapLimit(toRead, READ_CONCURRENCY, async (o) => {
    if (++n % 25 === 0) options.onPhase?.(`reading replies: ${n}/${toRead.length}`);
    return readAnswer(desk, o.ticket, o.type, o.sentAt);
  });
  const answers = found.filter(isAnswer).sort((a, b) => a.ticket_id - b.ticket_id);
  const automatic = found.filter((f): f is AutomaticReply => f !== null && 'automatic' in f).map((f) => ({ ticket_id: f.ticket_id, reason: f.automatic }));
  automatic.sort((a, b) => a.ticket_id - b.ticket_id);
  return { now: options.now, surveyed, open: open.length, read: toRead.length, answers, unanswered: open.length - answers.length, automatic };
}

/** When each ticket's requester last wrote (ms), from the metric sets; null: never. Empty map: unknown. */
async function requesterUpdates(desk: HelpDesk, ids: number[]): Promise<Map<number, number | null>> {
  const out = new Map<number, number | null>();
  if (ids.length === 0) return out;
  try {
    for (const t of await desk.getTickets(ids, { include: ['metric_sets'] })) {
      const at = t.metric_set?.requester_updated_at;
      if (t.metric_set) out.set(t.id, at ? Date.parse(at) : null);
    }
  } catch (err) {
    if (isAccessError(err) || err instanceof Cancelled) throw err;
    return new Map(); // read the threads that changed since instead
  }
  return out;
}

function mayHaveAnswered(t: Ticket, sentAt: Date, wrote: Map<number, number | null>): boolean {
  if (wrote.has(t.id)) {
    const at = wrote.get(t.id);
    return at !== null && at !== undefined && at >= sentAt.getTime() - ANSWER_SLACK_MS;
  }
  return t.status !== 'solved' && t.status !== 'closed' ? true : Date.parse(t.updated_at) > sentAt.getTime() + 60_000;
}

/** Why a reply with no readable answer is flagged. */
const NO_SCORE = 'the customer replied, but no score could be read from the reply';

/** Only automatic replies (out of office) came since the survey: the customer has not answered. */
interface AutomaticReply {
  ticket_id: number;
  automatic: string;
}

const isAnswer = (a: Answer | AutomaticReply | null): a is Answer => a !== null && !('automatic' in a);

async function readAnswer(desk: HelpDesk, ticket: Ticket, type: SurveyType, sentAt: Date): Promise<Answer | AutomaticReply | null> {
  const comments = [];
  for await (const c of desk.listComments(ticket.id)) comments.push({ authorId: c.author_id, public: c.public, body: c.plain_body ?? c.body, createdAt: c.created_at });
  const found = findAnswer(comments, ticket.requester_id, sentAt, type);
  if (!found) return null;
  if (found.reading.kind === 'automatic') return { ticket_id: ticket.id, automatic: `${found.reading.reason}: skipped, the survey waits for the customer` };
  // The customer wrote but no score could be read: a person reads it, it is never dropped.
  const reading = found.reading.kind === 'none' ? { kind: 'review' as const, reason: NO_SCORE } : found.reading;
  const lastReply = Math.max(...found.replies.map((r) => Date.parse(r.createdAt)));
  const last = comments.every((x) => Date.parse(x.createdAt) <= lastReply);
  const text = found.replies.map((r) => r.body.trim()).join('\n\n');
  return answerFrom(ticket, type, reading, text, last && found.replies.every((r) => asksNothingMore(r.body, type)));
}

function answerFrom(ticket: Ticket, type: SurveyType, reading: Exclude<SurveyReading, { kind: 'none' | 'automatic' }>, text: string, nothingMore: boolean): Answer {
  return {
    ticket_id: ticket.id,
    type,
    score: reading.kind === 'score' ? reading.score : null,
    detractor: reading.kind === 'score' && isDetractor(type, reading.score),
    ...(reading.kind === 'review' ? { review: reading.reason } : {}),
    text,
    ticket,
    asksNothingMore: nothingMore,
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
  answers: Array<{ ticket_id: number; type: SurveyType; score: number | null; detractor: boolean; review?: string; stored: boolean; followup_id?: number }>;
  /** Answers read but not stored, with the reason (a ticket closed before collect ran). */
  skips: Skip[];
  /** Surveys that got only an automatic reply (out of office): not an answer, not flagged. */
  automatic: Skip[];
  failures: Skip[];
}

/** What collect would store, without writing anything (--dry-run). */
export function collectPreview(plan: CollectPlan): CollectResult {
  const answers = plan.answers.map((a) => ({ ticket_id: a.ticket_id, type: a.type, score: a.score, detractor: a.detractor, ...(a.review ? { review: a.review } : {}), stored: false }));
  return {
    run_id: null,
    status: 'completed',
    surveyed: plan.surveyed,
    open: plan.open,
    unanswered: plan.unanswered,
    answered: answers.length,
    scored: answers.filter((a) => a.score !== null).length,
    review: answers.filter((a) => a.score === null).length,
    detractors: answers.filter((a) => a.detractor).length,
    failed: 0,
    answers,
    skips: [],
    automatic: plan.automatic,
    failures: [],
  };
}

/** The survey score field on the desk (title "Survey score" or key survey_score), if it has one. */
export function findScoreField(fields: readonly TicketField[]): TicketField | undefined {
  return fields.find((f) => f.key === 'survey_score' || /^survey score$/i.test(f.title.trim()));
}

/** On a follow-up ticket made for a detractor whose ticket was closed: the original's id. */
export const followupOfTag = (ticketId: number) => `survey_followup_of_${ticketId}`;
const FOLLOWUP_OF = /^survey_followup_of_(\d+)$/;

/**
 * Stores every answer read (score field + score tag + answered marker), flags the unreadable
 * ones for a person, and reopens detractors' tickets for their group with an internal note
 * quoting the answer. One update per ticket and answer, exactly once (the marker). A closed
 * ticket cannot change: a detractor's answer on one gets a new follow-up ticket for the group
 * (made once: a fixed idempotency key, and collect looks for it before making another); other
 * answers on closed tickets are listed as not stored.
 */
export async function executeSurveyCollect(desk: HelpDesk, plan: CollectPlan, options: BulkRunOptions): Promise<CollectResult> {
  const base = { surveyed: plan.surveyed, open: plan.open, unanswered: plan.unanswered, automatic: plan.automatic };
  if (plan.answers.length === 0) {
    return { run_id: null, status: 'completed', ...base, answered: 0, scored: 0, review: 0, detractors: 0, failed: 0, answers: [], skips: [], failures: [] };
  }
  const field = findScoreField(await desk.listTicketFields());
  const byKey = new Map(plan.answers.map((a) => [`${a.ticket_id}:${a.type}:collect`, a]));
  const items: BulkItem[] = [];
  const waves = new Map<number, number>();
  const closed: string[] = [];
  for (const [key, a] of byKey) {
    if (a.ticket.status === 'closed') {
      closed.push(key);
      continue;
    }
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
            const read = sentAt ? await readAnswer(desk, ticket, a.type, sentAt) : null;
            const again = isAnswer(read) ? read : null;
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
    throw runStopped(journal, err, `run \`deskops survey collect\` again (answers already stored are skipped)`);
  }
  // Closed meanwhile: handled as the ones closed before.
  for (const o of result.outcomes) if (o.status === 'skipped' && o.reason === 'the ticket is closed') closed.push(o.key);

  const followups = new Map<string, number>();
  const skips: Skip[] = [];
  const failures = outcomeList(result.outcomes, 'failed');
  for (const key of closed) {
    const a = byKey.get(key)!;
    const label = `${SURVEY_SCALES[a.type].label} ${a.score ?? '(unclear)'}`;
    if (!a.detractor) {
      skips.push({ ticket_id: a.ticket_id, reason: `closed before collect ran: ${label} not stored (the desk allows no change to a closed ticket)` });
      continue;
    }
    try {
      followups.set(key, (await createFollowup(desk, a, field)).id);
    } catch (err) {
      if (isAccessError(err) || err instanceof Cancelled) throw err;
      failures.push({ ticket_id: a.ticket_id, reason: `could not make the follow-up ticket for the closed ticket: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  const failed = failures.length;
  const status = result.interrupted ? 'interrupted' : failed > 0 ? 'partial' : 'completed';
  endRun(journal, status, { planned: items.length, sent: result.sent, skipped: result.skipped, failed: result.failed });
  const stored = new Set(result.outcomes.filter((o) => o.status === 'sent').map((o) => o.key));
  const answers = [...byKey.entries()].map(([key, a]) => ({
    ticket_id: a.ticket_id,
    type: a.type,
    score: a.score,
    detractor: a.detractor,
    ...(a.review ? { review: a.review } : {}),
    stored: stored.has(key) || followups.has(key),
    ...(followups.has(key) ? { followup_id: followups.get(key)! } : {}),
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
    failed,
    answers,
    skips: [...outcomeList(result.outcomes, 'skipped').filter((k) => k.reason !== 'the ticket is closed'), ...skips],
    failures,
  };
}

function detractorNote(a: Answer): string {
  const scale = SURVEY_SCALES[a.type];
  return (
    `${scale.label} ${a.score} (${scale.direction}): a detractor. Please follow up with the customer: ` +
    `acknowledge it, apologise for what went wrong, and say what will change.\n\n${quoteAnswer(a.text)}`
  );
}

/** A new ticket for the group of a closed detractor's ticket, carrying the score and the note. */
async function createFollowup(desk: HelpDesk, a: Answer, field: TicketField | undefined): Promise<Ticket> {
  const t = a.ticket;
  return desk.createTicket(
    {
      subject: `Survey follow-up for #${t.id}: ${SURVEY_SCALES[a.type].label} ${a.score}${t.subject ? ` - ${t.subject}` : ''}`.slice(0, 250),
      comment: { body: `Follow-up of closed ticket #${t.id}.\n\n${detractorNote(a)}`, public: false },
      requester_id: t.requester_id,
      group_id: t.group_id,
      status: 'open',
      tags: [DETRACTOR_TAG, FOLLOWUP_TAG, followupOfTag(t.id), scoreTag(a.type, a.score!), answeredTag(a.type)],
      ...(field ? { custom_fields: [{ id: field.id, value: String(a.score) }] } : {}),
    },
    { idempotencyKey: `deskops-survey-followup-${t.id}-${a.type}` },
  );
}

/** The one update that records an answer on its ticket. */
export function collectChange(a: Answer, field: TicketField | undefined): PreparedChange {
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
      update.comment = { public: false, body: detractorNote(a) };
    } else if (a.asksNothingMore && a.ticket.status === 'open' && (a.ticket.tags ?? []).includes(SENT_ON_SOLVED_TAG)) {
      // A non-detractor's answer that asks for nothing reopened a ticket solved when surveyed: back to solved.
      update.status = 'solved';
    }
  }
  update.additional_tags = tags;
  return { update, stamp: a.ticket.updated_at };
}

/**
 * Records a score a person read (an answer flagged for review), as collect would have stored
 * it; with `replace`, corrects a score stored before. A safe update: refused if the ticket
 * changed since it was read.
 */
export async function recordSurveyScore(
  desk: HelpDesk,
  ticketId: number,
  type: SurveyType,
  score: number,
  options: { replace?: boolean } = {},
): Promise<{ ticket_id: number; type: SurveyType; score: number; detractor: boolean; replaced: number | null; status: TicketStatus }> {
  const scale = SURVEY_SCALES[type];
  const [ticket, fields, me] = await Promise.all([desk.getTicket(ticketId), desk.listTicketFields(), desk.me()]);
  const tags = ticket.tags ?? [];
  if (!tags.includes(sentTag(type))) throw new UsageError(`ticket ${ticketId} has no ${scale.label} survey (tag ${sentTag(type)})`);
  if (ticket.status === 'closed') throw new UsageError(`ticket ${ticketId} is closed; the desk allows no change to it`);
  const before = scoreFromTags(tags, type);
  if (tags.includes(answeredTag(type)) && !options.replace) {
    throw new UsageError(`ticket ${ticketId} already has a ${scale.label} score stored (${before ?? 'tag ' + answeredTag(type)})`, { hint: 'add --replace to correct it' });
  }
  const answer: Answer = { ticket_id: ticketId, type, score, detractor: isDetractor(type, score), text: `${scale.label} ${score}, read by ${me.name}`, ticket };
  const { update, stamp } = collectChange(answer, findScoreField(fields));
  const stale = tags.filter((t) => new RegExp(`^${type}_\\d{1,2}$`).test(t) && t !== scoreTag(type, score));
  if (stale.length > 0) update.remove_tags = stale;
  if (before !== null && isDetractor(type, before) && !answer.detractor) update.remove_tags = [...(update.remove_tags ?? []), DETRACTOR_TAG];
  const updated = await desk.updateTicket(ticketId, update, { ifUnmodifiedSince: stamp });
  return { ticket_id: ticketId, type, score, detractor: answer.detractor, replaced: before !== score ? before : null, status: updated.status };
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
  const recent = await recentlyChanged(desk, options.now);
  for await (const { ticket } of surveyedSince(desk, options.since, recent)) tickets.push(ticket);
  // Scores of closed tickets' detractors live on their follow-up tickets.
  const followupScores = new Map<string, number>();
  for await (const { ticket: t, of } of followupsSince(desk, options.since, recent)) {
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
