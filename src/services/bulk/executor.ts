/**
 * The bulk executor: per-ticket changes sent in update_many batches (up to 100), job statuses
 * polled, per-item failures retried a bounded number of times or reported, and every ticket
 * changed exactly once even when requests fail ambiguously or the process is killed.
 *
 * Exactly once rests on three things:
 *   1. every change carries a marker tag in the SAME per-ticket update as its comment, so the
 *      desk applies both or neither: the marker on the ticket proves the comment is there;
 *   2. every change is a safe update against the ticket's updated_at as read (updated_stamp):
 *      a request the desk may still apply later (a job queued before a crash, an update_many
 *      answered 5xx or cut off) cannot land on top of a later resend, and a resend cannot land
 *      on top of it: whichever comes second conflicts;
 *   3. the journal: an intent is on disk before each update_many; an item with an intent and
 *      no definite outcome is in doubt, and in doubt means "read the ticket first": marker
 *      there -> done (the desk applied it), marker absent -> decide again and resend.
 *
 * Items of one ticket never travel in the same batch or round (one comment per update); a
 * ticket's later items are re-read first, to get the stamp the earlier one left.
 */
import type { HelpDesk, ShowManyOptions } from '../../api/helpdesk.js';
import type { JobStatus, JobStatusResult, Ticket, TicketUpdate } from '../../core/model.js';
import { ApiError, DeskopsError, isAccessError } from '../../core/errors.js';
import { bodyHash, type Journal, type OutcomeTuple } from './journal.js';

/** A change ready to send: the update and the ticket's updated_at it was decided on. */
export interface PreparedChange {
  update: TicketUpdate;
  /** The ticket's updated_at when read: sent as updated_stamp with safe_update. */
  stamp: string;
}

export interface BulkItem {
  /** Unique in the run, e.g. "42:pending_reminder/1". */
  key: string;
  ticketId: number;
  /** The tag this item's change adds; on the ticket, it proves the change was applied. */
  marker: string;
  /** What the item counts under in the summary (a rule, a survey). */
  group: string;
  /** Order among one ticket's items (0 first). */
  wave: number;
  /** The change, when already decided; without it the ticket is read and `recheck` decides... */
  change?: PreparedChange;
  /** ...unless `lazy`: decided when planned, built by `prepare` just before its batch is sent. */
  lazy?: boolean;
}

/** The caller's decision about one item, against the ticket as it is now. */
export type Recheck =
  | { kind: 'send'; change: PreparedChange }
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; reason: string };

export interface BulkOutcome {
  key: string;
  ticketId: number;
  group: string;
  status: 'sent' | 'skipped' | 'failed';
  reason?: string;
  /** Found already applied on the desk (after an ambiguous failure, or on resume). */
  verified?: boolean;
}

export interface BulkProgress {
  total: number;
  sent: number;
  skipped: number;
  failed: number;
  startedAt: number;
}

export interface BulkHooks {
  /**
   * Decides again for items whose ticket changed (a conflict), whose send was ambiguous and
   * did not land, or that were never decided (resume). The ticket is fresh, without the marker.
   */
  recheck(pairs: Array<{ item: BulkItem; ticket: Ticket }>): Promise<Map<string, Recheck>>;
  /** Sideloads for the fresh read that `recheck` needs (e.g. metric_sets). */
  readInclude?: ShowManyOptions['include'];
  /**
   * Builds the change of `lazy` items right before their batch goes out (so a run over
   * thousands of tickets does not hold every rendered body at once).
   */
  prepare?(items: BulkItem[]): Promise<Map<string, Recheck>>;
  onProgress?(progress: BulkProgress): void;
  onOutcome?(outcome: BulkOutcome): void;
}

export interface BulkOptions {
  /** Tickets per update_many, at most 100 (default 100). */
  batchSize?: number;
  /** update_many requests one item may ride in before it is reported failed (default 4). */
  maxSends?: number;
  /** update_many batches in flight at once (default 2). */
  concurrency?: number;
  /** How long to wait for one job (default 5 minutes). */
  jobTimeoutMs?: number;
  /** Stops starting new batches; batches in flight finish. */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface BulkResult {
  outcomes: BulkOutcome[];
  sent: number;
  skipped: number;
  failed: number;
  /** Items not finished (the run was interrupted). */
  pending: number;
  batches: number;
  interrupted: boolean;
}

interface Track {
  item: BulkItem;
  change?: PreparedChange;
  /** Decided at plan time; `hooks.prepare` builds the change before sending. */
  lazy: boolean;
  needsRead: boolean;
  sends: number;
  readFailures: number;
  lastError?: string;
  final?: BulkOutcome;
}

export const MAX_BATCH = 100;
const MAX_READ_FAILURES = 3;

/** Runs the items to the end (or until `signal` aborts) and returns every outcome. */
export async function runBulk(desk: HelpDesk, journal: Journal, items: readonly BulkItem[], hooks: BulkHooks, options: BulkOptions = {}): Promise<BulkResult> {
  const batchSize = Math.max(1, Math.min(MAX_BATCH, options.batchSize ?? MAX_BATCH));
  const maxSends = Math.max(1, options.maxSends ?? 4);
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const jobTimeoutMs = options.jobTimeoutMs ?? 300_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const startedAt = now();
  const batchPrefix = `${now().toString(36)}${process.pid.toString(36)}`;
  let batchCount = 0;
  let round = 0;
  /** Expected time for a job to finish, learnt as jobs complete: the first poll waits this long. */
  let jobEstimateMs = 100;

  const tracks = new Map<string, Track>();
  for (const item of items) {
    if (tracks.has(item.key)) throw new DeskopsError(`duplicate bulk item ${item.key}`);
    // A later item of a ticket needs the stamp its earlier item leaves: read it when its turn comes.
    const first = item.wave === 0 && (item.change !== undefined || (item.lazy === true && hooks.prepare !== undefined));
    tracks.set(item.key, { item, change: first ? item.change : undefined, lazy: first && item.change === undefined, needsRead: !first, sends: 0, readFailures: 0 });
  }
  const counts = { sent: 0, skipped: 0, failed: 0 };
  const progress = () => hooks.onProgress?.({ total: tracks.size, ...counts, startedAt });

  const finish = (t: Track, status: BulkOutcome['status'], reason?: string, verified?: boolean): OutcomeTuple => {
    t.final = { key: t.item.key, ticketId: t.item.ticketId, group: t.item.group, status, reason, verified };
    counts[status] += 1;
    hooks.onOutcome?.(t.final);
    return [t.item.key, verified ? 'applied' : status, ...(reason ? [reason] : [])] as OutcomeTuple;
  };
  const again = (t: Track, reason: string, status: 'retry' | 'unknown'): OutcomeTuple => {
    t.needsRead = true;
    t.lazy = false;
    t.change = undefined;
    t.lastError = reason;
    return [t.item.key, status, reason];
  };
  const record = (tuples: OutcomeTuple[], batch?: string, sync = false) => {
    if (tuples.length === 0) return;
    journal.append({ t: 'outcome', ...(batch ? { batch } : {}), at: new Date(now()).toISOString(), items: tuples }, sync);
    progress();
  };

  /** Reads the tickets of `list`: marker there -> done; else the caller decides again. */
  const refresh = async (list: Track[]) => {
    const ids = [...new Set(list.map((t) => t.item.ticketId))];
    let tickets: Ticket[];
    try {
      tickets = await desk.getTickets(ids, hooks.readInclude ? { include: hooks.readInclude } : undefined);
    } catch (err) {
      if (isAccessError(err)) throw err;
      readFailed(list, err);
      return;
    }
    const byId = new Map(tickets.map((t) => [t.id, t]));
    const tuples: OutcomeTuple[] = [];
    const pairs: Array<{ item: BulkItem; ticket: Ticket; track: Track }> = [];
    for (const t of list) {
      const ticket = byId.get(t.item.ticketId);
      if (!ticket) tuples.push(finish(t, 'failed', 'ticket not found (deleted?)'));
      else if ((ticket.tags ?? []).includes(t.item.marker)) tuples.push(finish(t, 'sent', undefined, true));
      else if (t.sends >= maxSends) {
        const tries = `${t.sends} attempt${t.sends === 1 ? '' : 's'}`;
        tuples.push(finish(t, 'failed', `not applied after ${tries} (checked on the desk); last: ${t.lastError ?? 'unknown'}`));
      }
      else pairs.push({ item: t.item, ticket, track: t });
    }
    record(tuples);
    if (pairs.length === 0) return;
    let decisions: Map<string, Recheck>;
    try {
      decisions = await hooks.recheck(pairs.map(({ item, ticket }) => ({ item, ticket })));
    } catch (err) {
      if (isAccessError(err)) throw err;
      readFailed(pairs.map((p) => p.track), err);
      return;
    }
    const more: OutcomeTuple[] = [];
    for (const { track } of pairs) {
      const d = decisions.get(track.item.key);
      if (!d) more.push(finish(track, 'failed', 'no decision for this ticket'));
      else if (d.kind === 'skip') more.push(finish(track, 'skipped', d.reason));
      else if (d.kind === 'fail') more.push(finish(track, 'failed', d.reason));
      else {
        track.change = d.change;
        track.needsRead = false;
      }
    }
    record(more);
  };

  const readFailed = (list: Track[], err: unknown) => {
    const reason = `could not read the ticket: ${message(err)}`;
    const tuples: OutcomeTuple[] = [];
    for (const t of list) {
      t.readFailures += 1;
      if (t.readFailures >= MAX_READ_FAILURES) {
        const inDoubt = t.sends > 0;
        tuples.push(finish(t, 'failed', inDoubt ? `${reason}; it may have been applied: check the ticket` : reason));
      }
    }
    record(tuples);
  };

  /** Builds the changes of lazy items; returns those ready to send. */
  const prepareLazy = async (list: Track[]): Promise<Track[]> => {
    const lazy = list.filter((t) => t.lazy && !t.change);
    if (lazy.length > 0) {
      let decisions: Map<string, Recheck>;
      try {
        decisions = await hooks.prepare!(lazy.map((t) => t.item));
      } catch (err) {
        if (isAccessError(err)) throw err;
        readFailed(lazy, err);
        return list.filter((t) => t.change);
      }
      const tuples: OutcomeTuple[] = [];
      for (const t of lazy) {
        const d = decisions.get(t.item.key);
        t.lazy = false;
        if (!d) tuples.push(finish(t, 'failed', 'no decision for this ticket'));
        else if (d.kind === 'skip') tuples.push(finish(t, 'skipped', d.reason));
        else if (d.kind === 'fail') tuples.push(finish(t, 'failed', d.reason));
        else t.change = d.change;
      }
      record(tuples);
    }
    return list.filter((t) => !t.final && t.change);
  };

  const sendBatch = async (candidates: Track[]) => {
    const list = await prepareLazy(candidates);
    if (list.length === 0) return;
    const batch = `${batchPrefix}-${++batchCount}`;
    const tickets = list.map((t) => ({
      id: t.item.ticketId,
      ...t.change!.update,
      safe_update: true,
      updated_stamp: t.change!.stamp,
    })) as Array<TicketUpdate & { id: number }>;
    journal.append(
      {
        t: 'intent',
        batch,
        round,
        at: new Date(now()).toISOString(),
        items: list.map((t) => [t.item.key, t.item.ticketId, bodyHash(t.change!.update.comment?.body ?? '')]),
      },
      true,
    );
    for (const t of list) t.sends += 1;

    let job: JobStatus;
    try {
      job = await desk.updateMany({ tickets });
    } catch (err) {
      if (isAccessError(err)) throw err;
      if (refused(err)) record(list.map((t) => finish(t, 'failed', `the desk refused the batch: ${message(err)}`)), batch, true);
      else record(list.map((t) => again(t, `update_many failed (${message(err)})`, 'unknown')), batch, true);
      return;
    }
    journal.append({ t: 'job', batch, job_id: job.id, at: new Date(now()).toISOString() }, true);

    let done: JobStatus;
    const polledAt = now();
    try {
      if (job.status !== 'completed') {
        await sleep(jobEstimateMs);
        done = await desk.waitForJob(job.id, { timeoutMs: jobTimeoutMs, intervalMs: Math.max(50, Math.round(jobEstimateMs / 2)) });
      } else done = job;
    } catch (err) {
      if (isAccessError(err)) throw err;
      record(list.map((t) => again(t, `job ${job.id}: ${message(err)}`, 'unknown')), batch, true);
      return;
    }
    const took = now() - polledAt;
    // `took` also holds any Retry-After or slow answer on the polls, not just the job: one such
    // wait must not set every later first poll back by seconds, so the estimate at most doubles
    // per job, and shrinks again quickly when jobs finish within it.
    jobEstimateMs = took <= jobEstimateMs * 1.05 ? Math.max(40, Math.round(jobEstimateMs * 0.7)) : Math.min(10_000, Math.round(Math.min(took, jobEstimateMs * 2)));

    if (done.status !== 'completed') {
      const why = `job ${job.id} ${done.status}${done.message ? `: ${done.message}` : ''}`;
      record(list.map((t) => again(t, why, 'unknown')), batch, true);
      return;
    }
    const results = done.results ?? [];
    const byId = new Map<number, JobStatusResult>();
    for (const r of results) if (typeof r.id === 'number') byId.set(r.id, r);
    const tuples = list.map((t, index) => {
      const r = byId.get(t.item.ticketId) ?? results.find((x) => x.index === index && x.id === undefined);
      if (!r) return again(t, `job ${job.id} has no result for ticket ${t.item.ticketId}`, 'unknown');
      if (r.error === undefined && r.success !== false) return finish(t, 'sent');
      const detail = `${r.error ?? 'failed'}${r.details ? `: ${r.details}` : ''}`;
      const kind = classifyItemError(r);
      if (kind === 'conflict') return again(t, 'the ticket changed on the desk meanwhile', 'retry');
      if (kind === 'not-found') return finish(t, 'failed', 'ticket not found (deleted?)');
      if (kind === 'closed') return finish(t, 'skipped', 'the ticket is closed');
      // The comment landed without its marker (a desk that cannot store both at once, RT):
      // sending again would post it twice, so it is reported, never resent.
      if (kind === 'unmarked') return finish(t, 'failed', `${detail} (not sent again: the comment is on the ticket without its marker)`);
      return again(t, detail, 'retry');
    });
    record(tuples, batch, true);
  };

  let interrupted = false;
  for (;;) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const open = [...tracks.values()].filter((t) => !t.final);
    if (open.length === 0) break;
    round += 1;
    open.sort((a, b) => a.item.wave - b.item.wave || a.item.ticketId - b.item.ticketId);
    const chosen: Track[] = [];
    const seen = new Set<number>();
    for (const t of open) {
      if (seen.has(t.item.ticketId)) continue;
      seen.add(t.item.ticketId);
      chosen.push(t);
    }
    const toRead = chosen.filter((t) => t.needsRead);
    for (let i = 0; i < toRead.length; i += MAX_BATCH) {
      if (options.signal?.aborted) break;
      await refresh(toRead.slice(i, i + MAX_BATCH));
    }
    const ready = chosen.filter((t) => !t.final && (t.change || t.lazy) && !t.needsRead);
    const batches: Track[][] = [];
    for (let i = 0; i < ready.length; i += batchSize) batches.push(ready.slice(i, i + batchSize));
    let next = 0;
    const worker = async () => {
      while (next < batches.length && !options.signal?.aborted) await sendBatch(batches[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  }

  const outcomes = [...tracks.values()].flatMap((t) => (t.final ? [t.final] : []));
  return {
    outcomes,
    ...counts,
    pending: tracks.size - outcomes.length,
    batches: batchCount,
    interrupted,
  };
}

/** A whole update_many refused for what it is (not for a transient reason): resending will not help. */
function refused(err: unknown): boolean {
  return err instanceof ApiError && typeof err.status === 'number' && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

export function classifyItemError(r: JobStatusResult): 'conflict' | 'not-found' | 'closed' | 'unmarked' | 'other' {
  if (r.error === 'AppliedWithoutMarker') return 'unmarked';
  const text = `${r.error ?? ''} ${r.details ?? ''} ${r.status ?? ''}`.toLowerCase();
  if (/conflict|safe update|outdated/.test(text)) return 'conflict';
  if (/notfound|not found/.test(text)) return 'not-found';
  if (/closed/.test(text)) return 'closed';
  return 'other';
}

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
}
