/**
 * The journal of a bulk run: $DESKOPS_HOME/journal/<kind>-<run id>.jsonl, append-only, one
 * JSON record a line, fsync'd where it matters. It is what makes a run safe to interrupt:
 *
 *   start    the run: kind, profile, pid, what was asked (meta)
 *   plan     the items (key, ticket id, marker tag, group, hash of the body), in chunks
 *   planned  after the last chunk (fsync'd): how many items the plan has. Without it the
 *            process died while writing the plan: part of it is missing, so the run cannot be
 *            resumed (nothing of it was sent: intents come after), only planned again
 *   intent   written and fsync'd BEFORE an update_many: batch id, the items and their body hashes
 *   job      the job id the desk answered with (fsync'd)
 *   outcome  per item: sent | applied (found on the desk) | skipped | failed | retry | unknown
 *   resume   a later process took the run over
 *   end      completed | partial | interrupted | superseded, with the counts
 *
 * Replaying it gives each item's state: final (sent, skipped, failed), or still to do, and
 * among those the ones in doubt (an intent without a definite outcome): the desk may have
 * applied them, so they are checked (marker tag on the ticket) before anything is resent.
 * A line cut short by a crash is ignored.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

export type ItemStatus = 'sent' | 'applied' | 'skipped' | 'failed' | 'retry' | 'unknown';
export type RunEnd = 'completed' | 'partial' | 'interrupted' | 'superseded' | 'cancelled';

/** [key, ticket id, marker, group, body hash] */
export type PlanTuple = [string, number, string, string, string];
/** [key, ticket id, body hash] */
export type IntentTuple = [string, number, string];
/** [key, status, reason?] */
export type OutcomeTuple = [string, ItemStatus, string?];

export interface StartRecord {
  t: 'start';
  v: 1;
  run_id: string;
  kind: string;
  profile: string;
  /** Which desk the profile pointed at (kind, URL, user): a profile can be pointed elsewhere. */
  desk?: string;
  pid: number;
  host: string;
  at: string;
  meta: Record<string, unknown>;
}

export type JournalRecord =
  | StartRecord
  | { t: 'plan'; items: PlanTuple[] }
  | { t: 'planned'; count: number; at: string }
  | { t: 'intent'; batch: string; round: number; at: string; items: IntentTuple[] }
  | { t: 'job'; batch: string; job_id: string; at: string }
  | { t: 'outcome'; batch?: string; at: string; items: OutcomeTuple[] }
  | { t: 'resume'; pid: number; host: string; at: string }
  | { t: 'end'; status: RunEnd; at: string; counts: RunCounts; note?: string };

export interface RunCounts {
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
}

export function journalDir(home: string): string {
  return join(home, 'journal');
}

/** A sortable run id: 20261125-141503-3f9c. */
export function newRunId(now: Date): string {
  const iso = now.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(2).toString('hex')}`;
}

export function isRunId(id: string): boolean {
  return /^\d{8}-\d{6}-[0-9a-f]{4}$/.test(id);
}

export function journalPath(home: string, kind: string, runId: string): string {
  return join(journalDir(home), `${kind}-${runId}.jsonl`);
}

/** sha256 of a comment body, hex (the journal keeps hashes, never customer text). */
export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}

/** An open journal, appended to by one process at a time (the run holds the profile's lock). */
export class Journal {
  private fd: number | null;
  readonly path: string;
  readonly runId: string;

  private constructor(path: string, runId: string, fd: number) {
    this.path = path;
    this.runId = runId;
    this.fd = fd;
  }

  /** Creates the journal of a new run and writes its start record (fsync'd, with the directory). */
  static create(home: string, start: Omit<StartRecord, 't' | 'v' | 'pid' | 'host'>): Journal {
    const dir = journalDir(home);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = journalPath(home, start.kind, start.run_id);
    const fd = openSync(path, 'wx', 0o600);
    const journal = new Journal(path, start.run_id, fd);
    journal.append({ t: 'start', v: 1, pid: process.pid, host: hostname(), ...start }, true);
    syncDir(dir);
    return journal;
  }

  /** Opens an existing run's journal to carry on with it (`resume`: say so in it). */
  static reopen(path: string, runId: string, options: { resume?: boolean } = {}): Journal {
    // A crash can leave half a line at the end: start on a fresh line so nothing is glued to it.
    const text = readFileSync(path, 'utf8');
    const fd = openSync(path, 'a', 0o600);
    if (text.length > 0 && !text.endsWith('\n')) writeSync(fd, '\n');
    const journal = new Journal(path, runId, fd);
    if (options.resume !== false) journal.append({ t: 'resume', pid: process.pid, host: hostname(), at: new Date().toISOString() }, true);
    return journal;
  }

  /** Appends one record; with `sync` it is on disk when this returns. */
  append(record: JournalRecord, sync = false): void {
    if (this.fd === null) throw new Error('the journal is closed');
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    if (sync) fsyncSync(this.fd);
  }

  /**
   * The plan, in chunks of 500 items a line, then the `planned` record that says it is all
   * there (fsync'd): a process killed before that leaves a run that cannot be resumed.
   */
  appendPlan(items: PlanTuple[]): void {
    for (let i = 0; i < items.length; i += 500) this.append({ t: 'plan', items: items.slice(i, i + 500) });
    this.append({ t: 'planned', count: items.length, at: new Date().toISOString() }, true);
  }

  close(): void {
    if (this.fd === null) return;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
      this.fd = null;
    }
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every platform can fsync a directory; the file itself is synced
  }
}

// ---------------------------------------------------------------------------------------------
// Replay

export interface ItemState {
  key: string;
  ticketId: number;
  marker: string;
  group: string;
  hash: string;
  /** Final states: sent (or applied: found done on the desk), skipped, failed. */
  status: 'planned' | 'in_doubt' | 'retry' | 'sent' | 'skipped' | 'failed';
  reason?: string;
  /** How many update_many requests carried it. */
  sends: number;
  lastBatch?: string;
}

export interface RunState {
  path: string;
  start: StartRecord;
  items: Map<string, ItemState>;
  /** Batches with an intent, and the job id when the desk answered. */
  batches: Map<string, { jobId?: string; at: string; keys: string[] }>;
  end?: Extract<JournalRecord, { t: 'end' }>;
  resumes: number;
  /** Time of the last record. */
  lastAt: string;
  /** Lines that could not be read (a torn last line after a crash is normal). */
  unreadable: number;
  /**
   * Whether the whole plan reached the journal. False when the process died while starting the
   * run (after the start record, before or while the plan was written): the items are only
   * part of the plan, and none of them was sent.
   */
  planComplete: boolean;
}

export const FINAL = new Set<ItemState['status']>(['sent', 'skipped', 'failed']);

/** A file in the journal directory that is not a journal, or one cut short before its start record. */
export class UnreadableJournal extends Error {
  constructor(
    readonly path: string,
    why: string,
    /** Records of sends or outcomes could still be read: work happened, the start was lost. */
    readonly workSeen = false,
    /** Lines that could not be read. */
    readonly unreadable = 0,
  ) {
    super(`${path} is not a deskops journal (${why})`);
  }
}

export function readRun(path: string): RunState {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  let start: StartRecord | undefined;
  const items = new Map<string, ItemState>();
  const batches = new Map<string, { jobId?: string; at: string; keys: string[] }>();
  let end: RunState['end'];
  let resumes = 0;
  let lastAt = '';
  let unreadable = 0;
  let plannedCount: number | undefined;
  /** Work that only ever follows a complete plan (journals written before `planned` existed). */
  let workAfterPlan = false;
  /** An intent or an outcome was read: something may have been sent. */
  let workSeen = false;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let r: JournalRecord;
    try {
      r = JSON.parse(line) as JournalRecord;
    } catch {
      unreadable++;
      continue;
    }
    if ('at' in r && typeof r.at === 'string') lastAt = r.at;
    switch (r.t) {
      case 'start':
        start = r;
        break;
      case 'plan':
        for (const [key, ticketId, marker, group, hash] of r.items) {
          items.set(key, { key, ticketId, marker, group, hash, status: 'planned', sends: 0 });
        }
        break;
      case 'planned':
        plannedCount = r.count;
        break;
      case 'intent':
        workAfterPlan = true;
        workSeen = true;
        batches.set(r.batch, { at: r.at, keys: r.items.map((i) => i[0]) });
        for (const [key, , hash] of r.items) {
          const it = items.get(key);
          if (!it) continue;
          it.status = 'in_doubt';
          it.hash = hash;
          it.sends += 1;
          it.lastBatch = r.batch;
        }
        break;
      case 'job': {
        const b = batches.get(r.batch);
        if (b) b.jobId = r.job_id;
        break;
      }
      case 'outcome':
        workAfterPlan = true;
        workSeen = true;
        for (const [key, status, reason] of r.items) {
          const it = items.get(key);
          if (!it) continue;
          it.status = status === 'applied' ? 'sent' : status === 'unknown' ? 'in_doubt' : status;
          it.reason = reason;
        }
        break;
      case 'resume':
        resumes += 1;
        end = undefined;
        break;
      case 'end':
        if (r.status !== 'superseded') workAfterPlan = true;
        end = r;
        break;
    }
  }
  if (!start) throw new UnreadableJournal(path, 'no start record', workSeen, unreadable);
  const planComplete = plannedCount !== undefined ? items.size >= plannedCount : workAfterPlan;
  return { path, start, items, batches, end, resumes, lastAt, unreadable, planComplete };
}

export function countRun(state: RunState): RunCounts & { in_doubt: number; to_do: number } {
  const c = { planned: state.items.size, sent: 0, skipped: 0, failed: 0, in_doubt: 0, to_do: 0 };
  for (const it of state.items.values()) {
    if (it.status === 'sent') c.sent++;
    else if (it.status === 'skipped') c.skipped++;
    else if (it.status === 'failed') c.failed++;
    else {
      c.to_do++;
      if (it.status === 'in_doubt') c.in_doubt++;
    }
  }
  return c;
}

/** The journals of `kind` in $DESKOPS_HOME/journal, newest first. */
export function listRuns(home: string, kind: string): Array<{ runId: string; path: string }> {
  let names: string[];
  try {
    names = readdirSync(journalDir(home));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const prefix = `${kind}-`;
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl') && isRunId(n.slice(prefix.length, -'.jsonl'.length)))
    .map((n) => ({ runId: n.slice(prefix.length, -'.jsonl'.length), path: join(journalDir(home), n) }))
    .sort((a, b) => b.runId.localeCompare(a.runId));
}
