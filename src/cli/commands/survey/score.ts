import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { SURVEY_SCALES } from '../../../core/survey.js';
import { recordSurveyScore } from '../../../services/survey.js';
import { surveyType } from './shared.js';

interface ScoreFlags {
  type?: string;
  replace?: boolean;
  json?: boolean;
}

/** Records the score a person read from an answer flagged for review (or corrects one with --replace). */
export async function surveyScore(ctx: CliContext, ticketArg: string, scoreArg: string, flags: ScoreFlags): Promise<void> {
  const id = parseTicketId(ticketArg);
  const type = surveyType(flags.type)!;
  const scale = SURVEY_SCALES[type];
  const score = Number(scoreArg);
  if (!/^\d{1,2}$/.test(scoreArg.trim()) || score < scale.min || score > scale.max) {
    throw new UsageError(`score must be a whole number from ${scale.min} to ${scale.max} for ${scale.label} (${scale.direction}), got "${scoreArg}"`);
  }
  const result = await recordSurveyScore(await ctx.helpdesk(), id, type, score, { replace: flags.replace });
  if (flags.json) {
    ctx.io.out(JSON.stringify(result, null, 2));
    return;
  }
  const was = result.replaced !== null ? ` (was ${result.replaced})` : '';
  ctx.io.out(`#${id}: ${scale.label} ${score} stored${was}${result.detractor ? '; a detractor: reopened for its group with a note' : ''}`);
}
