/**
 * What the kpi commands share: source flags to a KpiSession (settings, cache mode, progress on
 * a terminal), and the --json/--csv/--plain choice.
 */
import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import { statusLine } from '../../io.js';
import { describeWait } from '../../../api/pacer.js';
import { KpiSession, kpiSettingKeys, type CacheMode } from '../../../services/kpi/session.js';

export interface SourceFlags {
  since?: string;
  from?: string;
  to?: string;
  businessHours?: boolean;
  customers?: string;
  /** false with --no-cache */
  cache?: boolean;
  refresh?: boolean;
}

export function cacheMode(flags: SourceFlags): CacheMode {
  if (flags.cache === false && flags.refresh) throw new UsageError('choose one of --no-cache, --refresh');
  return flags.cache === false ? 'off' : flags.refresh ? 'refresh' : 'use';
}

export function nowSeconds(ctx: CliContext): number {
  return Math.floor(ctx.now().getTime() / 1000);
}

/** Opens a session on the active profile's desk; closed when the command ends. */
export async function openKpiSession(
  ctx: CliContext,
  flags: SourceFlags,
  options: { progress?: boolean } = {},
): Promise<{ session: KpiSession; endProgress: () => void }> {
  const mode = cacheMode(flags);
  const store = await ctx.config();
  const settings = {
    totalFieldId: store.getSetting(kpiSettingKeys.totalFieldId),
    complaintTags: store.getSetting(kpiSettingKeys.complaintTags),
    complaintKeywords: store.getSetting(kpiSettingKeys.complaintKeywords),
    slaTargets: store.getSetting(kpiSettingKeys.slaTargets),
  };
  const desk = await ctx.helpdesk();
  if (flags.businessHours && desk.kind === 'rt') {
    throw new UsageError('Request Tracker keeps no business minutes per ticket, so --business-hours has nothing to report', {
      hint: 'run kpi without --business-hours on this profile',
    });
  }
  const line = options.progress !== false ? statusLine(ctx.io) : undefined;
  let read = 0;
  if (line) ctx.onRateWait((wait) => line.write(`reading tickets… ${read.toLocaleString('en-US')} · waiting: ${describeWait(wait)}`));
  const session = await KpiSession.open({
    desk,
    home: ctx.home(),
    cache: mode,
    settings,
    businessHours: Boolean(flags.businessHours),
    customersFile: flags.customers,
    now: ctx.now,
    onProgress: line ? (n) => line.write(`reading tickets… ${(read = n).toLocaleString('en-US')}`) : undefined,
    onNotice: (message) => ctx.io.err(`deskops: ${message}`),
  });
  ctx.onExit(() => session.close());
  if (mode !== 'off') {
    const what = desk.kind === 'rt' ? 'the KPI cache' : 'the ticket replica';
    ctx.openedDatabase({ what, path: session.cache.path, hint: 'read it again from the desk: deskops kpi --refresh (or delete the file)' });
  }
  const endProgress = () => line?.clear();
  return { session, endProgress };
}
