import type { CliContext } from '../../context.js';
import { Cancelled, PartialFailure } from '../../../core/errors.js';
import { formatDuration } from '../../../core/time.js';
import { SURVEY_SCALES } from '../../../core/survey.js';
import { collectPreview, executeSurveyCollect, planSurveyCollect, type CollectResult } from '../../../services/survey.js';
import { printList, type Column } from '../../output.js';
import { holdRunLock, interruptible, parseRate, progressLine, requestFigures } from '../../bulk.js';
import { openSurveyDesk, plural, sinceDate, surveyType } from './shared.js';
import { planningSource } from '../../replica.js';

interface CollectFlags {
  since: string;
  type?: string;
  dryRun?: boolean;
  maxRate?: string;
  json?: boolean;
}

type AnswerRow = CollectResult['answers'][number];

const answerColumns: Column<AnswerRow>[] = [
  { key: 'ticket_id', header: 'TICKET', align: 'right', get: (r) => `#${r.ticket_id}` },
  { key: 'type', header: 'SURVEY', get: (r) => SURVEY_SCALES[r.type].label },
  { key: 'score', header: 'SCORE', align: 'right', get: (r) => (r.score === null ? '-' : String(r.score)), tone: (r) => (r.detractor ? 'bad' : r.score === null ? 'warn' : 'good') },
  {
    key: 'result',
    header: 'RESULT',
    flex: true,
    get: (r) => {
      const what = r.review ? `needs a person: ${r.review}` : r.detractor ? (r.followup_id ? `detractor: ticket closed, follow-up #${r.followup_id} made for its group` : 'detractor: reopened for its group with a note') : 'score stored';
      return r.stored ? what : `not stored: ${what}`;
    },
    tone: (r) => (r.stored ? undefined : 'warn'),
  },
];

export async function surveyCollect(ctx: CliContext, flags: CollectFlags): Promise<void> {
  const now = ctx.now();
  const since = sinceDate(flags.since, now);
  const type = surveyType(flags.type, false);
  const maxRate = parseRate(flags.maxRate);
  const started = performance.now();
  const { bulk, scope } = await openSurveyDesk(ctx, maxRate);
  const guard = flags.dryRun ? undefined : holdRunLock(ctx, scope, 'survey collect');
  try {
    const progress = progressLine(ctx, bulk, 'survey');
    const plan = await planSurveyCollect(bulk.desk, { now, since, types: type ? [type] : undefined, onPhase: progress.phase, ...(await planningSource(ctx, bulk.desk)) }).finally(progress.done);
    let result: CollectResult;
    if (flags.dryRun) {
      result = collectPreview(plan);
    } else {
      const stop = interruptible(ctx);
      try {
        result = await executeSurveyCollect(bulk.desk, plan, {
          scope,
          now: () => ctx.now(),
          signal: stop.signal,
          onProgress: progress.update,
          onStart: guard?.takeOver,
          meta: { since: since.toISOString(), type: type ?? null, max_rate: bulk.budget.limit },
        });
      } finally {
        stop.dispose();
        progress.done();
      }
    }
    const elapsed = performance.now() - started;
    if (flags.json) {
      ctx.io.out(JSON.stringify({ ...(flags.dryRun ? { dry_run: true } : {}), ...result, elapsed_ms: Math.round(elapsed), requests: requestFigures(bulk) }, null, 2));
    } else {
      await printList(ctx.io, result.answers, answerColumns, {}, { emptyMessage: 'no new answers' });
      for (const k of result.skips) ctx.io.err(`not stored: #${k.ticket_id}: ${k.reason}`);
      for (const k of result.automatic) ctx.io.err(`skipped: #${k.ticket_id}: ${k.reason}`);
      for (const f of result.failures) ctx.io.err(`failed: #${f.ticket_id}: ${f.reason}`);
      ctx.io.err(
        `${flags.dryRun ? 'dry run: ' : ''}${plural(result.answered, 'answer')} (${result.scored} scored, ${result.review} for review, ${plural(result.detractors, 'detractor')}); ` +
          `${result.unanswered} of ${plural(result.open, 'open survey')} not answered yet · ${formatDuration(elapsed)}, ${plural(bulk.meter.total, 'request')}` +
          ` · CES: 7 = least effort`,
      );
    }
    if (result.status === 'interrupted') throw new Cancelled('survey collect interrupted; run it again to finish (nothing is stored twice)');
    if (result.failed > 0) {
      throw new PartialFailure(`${result.failed} answers could not be stored (run ${result.run_id}); run collect again to retry them`, result.failures.map((f) => ({ id: f.ticket_id, reason: f.reason })));
    }
  } finally {
    guard?.lock.release();
  }
}
