import { readFile } from 'node:fs/promises';
import type { CliContext } from '../../context.js';
import { sanitizeText } from '../../../core/sanitize.js';
import { findTemplate } from '../../../services/replies.js';
import { templateVariables } from '../../../core/templates.js';
import { chosenLocale, loadTemplateLibrary } from './shared.js';

interface ShowFlags {
  locale?: string;
  json?: boolean;
}

export async function templateShow(ctx: CliContext, name: string, flags: ShowFlags): Promise<void> {
  const library = await loadTemplateLibrary(ctx);
  const locale = await chosenLocale(ctx, flags.locale);
  const t = findTemplate(library, name, locale);
  if (flags.json) {
    ctx.io.out(
      JSON.stringify(
        {
          name: t.name,
          category: t.category,
          description: t.description,
          public: t.public,
          locale: t.locale,
          set: t.set,
          vars: t.vars,
          source: t.source,
          path: t.path,
          variables: templateVariables(t),
          body: t.body,
        },
        null,
        2,
      ),
    );
    return;
  }
  if (t.locale !== locale) ctx.io.err(`no ${locale} translation of "${t.name}"; showing ${t.locale}`);
  ctx.io.err(`# ${t.source} template: ${t.path}`);
  ctx.io.out(sanitizeText(await readFile(t.path, 'utf8')).trimEnd());
}
