/**
 * The bulk machinery against an in-memory desk that can fail the ways a real one does: an
 * update_many answered 5xx after applying it, one refused before, a job that runs after the
 * client gave up on it (an orphan), tickets changed by someone else meanwhile, per-ticket
 * failures. Exactly once is counted from the desk's comments.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BulkUpdate, HelpDesk } from '../../src/api/helpdesk.js';
import type { JobStatus, JobStatusResult, Ticket, TicketUpdate } from '../../src/core/model.js';
import { ApiError } from '../../src/core/errors.js';
import {
  LockedError,
  RateBudget,
  acquireLock,
  countRun,
  interruptedRuns,
  lockRuns,
  processStart,
  loadRun,
  readRun,
  runBulk,
  runStopped,
  startRun,
  supersede,
  summarizeRun,
  Journal,
  type BulkItem,
  type Recheck,
} from '../../src/services/bulk/index.js';

interface FakeTicket {
  ticket: Ticket;
  comments: string[];
}

type Mode = 'ok' | 'refuse-500' | 'apply-then-500' | 'orphan-reset';

/** A desk in memory, speaking the parts of HelpDesk the executor uses. */
class FakeDesk {
  tickets = new Map<number, FakeTicket>();
  clock = Date.parse('2026-11-24T10:00:00Z');
  calls = { updateMany: 0, getTickets: 0, polls: 0 };
  /** Mode of the n-th update_many call (1-based); default ok. */
  modes = new Map<number, Mode>();
  /** Per ticket: failures to give before succeeding. */
  itemFailures = new Map<number, { times: number; error: string; details: string }>();
  /** Called just before a job applies (to change tickets behind the client's back). */
  beforeApply?: (call: number) => void;
  private jobs = new Map<string, { items: Array<TicketUpdate & { id: number; safe_update?: boolean; updated_stamp?: string }>; status: JobStatus }>();
  orphans: string[] = [];

  constructor(n: number) {
    for (let id = 1; id <= n; id++) {
      this.tickets.set(id, { ticket: this.makeTicket(id), comments: [] });
    }
  }

  private makeTicket(id: number): Ticket {
    return {
      id, subject: `t${id}`, description: '', status: 'pending', priority: null, type: null, requester_id: 1, assignee_id: null,
      group_id: null, organization_id: null, tags: [], custom_fields: [], via: { channel: 'email' },
      created_at: new Date(this.clock).toISOString(), updated_at: this.stamp(),
    };
  }

  private stamp(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Someone else updates the ticket (a customer reply): the stamp moves, status reopens. */
  touch(id: number, status: Ticket['status'] = 'open'): void {
    const t = this.tickets.get(id)!;
    t.ticket = { ...t.ticket, status, updated_at: this.stamp() };
  }

  commentsOf(id: number): string[] {
    return this.tickets.get(id)!.comments;
  }

  asHelpDesk(): HelpDesk {
    return this as unknown as HelpDesk;
  }

  async getTickets(ids: number[]): Promise<Ticket[]> {
    this.calls.getTickets++;
    return ids.flatMap((id) => (this.tickets.has(id) ? [structuredClone(this.tickets.get(id)!.ticket)] : []));
  }

  async updateMany(bulk: BulkUpdate): Promise<JobStatus> {
    const call = ++this.calls.updateMany;
    if (!('tickets' in bulk)) throw new Error('expected per-ticket changes');
    expect(bulk.tickets.length).toBeLessThanOrEqual(100);
    const mode = this.modes.get(call) ?? 'ok';
    if (mode === 'refuse-500') throw new ApiError('the desk answered 500 to PUT /api/v2/tickets/update_many', { status: 500 });
    const id = `job${call}`;
    const status: JobStatus = { id, status: 'queued', total: bulk.tickets.length, progress: 0, message: null, results: null };
    this.jobs.set(id, { items: structuredClone(bulk.tickets) as never, status });
    if (mode === 'orphan-reset') {
      this.orphans.push(id);
      throw Object.assign(new ApiError('the connection to the desk failed during PUT /api/v2/tickets/update_many (ECONNRESET)'), {});
    }
    this.beforeApply?.(call);
    this.run(id);
    if (mode === 'apply-then-500') throw new ApiError('the desk answered 500 to PUT /api/v2/tickets/update_many', { status: 500 });
    return { ...status };
  }

  /** Runs a queued job now (an orphan, when the desk gets round to it). */
  run(id: string): void {
    const job = this.jobs.get(id)!;
    const results: JobStatusResult[] = job.items.map((item, index) => {
      const t = this.tickets.get(item.id);
      if (!t) return { id: item.id, index, error: 'TicketNotFound', details: `Ticket ${item.id} not found` };
      const fail = this.itemFailures.get(item.id);
      if (fail && fail.times > 0) {
        fail.times--;
        return { id: item.id, index, error: fail.error, details: fail.details };
      }
      if (t.ticket.status === 'closed') return { id: item.id, index, error: 'TicketUpdateFailed', details: 'Status: closed prevents ticket update' };
      if (item.safe_update && item.updated_stamp !== t.ticket.updated_at) {
        return { id: item.id, index, error: 'TicketUpdateFailed', details: 'Safe Update prevented the update due to outdated ticket data.' };
      }
      if (item.comment) t.comments.push(item.comment.body);
      const tags = new Set([...t.ticket.tags, ...(item.additional_tags ?? [])]);
      t.ticket = { ...t.ticket, tags: [...tags], status: item.status ?? t.ticket.status, updated_at: this.stamp() };
      return { id: item.id, index, action: 'update', success: true, status: 'Updated' };
    });
    job.status = { ...job.status, status: 'completed', progress: job.items.length, results };
  }

  async getJobStatus(id: string): Promise<JobStatus> {
    this.calls.polls++;
    return { ...this.jobs.get(id)!.status };
  }

  async waitForJob(id: string): Promise<JobStatus> {
    return this.getJobStatus(id);
  }
}

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'deskops-bulk-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const scope = () => ({ home, kind: 'test', profile: 'local' });
const noSleep = async () => undefined;

function itemsFor(desk: FakeDesk, ids: number[], marker = 'm_done'): BulkItem[] {
  return ids.map((id) => ({
    key: `${id}:r`,
    ticketId: id,
    marker,
    group: 'r',
    wave: 0,
    change: { update: { comment: { body: `hello ${id}`, public: true }, additional_tags: [marker] }, stamp: desk.tickets.get(id)!.ticket.updated_at },
  }));
}

/** Resends the same text against the fresh ticket (what a sweep does for a ticket still due). */
const resendSame = async (pairs: Array<{ item: BulkItem; ticket: Ticket }>): Promise<Map<string, Recheck>> =>
  new Map(
    pairs.map(({ item, ticket }) => [
      item.key,
      ticket.status === 'pending'
        ? { kind: 'send', change: { update: { comment: { body: `hello ${item.ticketId}`, public: true }, additional_tags: [item.marker] }, stamp: ticket.updated_at } }
        : { kind: 'skip', reason: `no longer due: status is ${ticket.status}` },
    ]),
  );

function expectExactlyOnce(desk: FakeDesk, ids: number[]): void {
  for (const id of ids) {
    expect(desk.commentsOf(id), `ticket ${id}`).toEqual([`hello ${id}`]);
    expect(desk.tickets.get(id)!.ticket.tags).toContain('m_done');
  }
}

const run = (desk: FakeDesk, items: BulkItem[], journal: Journal, options = {}) =>
  runBulk(desk.asHelpDesk(), journal, items, { recheck: resendSame }, { sleep: noSleep, ...options });

describe('a run stopped by its disk', () => {
  it('says what was saved, where, and how to carry on when the journal cannot be written; other errors pass as they are', () => {
    const journal = startRun(scope(), {});
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const err = runStopped(journal, full, '`deskops sweep resume X`') as Error & { hint?: string };
    expect(err.message).toBe(`the disk is full (ENOSPC): the run's journal ${journal.path} could not be written, so the run stopped`);
    expect(err.hint).toMatch(/nothing is sent twice when you carry on: free some space, then `deskops sweep resume X`/);
    const other = new ApiError('the desk answered 500');
    expect(runStopped(startRun(scope(), {}), other, 'x')).toBe(other);
    // the journal was closed: appending now is refused
    expect(() => journal.append({ t: 'planned', count: 0, at: '' } as never)).toThrow(/closed/);
  });
});

describe('runBulk', () => {
  it('sends in batches of at most 100, one update per ticket', async () => {
    const desk = new FakeDesk(250);
    const ids = [...desk.tickets.keys()];
    const journal = startRun(scope(), {});
    const items = itemsFor(desk, ids);
    journal.appendPlan(items.map((i) => [i.key, i.ticketId, i.marker, i.group, 'h']));
    const result = await run(desk, items, journal);
    journal.close();
    expect(result).toMatchObject({ sent: 250, skipped: 0, failed: 0, pending: 0, batches: 3 });
    expect(desk.calls.updateMany).toBe(3);
    expect(desk.calls.polls).toBe(3); // one poll a job
    expect(desk.calls.getTickets).toBe(0); // nothing to check: every send was answered
    expectExactlyOnce(desk, ids);
    const state = readRun(journal.path);
    expect(countRun(state)).toMatchObject({ planned: 250, sent: 250, to_do: 0 });
    expect([...state.batches.values()].map((b) => [b.keys.length, Boolean(b.jobId)])).toEqual([[100, true], [100, true], [50, true]]);
  });

  it('an update_many answered 5xx after the desk applied it is found done, not resent', async () => {
    const desk = new FakeDesk(120);
    desk.modes.set(1, 'apply-then-500');
    const ids = [...desk.tickets.keys()];
    const journal = startRun(scope(), {});
    const result = await run(desk, itemsFor(desk, ids), journal);
    expect(result).toMatchObject({ sent: 120, failed: 0 });
    expect(result.outcomes.filter((o) => o.verified)).toHaveLength(100);
    expect(desk.calls.updateMany).toBe(2);
    expectExactlyOnce(desk, ids);
  });

  it('an update_many refused with 5xx before anything was applied is checked, then resent', async () => {
    const desk = new FakeDesk(30);
    desk.modes.set(1, 'refuse-500');
    desk.modes.set(2, 'refuse-500');
    const ids = [...desk.tickets.keys()];
    const journal = startRun(scope(), {});
    const result = await run(desk, itemsFor(desk, ids), journal);
    expect(result).toMatchObject({ sent: 30, failed: 0 });
    expect(result.outcomes.some((o) => o.verified)).toBe(false);
    expect(desk.calls.updateMany).toBe(3);
    expectExactlyOnce(desk, ids);
  });

  it('a job that runs after the client gave up on it (orphan) cannot double-post: the stamps conflict', async () => {
    const desk = new FakeDesk(10);
    desk.modes.set(1, 'orphan-reset');
    const ids = [...desk.tickets.keys()];
    const journal = startRun(scope(), {});
    const result = await run(desk, itemsFor(desk, ids), journal);
    expect(result).toMatchObject({ sent: 10, failed: 0 });
    expectExactlyOnce(desk, ids);
    // the desk finally runs the orphan job: every item conflicts
    desk.run(desk.orphans[0]!);
    expectExactlyOnce(desk, ids);
  });

  it('an orphan that runs before the resend is found by its marker', async () => {
    const desk = new FakeDesk(10);
    desk.modes.set(1, 'orphan-reset');
    const ids = [...desk.tickets.keys()];
    const journal = startRun(scope(), {});
    const recheck = async (pairs: Array<{ item: BulkItem; ticket: Ticket }>) => resendSame(pairs);
    const origGet = desk.getTickets.bind(desk);
    desk.getTickets = async (list: number[]) => {
      for (const o of desk.orphans.splice(0)) desk.run(o); // lands just before the check
      return origGet(list);
    };
    const result = await runBulk(desk.asHelpDesk(), journal, itemsFor(desk, ids), { recheck }, { sleep: noSleep });
    expect(result).toMatchObject({ sent: 10, failed: 0 });
    expect(result.outcomes.every((o) => o.verified)).toBe(true);
    expect(desk.calls.updateMany).toBe(1);
    expectExactlyOnce(desk, ids);
  });

  it('a ticket changed meanwhile is decided again: a customer who answered gets nothing', async () => {
    const desk = new FakeDesk(5);
    desk.beforeApply = (call) => {
      if (call === 1) {
        desk.touch(2, 'open'); // the customer answered
        desk.touch(3, 'pending'); // an internal note: still due
      }
    };
    const ids = [...desk.tickets.keys()];
    const journal = startRun(scope(), {});
    const result = await run(desk, itemsFor(desk, ids), journal);
    expect(result).toMatchObject({ sent: 4, skipped: 1, failed: 0 });
    expect(result.outcomes.find((o) => o.ticketId === 2)).toMatchObject({ status: 'skipped', reason: 'no longer due: status is open' });
    expect(desk.commentsOf(2)).toEqual([]);
    expectExactlyOnce(desk, [1, 3, 4, 5]);
  });

  it('retries a failing ticket a bounded number of times, then reports it; a closed ticket is skipped', async () => {
    const desk = new FakeDesk(6);
    desk.itemFailures.set(2, { times: 1, error: 'TicketUpdateFailed', details: 'database busy' });
    desk.itemFailures.set(3, { times: 99, error: 'TicketUpdateFailed', details: 'Requester: is suspended' });
    desk.tickets.get(4)!.ticket.status = 'closed';
    const journal = startRun(scope(), {});
    const result = await run(desk, itemsFor(desk, [1, 2, 3, 4, 5, 6]), journal, { maxSends: 3 });
    expect(result).toMatchObject({ sent: 4, skipped: 1, failed: 1 });
    expect(result.outcomes.find((o) => o.ticketId === 3)).toMatchObject({ status: 'failed', reason: "not applied after 3 attempts (checked on the desk); last: TicketUpdateFailed: Requester: is suspended" });
    expect(result.outcomes.find((o) => o.ticketId === 4)).toMatchObject({ status: 'skipped', reason: 'the ticket is closed' });
    expect(desk.calls.updateMany).toBe(3);
    expectExactlyOnce(desk, [1, 2, 5, 6]);
  });

  it("a ticket's second item waits for its first, and goes with the stamp the first left", async () => {
    const desk = new FakeDesk(3);
    const first = itemsFor(desk, [1, 2, 3]);
    const second: BulkItem[] = [1, 2].map((id) => ({ key: `${id}:nudge`, ticketId: id, marker: 'm_nudge', group: 'nudge', wave: 1, change: first[0]!.change }));
    const recheck = async (pairs: Array<{ item: BulkItem; ticket: Ticket }>) =>
      new Map<string, Recheck>(pairs.map(({ item, ticket }) => [item.key, { kind: 'send', change: { update: { comment: { body: 'nudge', public: false }, additional_tags: ['m_nudge'] }, stamp: ticket.updated_at } }]));
    const journal = startRun(scope(), {});
    const result = await runBulk(desk.asHelpDesk(), journal, [...second, ...first], { recheck }, { sleep: noSleep });
    expect(result).toMatchObject({ sent: 5, failed: 0 });
    expect(desk.commentsOf(1)).toEqual(['hello 1', 'nudge']);
    expect(desk.commentsOf(3)).toEqual(['hello 3']);
  });

  it('stops starting batches when aborted; what is left stays to do', async () => {
    const desk = new FakeDesk(300);
    const abort = new AbortController();
    desk.beforeApply = () => abort.abort();
    const journal = startRun(scope(), {});
    const items = itemsFor(desk, [...desk.tickets.keys()]);
    journal.appendPlan(items.map((i) => [i.key, i.ticketId, i.marker, i.group, 'h']));
    const result = await runBulk(desk.asHelpDesk(), journal, items, { recheck: resendSame }, { sleep: noSleep, signal: abort.signal, concurrency: 1 });
    journal.close();
    expect(result).toMatchObject({ sent: 100, pending: 200, interrupted: true });
    expect(countRun(readRun(journal.path))).toMatchObject({ planned: 300, sent: 100, to_do: 200, in_doubt: 0 });
  });
});

describe('journal', () => {
  it('a run made on another desk under the same profile name is neither taken over nor resumed', () => {
    const onA = { ...scope(), desk: 'local zendesk https://a.example agent@a' };
    const onB = { ...scope(), desk: 'local zendesk https://b.example agent@b' };
    const journal = startRun(onA, {});
    journal.appendPlan([['1:r', 1, 'm', 'r', 'h']]);
    journal.close();
    expect(readRun(journal.path).start.desk).toBe(onA.desk);
    expect(interruptedRuns(onA).map((r) => r.start.run_id)).toContain(journal.runId);
    expect(interruptedRuns(onB).map((r) => r.start.run_id)).not.toContain(journal.runId);
    expect(() => loadRun(onB, journal.runId)).toThrow(/was made on another desk than profile local points at now/);
    expect(loadRun(onA, journal.runId).start.run_id).toBe(journal.runId);
  });

  it('a damaged journal never claims that nothing was sent: it says it cannot tell', () => {
    const journal = startRun(scope(), {});
    const items = Array.from({ length: 80 }, (_, i) => [`${i + 1}:r`, i + 1, 'm', 'r', 'h'] as [string, number, string, string, string]);
    journal.appendPlan(items);
    journal.append({ t: 'intent', batch: 'b1', round: 1, at: '2026-11-25T10:00:00Z', items: items.slice(0, 60).map((i) => [i[0], i[1], 'h']) }, true);
    journal.append({ t: 'outcome', batch: 'b1', at: '2026-11-25T10:00:01Z', items: items.slice(0, 60).map((i) => [i[0], 'sent']) }, true);
    journal.close();
    const lines = readFileSync(journal.path, 'utf8').split('\n');
    // The start record, or the plan, damaged on disk.
    for (const damage of [(l: string[]) => ['#garbage#', ...l.slice(1)], (l: string[]) => [l[0]!, '#garbage#', ...l.slice(2)]]) {
      writeFileSync(journal.path, damage(lines).join('\n'));
      const err = (() => {
        try {
          loadRun(scope(), journal.runId);
        } catch (e) {
          return e as Error & { hint?: string };
        }
        return undefined;
      })();
      expect(err?.message).toMatch(/is damaged: deskops cannot tell what of it was sent/);
      expect(err?.message).not.toMatch(/nothing of it was sent/);
      expect(err?.hint).toMatch(/nothing is sent twice/);
    }
  });

  it('after a crash between the intent and the answer, resuming finds what the desk applied', async () => {
    const desk = new FakeDesk(50);
    const ids = [...desk.tickets.keys()];
    const items = itemsFor(desk, ids);
    const journal = startRun(scope(), { what: 'crash test' });
    journal.appendPlan(items.map((i) => [i.key, i.ticketId, i.marker, i.group, 'h']));
    // The process dies after update_many reached the desk: intent on disk, no job, no outcome.
    journal.append({ t: 'intent', batch: 'b1', round: 1, at: new Date().toISOString(), items: items.slice(0, 30).map((i) => [i.key, i.ticketId, 'h']) }, true);
    await desk.updateMany({ tickets: items.slice(0, 30).map((i) => ({ id: i.ticketId, ...i.change!.update })) });
    // Half a line written when the power went.
    writeFileSync(journal.path, readFileSync(journal.path, 'utf8') + '{"t":"outcome","at":"2026', { flag: 'w' });
    journal.close();

    const state = loadRun(scope(), journal.runId);
    expect(state.unreadable).toBe(1);
    expect(countRun(state)).toMatchObject({ planned: 50, in_doubt: 30, to_do: 50 });
    expect(summarizeRun(scope(), state).status).toBe('interrupted');
    expect(interruptedRuns(scope()).map((r) => r.start.run_id)).toEqual([journal.runId]);

    // resume: items without a change are read first; the 30 carry the marker
    const again = Journal.reopen(state.path, state.start.run_id);
    const todo: BulkItem[] = [...state.items.values()].map((it) => ({ key: it.key, ticketId: it.ticketId, marker: it.marker, group: it.group, wave: 0 }));
    const result = await runBulk(desk.asHelpDesk(), again, todo, { recheck: resendSame }, { sleep: noSleep });
    again.close();
    expect(result).toMatchObject({ sent: 50, failed: 0 });
    expect(result.outcomes.filter((o) => o.verified)).toHaveLength(30);
    expectExactlyOnce(desk, ids);
    const after = readRun(state.path);
    expect(after.resumes).toBe(1);
    expect(countRun(after)).toMatchObject({ sent: 50, to_do: 0 });
  });

  it('a new run supersedes an interrupted one', () => {
    const old = startRun(scope(), {});
    old.appendPlan([['1:r', 1, 'm', 'r', 'h']]);
    old.close();
    const stale = interruptedRuns(scope());
    expect(stale.map((r) => r.start.run_id)).toEqual([old.runId]);
    const next = startRun(scope(), {});
    supersede(stale, next.runId);
    next.close();
    const state = readRun(old.path);
    expect(state.end).toMatchObject({ status: 'superseded' });
    expect(interruptedRuns(scope()).map((r) => r.start.run_id)).toEqual([next.runId]);
  });
});

describe('lock', () => {
  it('one holder at a time; the second is told who holds it', () => {
    const lock = lockRuns(scope(), { command: 'test run', runId: 'r1' });
    expect(() => lockRuns(scope(), { command: 'test run' })).toThrow(LockedError);
    try {
      lockRuns(scope(), { command: 'test run' });
    } catch (err) {
      expect((err as Error).message).toMatch(new RegExp(`another test is running on profile local \\(pid ${process.pid}, run r1`));
    }
    lock.release();
    lockRuns(scope(), { command: 'test run' }).release();
  });

  it('a stale lock (its process is gone) is taken over, with a warning', () => {
    const file = join(home, 'locks', 'x.lock');
    mkdirSync(join(home, 'locks'), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    writeFileSync(file, JSON.stringify({ pid: dead, host: hostname(), command: 'sweep run', run_id: 'old', started_at: '2026-11-24T10:00:00Z' }));
    const seen: number[] = [];
    const lock = acquireLock(file, { command: 'sweep run', onStale: (p) => seen.push(p.pid) });
    expect(seen).toEqual([dead]);
    expect(JSON.parse(readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('a lock whose pid was reused by another process is stale too (the process start differs); a live one names its file', () => {
    const file = join(home, 'locks', 'y.lock');
    mkdirSync(join(home, 'locks'), { recursive: true });
    const mine = processStart(process.pid);
    expect(mine).toMatch(/^\d+$/); // Linux: read from /proc
    // This process's pid, as if a crashed holder's pid had been handed to it.
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), command: 'sweep run', run_id: 'old', started_at: '2026-11-24T10:00:00Z', proc_start: '1' }));
    const seen: number[] = [];
    const lock = acquireLock(file, { command: 'sweep run', onStale: (p) => seen.push(p.pid) });
    expect(seen).toEqual([process.pid]);
    expect(JSON.parse(readFileSync(file, 'utf8')).proc_start).toBe(mine);
    // Held for real: refused, and the message says where the lock is.
    const err = (() => {
      try {
        acquireLock(file, { command: 'sweep run' });
      } catch (e) {
        return e as LockedError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(LockedError);
    expect(err!.hint).toContain(file);
    lock.release();
  });
});

describe('RateBudget', () => {
  it('never lets more than N requests into any window, queueing the rest in order', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const budget = new RateBudget({ perMinute: 10, windowMs: 60_000, now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } });
    const times: number[] = [];
    await Promise.all(Array.from({ length: 25 }, async () => {
      await budget.acquire();
      times.push(now);
    }));
    expect(times).toHaveLength(25);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    for (const t of times) expect(times.filter((x) => x > t - 60_000 && x <= t).length).toBeLessThanOrEqual(10);
    expect(times.at(-1)).toBe(120_000);
  });

  it('charges requests it did not hand out (an unplanned extra page)', async () => {
    let now = 0;
    const budget = new RateBudget({ perMinute: 3, windowMs: 60_000, now: () => now, sleep: async (ms) => { now += ms; } });
    await budget.acquire();
    budget.observed();
    budget.observed(); // not covered by a slot
    expect(budget.inWindow()).toBe(2);
    await budget.acquire();
    await budget.acquire();
    expect(now).toBe(60_000);
  });
});
