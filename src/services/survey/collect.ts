/**
 * Collecting survey answers: the replies read where the customer wrote after the survey, then
 * each score stored (field + tag), unreadable answers flagged for a person, detractors' tickets
 * reopened for their group with a note; and a score a person read, recorded by hand.
 */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Ticket, TicketField, TicketStatus, TicketUpdate } from '../../core/model.js';
import { Cancelled, UsageError, isAccessError } from '../../core/errors.js';
import { recentlyChanged } from '../recent.js';
import {
  DETRACTOR_TAG,
  FOLLOWUP_TAG,
  REVIEW_TAG,
  SENT_ON_SOLVED_TAG,
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
  sentTag,
  typesSent,
  type SurveyReading,
  type SurveyType,
} from '../../core/survey.js';
import { mapLimit } from '../map-limit.js';
import { slimTicket } from '../tickets.js';
import { endRun, runBulk, runStopped, startRun, type BulkItem, type PlanTuple, type PreparedChange, type Recheck } from '../bulk/index.js';
import { followupOfTag, followupsSince, outcomeList, surveyedSince, type BulkRunOptions, type Skip } from './shared.js';
import type { TicketSource } from '../ticket-source.js';

export interface CollectOptions {
  now: Date;
  /** Surveys sent at or after this. */
  since: Date;
  types?: readonly SurveyType[];
  onPhase?: (message: string) => void;
  /** The tickets held locally (the profile's replica): synced once, then the surveyed tickets and follow-ups are read from it, not searched. */
  source?: TicketSource;
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
  const { source } = options;
  if (source) await source.sync();
  // Search trails the desk: surveys sent and answered in the last minutes are read live (a
  // replica synced now has them).
  const recent = source ? new Map<number, Ticket>() : await recentlyChanged(desk, options.now);
  // Closed tickets that already got a follow-up ticket for their detractor's answer.
  const followedUp = new Set<string>();
  for await (const { ticket: t, of } of followupsSince(desk, options.since, recent, source)) {
    for (const type of SURVEY_TYPES) if ((t.tags ?? []).includes(answeredTag(type))) followedUp.add(`${of}:${type}`);
  }
  const open: Array<{ ticket: Ticket; type: SurveyType; sentAt: Date }> = [];
  let surveyed = 0;
  for await (const { ticket: t, sentAt } of surveyedSince(desk, options.since, recent, source)) {
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
