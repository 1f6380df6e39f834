import type { CliContext } from '../../context.js';
import { contactWindowHours } from '../../settings.js';
import { Cancelled, PartialFailure } from '../../../core/errors.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { holdRunLock, interruptible } from '../../bulk.js';
import { executeSweep, planSweepRun } from '../../../services/sweep.js';
import { confirmOrCancel, requireYesOrTerminal } from '../../prompt.js';
import { loadRules, openDesk, parseRate, planJson, printPlan, printSummary, progressLine } from './shared.js';
import { planningSource } from '../../replica.js';

interface RunFlags {
  rules?: string;
  dryRun?: boolean;
  yes?: boolean;
  limit?: string;
  maxRate?: string;
  batchSize?: string;
  maxAttempts?: string;
  json?: boolean;
}

export async function sweepRun(ctx: CliContext, flags: RunFlags): Promise<void> {
  const limit = flags.limit !== undefined ? parsePositiveInt(flags.limit, '--limit') : undefined;
  const maxRate = parseRate(flags.maxRate);
  const batchSize = parsePositiveInt(flags.batchSize ?? '100', '--batch-size', 100);
  const maxSends = parsePositiveInt(flags.maxAttempts ?? '4', '--max-attempts', 20);
  if (!flags.dryRun) requireYesOrTerminal(ctx, flags.yes);
  const loaded = await loadRules(ctx, flags.rules);
  const { bulk, scope } = await openDesk(ctx, maxRate);
  const started = performance.now();

  // One sweep per profile: taken before planning, so two sweeps never plan the same work.
  const held = flags.dryRun ? undefined : holdRunLock(ctx, scope, 'sweep run');
  try {
    const progress = progressLine(ctx, bulk);
    const contactHours = await contactWindowHours(ctx);
    const plan = await planSweepRun(bulk.desk, loaded, { now: ctx.now(), contactWindowHours: contactHours, onPhase: progress.phase, ...(await planningSource(ctx, bulk.desk)) }).finally(progress.done);
    const planningMs = performance.now() - started;
    if (flags.dryRun) {
      if (flags.json) ctx.io.out(JSON.stringify({ dry_run: true, ...planJson(plan, bulk) }, null, 2));
      else await printPlan(ctx, plan, 'stdout');
      return;
    }
    const planned = limit === undefined ? plan.actions.length : Math.min(limit, plan.actions.length);
    if (!flags.yes) {
      await printPlan(ctx, plan, 'stderr');
      if (planned > 0) {
        await confirmOrCancel(ctx, {
          question: `Send ${planned} follow-up${planned === 1 ? '' : 's'} on profile ${scope.profile}?`,
          cancelledMessage: 'cancelled; nothing was sent',
        });
      }
    }
    const stop = interruptible(ctx);
    let result;
    try {
      result = await executeSweep(bulk.desk, loaded, plan, {
        scope,
        now: ctx.now(),
        limit,
        signal: stop.signal,
        onProgress: progress.update,
        bulk: { batchSize, maxSends },
        meta: { command: 'sweep run', rules: loaded.rules.files, limit: limit ?? null, max_rate: bulk.budget.limit },
        onStart: held?.takeOver,
      });
    } finally {
      stop.dispose();
      progress.done();
    }
    await printSummary(ctx, result, bulk, performance.now() - started, flags.json, planningMs);
    if (result.status === 'interrupted') {
      throw new Cancelled(`sweep interrupted; finish it with \`deskops sweep resume ${result.run_id}\``);
    }
    if (result.failed > 0) {
      throw new PartialFailure(`${result.failed} of ${result.planned} follow-ups failed (run ${result.run_id}); run the sweep again to retry them`, result.failures.map((f) => ({ id: f.ticket_id, reason: f.reason })));
    }
  } finally {
    held?.lock.release();
  }
}
