/**
 * The locked-down Liquid engine (strict variables and filters, no file access, time and
 * memory caps), the variables a template uses, and rendering with errors that name the fix.
 */
import { Liquid, type Context, type FS, type Template } from 'liquidjs';
import { TemplateRenderError, firstLine, type ReplyTemplate, type TemplateProblem } from './template.js';
import { KNOWN_PLACEHOLDERS, type RenderContext } from './context.js';

let sharedEngine: Liquid | undefined;

/** The most text a template may produce (and any capture in it hold): far above any reply. */
export const MAX_RENDERED_CHARS = 1_000_000;

/**
 * The one Liquid engine: strict variables and filters, `if` lenient about undefined values
 * (so optional parts can be guarded), and no partials at all: include, render and layout are
 * parse errors, so no template can read a file.
 */
export function engine(): Liquid {
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

export function liquidProblem(err: unknown, path: string, bodyLine: number): TemplateProblem {
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

export function isKnownPlaceholder(path: string): boolean {
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
