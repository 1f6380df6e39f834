import type { CliContext } from '../../context.js';
import { outputMode, type OutputFlags } from '../../output.js';
import { parseMetricIds } from '../../../core/kpi/catalog.js';
import { previousWindow, resolvePeriod } from '../../../core/kpi/period.js';
import { UsageError } from '../../../core/errors.js';
import { GROUP_DIMENSIONS, type GroupDimension } from '../../../core/kpi/types.js';
import { nowSeconds, openKpiSession, type SourceFlags } from './shared.js';
import { printKpiReport } from './present.js';

export interface KpiFlags extends SourceFlags, OutputFlags {
  by?: string;
  compare?: 'previous';
  metrics?: string;
}

export async function kpiReport(ctx: CliContext, flags: KpiFlags): Promise<void> {
  // Every flag is checked before the desk is contacted.
  const mode = outputMode(flags, ctx.io);
  const metrics = parseMetricIds(flags.metrics);
  const window = resolvePeriod(flags, nowSeconds(ctx));
  const previous = flags.compare === 'previous' ? previousWindow(window) : undefined;
  const by = parseDimension(flags.by);
  const { session, endProgress } = await openKpiSession(ctx, flags);
  const { report } = await session.report({ metrics, window, previous, by });
  endProgress();
  await printKpiReport(ctx.io, report, flags, mode, { businessHours: flags.businessHours });
}

export function parseDimension(text: string | undefined): GroupDimension | null {
  if (text === undefined) return null;
  const t = text.trim().toLowerCase();
  if (!(GROUP_DIMENSIONS as readonly string[]).includes(t)) {
    throw new UsageError(`--by must be one of ${GROUP_DIMENSIONS.join(', ')}, got "${text}"`);
  }
  return t as GroupDimension;
}
