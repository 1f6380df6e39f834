/**
 * Reply templates: Markdown files with YAML front matter and a Liquid body.
 *
 *   ---
 *   name: apology-delay
 *   category: apology
 *   description: Sorry for the wait, with the next step and when
 *   public: true                # default; false makes it an internal note
 *   locale: en                  # default en; `apology-delay.es.md` holds locale es
 *   set: { status: pending, priority: high, tags: [apologised] }   # applied when sent
 *   vars: { order: order number, e.g. 10442 }                      # --var order=...
 *   ---
 *   Hi {{ ticket.requester.first_name }}, ...
 *
 * Pure: text in, data out. The Liquid engine is locked down: strict variables and filters,
 * no include/render/layout (a template cannot read any file), and render time and memory caps.
 * Variables are Zendesk's placeholders (ticket.*, current_user.*) plus `vars.*` from --var.
 */
import { Liquid, type Context, type FS, type Template } from 'liquidjs';
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { DeskopsError, UsageError } from './errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './model.js';
import type { Group, Organization, Ticket, TicketPriority, TicketStatus, User } from './model.js';

export const TEMPLATE_CATEGORIES = [
  'empathy',
  'apology',
  'ownership',
  'resolution',
  'escalation',
  'follow-up',
  'survey',
] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];
export type TemplateSource = 'shipped' | 'user';

/** Templates without `locale:` are English; other locales fall back to it. */
export const DEFAULT_LOCALE = 'en';

/** Statuses a template may set when sent (a reply never makes a ticket `new`). */
export const SETTABLE_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => s !== 'new');

/** Changes applied to the ticket together with the comment. */
export interface TemplateSet {
  status?: TicketStatus;
  priority?: TicketPriority;
  tags?: string[];
}

export interface ReplyTemplate {
  name: string;
  category: TemplateCategory;
  description: string;
  /** Public reply (default) or internal note. */
  public: boolean;
  /** Lowercase BCP 47 tag, `en` by default. */
  locale: string;
  set: TemplateSet;
  /** Variables the template takes from --var, with what to give. */
  vars: Record<string, string>;
  /** The Liquid source after the front matter. */
  body: string;
  /** 1-based line of the file on which the body starts. */
  bodyLine: number;
  path: string;
  source: TemplateSource;
}

/** A problem in a template file, reported as `path:line: message`. */
export interface TemplateProblem {
  path: string;
  line: number;
  message: string;
}

export function formatProblem(p: TemplateProblem): string {
  return `${p.path}:${p.line}: ${p.message}`;
}

/** `template lint` found problems. Exit 1; the problems are printed by the caller. */
export class TemplateLintError extends DeskopsError {
  readonly problems: TemplateProblem[];
  constructor(problems: TemplateProblem[], files: number) {
    const inFiles = new Set(problems.map((p) => p.path)).size;
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${inFiles} of ${files} template file${files === 1 ? '' : 's'}`,
    );
    this.problems = problems;
  }
}

/** A template could not be rendered for a ticket: a variable that does not resolve, a Liquid error. Exit 1. */
export class TemplateRenderError extends DeskopsError {
  readonly template: string;
  /** The dotted variable that did not resolve, when that was the reason. */
  readonly variable?: string;
  constructor(template: string, message: string, options: { variable?: string; hint?: string } = {}) {
    super(message, { hint: options.hint });
    this.template = template;
    this.variable = options.variable;
  }
}

// ---------------------------------------------------------------------------------------------
// Placeholders

/** Every placeholder a template may use besides `vars.*`. Zendesk names, as its macros use them. */
export const KNOWN_PLACEHOLDERS: readonly string[] = [
  'ticket.id',
  'ticket.title',
  'ticket.description',
  'ticket.status',
  'ticket.priority',
  'ticket.ticket_type',
  'ticket.tags',
  'ticket.via',
  'ticket.created_at',
  'ticket.updated_at',
  'ticket.due_date',
  ...personPlaceholders('ticket.requester'),
  ...personPlaceholders('ticket.assignee'),
  'ticket.group.name',
  'ticket.organization.name',
  ...personPlaceholders('current_user'),
  'current_user.signature',
];

function personPlaceholders(prefix: string): string[] {
  return ['id', 'name', 'first_name', 'last_name', 'email'].map((f) => `${prefix}.${f}`);
}

interface PersonFields {
  id: number;
  name: string;
  first_name: string;
  last_name: string;
  email: string;
}

/**
 * What a template sees. A record the ticket does not have (no assignee, no organization) is
 * left out rather than set to null, so `{{ ticket.organization.name }}` fails loudly instead of
 * printing nothing; guard optional parts with `{% if ticket.organization %}`.
 */
export interface RenderContext {
  ticket: {
    id: number;
    title: string;
    description: string;
    status: string;
    priority: string;
    ticket_type: string;
    tags: string[];
    via: string;
    created_at: string;
    updated_at: string;
    due_date?: string;
    requester?: PersonFields;
    assignee?: PersonFields;
    group?: { name: string };
    organization?: { name: string };
  };
  current_user: PersonFields & { signature: string };
}

export interface RenderContextInput {
  ticket: Ticket;
  requester?: User;
  assignee?: User;
  group?: Group;
  organization?: Organization;
  /** The agent sending (the desk's `me`). */
  me: User;
}

function person(u: User): PersonFields {
  const name = u.name.trim();
  const space = name.indexOf(' ');
  return {
    id: u.id,
    name,
    first_name: space === -1 ? name : name.slice(0, space),
    last_name: space === -1 ? '' : name.slice(space + 1).trim(),
    email: u.email,
  };
}

/** Builds the placeholders of one ticket. `current_user.signature` falls back to the agent's name. */
export function buildRenderContext(input: RenderContextInput): RenderContext {
  const t = input.ticket;
  const ticket: RenderContext['ticket'] = {
    id: t.id,
    title: t.subject,
    description: t.description,
    status: t.status,
    priority: t.priority ?? '',
    ticket_type: t.type ?? '',
    tags: [...t.tags],
    via: String(t.via?.channel ?? ''),
    created_at: t.created_at,
    updated_at: t.updated_at,
  };
  if (t.due_at) ticket.due_date = t.due_at;
  if (input.requester) ticket.requester = person(input.requester);
  if (input.assignee) ticket.assignee = person(input.assignee);
  if (input.group) ticket.group = { name: input.group.name };
  if (input.organization) ticket.organization = { name: input.organization.name };
  const me = person(input.me);
  const signature = input.me.signature?.trim() ? input.me.signature.trim() : me.name;
  return { ticket, current_user: { ...me, signature } };
}

/** Sample placeholders for checking that a template renders (lint) and for previews without a ticket. */
export function sampleRenderContext(): RenderContext {
  const requester = { id: 101, name: 'Dana Whitfield', first_name: 'Dana', last_name: 'Whitfield', email: 'dana@example.com' };
  const agent = { id: 7, name: 'Sam Ortiz', first_name: 'Sam', last_name: 'Ortiz', email: 'sam@example.com' };
  return {
    ticket: {
      id: 4242,
      title: 'Charged twice for order 10442',
      description: 'I was charged twice for order 10442.',
      status: 'open',
      priority: 'high',
      ticket_type: 'problem',
      tags: ['billing'],
      via: 'email',
      created_at: '2025-03-03T09:12:00Z',
      updated_at: '2025-03-04T16:40:00Z',
      due_date: '2025-03-07T17:00:00Z',
      requester,
      assignee: agent,
      group: { name: 'Billing' },
      organization: { name: 'Whitfield Design' },
    },
    current_user: { ...agent, signature: 'Sam\nCustomer Support' },
  };
}

// ---------------------------------------------------------------------------------------------
// Parsing

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const LOCALE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/;
const VAR_NAME = /^[a-z][a-z0-9_]{0,39}$/;
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

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
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

// ---------------------------------------------------------------------------------------------
// Liquid

let sharedEngine: Liquid | undefined;

/** The most text a template may produce (and any capture in it hold): far above any reply. */
export const MAX_RENDERED_CHARS = 1_000_000;

/**
 * The one Liquid engine: strict variables and filters, `if` lenient about undefined values
 * (so optional parts can be guarded), and no partials at all: include, render and layout are
 * parse errors, so no template can read a file.
 */
function engine(): Liquid {
  if (sharedEngine) return sharedEngine;
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    lenientIf: true,
    ownPropertyOnly: true,
    jsTruthy: false,
    relativeReference: false,
    dynamicPartials: false,
    // Belt and braces: the partial tags are gone (below), and the loader has nowhere to look.
    root: [],
    partials: [],
    layouts: [],
    fs: refusingFs,
    cache: false,
    parseLimit: 200_000,
    renderLimit: 2_000,
    memoryLimit: 10_000_000,
  });
  // memoryLimit does not see what {% capture %} accumulates: a capture nested into itself
  // doubles each time. Each capture, and the whole text, is bounded instead.
  const Capture = liquid.tags.capture as unknown as new (...args: never[]) => { variable: string; render(ctx: Context): Generator<unknown, void, unknown> };
  class BoundedCapture extends Capture {
    override *render(ctx: Context): Generator<unknown, void, unknown> {
      yield* super.render(ctx);
      const value = ctx.bottom()[this.variable as keyof object] as unknown;
      if (typeof value === 'string' && value.length > MAX_RENDERED_CHARS) {
        throw new Error(`{% capture ${this.variable} %} grew past ${MAX_RENDERED_CHARS.toLocaleString('en-US')} characters; a template's text is bounded`);
      }
    }
  }
  liquid.registerTag('capture', BoundedCapture as unknown as Parameters<Liquid['registerTag']>[1]);
  for (const tag of ['include', 'render', 'layout']) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not allowed: a template is one self-contained file`);
      },
      render() {
        return '';
      },
    });
  }
  sharedEngine = liquid;
  return liquid;
}

const refuse = (file: string): never => {
  throw new Error(`templates cannot read files (${file})`);
};
const refusingFs: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string) => refuse(file),
  readFileSync: (file: string) => refuse(file),
  resolve: (_dir: string, file: string) => file,
  contains: async () => false,
  containsSync: () => false,
  sep: '/',
};

interface LiquidErrorLike {
  message: string;
  token?: { getPosition?: () => [number, number] };
  originalError?: { variableName?: string; message?: string };
}

function liquidLine(err: unknown): number | undefined {
  const pos = (err as LiquidErrorLike | null)?.token?.getPosition?.();
  return pos ? pos[0] : undefined;
}

function liquidMessage(err: unknown): string {
  const e = err as LiquidErrorLike;
  const msg = e?.originalError?.message ?? e?.message ?? String(err);
  return firstLine(msg.replace(/, line:\d+, col:\d+$/, ''));
}

function liquidProblem(err: unknown, path: string, bodyLine: number): TemplateProblem {
  const row = liquidLine(err);
  return { path, line: row === undefined ? bodyLine : bodyLine - 1 + row, message: `Liquid: ${liquidMessage(err)}` };
}

function parsed(template: ReplyTemplate): Template[] {
  return engine().parse(template.body, template.path);
}

export interface VariableUse {
  /** Dotted path, e.g. ticket.requester.first_name or vars.order. */
  path: string;
  /** Line in the template file. */
  line: number;
}

/** Every placeholder the template reads (not its own assigns), with where. */
export function variableUses(template: ReplyTemplate): VariableUse[] {
  const analysis = engine().analyzeSync(parsed(template), { partials: false });
  const uses: VariableUse[] = [];
  for (const list of Object.values(analysis.globals)) {
    for (const v of list) {
      uses.push({ path: variablePath(v.segments), line: template.bodyLine - 1 + v.location.row });
    }
  }
  return uses.sort((a, b) => a.line - b.line || a.path.localeCompare(b.path));
}

/** The distinct placeholders a template uses, sorted. */
export function templateVariables(template: ReplyTemplate): string[] {
  return [...new Set(variableUses(template).map((u) => u.path))].sort();
}

function variablePath(segments: ReadonlyArray<unknown>): string {
  const out: string[] = [];
  for (const s of segments) {
    if (typeof s === 'string' || typeof s === 'number') out.push(String(s));
    else {
      out.push('[]');
      break;
    }
  }
  return out.join('.');
}

function isKnownPlaceholder(path: string): boolean {
  if (path.startsWith('vars.')) return true;
  return KNOWN_PLACEHOLDERS.some((k) => k === path || k.startsWith(`${path}.`) || (path.startsWith(`${k}.`) && k === 'ticket.tags'));
}

/**
 * Renders a template with a ticket's placeholders and `vars`. Throws TemplateRenderError naming
 * the template and the variable when one does not resolve; the result is trimmed, with runs of
 * blank lines (left by `{% if %}` blocks) folded to one. An empty result is an error too.
 */
export function renderTemplate(template: ReplyTemplate, context: RenderContext, vars: Record<string, string> = {}): string {
  let out: string;
  try {
    out = String(engine().renderSync(parsed(template), { ...context, vars: { ...vars } }));
  } catch (err) {
    throw renderError(template, err, context, missingVarsAfter(template, context, vars, err));
  }
  if (out.length > MAX_RENDERED_CHARS) {
    throw new TemplateRenderError(template.name, `template "${template.name}" rendered more than ${MAX_RENDERED_CHARS.toLocaleString('en-US')} characters; a reply that long is refused`);
  }
  const body = normalizeBody(out);
  if (body === '') throw new TemplateRenderError(template.name, `template "${template.name}" rendered an empty reply`);
  return body;
}

/** The vars.* key a render error is about, if it is one. */
function missingVarKey(err: unknown): string | undefined {
  const variable = (err as LiquidErrorLike | null)?.originalError?.variableName;
  if (!variable || !(variable.startsWith('vars.') || variable === 'vars')) return undefined;
  return variable.split('.')[1] ?? 'NAME';
}

/**
 * Every var the template still needs, not only the first: rendered again with a stand-in for
 * each missing one until it renders or fails on something else, so one run names them all.
 */
function missingVarsAfter(template: ReplyTemplate, context: RenderContext, vars: Record<string, string>, first: unknown): string[] {
  const firstKey = missingVarKey(first);
  if (firstKey === undefined) return [];
  const missing = [firstKey];
  const tried: Record<string, string> = { ...vars, [firstKey]: 'x' };
  for (let i = 0; i < 50; i++) {
    try {
      engine().renderSync(parsed(template), { ...context, vars: tried });
      break;
    } catch (err) {
      const key = missingVarKey(err);
      if (key === undefined || missing.includes(key)) break;
      missing.push(key);
      tried[key] = 'x';
    }
  }
  return missing;
}

function renderError(template: ReplyTemplate, err: unknown, context: RenderContext, missingVars: string[] = []): TemplateRenderError {
  const row = liquidLine(err);
  const where = `${template.path}:${row === undefined ? template.bodyLine : template.bodyLine - 1 + row}`;
  const variable = (err as LiquidErrorLike | null)?.originalError?.variableName;
  if (variable) {
    if (variable.startsWith('vars.') || variable === 'vars') {
      const keys = missingVars.length > 0 ? missingVars : [variable.split('.')[1] ?? 'NAME'];
      const named = keys.map((key) => `vars.${key}${template.vars[key] ? ` (${template.vars[key]})` : ''}`);
      return new TemplateRenderError(
        template.name,
        keys.length === 1
          ? `template "${template.name}" needs vars.${keys[0]}${template.vars[keys[0]!] ? `: ${template.vars[keys[0]!]}` : ''} (${where})`
          : `template "${template.name}" needs ${named.join(', ')} (${template.path})`,
        { variable, hint: `give ${keys.length === 1 ? 'it' : 'them'} with ${keys.map((k) => `--var ${k}=VALUE`).join(' ')}` },
      );
    }
    const missing = missingRecord(variable, context);
    return new TemplateRenderError(
      template.name,
      `template "${template.name}": ${variable} does not resolve${missing ? ` (ticket #${context.ticket.id} has no ${missing})` : ''} (${where})`,
      { variable, hint: missing ? `pick another template, or set the ${missing} first` : 'run `deskops template lint` to check the template' },
    );
  }
  return new TemplateRenderError(template.name, `template "${template.name}" failed to render: ${liquidMessage(err)} (${where})`);
}

function missingRecord(variable: string, context: RenderContext): string | undefined {
  const [root, record] = variable.split('.');
  if (root !== 'ticket' || !record) return undefined;
  const optional = ['requester', 'assignee', 'group', 'organization', 'due_date'];
  if (optional.includes(record) && (context.ticket as Record<string, unknown>)[record] === undefined) {
    return record === 'due_date' ? 'due date' : record;
  }
  return undefined;
}

// C0 controls except tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Removes control characters (terminal escapes, bidi overrides) that customer text can carry
 * into a reply, so the text previewed on a terminal is the text sent. Keeps tabs and newlines.
 */
export function stripControls(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROLS, '');
}

/** Trims lines' trailing blanks, folds 3+ newlines to a blank line, trims the whole; no control characters. */
export function normalizeBody(text: string): string {
  return stripControls(text)
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Lint

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

// ---------------------------------------------------------------------------------------------
// Library: overrides and locale fallback

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

// ---------------------------------------------------------------------------------------------
// Closest names, for "did you mean"

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Up to `limit` names close to `input`: within an edit distance of about a third of its length,
 * or containing it (so "delay" finds apology-delay). Closest first.
 */
export function closestNames(input: string, names: readonly string[], limit = 3): string[] {
  const q = input.toLowerCase();
  const scored = [...new Set(names)]
    .map((n) => {
      const d = editDistance(q, n.toLowerCase());
      const contains = q.length >= 3 && n.toLowerCase().includes(q);
      return { n, d: contains ? Math.min(d, 1) : d };
    })
    .filter((s) => s.d <= Math.max(2, Math.floor(q.length / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, limit).map((s) => s.n);
}
