/**
 * Bulk writes to tickets, safe to interrupt and to run twice: the machinery under follow-up
 * sweeps and survey sends. A caller (see src/services/sweep.ts) does:
 *
 *   const { desk, budget, meter } = await openBulkDesk(connection, { maxRate });   // every request budgeted
 *   const lock = lockRuns(scope, { command: 'survey send' });                       // one run per profile
 *   const journal = startRun(scope, now, meta);                                     // $DESKOPS_HOME/journal
 *   journal.appendPlan(items.map(i => [i.key, i.ticketId, i.marker, i.group, bodyHash(body)]));
 *   const result = await runBulk(desk, journal, items, { recheck }, { signal });    // update_many batches
 *   endRun(journal, result.failed ? 'partial' : 'completed', counts);
 *   lock.release();
 *
 * Each item is one ticket's change (comment + marker tag + fields) with the ticket's
 * updated_at as read; `recheck` decides again, against the ticket as it is now, for items
 * whose ticket changed meanwhile or whose send was ambiguous and did not land.
 * To resume: loadRun(scope, id), checkPlanRecorded(scope, state) (a run killed while writing its
 * plan cannot be), Journal.reopen(...), then runBulk with the unfinished items
 * (no `change`: each is read and rechecked; one carrying its marker is done).
 */
export { BudgetedDesk, RateBudget, RequestMeter, openBulkDesk, DEFAULT_SHARE, type BulkDesk, type BulkDeskOptions } from './budget.js';
export {
  Journal,
  UnreadableJournal,
  bodyHash,
  countRun,
  journalDir,
  journalPath,
  listRuns,
  newRunId,
  readRun,
  FINAL,
  type ItemState,
  type JournalRecord,
  type PlanTuple,
  type RunCounts,
  type RunEnd,
  type RunState,
} from './journal.js';
export { LockedError, acquireLock, isProcessAlive, lockIsLive, lockPath, processStart, readLock, type LockHandle, type LockInfo } from './lock.js';
export {
  MAX_BATCH,
  classifyItemError,
  runBulk,
  type BulkHooks,
  type BulkItem,
  type BulkOptions,
  type BulkOutcome,
  type BulkProgress,
  type BulkResult,
  type PreparedChange,
  type Recheck,
} from './executor.js';
export {
  checkPlanRecorded,
  endRun,
  runStopped,
  holdRuns,
  interruptedRuns,
  loadRun,
  lockRuns,
  runHistory,
  runLockPath,
  startRun,
  summarizeRun,
  supersede,
  type RunPhase,
  type RunScope,
  type RunSummary,
} from './runs.js';
