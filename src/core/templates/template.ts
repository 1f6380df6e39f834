/** What a reply template is: its categories, fields and problems, and the names it may take. */
import { DeskopsError } from '../errors.js';
import { TICKET_STATUSES } from '../model.js';
import type { TicketPriority, TicketStatus } from '../model.js';

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

/** A template name, a locale and a --var name, as parsing, linting and the library check them. */
export const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const LOCALE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/;
export const VAR_NAME = /^[a-z][a-z0-9_]{0,39}$/;

export function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}
