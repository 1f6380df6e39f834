/**
 * Running a sweep: each ticket's change rendered and handed to the bulk executor, under the
 * profile's lock and the run's journal, rechecked against the ticket as it is when sent.
 */
import type { HelpDesk } from '../../api/helpdesk.js';
import type { Ticket, User } from '../../core/model.js';
import type { SweepStep } from '../../core/sweep-rules.js';
import { SweepClock, checkBasics, evaluateStep, groupIdLookup, stepNeeds, type TicketFacts, type Verdict } from '../../core/sweep-plan.js';
import {
  Journal,
  endRun,
  runBulk,
  runStopped,
  startRun,
  type BulkItem,
  type BulkOutcome,
  type BulkProgress,
  type PlanTuple,
  type Recheck,
  type RunScope,
} from '../bulk/index.js';
import type { LoadedRules } from './rules.js';
import { fetchThreads, templateLabel, type SweepPlanView } from './plan.js';
import { RenderKit } from './render.js';

export const SWEEP_KIND = 'sweep';

export interface SweepRowResult {
  rule: string;
  template: string | null;
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
}

export interface SweepRunResult {
  run_id: string;
  status: 'completed' | 'partial' | 'interrupted';
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
  /** Planned but left for a later run by --limit. */
  deferred: number;
  /** Found already applied on the desk when checked (after an ambiguous failure, or on resume). */
  verified: number;
  rules: SweepRowResult[];
  failures: Array<{ ticket_id: number; rule: string; reason: string }>;
  skips: Array<{ ticket_id: number; rule: string; reason: string }>;
  batches: number;
}

export interface ExecuteOptions {
  scope: RunScope;
  now: Date;
  /** At most this many actions this run. */
  limit?: number;
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
  /** Recorded in the journal (rules files, flags). */
  meta?: Record<string, unknown>;
  /** Bulk executor knobs (tests). */
  bulk?: { batchSize?: number; maxSends?: number; concurrency?: number };
  /** Told the run id as soon as the journal exists. */
  onStart?: (runId: string) => void;
}

/**
 * Runs a plan: renders every change, journals the plan, sends the batches, ends the run.
 * Call with the profile's sweep lock held (lockRuns).
 */
export async function executeSweep(desk: HelpDesk, loaded: LoadedRules, plan: SweepPlanView, options: ExecuteOptions): Promise<SweepRunResult> {
  const limit = options.limit ?? Infinity;
  const actions = plan.actions.slice(0, limit);
  const deferred = plan.actions.length - actions.length;
  const stepsById = new Map(plan.steps.map((s) => [s.id, s]));
  const me = await desk.me();
  const kit = new RenderKit(desk, loaded, me, plan.groups);
  // Changes are rendered batch by batch, just before they are sent (hooks.prepare).
  const items: BulkItem[] = actions.map((a) => ({ key: a.key, ticketId: a.ticketId, marker: a.marker, group: a.stepId, wave: a.wave, lazy: true }));
  // Only the facts of the tickets acted on are kept for the run.
  const facts = new Map<number, TicketFacts>();
  for (const a of actions) facts.set(a.ticketId, plan.facts.get(a.ticketId)!);

  const journal = startRun(options.scope, {
    ...options.meta,
    now: options.now.toISOString(),
    calendar: loaded.rules.calendar,
    steps: loaded.rules.steps,
    templates: Object.fromEntries([...loaded.templates].map(([id, t]) => [id, t.name])),
  });
  options.onStart?.(journal.runId);
  const tuples: PlanTuple[] = [
    // the body hashes go in each batch's intent, when the bodies are rendered
    ...items.map((i): PlanTuple => [i.key, i.ticketId, i.marker, i.group, '']),
  ];
  journal.appendPlan(tuples);
  return runAndEnd(desk, loaded, journal, items, [], {
    ...options,
    kit,
    plannedFacts: facts,
    touched: new Set(),
    failedMarkers: new Map(),
    deferred,
    stepsById,
  });
}

export interface RunContext extends ExecuteOptions {
  kit: RenderKit;
  /** The facts the plan was made on (lazy items are rendered from them). */
  plannedFacts?: Map<number, TicketFacts>;
  /** Tickets that got a change from this run already (their later items are checked lightly). */
  touched: Set<number>;
  /**
   * Per ticket, the markers of its items that failed in this process: a later item that is due
   * only once they are on the ticket fails with them (and is retried with them) instead of
   * being skipped as no longer due.
   */
  failedMarkers: Map<number, Set<string>>;
  deferred: number;
  stepsById: Map<string, SweepStep>;
}

export async function runAndEnd(
  desk: HelpDesk,
  loaded: LoadedRules,
  journal: Journal,
  items: BulkItem[],
  earlier: BulkOutcome[],
  rc: RunContext,
): Promise<SweepRunResult> {
  const recheck = makeRecheck(desk, loaded, rc);
  const prior = { total: earlier.length, sent: 0, skipped: 0, failed: 0 };
  for (const o of earlier) prior[o.status]++;
  let result;
  try {
    result = await runBulk(
      desk,
      journal,
      items,
      {
        recheck,
        prepare: rc.plannedFacts ? makePrepare(rc, rc.plannedFacts, items) : undefined,
        readInclude: loaded.rules.steps.some((s) => stepNeeds(s).metrics) ? ['metric_sets'] : undefined,
        onProgress: rc.onProgress ? (p) => rc.onProgress!({ ...p, total: p.total + prior.total, sent: p.sent + prior.sent, skipped: p.skipped + prior.skipped, failed: p.failed + prior.failed }) : undefined,
        onOutcome: (o) => {
          if (o.status === 'sent') rc.touched.add(o.ticketId);
          const marker = rc.stepsById.get(o.group)?.marker;
          if (o.status === 'failed' && marker) rc.failedMarkers.set(o.ticketId, new Set([...(rc.failedMarkers.get(o.ticketId) ?? []), marker]));
        },
      },
      { signal: rc.signal, ...rc.bulk },
    );
  } catch (err) {
    throw runStopped(journal, err, `\`deskops sweep resume ${journal.runId}\``);
  }
  const outcomes = [...earlier, ...result.outcomes];
  const sent = outcomes.filter((o) => o.status === 'sent').length;
  const skipped = outcomes.filter((o) => o.status === 'skipped').length;
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const planned = items.length + earlier.length;
  const status = result.interrupted ? 'interrupted' : failed > 0 ? 'partial' : 'completed';
  endRun(journal, status, { planned, sent, skipped, failed });

  const rows = new Map<string, SweepRowResult>();
  for (const s of loaded.rules.steps) rows.set(s.id, { rule: s.id, template: templateLabel(s), planned: 0, sent: 0, skipped: 0, failed: 0 });
  for (const i of [...items.map((x) => x.group), ...earlier.map((o) => o.group)]) {
    const r = rows.get(i) ?? { rule: i, template: null, planned: 0, sent: 0, skipped: 0, failed: 0 };
    r.planned++;
    rows.set(i, r);
  }
  for (const o of outcomes) rows.get(o.group)![o.status]++;
  return {
    run_id: journal.runId,
    status,
    planned,
    sent,
    skipped,
    failed,
    deferred: rc.deferred,
    verified: outcomes.filter((o) => o.verified).length,
    rules: [...rows.values()],
    failures: outcomes.filter((o) => o.status === 'failed').map((o) => ({ ticket_id: o.ticketId, rule: o.group, reason: o.reason ?? 'failed' })),
    skips: outcomes.filter((o) => o.status === 'skipped').map((o) => ({ ticket_id: o.ticketId, rule: o.group, reason: o.reason ?? 'skipped' })),
    batches: result.batches,
  };
}

/**
 * Renders lazy items from the plan's facts. The people their templates read are fetched ahead,
 * for the items about to go out, in full requests of 100 ids rather than a few per batch.
 */
function makePrepare(rc: RunContext, facts: Map<number, TicketFacts>, order: BulkItem[]) {
  const position = new Map(order.map((item, i) => [item.key, i]));
  let fetchedUpTo = 0;
  // One look-ahead at a time: two batches being prepared at once share it.
  let ahead: Promise<void> = Promise.resolve();
  return async (items: BulkItem[]): Promise<Map<string, Recheck>> => {
    const last = Math.max(...items.map((i) => position.get(i.key) ?? -1));
    const mine = ahead.then(async () => {
      if (last < fetchedUpTo) return;
      const pairs: Array<{ stepId: string; ticket: Ticket }> = [];
      const ids = new Set<number>();
      let i = fetchedUpTo;
      for (; i < order.length && (i <= last || ids.size < PEOPLE_AHEAD); i++) {
        const t = facts.get(order[i]!.ticketId)!.ticket;
        pairs.push({ stepId: order[i]!.group, ticket: t });
        ids.add(t.requester_id);
      }
      fetchedUpTo = i;
      await rc.kit.prefetch(pairs);
    });
    ahead = mine.catch(() => undefined);
    await mine;
    await rc.kit.prefetch(items.map((i) => ({ stepId: i.group, ticket: facts.get(i.ticketId)!.ticket })));
    const out = new Map<string, Recheck>();
    for (const item of items) {
      const f = facts.get(item.ticketId)!;
      const change = rc.kit.change(rc.stepsById.get(item.group)!, f.ticket, f.metric);
      out.set(item.key, 'error' in change ? { kind: 'fail', reason: change.error } : { kind: 'send', change });
    }
    return out;
  };
}

/** How many tickets' people are fetched ahead of the batches (full show_many requests). */
const PEOPLE_AHEAD = 300;

/**
 * Decides again for items the executor read fresh: the step's conditions on the ticket as it
 * is now (a customer who answered meanwhile gets no reminder), then the change re-rendered.
 * A ticket's later item in a run in which its earlier item was sent is checked on its fields
 * only (status, markers, tags): its ages and thread moved because of that very run.
 */
function makeRecheck(desk: HelpDesk, loaded: LoadedRules, rc: RunContext) {
  const people = new Map<number, User>();
  return async (pairs: Array<{ item: BulkItem; ticket: Ticket }>): Promise<Map<string, Recheck>> => {
    const clock = new SweepClock(rc.now, loaded.rules.calendar);
    const groupIds = groupIdLookup([...rc.kit.groups.values()]);
    const facts = new Map<number, TicketFacts>();
    for (const { ticket } of pairs) facts.set(ticket.id, { ticket, metric: ticket.metric_set ?? null });
    const judge = (step: SweepStep, item: BulkItem, ticket: Ticket): Verdict => {
      if (item.wave > 0 && rc.touched.has(ticket.id)) return checkBasics(step, ticket, groupIds) ?? { kind: 'match' };
      return evaluateStep(step, { ...facts.get(ticket.id)!, ticket }, clock, groupIds);
    };
    const decide = () =>
      pairs.map(({ item, ticket }): { item: BulkItem; verdict: Verdict | { kind: 'blocked'; reason: string } } => {
        const step = rc.stepsById.get(item.group);
        if (!step) return { item, verdict: { kind: 'no' as const, reason: `rule ${item.group} is no longer defined` } };
        const verdict = judge(step, item, ticket);
        // Not due only because an earlier item of this ticket failed (its marker is what this
        // step waits for): a failure too, so that a resume sends both, in order.
        const failed = rc.failedMarkers.get(ticket.id);
        if (verdict.kind === 'no' && item.wave > 0 && failed && judge(step, item, { ...ticket, tags: [...(ticket.tags ?? []), ...failed] }).kind !== 'no') {
          return { item, verdict: { kind: 'blocked', reason: `not sent: it follows ${[...failed].join(', ')} on this ticket, which failed (${verdict.reason})` } };
        }
        return { item, verdict };
      });
    let verdicts = decide();
    const needThread = verdicts.filter((v) => v.verdict.kind === 'need').map((v) => v.item.ticketId);
    if (needThread.length > 0) {
      await fetchThreads(desk, facts, [...new Set(needThread)], people);
      verdicts = decide();
    }
    await rc.kit.prefetch(verdicts.filter((v) => v.verdict.kind === 'match').map((v) => ({ stepId: v.item.group, ticket: facts.get(v.item.ticketId)!.ticket })));
    const out = new Map<string, Recheck>();
    for (const { item, verdict } of verdicts) {
      const f = facts.get(item.ticketId)!;
      if (verdict.kind === 'no') out.set(item.key, { kind: 'skip', reason: `no longer due: ${verdict.reason}` });
      else if (verdict.kind === 'blocked') out.set(item.key, { kind: 'fail', reason: verdict.reason });
      else if (verdict.kind === 'need') out.set(item.key, { kind: 'fail', reason: `could not read the ${verdict.what} the rule needs` });
      else {
        const change = rc.kit.change(rc.stepsById.get(item.group)!, f.ticket, f.metric);
        out.set(item.key, 'error' in change ? { kind: 'fail', reason: change.error } : { kind: 'send', change });
      }
    }
    return out;
  };
}
