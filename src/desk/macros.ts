/**
 * A macro's actions applied to a ticket without saving it, as Zendesk's "show changes to
 * ticket" does: the ticket as it would be, and the comment with its placeholders filled in
 * from the ticket after the changes and the agent applying it (a placeholder the desk does not
 * know is left blank, as Zendesk leaves it).
 *
 * Actions understood (anything else is refused when the macro is stored, see checkMacro):
 *   status, priority, type, subject, group_id ("" none), assignee_id ("" none, "current_user"),
 *   set_tags (replace), current_tags (add), remove_tags, comment_value (text, or
 *   [channel, text]), comment_value_html, comment_mode_is_public (true: public reply)
 */
import type { MacroAction, Ticket } from '../core/model.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/model.js';
import { normalizeTag, type UserRow } from './records.js';

export const MACRO_FIELDS = [
  'status', 'priority', 'type', 'subject', 'group_id', 'assignee_id', 'set_tags', 'current_tags', 'remove_tags',
  'comment_value', 'comment_value_html', 'comment_mode_is_public',
] as const;

const TYPES = ['question', 'incident', 'problem', 'task'];

export class MacroActionError extends Error {}

export interface MacroComment {
  body: string;
  html_body: string;
  scoped_body: Array<[string, string]>;
  public: boolean;
}

/** Who and what the placeholders name, besides the ticket itself. */
export interface PlaceholderPeople {
  me: UserRow;
  requester?: UserRow;
  assignee?: UserRow;
  groupName?: string;
  organizationName?: string;
  /** The agent-facing link of the ticket, for {{ticket.url}}. */
  ticketUrl: string;
}

function text(value: MacroAction['value']): string {
  if (Array.isArray(value)) return String(value[value.length - 1] ?? '');
  return value === null || value === undefined ? '' : String(value);
}

function tags(value: MacroAction['value']): string[] {
  return text(value).split(/[\s,]+/).map(normalizeTag).filter(Boolean);
}

/** Throws MacroActionError for an action the desk could not apply. */
export function checkMacro(actions: readonly MacroAction[]): void {
  if (actions.length === 0) throw new MacroActionError('a macro needs at least one action');
  for (const a of actions) {
    const v = text(a.value);
    switch (a.field) {
      case 'status':
        if (!TICKET_STATUSES.includes(v as never) || v === 'new') throw new MacroActionError(`status ${JSON.stringify(a.value)} cannot be set by a macro`);
        break;
      case 'priority':
        if (!TICKET_PRIORITIES.includes(v as never)) throw new MacroActionError(`priority ${JSON.stringify(a.value)} is not one of ${TICKET_PRIORITIES.join(', ')}`);
        break;
      case 'type':
        if (!TYPES.includes(v)) throw new MacroActionError(`type ${JSON.stringify(a.value)} is not one of ${TYPES.join(', ')}`);
        break;
      case 'group_id':
        if (v !== '' && !/^\d+$/.test(v)) throw new MacroActionError(`group_id ${JSON.stringify(a.value)} is not an id`);
        break;
      case 'assignee_id':
        if (v !== '' && v !== 'current_user' && !/^\d+$/.test(v)) throw new MacroActionError(`assignee_id ${JSON.stringify(a.value)} is not an id or current_user`);
        break;
      case 'comment_mode_is_public':
        if (v !== 'true' && v !== 'false') throw new MacroActionError('comment_mode_is_public is true or false');
        break;
      default:
        if (!(MACRO_FIELDS as readonly string[]).includes(a.field)) throw new MacroActionError(`the desk has no macro action on ${JSON.stringify(a.field)}`);
    }
  }
}

/** The changes of a macro without a ticket (GET /api/v2/macros/{id}/apply): fields set, and the comment as written. */
export function macroChanges(actions: readonly MacroAction[], me: UserRow): { ticket: Record<string, unknown>; comment: MacroComment | null } {
  const ticket: Record<string, unknown> = {};
  const add: string[] = [];
  const remove: string[] = [];
  let comment: MacroComment | null = null;
  let isPublic = true;
  for (const a of actions) {
    const v = text(a.value);
    switch (a.field) {
      case 'status':
      case 'priority':
      case 'type':
      case 'subject':
        ticket[a.field] = v;
        break;
      case 'group_id':
        ticket.group_id = v === '' ? null : Number(v);
        break;
      case 'assignee_id':
        ticket.assignee_id = v === '' ? null : v === 'current_user' ? me.id : Number(v);
        break;
      case 'set_tags':
        ticket.tags = tags(a.value);
        break;
      case 'current_tags':
        add.push(...tags(a.value));
        break;
      case 'remove_tags':
        remove.push(...tags(a.value));
        break;
      case 'comment_value':
        comment = commentOf(v, Array.isArray(a.value) ? String(a.value[0] ?? 'channel:all') : 'channel:all');
        break;
      case 'comment_value_html':
        comment = commentOf(v.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*<p[^>]*>/gi, '\n\n').replace(/<[^>]*>/g, ''), 'channel:all');
        break;
      case 'comment_mode_is_public':
        isPublic = v !== 'false';
        break;
    }
  }
  if (add.length > 0) ticket.additional_tags = [...new Set(add)];
  if (remove.length > 0) ticket.remove_tags = [...new Set(remove)];
  if (comment) comment = { ...comment, public: isPublic };
  if (comment) ticket.comment = comment;
  return { ticket, comment };
}

export function commentOf(body: string, channel: string, isPublic = true): MacroComment {
  const escaped = body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    body,
    html_body: `<div class="zd-comment"><p>${escaped.split(/\n{2,}/).map((p) => p.replace(/\n/g, '<br>')).join('</p><p>')}</p></div>`,
    scoped_body: [[channel, body]],
    public: isPublic,
  };
}

/**
 * The ticket after the macro (GET /api/v2/tickets/{id}/macros/{macro_id}/apply), and its
 * comment with the placeholders filled in. `people` is resolved for the ticket after the
 * changes (the caller reads the new assignee and group).
 */
export function applyMacro(
  ticket: Ticket,
  actions: readonly MacroAction[],
  me: UserRow,
): { ticket: Ticket; comment: MacroComment | null } {
  const { ticket: changes, comment } = macroChanges(actions, me);
  const after: Ticket = { ...ticket, tags: [...ticket.tags] };
  if (changes.status !== undefined) after.status = changes.status as Ticket['status'];
  if (changes.priority !== undefined) after.priority = changes.priority as Ticket['priority'];
  if (changes.type !== undefined) after.type = changes.type as Ticket['type'];
  if (changes.subject !== undefined) after.subject = changes.subject as string;
  if (changes.group_id !== undefined) after.group_id = changes.group_id as number | null;
  if (changes.assignee_id !== undefined) after.assignee_id = changes.assignee_id as number | null;
  let next = changes.tags !== undefined ? (changes.tags as string[]) : after.tags;
  next = [...new Set([...next, ...((changes.additional_tags as string[] | undefined) ?? [])])];
  const removed = new Set((changes.remove_tags as string[] | undefined) ?? []);
  after.tags = next.filter((t) => !removed.has(t));
  return { ticket: after, comment };
}

/** Fills {{ path }} placeholders from the ticket and people; unknown ones are left blank. */
export function fillPlaceholders(body: string, ticket: Ticket, people: PlaceholderPeople): string {
  const values = new Map<string, string>([
    ['ticket.id', String(ticket.id)],
    ['ticket.title', ticket.subject],
    ['ticket.description', ticket.description],
    ['ticket.status', ticket.status],
    ['ticket.priority', ticket.priority ?? ''],
    ['ticket.ticket_type', ticket.type ?? ''],
    ['ticket.tags', ticket.tags.join(' ')],
    ['ticket.via', String(ticket.via?.channel ?? '')],
    ['ticket.url', people.ticketUrl],
    ['ticket.link', people.ticketUrl],
    ['ticket.group.name', people.groupName ?? ''],
    ['ticket.organization.name', people.organizationName ?? ''],
    ...personValues('ticket.requester', people.requester),
    ...personValues('ticket.assignee', people.assignee),
    ...personValues('current_user', people.me),
    ['current_user.signature', people.me.signature?.trim() || people.me.name],
  ]);
  return body.replace(/\{\{\s*([a-z_][a-z0-9_.]*)\s*\}\}/gi, (_m, path: string) => values.get(path.toLowerCase()) ?? '');
}

function personValues(prefix: string, user: UserRow | undefined): Array<[string, string]> {
  const name = user?.name.trim() ?? '';
  const space = name.indexOf(' ');
  return [
    [`${prefix}.id`, user ? String(user.id) : ''],
    [`${prefix}.name`, name],
    [`${prefix}.first_name`, space === -1 ? name : name.slice(0, space)],
    [`${prefix}.last_name`, space === -1 ? '' : name.slice(space + 1)],
    [`${prefix}.email`, user?.email ?? ''],
  ];
}
