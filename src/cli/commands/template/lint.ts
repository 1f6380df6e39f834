import type { CliContext } from '../../context.js';
import { lintTemplates } from '../../../services/replies.js';
import { TemplateLintError, formatProblem } from '../../../core/templates.js';

export async function templateLint(ctx: CliContext, paths: string[], _flags: object): Promise<void> {
  const result = await lintTemplates({ home: ctx.home() }, paths);
  if (result.problems.length > 0) {
    for (const p of result.problems) ctx.io.err(formatProblem(p));
    throw new TemplateLintError(result.problems, result.files);
  }
  ctx.io.out(`${result.files} template${result.files === 1 ? '' : 's'} ok`);
}
