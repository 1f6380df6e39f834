import type { CliContext } from '../../context.js';
import { contactWindowHours } from '../../settings.js';
import { planSweepRun } from '../../../services/sweep.js';
import { loadRules, openDesk, parseRate, planJson, printPlan, progressLine } from './shared.js';
import { planningSource } from '../../replica.js';

interface PlanFlags {
  rules?: string;
  maxRate?: string;
  json?: boolean;
}

export async function sweepPlan(ctx: CliContext, flags: PlanFlags): Promise<void> {
  const maxRate = parseRate(flags.maxRate);
  const loaded = await loadRules(ctx, flags.rules);
  const { bulk } = await openDesk(ctx, maxRate);
  const progress = progressLine(ctx, bulk);
  const contactHours = await contactWindowHours(ctx);
  const plan = await planSweepRun(bulk.desk, loaded, { now: ctx.now(), contactWindowHours: contactHours, onPhase: progress.phase, ...(await planningSource(ctx, bulk.desk)) }).finally(progress.done);
  if (flags.json) ctx.io.out(JSON.stringify(planJson(plan, bulk), null, 2));
  else await printPlan(ctx, plan, 'stdout');
}
