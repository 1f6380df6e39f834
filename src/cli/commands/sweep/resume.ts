import type { CliContext } from '../../context.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { Cancelled, PartialFailure, UsageError } from '../../../core/errors.js';
import { countRun, loadRun, lockRuns } from '../../../services/bulk/index.js';
import { resumeSweep } from '../../../services/sweep.js';
import { confirmOrCancel, requireYesOrTerminal } from '../../prompt.js';
import { loadTemplateLibrary } from '../template/shared.js';
import { openDesk, parseRate, printSummary, progressLine } from './shared.js';

interface ResumeFlags {
  yes?: boolean;
  maxRate?: string;
  batchSize?: string;
  maxAttempts?: string;
  json?: boolean;
}

export async function sweepResume(ctx: CliContext, runId: string, flags: ResumeFlags): Promise<void> {
  const maxRate = parseRate(flags.maxRate);
  const batchSize = parsePositiveInt(flags.batchSize ?? '100', '--batch-size', 100);
  const maxSends = parsePositiveInt(flags.maxAttempts ?? '4', '--max-attempts', 20);
  const library = await loadTemplateLibrary(ctx);
  const { bulk, scope } = await openDesk(ctx, maxRate);
  const started = performance.now();
  const lock = lockRuns(scope, {
    command: 'sweep resume',
    runId,
    onStale: (p) => ctx.io.err(`warning: taking over the lock of a sweep that is no longer running (pid ${p.pid}${p.run_id ? `, run ${p.run_id}` : ''})`),
  });
  ctx.onExit(() => lock.release());
  try {
    const state = loadRun(scope, runId.trim());
    if (state.start.profile !== scope.profile) {
      throw new UsageError(`run ${runId} was on profile ${state.start.profile}, not ${scope.profile}`, { hint: `deskops --profile ${state.start.profile} sweep resume ${runId}` });
    }
    if (state.end?.status === 'superseded') {
      throw new UsageError(`run ${runId} was taken over by a later run${state.end.note ? ` (${state.end.note})` : ''}; nothing to resume`);
    }
    const counts = countRun(state);
    if (counts.to_do === 0 && counts.failed === 0) {
      ctx.io.err(`run ${runId} has nothing left to do (${counts.sent} sent, ${counts.skipped} skipped)`);
    } else if (!flags.yes) {
      // asked only once the run is known: an unknown id says so, not "--yes required"
      requireYesOrTerminal(ctx, flags.yes);
      await confirmOrCancel(ctx, {
        question: `Finish run ${runId}: ${counts.to_do + counts.failed} follow-ups to check and send (${counts.in_doubt} in doubt)?`,
        cancelledMessage: 'cancelled; nothing was sent',
      });
    }
    const progress = progressLine(ctx, bulk);
    let result;
    try {
      result = await resumeSweep(bulk.desk, library, state, { scope, now: ctx.now(), onProgress: progress.update, bulk: { batchSize, maxSends } });
    } finally {
      progress.done();
    }
    await printSummary(ctx, result, bulk, performance.now() - started, flags.json);
    if (result.status === 'interrupted') throw new Cancelled(`sweep interrupted; finish it with \`deskops sweep resume ${result.run_id}\``);
    if (result.failed > 0) {
      throw new PartialFailure(`${result.failed} of ${result.planned} follow-ups failed (run ${result.run_id})`, result.failures.map((f) => ({ id: f.ticket_id, reason: f.reason })));
    }
  } finally {
    lock.release();
  }
}
