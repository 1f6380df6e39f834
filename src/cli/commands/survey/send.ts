import type { CliContext } from '../../context.js';
import { contactWindowHours } from '../../settings.js';
import { Cancelled, PartialFailure } from '../../../core/errors.js';
import { formatDuration } from '../../../core/time.js';
import { SURVEY_SCALES } from '../../../core/survey.js';
import { executeSurveySend, planSurveySend, surveyTemplate, type SendPlan, type SendResult } from '../../../services/survey.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { confirmOrCancel, requireYesOrTerminal } from '../../prompt.js';
import { printList, type Column } from '../../output.js';
import { loadTemplateLibrary } from '../template/shared.js';
import { holdRunLock, interruptible, parseRate, progressLine, requestFigures } from '../../bulk.js';
import { fatigueDays, openSurveyDesk, parseTicketIds, plural, sinceDate, surveyStatuses, surveyType } from './shared.js';
import { planningSource } from '../../replica.js';

interface SendFlags {
  type?: string;
  since: string;
  ticket?: string[];
  template?: string;
  locale?: string;
  status?: string;
  fatigueDays?: string;
  dryRun?: boolean;
  yes?: boolean;
  maxRate?: string;
  batchSize?: string;
  maxAttempts?: string;
  json?: boolean;
}

const skipColumns: Column<{ ticket_id: number; reason: string }>[] = [
  { key: 'ticket_id', header: 'TICKET', align: 'right', get: (r) => `#${r.ticket_id}` },
  { key: 'reason', header: 'SKIPPED BECAUSE', flex: true },
];

export async function surveySend(ctx: CliContext, flags: SendFlags): Promise<void> {
  const type = surveyType(flags.type)!;
  const now = ctx.now();
  const since = sinceDate(flags.since, now);
  const ticketIds = parseTicketIds(flags.ticket);
  const maxRate = parseRate(flags.maxRate);
  const batchSize = parsePositiveInt(flags.batchSize ?? '100', '--batch-size', 100);
  const maxSends = parsePositiveInt(flags.maxAttempts ?? '4', '--max-attempts', 20);
  const statuses = await surveyStatuses(ctx, flags.status);
  const fatigue = await fatigueDays(ctx, flags.fatigueDays);
  const library = await loadTemplateLibrary(ctx);
  const template = surveyTemplate(library, type, flags.template, flags.locale);
  if (!flags.dryRun) requireYesOrTerminal(ctx, flags.yes);
  const started = performance.now();
  const { bulk, scope } = await openSurveyDesk(ctx, maxRate);
  const guard = flags.dryRun ? undefined : holdRunLock(ctx, scope, 'survey send');
  try {
    const progress = progressLine(ctx, bulk, 'survey');
    const contactHours = await contactWindowHours(ctx);
    const plan = await planSurveySend(bulk.desk, { type, now, since, ticketIds, statuses, fatigueDays: fatigue, contactWindowHours: contactHours, onPhase: progress.phase, ...(await planningSource(ctx, bulk.desk)) }).finally(progress.done);
    if (flags.dryRun) {
      if (flags.json) ctx.io.out(JSON.stringify(planJson(plan, template.name), null, 2));
      else await printPlan(ctx, plan, template.name, 'stdout');
      return;
    }
    if (!flags.yes) {
      await printPlan(ctx, plan, template.name, 'stderr');
      if (plan.eligible.length > 0) {
        await confirmOrCancel(ctx, {
          question: `Send the ${SURVEY_SCALES[type].label} survey to ${plural(plan.eligible.length, 'ticket')} on profile ${scope.profile}?`,
          cancelledMessage: 'cancelled; nothing was sent',
        });
      }
    }
    const stop = interruptible(ctx);
    let result: SendResult;
    try {
      result = await executeSurveySend(bulk.desk, plan, template, {
        scope,
        now: () => ctx.now(),
        signal: stop.signal,
        onProgress: progress.update,
        onStart: guard?.takeOver,
        bulk: { batchSize, maxSends },
        meta: { since: since.toISOString(), statuses, fatigue_days: fatigue, tickets: ticketIds ?? null, max_rate: bulk.budget.limit },
      });
    } finally {
      stop.dispose();
      progress.done();
    }
    const elapsed = performance.now() - started;
    if (flags.json) {
      ctx.io.out(JSON.stringify({ ...result, elapsed_ms: Math.round(elapsed), requests: requestFigures(bulk) }, null, 2));
    } else {
      for (const f of result.failures) ctx.io.err(`failed: #${f.ticket_id}: ${f.reason}`);
      const r = requestFigures(bulk);
      ctx.io.out(
        `${SURVEY_SCALES[type].label} survey (${result.template}): ${result.sent} sent, ${result.skipped} skipped, ${result.failed} failed of ${plural(result.candidates, 'ticket')} looked at` +
          `${result.verified ? ` (${result.verified} found already sent)` : ''}`,
      );
      for (const line of skipSummary(result.skips)) ctx.io.err(line);
      ctx.io.err(`run ${result.run_id} in ${formatDuration(elapsed)} · ${plural(r.total, 'request')}, ${plural(r.writes, 'write')}, at most ${r.max_per_minute}/min (budget ${r.budget_per_minute}/min)`);
    }
    if (result.status === 'interrupted') throw new Cancelled('survey send interrupted; run the same command again to send the rest (nothing is sent twice)');
    if (result.failed > 0) {
      throw new PartialFailure(`${result.failed} of ${result.eligible} surveys failed (run ${result.run_id}); run the command again to retry them`, result.failures.map((f) => ({ id: f.ticket_id, reason: f.reason })));
    }
  } finally {
    guard?.lock.release();
  }
}

function planJson(plan: SendPlan, template: string) {
  return {
    dry_run: true,
    type: plan.type,
    template,
    candidates: plan.candidates,
    eligible: plan.eligible.length,
    ticket_ids: plan.eligible.map((t) => t.id),
    skipped: plan.skipped.length,
    skips: plan.skipped,
  };
}

async function printPlan(ctx: CliContext, plan: SendPlan, template: string, to: 'stdout' | 'stderr'): Promise<void> {
  const io = to === 'stdout' ? ctx.io : { ...ctx.io, out: ctx.io.err, stdoutIsTTY: Boolean((ctx.io.stderr as { isTTY?: boolean }).isTTY) };
  if (plan.skipped.length > 0) await printList(io, plan.skipped.slice(0, 20), skipColumns, {});
  if (plan.skipped.length > 20) ctx.io.err(`... and ${plan.skipped.length - 20} more skipped (--json lists them all)`);
  const ids = plan.eligible.slice(0, 15).map((t) => `#${t.id}`).join(' ');
  ctx.io.err(
    plan.eligible.length === 0
      ? `no ticket is due a ${SURVEY_SCALES[plan.type].label} survey (${plural(plan.candidates, 'ticket')} looked at)`
      : `${SURVEY_SCALES[plan.type].label} survey (${template}) to ${plural(plan.eligible.length, 'ticket')}: ${ids}${plan.eligible.length > 15 ? ` +${plan.eligible.length - 15} more` : ''}; ${plan.skipped.length} skipped`,
  );
}

/** Skip reasons grouped, with counts, most common first; a hint when the fatigue window held most back. */
export function skipSummary(skips: ReadonlyArray<{ reason: string }>): string[] {
  if (skips.length === 0) return [];
  const groups = new Map<string, number>();
  for (const k of skips) {
    const kind = k.reason.replace(/#\d+/g, '#…').replace(/ on \d{4}-\d{2}-\d{2}/g, '');
    groups.set(kind, (groups.get(kind) ?? 0) + 1);
  }
  const lines = ['skipped:', ...[...groups].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `  ${String(n).padStart(5)}  ${kind}`)];
  if ([...groups.keys()].some((k) => k.startsWith('requester surveyed on'))) {
    lines.push('hint: requesters surveyed lately are spared (--fatigue-days, default 30; 0 turns it off)');
  }
  return lines;
}
