import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import { parseMetricIds } from '../../../core/kpi/catalog.js';
import { parseInterval, previousWindow, resolvePeriod } from '../../../core/kpi/period.js';
import { nowSeconds, openKpiSession } from './shared.js';
import type { KpiFlags } from './report.js';

interface WatchFlags extends KpiFlags {
  interval: string;
}

export async function kpiWatch(ctx: CliContext, flags: WatchFlags): Promise<void> {
  // Before anything is loaded or contacted: a dashboard needs a terminal on both ends.
  if (!ctx.io.interactive || !ctx.io.stdoutIsTTY) {
    throw new UsageError('kpi --watch needs a terminal; run `deskops kpi` on an interval in scripts');
  }
  if (flags.json || flags.csv || flags.plain) throw new UsageError('--watch draws a dashboard; it does not take --json, --csv or --plain');
  if (flags.by) throw new UsageError('--watch shows the overall KPIs; it does not take --by');
  const intervalMs = parseInterval(flags.interval) * 1000;
  const metrics = parseMetricIds(flags.metrics);
  // Check the period flags now; the window itself moves with the clock at each refresh.
  resolvePeriod(flags, nowSeconds(ctx));
  const screen = import('../../../ui/kpi/run.js');
  screen.catch(() => undefined);
  const { session } = await openKpiSession(ctx, flags, { progress: false });
  const { runKpiWatch } = await screen;
  await runKpiWatch({
    io: ctx.io,
    intervalMs,
    load: async () => {
      const window = resolvePeriod(flags, nowSeconds(ctx));
      const previous = flags.compare === 'previous' ? previousWindow(window) : undefined;
      return (await session.report({ metrics, window, previous, by: null })).report;
    },
  });
}
