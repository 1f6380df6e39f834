/**
 * `template import --from-macros`: the desk's macros written as deskops templates in
 * $DESKOPS_HOME/templates, the way `template new` writes (never over an existing file), each
 * checked by the template linter before it is written and all of them linted again after.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HelpDesk } from '../api/helpdesk.js';
import type { Group, Macro } from '../core/model.js';
import { NotATemplate, templateFromMacro, type MacroTemplate } from '../core/templates/from-macro.js';
import { formatProblem, lintTemplate, parseTemplate, type TemplateProblem } from '../core/templates.js';
import { lintTemplates, userTemplatesDir } from './replies.js';

export interface ImportOutcome {
  macro: { id: number; title: string };
  /** written; exists (a file of that name is kept as it is); skipped (no comment); refused (lint problems); planned (--dry-run). */
  outcome: 'written' | 'exists' | 'skipped' | 'refused' | 'planned';
  name?: string;
  path?: string;
  category?: string;
  reason?: string;
  unmapped: Array<[string, string]>;
  notCarried: string[];
}

export interface ImportResult {
  dir: string;
  outcomes: ImportOutcome[];
  /** The template linter over the files written (null when none was). */
  lint: { files: number; problems: TemplateProblem[] } | null;
}

export async function importMacroTemplates(desk: HelpDesk, options: { home: string; dryRun?: boolean }): Promise<ImportResult> {
  const macros: Macro[] = await desk.listMacros();
  const groups = macros.some((m) => m.actions.some((a) => a.field === 'group_id')) ? await desk.listGroups().catch(() => [] as Group[]) : [];
  const groupName = (id: number) => groups.find((g) => g.id === id)?.name;
  const dir = userTemplatesDir(options.home);
  const outcomes: ImportOutcome[] = [];
  const names = new Set<string>();
  const written: string[] = [];
  for (const macro of macros) {
    const about = { macro: { id: macro.id, title: macro.title } };
    let made: MacroTemplate;
    try {
      made = templateFromMacro(macro, groupName);
    } catch (err) {
      if (!(err instanceof NotATemplate)) throw err;
      outcomes.push({ ...about, outcome: 'skipped', reason: err.message, unmapped: [], notCarried: [] });
      continue;
    }
    // Two macros whose titles make one name: the second gets the macro's id as well.
    if (names.has(made.name)) made = { ...made, ...renamed(made, `${made.name.slice(0, 50)}-${macro.id}`) };
    names.add(made.name);
    const path = join(dir, `${made.name}.md`);
    const base = { ...about, name: made.name, path, category: made.category, unmapped: made.unmapped, notCarried: made.notCarried };
    const parsed = parseTemplate(made.text, path, 'user');
    const problems = parsed.template ? lintTemplate(parsed.template) : parsed.problems;
    if (problems.length > 0) {
      outcomes.push({ ...base, outcome: 'refused', reason: problems.map(formatProblem).join('; ') });
      continue;
    }
    if (options.dryRun) {
      outcomes.push({ ...base, outcome: 'planned' });
      continue;
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      await writeFile(path, made.text, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      outcomes.push({ ...base, outcome: 'exists', reason: `${path} already exists; not overwritten` });
      continue;
    }
    written.push(path);
    outcomes.push({ ...base, outcome: 'written' });
  }
  const lint = written.length > 0 ? await lintTemplates({ home: options.home }, written) : null;
  return { dir, outcomes, lint };
}

function renamed(made: MacroTemplate, name: string): Pick<MacroTemplate, 'name' | 'text'> {
  return { name, text: made.text.replace(/^name: .*$/m, `name: ${name}`) };
}
