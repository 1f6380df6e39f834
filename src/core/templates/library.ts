/** The template library: user templates over shipped ones, locale fallback, names, locales and --var. */
import { UsageError } from '../errors.js';
import { TEMPLATE_CATEGORIES, DEFAULT_LOCALE, NAME, LOCALE, VAR_NAME, type ReplyTemplate } from './template.js';

/**
 * The templates in effect: a user template replaces the shipped one of the same name and
 * locale. Sorted by category order, then name, then locale.
 */
export function effectiveTemplates(shipped: ReplyTemplate[], user: ReplyTemplate[]): ReplyTemplate[] {
  const byKey = new Map<string, ReplyTemplate>();
  for (const t of [...shipped, ...user]) byKey.set(`${t.name}\u0000${t.locale}`, t);
  return [...byKey.values()].sort(
    (a, b) =>
      TEMPLATE_CATEGORIES.indexOf(a.category) - TEMPLATE_CATEGORIES.indexOf(b.category) ||
      a.name.localeCompare(b.name) ||
      (a.locale === DEFAULT_LOCALE ? -1 : b.locale === DEFAULT_LOCALE ? 1 : a.locale.localeCompare(b.locale)),
  );
}

/**
 * Picks the template `name` for `locale`: the exact locale, then its language (es-mx -> es),
 * then English. Undefined when no template has that name.
 */
export function resolveTemplate(templates: ReplyTemplate[], name: string, locale: string = DEFAULT_LOCALE): ReplyTemplate | undefined {
  const candidates = templates.filter((t) => t.name === name);
  if (candidates.length === 0) return undefined;
  const wanted = locale.toLowerCase();
  const language = wanted.split('-')[0]!;
  return (
    candidates.find((t) => t.locale === wanted) ??
    candidates.find((t) => t.locale === language) ??
    candidates.find((t) => t.locale === DEFAULT_LOCALE) ??
    candidates[0]
  );
}

/** Throws UsageError unless `locale` looks like a language tag; returns it lowercased. */
export function parseLocale(locale: string): string {
  const l = locale.trim().toLowerCase().replace(/_/g, '-');
  if (!LOCALE.test(l)) throw new UsageError(`--locale ${JSON.stringify(locale)} is not a language tag such as en, es or pt-br`);
  return l;
}

/** Parses repeated `--var key=value` flags. */
export function parseVars(pairs: string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? '' : pair.slice(0, eq).trim();
    if (eq === -1 || !VAR_NAME.test(key)) {
      throw new UsageError(`--var ${JSON.stringify(pair)} is not in key=value form (key: lowercase letters, digits, _)`, {
        hint: 'e.g. --var order=10442',
      });
    }
    vars[key] = pair.slice(eq + 1);
  }
  return vars;
}

/** Checks a new template's name. */
export function checkTemplateName(name: string): string {
  if (!NAME.test(name)) throw new UsageError(`template name ${JSON.stringify(name)} must be lowercase letters, digits and dashes`);
  return name;
}
