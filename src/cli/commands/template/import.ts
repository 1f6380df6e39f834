import type { CliContext } from '../../context.js';
import { outputMode, painter, printList, type Column, type OutputFlags } from '../../output.js';
import { DeskopsError, UsageError } from '../../../core/errors.js';
import { formatProblem, TemplateLintError } from '../../../core/templates.js';
import { importMacroTemplates, type ImportOutcome } from '../../../services/template-import.js';

interface ImportFlags extends OutputFlags {
  fromMacros?: boolean;
  dryRun?: boolean;
}

export async function templateImport(ctx: CliContext, flags: ImportFlags): Promise<void> {
  if (!flags.fromMacros) throw new UsageError('say where to import from: --from-macros (the desk\'s macros)');
  const desk = await ctx.helpdesk();
  const result = await importMacroTemplates(desk, { home: ctx.home(), dryRun: flags.dryRun });
  const notes = (r: ImportOutcome) =>
    [
      r.reason ?? '',
      ...r.unmapped.map(([placeholder, v]) => `${placeholder} has no deskops placeholder: --var ${v}`),
      r.notCarried.length ? `not carried: ${r.notCarried.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
  const columns: Column<ImportOutcome>[] = [
    { key: 'macro', header: 'MACRO', get: (r) => r.macro.title, maxWidth: 32 },
    { key: 'template', header: 'TEMPLATE', get: (r) => r.name ?? '', maxWidth: 40 },
    { key: 'category', header: 'CATEGORY', get: (r) => r.category ?? '' },
    {
      key: 'outcome',
      header: 'OUTCOME',
      get: (r) => r.outcome,
      tone: (r) => (r.outcome === 'written' ? 'good' : r.outcome === 'refused' ? 'bad' : r.outcome === 'planned' ? undefined : 'muted'),
    },
    { key: 'notes', header: 'NOTES', get: notes, flex: true },
  ];
  await printList(ctx.io, result.outcomes, columns, flags, {
    toJson: (r) => ({
      macro_id: r.macro.id,
      macro: r.macro.title,
      template: r.name ?? null,
      path: r.path ?? null,
      category: r.category ?? null,
      outcome: r.outcome,
      reason: r.reason ?? null,
      unmapped: r.unmapped.map(([placeholder, v]) => ({ placeholder, var: v })),
      not_carried: r.notCarried,
    }),
    emptyMessage: 'the desk offers no macros to you',
  });
  if (result.lint && result.lint.problems.length > 0) {
    for (const p of result.lint.problems) ctx.io.err(formatProblem(p));
    throw new TemplateLintError(result.lint.problems, result.lint.files);
  }
  const written = result.outcomes.filter((r) => r.outcome === 'written').length;
  const refused = result.outcomes.filter((r) => r.outcome === 'refused');
  if (outputMode(flags, ctx.io) === 'table' || refused.length > 0) {
    const paint = await painter(ctx.io);
    if (flags.dryRun) ctx.io.err(paint('muted', `dry run: nothing written; ${result.outcomes.filter((r) => r.outcome === 'planned').length} templates would go to ${result.dir}`));
    else if (written > 0) ctx.io.err(paint('muted', `wrote ${written} template${written === 1 ? '' : 's'} to ${result.dir}; template lint: ${result.lint!.files} ok`));
    else ctx.io.err(paint('muted', 'no template written'));
  }
  if (refused.length > 0) throw new DeskopsError(`${refused.length} macro${refused.length === 1 ? '' : 's'} could not become a template that passes template lint: ${refused.map((r) => r.macro.title).join(', ')}`);
}
