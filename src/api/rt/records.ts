/**
 * Request Tracker REST2 records in the Zendesk shapes of the core model (src/core/model.ts). Pure.
 *
 * REST2 sends ids as numbers on a record and as strings in lists ("id": "7"), and names a user
 * by login in links ("id": "root"); deskops asks for `fields[Owner]=id,...` so user blocks carry
 * the numeric id, and every id goes through toId().
 */
import { ApiError } from '../../core/errors.js';
import type { Comment, CustomFieldValue, Group, Ticket, User } from '../types.js';
import { priorityFromRt, statusFromRt } from './mapping.js';

export type RtBody = Record<string, unknown>;

/** The name of the multi-value ticket custom field that holds deskops' tags. */
export const TAGS_FIELD = 'Tags';
/** RT's user that owns unowned tickets. */
export const NOBODY = 'Nobody';

/** Fields of a user block asked for with `fields[Owner]=...` and the like. */
export const USER_FIELDS = 'id,Name,EmailAddress,RealName';
/** Fields of a ticket asked for in searches. */
export const TICKET_FIELDS = [
  'Subject', 'Status', 'Priority', 'Owner', 'Requestor', 'Creator', 'Queue', 'Created', 'LastUpdated', 'Resolved', 'Due', 'CustomFields',
];

export function isBody(value: unknown): value is RtBody {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A positive integer id from a number or a numeric string; throws ApiError otherwise. */
export function toId(value: unknown, what = 'id'): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ApiError(`Request Tracker sent ${what} ${JSON.stringify(value)}, not a numeric id`);
  }
  return n;
}

/** Like toId, but undefined for anything that is not a numeric id (a login in a link). */
export function maybeId(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

/** An RT date as ISO 8601 UTC; null for RT's "not set" (1970) or nothing. */
export function rtDate(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms <= 0) return null;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** The numeric id of a record: its `id`, else its `self` hyperlink (user summaries have only that). */
export function recordId(body: RtBody, what: string): number {
  const direct = maybeId(body.id);
  if (direct !== undefined) return direct;
  const links = Array.isArray(body._hyperlinks) ? body._hyperlinks : [];
  for (const link of links) {
    if (isBody(link) && link.ref === 'self') {
      const id = maybeId(link.id);
      if (id !== undefined) return id;
    }
  }
  throw new ApiError(`Request Tracker sent a ${what} without a numeric id`);
}

/** A user from an expanded user block or a user record. */
export function userFrom(body: RtBody, role?: User['role']): User {
  const id = recordId(body, 'user');
  const login = text(body.Name);
  const email = text(body.EmailAddress) || (login.includes('@') ? login : '');
  const privileged = body.Privileged === 1 || body.Privileged === '1' || body.Privileged === true;
  const user: User = {
    id,
    name: text(body.RealName) || login || email || `user ${id}`,
    email,
    role: role ?? (privileged ? 'agent' : 'end-user'),
    organization_id: null,
  };
  if (body.Disabled !== undefined && body.Disabled !== '') user.active = !(body.Disabled === 1 || body.Disabled === '1');
  const created = rtDate(body.Created);
  const updated = rtDate(body.LastUpdated);
  if (created) user.created_at = created;
  if (updated) user.updated_at = updated;
  return user;
}

/** The user blocks of a ticket (owner, requestors, creator) that carry a numeric id. */
export function ticketPeople(item: RtBody): Array<{ user: User; login: string }> {
  const out: Array<{ user: User; login: string }> = [];
  const add = (block: unknown, role?: User['role']) => {
    if (!isBody(block) || maybeId(block.id) === undefined) return;
    out.push({ user: userFrom(block, role), login: text(block.Name) });
  };
  // Only privileged users can own a ticket in RT.
  if (isBody(item.Owner) && text(item.Owner.Name) !== NOBODY) add(item.Owner, 'agent');
  for (const r of Array.isArray(item.Requestor) ? item.Requestor : []) add(r);
  add(item.Creator);
  return out;
}

/** Tags (the Tags custom field) and the other custom fields of a ticket. */
function customFields(item: RtBody): { tags: string[]; fields: CustomFieldValue[] } {
  const tags: string[] = [];
  const fields: CustomFieldValue[] = [];
  for (const cf of Array.isArray(item.CustomFields) ? item.CustomFields : []) {
    if (!isBody(cf)) continue;
    const values = (Array.isArray(cf.values) ? cf.values : []).map(text).filter((v) => v !== '');
    if (text(cf.name).toLowerCase() === TAGS_FIELD.toLowerCase()) {
      tags.push(...values);
      continue;
    }
    const id = maybeId(cf.id);
    if (id === undefined) continue;
    fields.push({ id, value: values.length === 0 ? null : values.length === 1 ? values[0]! : values.join(',') });
  }
  return { tags, fields };
}

/**
 * A ticket from a search item asked for with TICKET_FIELDS and user blocks expanded.
 * `description` and `via` need the ticket's first message; the adapter fills them in where
 * it reads that (single tickets, details, incremental pages).
 */
export function ticketFrom(item: RtBody, base: string): Ticket {
  const id = toId(item.id, 'a ticket id');
  const owner = isBody(item.Owner) ? item.Owner : undefined;
  const requestors = (Array.isArray(item.Requestor) ? item.Requestor : []).filter(isBody);
  const creator = isBody(item.Creator) ? item.Creator : undefined;
  const creatorId = creator ? maybeId(creator.id) ?? null : null;
  const requesterId = requestors.map((r) => maybeId(r.id)).find((x) => x !== undefined) ?? creatorId ?? 0;
  const queue = isBody(item.Queue) ? maybeId(item.Queue.id) ?? null : null;
  const { tags, fields } = customFields(item);
  const status = text(item.Status);
  const created = rtDate(item.Created) ?? new Date(0).toISOString();
  return {
    id,
    url: `${base}/ticket/${id}`,
    subject: text(item.Subject),
    raw_subject: text(item.Subject),
    description: '',
    status: statusFromRt(status),
    priority: priorityFromRt(item.Priority),
    type: null,
    requester_id: requesterId,
    submitter_id: creatorId,
    assignee_id: owner && text(owner.Name) !== NOBODY ? maybeId(owner.id) ?? null : null,
    group_id: queue,
    organization_id: null,
    tags,
    custom_fields: fields,
    via: { channel: 'unknown' },
    created_at: created,
    updated_at: rtDate(item.LastUpdated) ?? created,
    due_at: rtDate(item.Due),
  };
}

/** A queue as a group. */
export function groupFrom(item: RtBody): Group {
  const group: Group = { id: toId(item.id, 'a queue id'), name: text(item.Name) };
  const description = text(item.Description);
  if (description) group.description = description;
  const created = rtDate(item.Created);
  const updated = rtDate(item.LastUpdated);
  if (created) group.created_at = created;
  if (updated) group.updated_at = updated;
  return group;
}

/** X-RT-Interface of a message -> a deskops channel. */
export function channelFromInterface(iface: string | undefined): string {
  switch ((iface ?? '').trim().toLowerCase()) {
    case 'email':
      return 'email';
    case 'web':
    case 'mobile':
      return 'web';
    case 'rest':
    case 'rest2':
    case 'cli':
    case 'api':
      return 'api';
    default:
      return 'unknown';
  }
}

/** One attachment of a transaction as RT's attachments search returns it. */
export interface RtPart {
  transactionId: number;
  contentType: string;
  content: string;
  filename: string;
  headers: string;
}

export function partFrom(item: RtBody): RtPart | undefined {
  const transactionId = maybeId(isBody(item.TransactionId) ? item.TransactionId.id : item.TransactionId);
  if (transactionId === undefined) return undefined;
  return {
    transactionId,
    contentType: text(item.ContentType).toLowerCase(),
    content: text(item.Content),
    filename: text(item.Filename),
    headers: text(item.Headers),
  };
}

/** The message text of a transaction's parts: its first text/plain body, else text/html as text. */
export function messageBody(parts: readonly RtPart[]): { body: string; html?: string } {
  const bodies = parts.filter((p) => p.filename === '' && p.content !== '');
  const plain = bodies.find((p) => p.contentType === 'text/plain');
  const html = bodies.find((p) => p.contentType === 'text/html');
  if (plain) return { body: plain.content, ...(html ? { html: html.content } : {}) };
  if (html) return { body: htmlToText(html.content), html: html.content };
  return { body: '' };
}

/** The X-RT-Interface header of a message, when RT recorded it. */
export function messageInterface(parts: readonly RtPart[]): string | undefined {
  for (const p of parts) {
    const m = /^X-RT-Interface:\s*(.+)$/im.exec(p.headers);
    if (m) return m[1]!.trim();
  }
  return undefined;
}

function htmlToText(html: string): string {
  return html
    .replace(/<(br|\/p|\/div|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** RT transaction types that are messages on the thread: public (Create, Correspond) or internal (Comment). */
export const MESSAGE_TYPES = ['Create', 'Correspond', 'Comment'] as const;

/** A ticket transaction, as deskops reads RT's history. */
export interface RtTransaction {
  id: number;
  ticketId: number;
  type: string;
  field: string;
  oldValue: string;
  newValue: string;
  created: string;
  creatorId: number | null;
}

export function transactionFrom(item: RtBody, ticketId?: number): RtTransaction {
  const creator = isBody(item.Creator) ? maybeId(item.Creator.id) ?? null : null;
  return {
    id: toId(item.id, 'a transaction id'),
    ticketId: ticketId ?? toId(item.ObjectId, 'a ticket id'),
    type: text(item.Type),
    field: text(item.Field),
    oldValue: text(item.OldValue),
    newValue: text(item.NewValue),
    created: rtDate(item.Created) ?? new Date(0).toISOString(),
    creatorId: creator,
  };
}

/** The thread of a ticket: its message transactions with their text. */
export function commentsFrom(transactions: readonly RtTransaction[], parts: readonly RtPart[]): Comment[] {
  const byTxn = new Map<number, RtPart[]>();
  for (const p of parts) byTxn.set(p.transactionId, [...(byTxn.get(p.transactionId) ?? []), p]);
  return transactions
    .filter((t) => (MESSAGE_TYPES as readonly string[]).includes(t.type))
    .sort((a, b) => a.id - b.id)
    .map((t) => {
      const txnParts = byTxn.get(t.id) ?? [];
      const { body, html } = messageBody(txnParts);
      const comment: Comment = {
        id: t.id,
        type: 'Comment',
        author_id: t.creatorId ?? 0,
        body,
        plain_body: body,
        public: t.type !== 'Comment',
        created_at: t.created,
        via: { channel: channelFromInterface(messageInterface(txnParts)) },
      };
      if (html) comment.html_body = html;
      return comment;
    });
}
