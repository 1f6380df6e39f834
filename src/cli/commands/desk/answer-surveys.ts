/** `deskops desk answer-surveys`: the demo customers reply to the surveys sent to them. */
import type { CliContext } from '../../context.js';
import { UsageError } from '../../../core/errors.js';
import { parseIntegerFlag } from './flags.js';

interface AnswerFlags {
  rate: string;
  seed: string;
  json?: boolean;
}

export async function deskAnswerSurveys(ctx: CliContext, flags: AnswerFlags): Promise<void> {
  const rate = Number(flags.rate);
  if (!/^\s*(0|1|0?\.\d+|1\.0*)\s*$/.test(flags.rate) || !(rate >= 0 && rate <= 1)) throw new UsageError(`--rate must be a share from 0 to 1 such as 0.7, got ${JSON.stringify(flags.rate)}`);
  const seed = parseIntegerFlag(flags.seed, '--seed', 0, 2 ** 31 - 1);
  const { answerSurveys } = await import('../../../desk/survey-answers.js');
  const summary = answerSurveys({ home: ctx.home(), rate, seed, now: ctx.now() });
  if (flags.json) {
    ctx.io.out(JSON.stringify(summary, null, 2));
    return;
  }
  ctx.io.out(`${summary.answered} of ${summary.waiting} waiting surveys answered (${summary.unclear} unclear, ${summary.no_number} without a number)`);
  if (summary.waiting === 0) ctx.io.err('no survey is waiting for an answer; send some with `deskops survey send --type nps --since 30d`');
}
