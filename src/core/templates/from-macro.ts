/**
 * A desk macro as a deskops template file: its comment becomes the body, its status, priority
 * and added tags the template's `set:`, its public/private mode `public:`. Zendesk's
 * placeholders are deskops' own names ({{ticket.requester.first_name}}, {{current_user.name}}),
 * a few spellings are mapped to them, and a placeholder deskops cannot fill
 * ({{ticket.url}}, {{dc.*}} dynamic content, custom fields) becomes a variable declared under
 * `vars:`, given with --var when the reply is sent. Whatever a template cannot carry
 * (assignee, group, type, removed or replaced tags, subject) is named, never dropped quietly.
 */
import { stringify } from 'yaml';
import type { Macro, MacroAction } from '../model.js';
import { KNOWN_PLACEHOLDERS } from './context.js';
import { NAME, SETTABLE_STATUSES, VAR_NAME, type TemplateCategory } from './template.js';

/** Zendesk spellings with a deskops name. */
const SYNONYMS: Record<string, string> = {
  'ticket.subject': 'ticket.title',
  'ticket.type': 'ticket.ticket_type',
  'ticket.requester.firstname': 'ticket.requester.first_name',
  'ticket.requester.lastname': 'ticket.requester.last_name',
  'ticket.assignee.firstname': 'ticket.assignee.first_name',
  'ticket.assignee.lastname': 'ticket.assignee.last_name',
  'current_user.firstname': 'current_user.first_name',
  'current_user.lastname': 'current_user.last_name',
};

export interface MacroTemplate {
  /** The template's name (file NAME.md), from the macro's title. */
  name: string;
  category: TemplateCategory;
  /** The file's text: front matter and body. */
  text: string;
  /** Placeholders deskops cannot fill, each now a variable: [placeholder, variable]. */
  unmapped: Array<[string, string]>;
  /** What the macro does that a template cannot: "assignee", "group Billing"... */
  notCarried: string[];
}

/** Why a macro makes no template: it adds no comment. */
export class NotATemplate extends Error {}

/** "Apology: delay" -> "macro-apology-delay": apart from shipped names, so no shipped template is replaced. */
export function templateNameFor(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const name = `macro-${slug || 'untitled'}`.slice(0, 64).replace(/-+$/, '');
  if (!NAME.test(name)) throw new NotATemplate(`no template name can be made from the title ${JSON.stringify(title)}`);
  return name;
}

const CATEGORY_WORDS: Array<[TemplateCategory, RegExp]> = [
  ['survey', /\b(survey|rate us|rating|feedback|csat|nps)\b/i],
  ['escalation', /\bescalat/i],
  ['apology', /\b(apolog|sorry)/i],
  ['follow-up', /\b(follow[- ]?up|remind|check(ing)? back|chase)/i],
  ['resolution', /\b(close|solve|resolv|refund issued|thank)/i],
  ['ownership', /\b(own|taking over|take over|on it)\b/i],
];

/** The template category the macro's title and description suggest; empathy when none does. */
export function categoryFor(macro: Pick<Macro, 'title' | 'description'>): TemplateCategory {
  const text = `${macro.title} ${macro.description ?? ''}`;
  return CATEGORY_WORDS.find(([, re]) => re.test(text))?.[0] ?? 'empathy';
}

function value(a: MacroAction): string {
  if (Array.isArray(a.value)) return String(a.value[a.value.length - 1] ?? '');
  return a.value === null || a.value === undefined ? '' : String(a.value);
}

/** Zendesk placeholders as deskops' ({{ ticket.requester.first_name }}), unknown ones as vars. */
export function mapPlaceholders(body: string): { body: string; unmapped: Array<[string, string]> } {
  const unmapped = new Map<string, string>();
  const mapped = body.replace(/\{\{\s*([^{}|]+?)\s*((?:\|[^{}]*)?)\}\}/g, (whole, rawPath: string, filters: string) => {
    const path = rawPath.trim();
    const known = SYNONYMS[path.toLowerCase()] ?? path.toLowerCase();
    const tail = filters.trim() ? ` ${filters.trim()}` : '';
    if (KNOWN_PLACEHOLDERS.includes(known)) return `{{ ${known}${tail} }}`;
    let name = unmapped.get(path);
    if (!name) {
      name = varName(path, new Set(unmapped.values()));
      unmapped.set(path, name);
    }
    return `{{ vars.${name}${tail} }}`;
  });
  return { body: mapped, unmapped: [...unmapped].map(([path, name]) => [`{{${path}}}`, name]) };
}

function varName(path: string, taken: Set<string>): string {
  let base = path.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!/^[a-z]/.test(base)) base = `v_${base}`;
  base = base.slice(0, 36) || 'value';
  let name = base;
  for (let n = 2; taken.has(name) || !VAR_NAME.test(name); n++) name = `${base}_${n}`;
  return name;
}

/**
 * The template for one macro. Throws NotATemplate when the macro adds no comment (a template
 * is a reply or a note).
 */
export function templateFromMacro(macro: Pick<Macro, 'id' | 'title' | 'description' | 'actions'>, groupName: (id: number) => string | undefined = () => undefined): MacroTemplate {
  let comment: string | undefined;
  let isPublic = true;
  const set: { status?: string; priority?: string; tags?: string[] } = {};
  const notCarried: string[] = [];
  for (const a of macro.actions) {
    const v = value(a).trim();
    switch (a.field) {
      case 'comment_value':
        comment = value(a);
        break;
      case 'comment_value_html':
        comment ??= value(a).replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p[^>]*>/gi, '\n\n').replace(/<[^>]*>/g, '');
        break;
      case 'comment_mode_is_public':
        isPublic = v !== 'false';
        break;
      case 'status':
        if ((SETTABLE_STATUSES as readonly string[]).includes(v)) set.status = v;
        else notCarried.push(`status ${v}`);
        break;
      case 'priority':
        set.priority = v;
        break;
      case 'current_tags':
        set.tags = [...new Set([...(set.tags ?? []), ...v.split(/\s+/).filter(Boolean)])];
        break;
      case 'remove_tags':
        notCarried.push(`removing tags ${v}`);
        break;
      case 'set_tags':
        notCarried.push(`replacing all tags with ${v}`);
        break;
      case 'assignee_id':
        notCarried.push(v === '' ? 'unassigning' : v === 'current_user' ? 'assigning to the agent' : `assigning to agent ${v}`);
        break;
      case 'group_id':
        notCarried.push(v === '' ? 'removing the group' : `moving to group ${groupName(Number(v)) ?? v}`);
        break;
      case 'type':
        notCarried.push(`type ${v}`);
        break;
      default:
        notCarried.push(a.field);
    }
  }
  if (comment === undefined || comment.trim() === '') throw new NotATemplate('it adds no comment, and a template is a reply or a note');
  const { body, unmapped } = mapPlaceholders(comment.replace(/\r\n?/g, '\n').trim());
  const name = templateNameFor(macro.title);
  const category = categoryFor(macro);
  const about = macro.description?.trim() || macro.title;
  const front: Record<string, unknown> = {
    name,
    category,
    description: `${about} (from the desk's macro "${macro.title}", ${macro.id})`,
  };
  if (!isPublic) front.public = false;
  if (Object.keys(set).length > 0) front.set = set;
  if (unmapped.length > 0) {
    front.vars = Object.fromEntries(unmapped.map(([placeholder, v]) => [v, `was ${placeholder} in the macro; deskops has no such placeholder, so give it with --var ${v}=...`]));
  }
  const yaml = stringify(front, { lineWidth: 0 }).trimEnd();
  return { name, category, text: `---\n${yaml}\n---\n${body}\n`, unmapped, notCarried };
}
