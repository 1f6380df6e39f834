/** Parsing a template file: the front matter checked key by key, the body compiled by Liquid. */
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { TICKET_PRIORITIES } from '../model.js';
import type { TicketPriority, TicketStatus } from '../model.js';
import {
  TEMPLATE_CATEGORIES,
  DEFAULT_LOCALE,
  SETTABLE_STATUSES,
  NAME,
  LOCALE,
  VAR_NAME,
  firstLine,
  type TemplateCategory,
  type TemplateSource,
  type TemplateSet,
  type ReplyTemplate,
  type TemplateProblem,
} from './template.js';
import { engine, liquidProblem } from './render.js';

const TAG = /^[^\s,]{1,80}$/;
const FRONT_MATTER_KEYS = ['name', 'category', 'description', 'public', 'locale', 'set', 'vars'] as const;
const SET_KEYS = ['status', 'priority', 'tags'] as const;

export interface ParseResult {
  template?: ReplyTemplate;
  problems: TemplateProblem[];
}

/**
 * Parses and validates one template file. Returns the template, or problems with file:line
 * (front matter shape and values, YAML syntax, Liquid syntax). Never throws for bad input.
 */
export function parseTemplate(text: string, path: string, source: TemplateSource = 'user'): ParseResult {
  const problems: TemplateProblem[] = [];
  const problem = (line: number, message: string) => problems.push({ path, line, message });
  const split = splitFrontMatter(text);
  if ('error' in split) {
    problem(split.line, split.error);
    return { problems };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(split.yaml, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlLine = (offset: number | undefined) => split.yamlLine - 1 + (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  for (const e of doc.errors) {
    problem(yamlLine(e.pos?.[0]), `front matter: ${firstLine(e.message)}`);
  }
  if (doc.errors.length > 0) return { problems };
  const root = doc.contents;
  if (!isMap(root)) {
    problem(split.yamlLine, 'front matter must be a map of keys (name, category, description, ...)');
    return { problems };
  }

  const pairs = new Map<string, Pair>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    pairs.set(key, pair);
    if (!(FRONT_MATTER_KEYS as readonly string[]).includes(key)) {
      problem(yamlLine(nodeStart(pair.key)), `unknown front matter key "${key}" (known: ${FRONT_MATTER_KEYS.join(', ')})`);
    }
  }
  const lineOfValue = (key: string) => yamlLine(nodeStart(pairs.get(key)?.value) ?? nodeStart(pairs.get(key)?.key));
  const value = (key: string): unknown => {
    const v = pairs.get(key)?.value;
    return v === undefined || v === null ? undefined : (v as Node).toJSON();
  };

  const name = value('name');
  if (name === undefined) problem(split.yamlLine, 'front matter needs a name');
  else if (typeof name !== 'string' || !NAME.test(name)) {
    problem(lineOfValue('name'), `name ${JSON.stringify(name)} must be lowercase letters, digits and dashes (up to 64)`);
  }

  const category = value('category');
  if (category === undefined) problem(split.yamlLine, `front matter needs a category (${TEMPLATE_CATEGORIES.join(' | ')})`);
  else if (typeof category !== 'string' || !(TEMPLATE_CATEGORIES as readonly string[]).includes(category)) {
    problem(lineOfValue('category'), `unknown category ${JSON.stringify(category)}; use one of ${TEMPLATE_CATEGORIES.join(', ')}`);
  }

  const description = value('description');
  if (description === undefined) problem(split.yamlLine, 'front matter needs a description (one line: when to use it)');
  else if (typeof description !== 'string' || description.trim() === '') {
    problem(lineOfValue('description'), 'description must be a line of text');
  }

  const isPublic = value('public');
  if (isPublic !== undefined && typeof isPublic !== 'boolean') {
    problem(lineOfValue('public'), `public must be true or false, got ${JSON.stringify(isPublic)}`);
  }

  let locale = DEFAULT_LOCALE;
  const localeValue = value('locale');
  if (localeValue !== undefined) {
    if (typeof localeValue !== 'string' || !LOCALE.test(localeValue.toLowerCase())) {
      problem(lineOfValue('locale'), `locale ${JSON.stringify(localeValue)} is not a language tag such as en, es or pt-br`);
    } else locale = localeValue.toLowerCase();
  }

  const set: TemplateSet = {};
  const setPair = pairs.get('set');
  if (setPair && setPair.value !== null && setPair.value !== undefined) {
    const node = setPair.value as Node;
    if (!isMap(node)) problem(lineOfValue('set'), 'set must be a map with status, priority and/or tags');
    else {
      for (const item of node.items) {
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        const line = yamlLine(nodeStart(item.value) ?? nodeStart(item.key));
        const v = item.value === null || item.value === undefined ? undefined : (item.value as Node).toJSON();
        if (key === 'status') {
          if (typeof v === 'string' && (SETTABLE_STATUSES as readonly string[]).includes(v)) set.status = v as TicketStatus;
          else problem(line, `set.status ${JSON.stringify(v)} is not one of ${SETTABLE_STATUSES.join(', ')}`);
        } else if (key === 'priority') {
          if (typeof v === 'string' && (TICKET_PRIORITIES as readonly string[]).includes(v)) set.priority = v as TicketPriority;
          else problem(line, `set.priority ${JSON.stringify(v)} is not one of ${TICKET_PRIORITIES.join(', ')}`);
        } else if (key === 'tags') {
          const tags = typeof v === 'string' ? [v] : v;
          if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && TAG.test(t))) {
            problem(line, 'set.tags must be a list of tags without spaces or commas');
          } else set.tags = tags as string[];
        } else {
          problem(yamlLine(nodeStart(item.key)), `unknown key "set.${key}" (known: ${SET_KEYS.join(', ')})`);
        }
      }
    }
  }

  const vars: Record<string, string> = {};
  const varsPair = pairs.get('vars');
  if (varsPair && varsPair.value !== null && varsPair.value !== undefined) {
    const node = varsPair.value as Node;
    if (isSeq(node)) {
      for (const item of node.items) {
        const v = (item as Node).toJSON?.() ?? item;
        if (typeof v === 'string' && VAR_NAME.test(v)) vars[v] = '';
        else problem(yamlLine(nodeStart(item as Node)), `vars: ${JSON.stringify(v)} is not a variable name (lowercase, digits, _)`);
      }
    } else if (isMap(node)) {
      for (const item of node.items) {
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        const v = item.value === null || item.value === undefined ? '' : (item.value as Node).toJSON();
        if (!VAR_NAME.test(key)) problem(yamlLine(nodeStart(item.key)), `vars: "${key}" is not a variable name (lowercase, digits, _)`);
        else if (typeof v !== 'string') problem(yamlLine(nodeStart(item.value as Node)), `vars.${key} must be a short description`);
        else vars[key] = v;
      }
    } else problem(lineOfValue('vars'), 'vars must map each variable name to a description');
  }

  const body = split.body;
  if (body.trim() === '') problem(split.bodyLine, 'the template has no body');
  else {
    try {
      engine().parse(body, path);
    } catch (err) {
      problems.push(liquidProblem(err, path, split.bodyLine));
    }
  }

  if (problems.length > 0) return { problems };
  return {
    template: {
      name: name as string,
      category: category as TemplateCategory,
      description: (description as string).trim(),
      public: isPublic === undefined ? true : (isPublic as boolean),
      locale,
      set,
      vars,
      body,
      bodyLine: split.bodyLine,
      path,
      source,
    },
    problems,
  };
}

function nodeStart(node: unknown): number | undefined {
  const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return range ? range[0] : undefined;
}


type Split = { yaml: string; yamlLine: number; body: string; bodyLine: number } | { error: string; line: number };

function splitFrontMatter(text: string): Split {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = src.split('\n');
  if (lines[0]?.trim() !== '---') {
    return { error: 'missing front matter: the file must start with a line "---", then name, category and description, then "---"', line: 1 };
  }
  const end = lines.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
  if (end === -1) return { error: 'front matter is not closed: add a line "---" before the body', line: 1 };
  return {
    yaml: lines.slice(1, end).join('\n'),
    yamlLine: 2,
    body: lines.slice(end + 1).join('\n'),
    bodyLine: end + 2,
  };
}
