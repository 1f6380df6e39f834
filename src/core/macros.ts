/**
 * A desk macro applied to one ticket, planned before anything is sent: what the desk says the
 * ticket would become (its "apply" answer) compared with the ticket as read, field by field,
 * and the one update that makes exactly those changes. Every field the macro touches is
 * listed, a change or "no change", so the agent sees all of it before saying yes.
 */
import type { Macro, MacroAction, MacroResult, Ticket, TicketUpdate } from './model.js';
import type { RenderContext } from './templates/context.js';

export interface FieldChange<T> {
  from: T;
  to: T;
}

export interface MacroPlan {
  macro: Pick<Macro, 'id' | 'title'>;
  ticketId: number;
  /** The ticket as read before the macro (its updated_at makes the update safe). */
  before: Ticket;
  comment: { body: string; public: boolean } | null;
  status?: FieldChange<Ticket['status']>;
  priority?: FieldChange<Ticket['priority']>;
  type?: FieldChange<Ticket['type']>;
  subject?: FieldChange<string>;
  assignee?: FieldChange<number | null>;
  group?: FieldChange<number | null>;
  tags: { added: string[]; removed: string[]; /** the macro replaces every tag (set_tags) */ replaced: boolean };
  /** Fields the macro sets to what the ticket already has. */
  unchanged: string[];
  /** The one update that makes the changes; empty when the macro changes nothing. */
  update: TicketUpdate;
}

const FIELD_OF: Record<string, string> = {
  status: 'status',
  priority: 'priority',
  type: 'type',
  subject: 'subject',
  assignee_id: 'assignee',
  group_id: 'group',
  set_tags: 'tags',
  current_tags: 'tags',
  remove_tags: 'tags',
};

/** The ticket fields a macro's actions touch (deskops' names: status, assignee, group, tags...). */
export function touchedFields(actions: readonly MacroAction[]): Set<string> {
  return new Set(actions.map((a) => FIELD_OF[a.field]).filter((f): f is string => f !== undefined));
}

/**
 * Compares the ticket before with the desk's answer and builds the update. Throws when the
 * answer is for another ticket or another version of it (changed meanwhile): the preview
 * would not be what is sent.
 */
export function planMacro(macro: Pick<Macro, 'id' | 'title' | 'actions'>, before: Ticket, result: MacroResult): MacroPlan {
  const after = result.ticket;
  if (after.id !== undefined && after.id !== before.id) throw new Error(`the desk applied the macro to #${after.id}, not #${before.id}`);
  if (after.updated_at !== undefined && after.updated_at !== before.updated_at) {
    throw new MacroStaleError(`#${before.id} changed on the desk while the macro was being previewed; preview it again`);
  }
  const touched = touchedFields(macro.actions);
  const plan: MacroPlan = {
    macro: { id: macro.id, title: macro.title },
    ticketId: before.id,
    before,
    comment: result.comment && result.comment.body.trim() !== '' ? { body: result.comment.body, public: result.comment.public } : null,
    tags: { added: [], removed: [], replaced: macro.actions.some((a) => a.field === 'set_tags') },
    unchanged: [],
    update: {},
  };
  const compare = <K extends 'status' | 'priority' | 'type' | 'subject'>(key: K, field: string) => {
    if (!touched.has(field)) return;
    const from = before[key];
    const to = after[key] === undefined ? from : after[key];
    if (from === to) plan.unchanged.push(field);
    else {
      (plan as unknown as Record<string, unknown>)[key] = { from, to };
      (plan.update as Record<string, unknown>)[key] = to;
    }
  };
  compare('status', 'status');
  compare('priority', 'priority');
  compare('type', 'type');
  compare('subject', 'subject');
  const people = (key: 'assignee_id' | 'group_id', field: 'assignee' | 'group') => {
    if (!touched.has(field)) return;
    const from = before[key] ?? null;
    const to = after[key] === undefined ? from : (after[key] ?? null);
    if (from === to) plan.unchanged.push(field);
    else {
      plan[field] = { from, to };
      plan.update[key] = to;
    }
  };
  people('assignee_id', 'assignee');
  people('group_id', 'group');
  if (touched.has('tags')) {
    const had = new Set(before.tags ?? []);
    const has = new Set(after.tags ?? before.tags ?? []);
    plan.tags.added = [...has].filter((t) => !had.has(t));
    plan.tags.removed = [...had].filter((t) => !has.has(t));
    if (plan.tags.added.length > 0) plan.update.additional_tags = plan.tags.added;
    if (plan.tags.removed.length > 0) plan.update.remove_tags = plan.tags.removed;
    if (plan.tags.added.length === 0 && plan.tags.removed.length === 0) plan.unchanged.push('tags');
  }
  if (plan.comment) plan.update.comment = { body: plan.comment.body, public: plan.comment.public };
  return plan;
}

/** The ticket changed between reading it and asking the desk for the macro's result. */
export class MacroStaleError extends Error {}

export function isEmptyPlan(plan: MacroPlan): boolean {
  return Object.keys(plan.update).length === 0;
}

/** Names for ids in a preview: agents and groups. */
export interface PlanNames {
  user(id: number): string | undefined;
  group(id: number): string | undefined;
}

/**
 * The preview as rows of (label, text): every change, then the fields the macro touches
 * without changing them. The comment's text is not here: it is shown whole, below these.
 */
export function planRows(plan: MacroPlan, names: PlanNames): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  const arrow = (from: string, to: string) => `${from} → ${to}`;
  const none = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '(none)' : v);
  const person = (id: number | null) => (id === null ? 'nobody' : (names.user(id) ?? `agent ${id}`));
  const group = (id: number | null) => (id === null ? 'no group' : (names.group(id) ?? `group ${id}`));
  if (plan.comment) rows.push(['comment', plan.comment.public ? 'public reply to the requester' : 'internal note (agents only)']);
  if (plan.status) rows.push(['status', arrow(plan.status.from, plan.status.to)]);
  if (plan.priority) rows.push(['priority', arrow(none(plan.priority.from), none(plan.priority.to))]);
  if (plan.type) rows.push(['type', arrow(none(plan.type.from), none(plan.type.to))]);
  if (plan.assignee) rows.push(['assignee', arrow(person(plan.assignee.from), person(plan.assignee.to))]);
  if (plan.group) rows.push(['group', arrow(group(plan.group.from), group(plan.group.to))]);
  if (plan.subject) rows.push(['subject', arrow(plan.subject.from, plan.subject.to)]);
  if (plan.tags.added.length > 0 || plan.tags.removed.length > 0) {
    const parts = [...plan.tags.added.map((t) => `+${t}`), ...plan.tags.removed.map((t) => `-${t}`)];
    rows.push(['tags', `${plan.tags.replaced ? 'set, ' : ''}${parts.join(' ')}`]);
  }
  if (plan.unchanged.length > 0) {
    const current = plan.unchanged.map((f) => {
      const b = plan.before;
      if (f === 'status') return `status ${b.status}`;
      if (f === 'priority') return `priority ${none(b.priority)}`;
      if (f === 'type') return `type ${none(b.type)}`;
      if (f === 'assignee') return `assignee ${person(b.assignee_id ?? null)}`;
      if (f === 'group') return `group ${group(b.group_id ?? null)}`;
      if (f === 'tags') return 'tags';
      return f;
    });
    rows.push(['no change', `${current.join(', ')} (already so)`]);
  }
  if (rows.length === 0) rows.push(['no change', 'the macro changes nothing on this ticket']);
  return rows;
}

/** What a macro does, in one line, for lists: "status solved · +thanked · public reply". */
export function macroSummary(actions: readonly MacroAction[], names: Partial<PlanNames> = {}): string {
  const parts: string[] = [];
  const value = (v: MacroAction['value']) => (Array.isArray(v) ? String(v[v.length - 1] ?? '') : v === null ? '' : String(v));
  let comment: string | undefined;
  let isPublic = true;
  for (const a of actions) {
    const v = value(a.value).trim();
    switch (a.field) {
      case 'status':
      case 'priority':
      case 'type':
        parts.push(`${a.field} ${v}`);
        break;
      case 'assignee_id':
        parts.push(v === '' ? 'unassign' : v === 'current_user' ? 'assign to me' : `assign to ${names.user?.(Number(v)) ?? `agent ${v}`}`);
        break;
      case 'group_id':
        parts.push(v === '' ? 'no group' : `group ${names.group?.(Number(v)) ?? v}`);
        break;
      case 'set_tags':
        parts.push(`tags = ${v}`);
        break;
      case 'current_tags':
        parts.push(v.split(/\s+/).filter(Boolean).map((t) => `+${t}`).join(' '));
        break;
      case 'remove_tags':
        parts.push(v.split(/\s+/).filter(Boolean).map((t) => `-${t}`).join(' '));
        break;
      case 'comment_value':
      case 'comment_value_html':
        comment = v;
        break;
      case 'comment_mode_is_public':
        isPublic = v !== 'false';
        break;
      case 'subject':
        parts.push('subject');
        break;
      default:
        parts.push(a.field);
    }
  }
  if (comment !== undefined) parts.push(isPublic ? 'public reply' : 'internal note');
  return parts.join(' · ');
}

/**
 * Fills the placeholders a desk left in a macro's comment (Zendesk renders them when an
 * agent submits in its own interface, not in what the API sends): each one deskops knows is
 * filled from the ticket after the macro; any other is left as written and named, so the
 * preview shows exactly what would be posted.
 */
export function fillKnownPlaceholders(body: string, context: RenderContext): { body: string; left: string[] } {
  const left = new Set<string>();
  const filled = body.replace(/\{\{\s*([a-z_][a-z0-9_.]*)\s*\}\}/gi, (whole, path: string) => {
    let value: unknown = context;
    for (const key of path.toLowerCase().split('.')) {
      value = typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    if (Array.isArray(value)) return value.join(' ');
    left.add(whole);
    return whole;
  });
  return { body: filled, left: [...left] };
}
