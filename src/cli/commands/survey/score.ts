import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { SURVEY_SCALES, answeredTag, sentTag } from '../../../core/survey.js';
import { collectChange, findScoreField, manualAnswer } from '../../../services/survey.js';
import { surveyType } from './shared.js';

interface ScoreFlags {
  type?: string;
  json?: boolean;
}

/** Records a score a person read (an answer flagged for review), as collect would have stored it. */
export async function surveyScore(ctx: CliContext, ticketArg: string, scoreArg: string, flags: ScoreFlags): Promise<void> {
  const id = parseTicketId(ticketArg);
  const type = surveyType(flags.type)!;
  const scale = SURVEY_SCALES[type];
  const score = Number(scoreArg);
  if (!/^\d{1,2}$/.test(scoreArg.trim()) || score < scale.min || score > scale.max) {
    throw new UsageError(`score must be a whole number from ${scale.min} to ${scale.max} for ${scale.label} (${scale.direction}), got "${scoreArg}"`);
  }
  const desk = await ctx.helpdesk();
  const [ticket, fields, me] = await Promise.all([desk.getTicket(id), desk.listTicketFields(), desk.me()]);
  const tags = ticket.tags ?? [];
  if (!tags.includes(sentTag(type))) throw new UsageError(`ticket ${id} has no ${scale.label} survey (tag ${sentTag(type)})`);
  if (tags.includes(answeredTag(type))) throw new UsageError(`ticket ${id} already has a ${scale.label} score stored (tag ${answeredTag(type)})`);
  const answer = manualAnswer(ticket, type, score, `${scale.label} ${score}, read by ${me.name} from the answer flagged for review`);
  const { update, stamp } = collectChange(answer, findScoreField(fields));
  const updated = await desk.updateTicket(id, update, { ifUnmodifiedSince: stamp });
  const result = { ticket_id: id, type, score, detractor: answer.detractor, status: updated.status };
  if (flags.json) ctx.io.out(JSON.stringify(result, null, 2));
  else ctx.io.out(`#${id}: ${scale.label} ${score} stored${answer.detractor ? '; a detractor: reopened for its group with a note' : ''}`);
}
