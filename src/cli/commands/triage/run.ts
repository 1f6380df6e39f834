import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { parseUrgencyWeights, URGENCY_WEIGHTS_SETTING } from '../../../core/urgency.js';
import {
  DEFAULT_ESCALATION_GROUP,
  DEFAULT_REFRESH_SECONDS,
  ESCALATION_GROUP_SETTING,
  REFRESH_SECONDS_SETTING,
} from '../../../core/triage.js';
import { LAST_UPDATE_TIME_FIELD_SETTING, TOTAL_TIME_FIELD_SETTING } from '../../../core/handle-time.js';
import { ConfigError } from '../../../core/errors.js';
import { openReplica } from '../../replica.js';
import { DEFAULT_ENRICH, QueueCache, buildQueueStaged, checkQueueView } from '../../../services/queue.js';
import { resolveQueueView } from '../../../services/views.js';

interface TriageFlags {
  view: string;
  limit: string;
  refresh?: string;
  fresh?: boolean;
}

export async function triageRun(ctx: CliContext, flags: TriageFlags): Promise<void> {
  // Before anything is loaded or contacted: a screen needs a terminal on both ends.
  if (!ctx.io.interactive || !ctx.io.stdoutIsTTY) {
    throw new UsageError('triage needs a terminal; use `deskops queue` in scripts');
  }
  const limit = parsePositiveInt(flags.limit, '--limit', 100_000);
  const store = await ctx.config();
  const weights = parseUrgencyWeights(store.getSetting(URGENCY_WEIGHTS_SETTING));
  const refreshSeconds =
    flags.refresh !== undefined
      ? parsePositiveInt(flags.refresh, '--refresh', 86_400)
      : settingSeconds(store.getSetting(REFRESH_SECONDS_SETTING));
  const escalationGroup = settingText(store.getSetting(ESCALATION_GROUP_SETTING), ESCALATION_GROUP_SETTING) ?? DEFAULT_ESCALATION_GROUP;
  const timeSettings = {
    totalFieldId: store.getSetting(TOTAL_TIME_FIELD_SETTING),
    lastUpdateFieldId: store.getSetting(LAST_UPDATE_TIME_FIELD_SETTING),
  };
  // The screen's modules load while the desk starts and the first queue is read.
  const screen = import('../../../ui/triage/run.js');
  screen.catch(() => undefined);
  const remote = await ctx.helpdesk();
  const view = await resolveQueueView(remote, flags.view);
  // Every refresh reads the view from the profile's replica: only what changed is fetched.
  const replica = await openReplica(ctx, remote, { fresh: flags.fresh });
  const desk = replica?.desk ?? remote;
  const source = replica?.queueSource();
  await (replica ? replica.withFreshNames(() => checkQueueView(desk, view)) : checkQueueView(desk, view));
  const cache = new QueueCache();
  const abort = new AbortController();
  const firstLoad = buildQueueStaged(desk, { view, limit, weights, now: ctx.now, enrich: DEFAULT_ENRICH, cache, signal: abort.signal, ...(source ? { source } : {}) });
  const { runTriage } = await screen;
  await runTriage({
    desk,
    io: ctx.io,
    env: ctx.env,
    home: ctx.home(),
    view,
    limit,
    weights,
    refreshMs: refreshSeconds * 1000,
    escalationGroup,
    timeSettings,
    firstLoad,
    cache,
    abort,
    now: () => ctx.now().getTime(),
    onRateWait: (fn) => ctx.onRateWait(fn),
    requests: ctx.requests,
    ...(source ? { source } : {}),
  });
}

/** The setting triage.refresh_seconds, checked (also by `deskops config set`). */
export function settingSeconds(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_REFRESH_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 86_400) {
    throw new ConfigError(`setting ${REFRESH_SECONDS_SETTING} must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A setting naming a group (triage.escalation_group), checked (also by `deskops config set`). */
export function settingText(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`setting ${key} must be a group name, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}
