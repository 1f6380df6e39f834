/**
 * Bulk runs: the lock, the journal and their life cycle, for any kind of bulk job (sweep,
 * survey). A run is started under the profile's lock, journalled, and ended with its counts;
 * an interrupted one (no end record, nobody holding the lock for it) can be resumed, or is
 * marked superseded when a new run of the same kind takes its work over.
 */
import { DeskopsError, NotFoundError, UsageError } from '../../core/errors.js';
import { Journal, UnreadableJournal, countRun, isRunId, journalPath, listRuns, newRunId, readRun, type RunCounts, type RunEnd, type RunState } from './journal.js';
import { acquireLock, lockIsLive, lockPath, readLock, type LockHandle, type LockInfo } from './lock.js';

export interface RunScope {
  /** $DESKOPS_HOME */
  home: string;
  /** "sweep", "survey": names the journals and the lock. */
  kind: string;
  /** The profile the run writes to: one run of a kind per profile at a time. */
  profile: string;
  /**
   * Which desk the profile points at now (kind, URL, user). A run recorded on another desk
   * under the same profile name is never resumed or taken over here.
   */
  desk?: string;
}

/** Whether a run's journal belongs to the desk of `scope` (journals from before desks were recorded do). */
function sameDesk(scope: RunScope, state: RunState): boolean {
  return state.start.desk === undefined || scope.desk === undefined || state.start.desk === scope.desk;
}

export function runLockPath(scope: RunScope): string {
  return lockPath(scope.home, `${scope.kind}-${scope.profile}`);
}

/** Takes the profile's lock for `kind`, or throws LockedError saying who holds it. */
export function lockRuns(scope: RunScope, options: { command: string; runId?: string; onStale?: (previous: LockInfo) => void }): LockHandle {
  return acquireLock(runLockPath(scope), {
    command: options.command,
    runId: options.runId,
    onStale: options.onStale,
    describe: (holder) => ({
      message: `another ${scope.kind} is running on profile ${scope.profile} (pid ${holder.pid}${holder.run_id ? `, run ${holder.run_id}` : ''}, since ${holder.started_at || 'unknown'}); only one runs at a time`,
      hint: `see it with \`deskops ${scope.kind} status\`; wait for it to finish`,
    }),
  });
}

/**
 * Starts a run's journal (call with the lock held). The run id and start time are the wall
 * clock's, so runs sort in the order they happened whatever clock the planning used.
 */
export function startRun(scope: RunScope, meta: Record<string, unknown>): Journal {
  const started = new Date();
  return Journal.create(scope.home, {
    run_id: newRunId(started),
    kind: scope.kind,
    profile: scope.profile,
    ...(scope.desk ? { desk: scope.desk } : {}),
    at: started.toISOString(),
    meta,
  });
}

/** Errors of a disk that cannot take the journal's next line. */
const DISK_ERRORS: Readonly<Record<string, string>> = { ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up', EROFS: 'the disk is read-only', EIO: 'the disk failed to write' };

/**
 * Closes the journal of a run that stopped on `err` and returns what to throw: for a disk
 * that could not take the journal, an error that says what was saved and how to carry on
 * (`carryOn`, e.g. "deskops sweep resume <id>"); any other error as it was.
 */
export function runStopped(journal: Journal, err: unknown, carryOn: string): unknown {
  try {
    journal.close();
  } catch {
    // the disk that stopped the run may refuse this too; the lines written are on disk
  }
  const code = (err as { code?: unknown } | null)?.code;
  const why = typeof code === 'string' ? DISK_ERRORS[code] : undefined;
  if (!why) return err;
  return new DeskopsError(`${why} (${code}): the run's journal ${journal.path} could not be written, so the run stopped`, {
    cause: err,
    hint: `what was sent is on the desk and in the journal up to its last line; nothing is sent twice when you carry on: free some space, then ${carryOn}`,
  });
}

export function endRun(journal: Journal, status: RunEnd, counts: RunCounts, note?: string): void {
  journal.append({ t: 'end', status, at: new Date().toISOString(), counts, ...(note ? { note } : {}) }, true);
  journal.close();
}

/**
 * Reads a run of this scope by id, to resume it: NotFoundError when there is none, UsageError
 * when it never got its plan on record (checkPlanRecorded).
 */
export function loadRun(scope: RunScope, runId: string): RunState {
  if (!isRunId(runId)) throw new UsageError(`"${runId}" is not a run id (like 20261125-141503-3f9c)`, { hint: `see them with \`deskops ${scope.kind} history\`` });
  const path = journalPath(scope.home, scope.kind, runId);
  let state: RunState;
  try {
    state = readRun(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`no ${scope.kind} run ${runId}`, { hint: `see them with \`deskops ${scope.kind} history\`` });
    }
    if (err instanceof UnreadableJournal) {
      // Damaged rather than cut short: what was sent cannot be told from it.
      if (err.workSeen || err.unreadable > 1) throw cannotTell(scope, runId, path);
      // Killed between creating its journal and writing the first record: it never got going.
      throw new UsageError(`run ${runId} was stopped as it started, before its journal had a first record; nothing of it was sent`, {
        hint: `plan the work again with \`deskops ${scope.kind} run\``,
      });
    }
    throw err;
  }
  if (!sameDesk(scope, state)) {
    throw new UsageError(`run ${runId} was made on another desk than profile ${scope.profile} points at now (${state.start.desk}); it is not resumed here`, {
      hint: `point the profile back at that desk to resume it, or plan the work on this one with \`deskops ${scope.kind} run\``,
    });
  }
  checkPlanRecorded(scope, state);
  return state;
}

/**
 * Throws unless the run can be resumed as far as its journal goes: its whole plan must be on
 * record. A process killed while it wrote the plan leaves only part of it (nothing of it sent:
 * intents come after the plan); resuming that would finish the part and report the run done.
 */
export function checkPlanRecorded(scope: Pick<RunScope, 'kind'>, state: RunState): void {
  if (state.planComplete) return;
  const sendsOnRecord = state.batches.size > 0 || [...state.items.values()].some((i) => i.sends > 0 || i.status !== 'planned');
  if (sendsOnRecord || state.unreadable > 1) throw cannotTell(scope, state.start.run_id, state.path);
  throw new UsageError(
    `run ${state.start.run_id} was stopped while it recorded its plan (${state.items.size} item${state.items.size === 1 ? '' : 's'} on record, the rest lost); nothing of it was sent, and it cannot be resumed`,
    { hint: `plan the work again with \`deskops ${scope.kind} run\` (it takes this run over)` },
  );
}

/** A journal too damaged to say what of its run was sent: say so, and how to check. */
function cannotTell(scope: Pick<RunScope, 'kind'>, runId: string, path: string): UsageError {
  return new UsageError(`the journal of run ${runId} (${path}) is damaged: deskops cannot tell what of it was sent, so it does not resume it`, {
    hint: `\`deskops ${scope.kind} run\` plans again from the desk, where every message sent carries its marker tag: nothing is sent twice`,
  });
}

export type RunPhase = 'running' | 'interrupted' | RunEnd;

export interface RunSummary {
  run_id: string;
  profile: string;
  status: RunPhase;
  started_at: string;
  last_at: string;
  ended_at: string | null;
  pid: number;
  planned: number;
  sent: number;
  skipped: number;
  failed: number;
  to_do: number;
  in_doubt: number;
  resumes: number;
  /** Per group (rule, survey): counts. */
  groups: Array<{ group: string; planned: number; sent: number; skipped: number; failed: number }>;
  meta: Record<string, unknown>;
}

/** What a run is doing or did, from its journal and the lock. */
export function summarizeRun(scope: Pick<RunScope, 'home' | 'kind'>, state: RunState): RunSummary {
  const counts = countRun(state);
  const lock = readLock(lockPath(scope.home, `${scope.kind}-${state.start.profile}`));
  const running = !state.end && lock !== undefined && lock.run_id === state.start.run_id && lockIsLive(lock);
  const groups = new Map<string, { group: string; planned: number; sent: number; skipped: number; failed: number }>();
  for (const it of state.items.values()) {
    const g = groups.get(it.group) ?? { group: it.group, planned: 0, sent: 0, skipped: 0, failed: 0 };
    g.planned++;
    if (it.status === 'sent') g.sent++;
    else if (it.status === 'skipped') g.skipped++;
    else if (it.status === 'failed') g.failed++;
    groups.set(it.group, g);
  }
  return {
    run_id: state.start.run_id,
    profile: state.start.profile,
    status: running ? 'running' : (state.end?.status ?? 'interrupted'),
    started_at: state.start.at,
    last_at: state.lastAt,
    ended_at: state.end?.at ?? null,
    pid: state.start.pid,
    planned: counts.planned,
    sent: counts.sent,
    skipped: counts.skipped,
    failed: counts.failed,
    to_do: counts.to_do,
    in_doubt: counts.in_doubt,
    resumes: state.resumes,
    groups: [...groups.values()],
    meta: state.start.meta,
  };
}

/** Runs of this kind, newest first; unreadable journals are skipped. */
export function runHistory(scope: Pick<RunScope, 'home' | 'kind'>, options: { profile?: string; limit?: number } = {}): RunSummary[] {
  const out: RunSummary[] = [];
  for (const { path } of listRuns(scope.home, scope.kind)) {
    let state: RunState;
    try {
      state = readRun(path);
    } catch {
      continue;
    }
    if (options.profile && state.start.profile !== options.profile) continue;
    out.push(summarizeRun(scope, state));
    // Run ids start with the start second: a few more than asked settle ties within a second.
    if (options.limit && out.length >= options.limit + 3) break;
  }
  out.sort((a, b) => b.started_at.localeCompare(a.started_at) || b.run_id.localeCompare(a.run_id));
  return options.limit ? out.slice(0, options.limit) : out;
}

/** Runs of this scope that stopped without an end record and that nobody is running. */
export function interruptedRuns(scope: RunScope): RunState[] {
  const out: RunState[] = [];
  for (const { path } of listRuns(scope.home, scope.kind)) {
    let state: RunState;
    try {
      state = readRun(path);
    } catch {
      continue;
    }
    if (state.start.profile !== scope.profile || state.end || !sameDesk(scope, state)) continue;
    if (summarizeRun(scope, state).status === 'interrupted') out.push(state);
  }
  return out;
}

/**
 * Marks interrupted runs as superseded by `byRunId` (call with the lock held): their unfinished
 * work is planned again by the new run, and the markers keep anything done from being redone.
 */
export function supersede(runs: RunState[], byRunId: string): void {
  for (const state of runs) {
    const journal = Journal.reopen(state.path, state.start.run_id, { resume: false });
    const c = countRun(state);
    endRun(journal, 'superseded', { planned: c.planned, sent: c.sent, skipped: c.skipped, failed: c.failed }, `unfinished work taken over by run ${byRunId}`);
  }
}

/**
 * Takes the profile's lock for a run of `scope.kind` and notes the runs a crash left
 * interrupted; `takeOver(runId)` marks them superseded by the new run (their finished work
 * stays done; the new run's plan covers the rest) and reports their ids.
 */
export function holdRuns(
  scope: RunScope,
  options: { command: string; onStale?: (previous: LockInfo) => void; onTakeOver?: (runIds: string[]) => void },
): { lock: LockHandle; takeOver: (runId: string) => void } {
  const lock = lockRuns(scope, { command: options.command, onStale: options.onStale });
  const stale = interruptedRuns(scope);
  return {
    lock,
    takeOver(runId) {
      if (stale.length === 0) return;
      supersede(stale, runId);
      options.onTakeOver?.(stale.map((s) => s.start.run_id));
    },
  };
}
