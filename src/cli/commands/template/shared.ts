/** Library loading and locale choice shared by the template and reply commands. */
import type { CliContext } from '../../context.js';
import { loadLibrary, type TemplateLibrary } from '../../../services/replies.js';
import { DEFAULT_LOCALE, formatProblem, parseLocale } from '../../../core/templates.js';

/** Setting that holds the default reply locale (`deskops` falls back to English). */
export const LOCALE_SETTING = 'reply.locale';

export async function loadTemplateLibrary(ctx: CliContext, options: { warn?: boolean } = {}): Promise<TemplateLibrary> {
  const library = await loadLibrary({ home: ctx.home() });
  if (options.warn) {
    for (const p of library.problems) ctx.io.err(`warning: skipped ${formatProblem(p)}`);
  }
  return library;
}

/** --locale, else the `reply.locale` setting, else English. */
export async function chosenLocale(ctx: CliContext, flag: string | undefined): Promise<string> {
  if (flag !== undefined) return parseLocale(flag);
  const setting = (await ctx.config()).getSetting<string>(LOCALE_SETTING);
  return typeof setting === 'string' && setting.trim() !== '' ? parseLocale(setting) : DEFAULT_LOCALE;
}
