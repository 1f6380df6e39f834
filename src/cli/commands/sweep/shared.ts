/** What the sweep commands share: rules, the budgeted desk, the plan and summary views, progress. */
import type { CliContext } from '../../context.js';
import type { Connection } from '../../../api/helpdesk.js';
import { formatDuration } from '../../../core/time.js';
import type { BulkDesk, RunScope } from '../../../services/bulk/index.js';
import { SWEEP_KIND, loadSweepRules, type LoadedRules, type SweepPlanView, type SweepRunResult } from '../../../services/sweep.js';
import { printList, type Column } from '../../output.js';
import { openBulk, parseRate, progressLine, requestFigures } from '../../bulk.js';

export { parseRate, progressLine };
import { loadTemplateLibrary } from '../template/shared.js';

export async function loadRules(ctx: CliContext, rulesFile: string | undefined): Promise<LoadedRules> {
  const library = await loadTemplateLibrary(ctx);
  return loadSweepRules({ home: ctx.home(), rulesFile, library });
}

export async function openDesk(ctx: CliContext, maxRate: number | undefined): Promise<{ bulk: BulkDesk; connection: Connection; scope: RunScope }> {
  return openBulk(ctx, SWEEP_KIND, maxRate);
}

/** The plan as JSON (sweep plan --json, sweep run --dry-run --json). */
export function planJson(plan: SweepPlanView, bulk: BulkDesk) {
  return {
    now: plan.now.toISOString(),
    planned: plan.actions.length,
    tickets: new Set(plan.actions.map((a) => a.ticketId)).size,
    candidates: plan.candidates,
    rules: plan.rows,
    waiting: plan.waiting.map((w) => ({ ticket_id: w.ticketId, rule: w.stepId, reason: w.reason })),
    requests: bulk.meter.total,
  };
}

/** Waiting follow-ups listed under the plan table. */
const WAITING_SHOWN = 10;

const planColumns: Column<SweepPlanView['rows'][number]>[] = [
  { key: 'rule', header: 'RULE' },
  { key: 'template', header: 'TEMPLATE', get: (r) => (r.template ?? '-') + (r.public === false && r.template && !r.template.startsWith('inline') ? ' (note)' : '') },
  { key: 'planned', header: 'PLANNED', align: 'right', tone: (r) => (r.planned > 0 ? 'strong' : 'muted') },
  { key: 'ticket_ids', header: 'TICKETS', flex: true, get: (r) => ticketList(r.ticket_ids) },
];

function ticketList(ids: number[]): string {
  if (ids.length === 0) return '';
  const shown = ids.slice(0, 12).map((id) => `#${id}`).join(' ');
  return ids.length > 12 ? `${shown} +${ids.length - 12} more` : shown;
}

/** Prints the plan table to stdout (a result) or stderr (a preview before confirming). */
export async function printPlan(ctx: CliContext, plan: SweepPlanView, to: 'stdout' | 'stderr'): Promise<void> {
  const io = to === 'stdout' ? ctx.io : { ...ctx.io, out: ctx.io.err, stdoutIsTTY: Boolean((ctx.io.stderr as { isTTY?: boolean }).isTTY) };
  await printList(io, plan.rows, planColumns, {});
  const tickets = new Set(plan.actions.map((a) => a.ticketId)).size;
  ctx.io.err(
    plan.actions.length === 0
      ? `nothing is due (${plan.candidates} candidate tickets checked)`
      : `${plan.actions.length} follow-up${plan.actions.length === 1 ? '' : 's'} on ${tickets} ticket${tickets === 1 ? '' : 's'} (${plan.candidates} candidates checked)`,
  );
  // The contact policy: what waits, and why (a few here, all of them in --json).
  for (const w of plan.waiting.slice(0, WAITING_SHOWN)) ctx.io.err(`#${w.ticketId} ${w.stepId} ${w.reason}`);
  if (plan.waiting.length > WAITING_SHOWN) ctx.io.err(`... and ${plan.waiting.length - WAITING_SHOWN} more waiting (--json lists them all)`);
}

export function summaryJson(result: SweepRunResult, bulk: BulkDesk, elapsedMs: number, planningMs?: number) {
  return {
    ...result,
    elapsed_ms: Math.round(elapsedMs),
    ...(planningMs !== undefined ? { planning_ms: Math.round(planningMs) } : {}),
    requests: requestFigures(bulk),
  };
}

const summaryColumns: Column<SweepRunResult['rules'][number]>[] = [
  { key: 'rule', header: 'RULE' },
  { key: 'template', header: 'TEMPLATE', get: (r) => r.template ?? '-' },
  { key: 'planned', header: 'PLANNED', align: 'right' },
  { key: 'sent', header: 'SENT', align: 'right', tone: (r) => (r.sent > 0 ? 'good' : 'muted') },
  { key: 'skipped', header: 'SKIPPED', align: 'right', tone: (r) => (r.skipped > 0 ? 'warn' : 'muted') },
  { key: 'failed', header: 'FAILED', align: 'right', tone: (r) => (r.failed > 0 ? 'bad' : 'muted') },
];

/** The summary: JSON object, or a per-rule table with the failures listed on stderr. */
export async function printSummary(ctx: CliContext, result: SweepRunResult, bulk: BulkDesk, elapsedMs: number, json: boolean | undefined, planningMs?: number): Promise<void> {
  if (json) {
    ctx.io.out(JSON.stringify(summaryJson(result, bulk, elapsedMs, planningMs), null, 2));
    return;
  }
  await printList(ctx.io, result.rules.filter((r) => r.planned > 0), summaryColumns, {}, { emptyMessage: 'nothing was due' });
  for (const f of result.failures) ctx.io.err(`failed: #${f.ticket_id} ${f.rule}: ${f.reason}`);
  const s = summaryJson(result, bulk, elapsedMs);
  ctx.io.err(
    `run ${result.run_id}: ${result.sent} sent, ${result.skipped} skipped, ${result.failed} failed` +
      `${result.verified ? ` (${result.verified} found already applied)` : ''}${result.deferred ? `, ${result.deferred} left for the next run (--limit)` : ''}` +
      ` in ${formatDuration(elapsedMs)} · ${plural(s.requests.total, 'request')}, ${plural(s.requests.writes, 'write')}, at most ${s.requests.max_per_minute}/min (budget ${s.requests.budget_per_minute}/min)`,
  );
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
