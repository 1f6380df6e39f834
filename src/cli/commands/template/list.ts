import type { CliContext } from '../../context.js';
import { printList, type Column, type OutputFlags } from '../../output.js';
import type { ReplyTemplate } from '../../../core/templates.js';
import { loadTemplateLibrary } from './shared.js';

interface ListFlags extends OutputFlags {
  category?: string;
}

export async function templateList(ctx: CliContext, flags: ListFlags): Promise<void> {
  const library = await loadTemplateLibrary(ctx, { warn: true });
  const rows = library.templates.filter((t) => !flags.category || t.category === flags.category);
  const columns: Column<ReplyTemplate>[] = [
    { key: 'name', header: 'NAME', maxWidth: 32 },
    { key: 'category', header: 'CATEGORY' },
    { key: 'locale', header: 'LOCALE' },
    { key: 'source', header: 'SOURCE', tone: (t) => (t.source === 'user' ? 'accent' : 'muted') },
    { key: 'kind', header: 'KIND', get: (t) => (t.public ? 'reply' : 'note'), tone: (t) => (t.public ? undefined : 'warn') },
    { key: 'description', header: 'DESCRIPTION', flex: true },
  ];
  await printList(ctx.io, rows, columns, flags, {
    toJson: (t) => ({
      name: t.name,
      category: t.category,
      description: t.description,
      source: t.source,
      locale: t.locale,
      public: t.public,
      path: t.path,
    }),
    emptyMessage: flags.category ? `no ${flags.category} templates` : 'no templates',
  });
}
