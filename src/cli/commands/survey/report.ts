import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import { SURVEY_SCALES, type SurveyFigures } from '../../../core/survey.js';
import { surveyReport, type ReportBy, type ReviewRow } from '../../../services/survey.js';
import { outputMode, printList, type Column, type OutputFlags } from '../../output.js';
import { sinceDate } from './shared.js';
import { planningSource } from '../../replica.js';

interface ReportFlags extends OutputFlags {
  since: string;
  by?: string;
}

const BY: readonly ReportBy[] = ['group', 'agent', 'channel'];

function valueText(f: SurveyFigures): string {
  if (f.value === null) return '-';
  if (f.type === 'csat') return `${f.value}%`;
  if (f.type === 'ces') return f.value.toFixed(2);
  return f.value > 0 ? `+${f.value}` : String(f.value);
}

function distributionText(f: SurveyFigures): string {
  return Object.entries(f.distribution)
    .map(([score, n]) => `${score}:${n}`)
    .join(' ');
}

export async function surveyReportCommand(ctx: CliContext, flags: ReportFlags): Promise<void> {
  const now = ctx.now();
  const since = sinceDate(flags.since, now);
  if (flags.by !== undefined && !(BY as readonly string[]).includes(flags.by)) throw new UsageError(`--by must be one of ${BY.join(', ')}, got "${flags.by}"`);
  const by = flags.by as ReportBy | undefined;
  const mode = outputMode(flags, ctx.io);
  const desk = await ctx.helpdesk();
  const report = await surveyReport(desk, { now, since, by, ...(await planningSource(ctx, desk)) });
  if (report.ratings_note) ctx.io.err(`note: ${report.ratings_note}`);
  if (mode === 'json') {
    ctx.io.out(JSON.stringify(report, null, 2));
    return;
  }
  // The distribution needs room: on a narrow terminal it is left to --json and --csv.
  const wide = mode !== 'table' || (ctx.io.columns ?? 200) >= (by ? 120 : 100);
  const columns: Column<SurveyFigures>[] = [
    { key: 'type', header: 'SURVEY', get: (f) => SURVEY_SCALES[f.type].label },
    ...(by ? [{ key: 'key', header: by.toUpperCase(), flex: true } as Column<SurveyFigures>] : []),
    { key: 'sent', header: 'SENT', align: 'right' },
    { key: 'responses', header: 'REPLIED', align: 'right' },
    { key: 'response_rate', header: 'RATE', align: 'right', get: (f) => (f.response_rate === null ? '-' : `${f.response_rate}%`) },
    { key: 'scored', header: 'SCORED', align: 'right' },
    { key: 'value', header: 'SCORE', align: 'right', get: valueText, tone: () => 'strong' },
    { key: 'promoters', header: 'P/P/D', align: 'right', get: (f) => (f.type === 'nps' ? `${f.promoters}/${f.passives}/${f.detractors}` : `-/-/${f.detractors}`) },
    { key: 'review', header: 'REVIEW', align: 'right', tone: (f) => (f.review > 0 ? 'warn' : 'muted') },
    ...(wide ? [{ key: 'distribution', header: 'DISTRIBUTION', flex: !by, get: distributionText } as Column<SurveyFigures>] : []),
  ];
  await printList(ctx.io, report.rows, columns, flags, { emptyMessage: `no surveys sent since ${report.since.slice(0, 10)}` });
  if (mode !== 'table') {
    // stdout holds the one table a script reads; the answers waiting for a person still show
    if (report.review.length > 0) {
      ctx.io.err(`${report.review.length} answer${report.review.length === 1 ? '' : 's'} for review: ${report.review.map((r) => `#${r.ticket_id} (${SURVEY_SCALES[r.type].label})`).join(', ')}; record a score with: deskops survey score TICKET --type TYPE SCORE`);
    }
    return;
  }
  ctx.io.err('REPLIED: customers who replied (RATE of those sent); SCORED: replies read as a score, the SCORE\'s sample.');
  ctx.io.err('SCORE: CSAT % answering 4-5; NPS % promoters (9-10) minus % detractors (0-6);');
  ctx.io.err('       CES mean of 1-7, 7 = least effort (higher is better). P/P/D: promoters/passives/detractors.');
  if (!wide) ctx.io.err('(the score distribution is in --json and --csv, or on a wider terminal)');
  if (report.ratings && report.ratings.good + report.ratings.bad > 0) {
    ctx.io.err(`desk satisfaction ratings since ${report.since.slice(0, 10)}: ${report.ratings.good} good, ${report.ratings.bad} bad (CSAT ${report.ratings.csat}%)`);
  }
  if (report.followups_open > 0) ctx.io.err(`${report.followups_open} detractor follow-up(s) still open (tag survey_followup; see \`deskops queue\`)`);
  if (report.review.length > 0) {
    ctx.io.out('');
    ctx.io.out('Answers for review:');
    const reviewColumns: Column<ReviewRow>[] = [
      { key: 'ticket_id', header: 'TICKET', align: 'right', get: (r) => `#${r.ticket_id}` },
      { key: 'type', header: 'SURVEY', get: (r) => SURVEY_SCALES[r.type].label },
      { key: 'status', header: 'STATUS' },
      { key: 'subject', header: 'SUBJECT', flex: true },
    ];
    await printList(ctx.io, report.review, reviewColumns, {});
    ctx.io.err('record a score read by a person with: deskops survey score TICKET --type TYPE SCORE');
  }
}
