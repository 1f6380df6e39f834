/** Sweep rules: the shipped and the user's rule files, or --rules, with their templates checked. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, NotFoundError } from '../../core/errors.js';
import { renderTemplate, sampleRenderContext, TemplateRenderError, type ReplyTemplate } from '../../core/templates.js';
import {
  formatRuleProblem,
  mergeRuleFiles,
  parseRuleFile,
  type RuleProblem,
  type RuleSet,
  type SweepStep,
} from '../../core/sweep-rules.js';
import { findTemplate, loadLibrary, shippedTemplatesDir, type TemplateLibrary } from '../replies.js';

export function shippedSweepsDir(): string {
  return join(shippedTemplatesDir(), 'sweeps');
}

export function userSweepsDir(home: string): string {
  return join(home, 'sweeps');
}

export interface LoadedRules {
  rules: RuleSet;
  /** The template library plus one template per inline reply/note of the rules. */
  library: TemplateLibrary;
  /** Step id -> the template it renders (library or inline), when it has a comment. */
  templates: Map<string, ReplyTemplate>;
}

export interface LoadRulesOptions {
  home: string;
  /** Only this file (--rules). */
  rulesFile?: string;
  /** Default: templates/sweeps next to the shipped templates. */
  shippedDir?: string;
  library?: TemplateLibrary;
}

async function ruleFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((n) => /\.ya?ml$/i.test(n) && !n.startsWith('.'))
      .sort()
      .map((n) => join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/**
 * Reads and checks the rules: YAML shape, templates that exist and render with sample data,
 * inline bodies that compile. The first problem is thrown as a one-line ConfigError
 * `file:line: message`.
 */
export async function loadSweepRules(options: LoadRulesOptions): Promise<LoadedRules> {
  let paths: string[];
  if (options.rulesFile !== undefined) {
    paths = [options.rulesFile];
  } else {
    paths = [...(await ruleFiles(options.shippedDir ?? shippedSweepsDir())), ...(await ruleFiles(userSweepsDir(options.home)))];
  }
  const parsed = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no such rules file: ${path}`);
      throw err;
    }
    parsed.push(parseRuleFile(text, path));
  }
  const { rules, problems } = mergeRuleFiles(parsed);
  const library = options.library ?? (await loadLibrary({ home: options.home }));
  const templates = new Map<string, ReplyTemplate>();
  const inline: ReplyTemplate[] = [];
  for (const step of problems.length ? [] : rules.steps) {
    const a = step.action;
    const problem = (message: string) => problems.push({ file: step.file, line: step.line, message });
    let template: ReplyTemplate | undefined;
    if (a.template) {
      try {
        template = findTemplate(library, a.template, a.locale);
      } catch (err) {
        problem(`${step.id}: ${(err as Error).message}`);
        continue;
      }
    } else if (a.inline) {
      template = inlineTemplate(step, a.inline);
      inline.push(template);
    }
    if (!template) continue;
    try {
      renderTemplate(template, sampleRenderContext(), a.vars);
    } catch (err) {
      const msg = err instanceof TemplateRenderError ? err.message : `Liquid: ${(err as Error).message}`;
      problems.push({ file: step.file, line: a.inline ? a.inline.line : step.line, message: `${step.id}: ${msg}` });
      continue;
    }
    templates.set(step.id, template);
  }
  if (rules.steps.length === 0 && problems.length === 0) {
    problems.push({ file: paths[0] ?? shippedSweepsDir(), line: 1, message: 'no rules in effect' });
  }
  throwProblems(problems);
  return { rules, library: { ...library, templates: [...library.templates, ...inline] }, templates };
}

/** A rule's inline `reply:`/`note:` as a template, so it renders like any other (file:line kept). */
export function inlineTemplate(step: SweepStep, inline: NonNullable<SweepStep['action']['inline']>): ReplyTemplate {
  return {
    name: `sweep-${step.id.replace(/[^a-z0-9]+/g, '-')}`.slice(0, 64),
    category: 'follow-up',
    description: step.description || step.id,
    public: inline.public,
    locale: 'en',
    set: {},
    vars: Object.fromEntries(Object.keys(step.action.vars).map((k) => [k, ''])),
    body: inline.body,
    bodyLine: inline.line,
    path: step.file,
    source: 'user',
  };
}

function throwProblems(problems: RuleProblem[]): void {
  if (problems.length === 0) return;
  const more = problems.length - 1;
  throw new ConfigError(formatRuleProblem(problems[0]!), {
    hint: more > 0 ? `${more} more problem${more === 1 ? '' : 's'}, e.g. ${formatRuleProblem(problems[1]!)}` : 'fix the rules file and run again',
  });
}
