/** Linting templates beyond parsing: unknown placeholders, undeclared vars, file names, duplicates. */
import { DEFAULT_LOCALE, type ReplyTemplate, type TemplateProblem } from './template.js';
import { KNOWN_PLACEHOLDERS, sampleRenderContext } from './context.js';
import { liquidProblem, variableUses, isKnownPlaceholder, renderTemplate, type VariableUse } from './render.js';
import { closestNames } from './closest.js';

/**
 * Problems beyond parsing in one valid template: placeholders that are not known, `vars.*`
 * not declared in the front matter, a file name that does not match `name[.locale].md`, and
 * anything that fails when rendered with sample data.
 */
export function lintTemplate(template: ReplyTemplate): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const push = (line: number, message: string) => problems.push({ path: template.path, line, message });
  const base = baseName(template.path);
  const expected = template.locale === DEFAULT_LOCALE ? [`${template.name}.md`, `${template.name}.en.md`] : [`${template.name}.${template.locale}.md`];
  if (!expected.includes(base)) push(1, `file name should be ${expected[0]} for template "${template.name}"${template.locale !== DEFAULT_LOCALE ? ` (locale ${template.locale})` : ''}`);

  let uses: VariableUse[];
  try {
    uses = variableUses(template);
  } catch (err) {
    problems.push(liquidProblem(err, template.path, template.bodyLine));
    return problems;
  }
  const seen = new Set<string>();
  for (const use of uses) {
    const key = `${use.path}@${use.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (use.path.startsWith('vars.')) {
      const name = use.path.split('.')[1]!;
      if (!(name in template.vars)) push(use.line, `{{ ${use.path} }} is not declared under vars: in the front matter`);
    } else if (use.path === 'vars') {
      push(use.line, 'use vars.NAME, not vars itself');
    } else if (!isKnownPlaceholder(use.path)) {
      const close = closestNames(use.path, KNOWN_PLACEHOLDERS, 1);
      push(use.line, `unknown variable {{ ${use.path} }}${close.length ? `; did you mean ${close[0]}?` : ''}`);
    }
  }
  if (problems.length === 0) {
    const sampleVars = Object.fromEntries(Object.keys(template.vars).map((k) => [k, `<${k}>`]));
    try {
      renderTemplate(template, sampleRenderContext(), sampleVars);
    } catch (err) {
      push(template.bodyLine, err instanceof Error ? err.message : String(err));
    }
  }
  return problems;
}

/**
 * Problems across a set of templates: two files with one name and locale in the same place,
 * and a translation with no English template (among `templates` and `fallbacks`) to fall back to.
 */
export function lintLibrary(templates: ReplyTemplate[], fallbacks: ReplyTemplate[] = templates): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const byKey = new Map<string, ReplyTemplate>();
  for (const t of templates) {
    const key = `${t.source}\u0000${t.name}\u0000${t.locale}`;
    const first = byKey.get(key);
    if (first) problems.push({ path: t.path, line: 1, message: `template "${t.name}" (${t.locale}) is also defined in ${first.path}` });
    else byKey.set(key, t);
  }
  const hasDefault = new Set([...templates, ...fallbacks].filter((t) => t.locale === DEFAULT_LOCALE).map((t) => t.name));
  for (const t of templates) {
    if (t.locale !== DEFAULT_LOCALE && !hasDefault.has(t.name)) {
      problems.push({ path: t.path, line: 1, message: `no English template "${t.name}" to fall back to for other locales` });
    }
  }
  return problems;
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1]!;
}
