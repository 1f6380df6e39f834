/**
 * Background jobs for PUT /tickets/update_many, persisted in job_statuses as Zendesk keeps
 * them: answered at once as "queued", processed a moment later, then "completed" with one
 * result per ticket (a failed ticket does not stop the others). Jobs still queued when the
 * desk closes are run before it closes; a job found "working" long after it started (its
 * process died mid-way) is marked failed.
 */
import { randomBytes } from 'node:crypto';
import type { JobStatus, JobStatusResult } from '../core/model.js';
import { DeskHttpError } from './http-errors.js';
import type { UserRow } from './records.js';
import type { DeskStore } from './store.js';
import { parseTicketChange, updateTicket } from './ticket-writes.js';

export interface JobItem {
  id: number;
  /** The raw `ticket` payload for this ticket. */
  change: unknown;
}

interface JobRow {
  id: string;
  status: JobStatus['status'];
  total: number;
  progress: number;
  message: string | null;
  results: string | null;
  payload: string;
  author_id: number;
}

/** Delay before a queued job runs: long enough for a client to see "queued". */
const START_DELAY_MS = 25;

export class JobRunner {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: DeskStore,
    private readonly now: () => number,
  ) {
    // A job left "working" for a minute belongs to a desk process that died mid-way.
    store.run(
      "UPDATE job_statuses SET status = 'failed', message = 'interrupted: the desk stopped while the job was running' WHERE status = 'working' AND updated_at < ?",
      [now() - 60],
    );
  }

  enqueue(items: JobItem[], author: UserRow): JobRow {
    const id = randomBytes(16).toString('hex');
    const now = this.now();
    this.store.run(
      `INSERT INTO job_statuses (id, status, total, progress, message, results, payload, author_id, created_at, updated_at)
        VALUES (?, 'queued', ?, 0, NULL, NULL, ?, ?, ?, ?)`,
      [id, items.length, JSON.stringify(items), author.id, now, now],
    );
    // Zendesk keeps job statuses for a day.
    this.store.run('DELETE FROM job_statuses WHERE created_at < ?', [now - 86_400]);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.run(id);
    }, START_DELAY_MS);
    this.timers.add(timer);
    return this.row(id)!;
  }

  /**
   * Jobs queued or running on the account (Zendesk allows 30). A job left queued by a desk
   * process that was killed, ten minutes ago or more, no longer holds a place.
   */
  inFlight(): number {
    return this.store.get<{ n: number }>("SELECT count(*) AS n FROM job_statuses WHERE status IN ('queued', 'working') AND created_at > ?", [this.now() - 600])?.n ?? 0;
  }

  row(id: string): JobRow | undefined {
    return this.store.get<JobRow>('SELECT id, status, total, progress, message, results, payload, author_id FROM job_statuses WHERE id = ?', [id]);
  }

  json(row: JobRow, base: string): JobStatus & Record<string, unknown> {
    return {
      id: row.id,
      url: `${base}/api/v2/job_statuses/${row.id}.json`,
      job_type: 'bulk_update',
      total: row.total,
      progress: row.progress,
      status: row.status,
      message: row.message,
      results: row.results === null ? null : (JSON.parse(row.results) as JobStatusResult[]),
    };
  }

  /** Runs every queued job now (used when the desk closes). */
  flush(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const { id } of this.store.all<{ id: string }>("SELECT id FROM job_statuses WHERE status = 'queued' ORDER BY created_at")) {
      this.run(id);
    }
  }

  private run(id: string): void {
    // Claim the job: another desk process on the same database may try to run it too.
    if (this.store.run("UPDATE job_statuses SET status = 'working', updated_at = ? WHERE id = ? AND status = 'queued'", [this.now(), id]) !== 1) return;
    const row = this.row(id)!;
    const author = this.store.user(row.author_id);
    const items = JSON.parse(row.payload) as JobItem[];
    const results: JobStatusResult[] = [];
    for (const [index, item] of items.entries()) {
      results.push(
        author
          ? this.updateOne(item, index, author)
          : { id: item.id, index, success: false, error: 'TicketUpdateFailed', details: 'the requesting agent no longer exists' },
      );
    }
    const failed = results.filter((r) => r.success === false).length;
    this.store.run("UPDATE job_statuses SET status = 'completed', progress = ?, results = ?, message = ?, updated_at = ? WHERE id = ?", [
      items.length,
      JSON.stringify(results),
      `Completed at ${new Date(this.now() * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}${failed ? ` (${failed} failed)` : ''}`,
      this.now(),
      id,
    ]);
  }

  private updateOne(item: JobItem, index: number, author: UserRow): JobStatusResult {
    try {
      const change = parseTicketChange(item.change);
      updateTicket({ store: this.store, me: author, now: this.now }, item.id, change);
      return { id: item.id, index, action: 'update', success: true, status: 'Updated' };
    } catch (err) {
      if (err instanceof DeskHttpError && err.status === 404) {
        return { id: item.id, index, action: 'update', success: false, error: 'TicketNotFound', details: `Ticket ${item.id} not found` };
      }
      return { id: item.id, index, action: 'update', success: false, error: 'TicketUpdateFailed', details: errorDetails(err) };
    }
  }
}

function errorDetails(err: unknown): string {
  if (err instanceof DeskHttpError) {
    const details = err.body.details as Record<string, Array<{ description: string }>> | undefined;
    const first = details && Object.values(details)[0]?.[0]?.description;
    return first ?? String(err.body.description ?? err.body.error);
  }
  return err instanceof Error ? err.message : String(err);
}
