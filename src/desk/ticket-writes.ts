/**
 * Creating and updating tickets with Zendesk's rules: validation (422 RecordInvalid), closed
 * tickets refuse updates, safe updates (409 UpdateConflict), automatic status moves (a new
 * ticket that gets an assignee or an agent reply opens; a customer reply reopens a solved or
 * pending ticket; solving an unassigned ticket assigns it to the solver), and the metric
 * events each change records.
 *
 * `updated_at` has second precision, as Zendesk shows it, but every update moves it forward
 * by at least one second (max(now, previous + 1)): so the updated_at a client read is a
 * reliable stamp for safe_update even when two updates land within the same second.
 */
import type { TicketPriority, TicketStatus } from '../core/model.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/model.js';
import { CUSTOM_FIELD_IDS, TICKET_FIELDS } from './fields.js';
import { DeskHttpError, badRequest, fieldInvalid, notFound, recordInvalid } from './http-errors.js';
import { decodeEvents, encodeEvents, type EventRow } from './metrics.js';
import { normalizeTag, parseTags, priorityRank, searchText, statusRank, tagsColumn, type TicketRow, type UserRow } from './records.js';
import type { DeskStore } from './store.js';
import { parseIsoSeconds } from './time.js';

export interface WriteContext {
  store: DeskStore;
  /** The authenticated agent. */
  me: UserRow;
  /** Unix seconds. */
  now: () => number;
}

interface CommentInput {
  body: string;
  isPublic: boolean;
  authorId: number | undefined;
}

/** A validated ticket payload: only what was given is set. */
export interface TicketChange {
  subject?: string;
  comment?: CommentInput;
  status?: TicketStatus;
  priority?: TicketPriority | null;
  type?: TicketRow['type'];
  assigneeId?: number | null;
  groupId?: number | null;
  organizationId?: number | null;
  tags?: string[];
  additionalTags?: string[];
  removeTags?: string[];
  customFields?: Array<{ id: number; value: string | number | boolean | null }>;
  requesterId?: number;
  requester?: { name: string; email: string };
  channel?: string;
  safeUpdate?: boolean;
  updatedStamp?: string;
}

const TYPES = ['problem', 'incident', 'question', 'task'] as const;
const CHANNELS = ['email', 'chat', 'phone', 'web', 'api'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function tagList(value: unknown, field: string): string[] {
  if (typeof value === 'string') return value.split(/[\s,]+/).map(normalizeTag).filter(Boolean);
  if (Array.isArray(value) && value.every((t) => typeof t === 'string')) return value.map(normalizeTag).filter(Boolean);
  throw fieldInvalid(field, `${field}: must be a list of tags`);
}

function idOrNull(value: unknown, field: string, label: string): number | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw fieldInvalid(field, `${label}: must be an id or null`);
}

/** Checks the types of a `ticket` payload; references (users, groups) are checked on write. */
export function parseTicketChange(input: unknown): TicketChange {
  if (!isObject(input)) throw badRequest('InvalidParameter', 'the body must be {"ticket": {...}}');
  const change: TicketChange = {};
  if (input.subject !== undefined) {
    if (typeof input.subject !== 'string') throw fieldInvalid('subject', 'Subject: must be text');
    change.subject = input.subject;
  }
  if (input.comment !== undefined) {
    const c = input.comment;
    if (!isObject(c)) throw fieldInvalid('comment', 'Comment: must be an object with a body');
    const body = typeof c.body === 'string' ? c.body : typeof c.html_body === 'string' ? c.html_body.replace(/<[^>]*>/g, '') : undefined;
    if (body === undefined || body.trim() === '') throw fieldInvalid('comment', 'Comment: body cannot be blank');
    if (c.public !== undefined && typeof c.public !== 'boolean') throw fieldInvalid('comment', 'Comment: public must be true or false');
    const authorId = c.author_id === undefined ? undefined : idOrNull(c.author_id, 'comment', 'Comment author');
    change.comment = { body, isPublic: c.public !== false, authorId: authorId ?? undefined };
  }
  if (input.status !== undefined) {
    if (typeof input.status !== 'string' || !TICKET_STATUSES.includes(input.status as TicketStatus)) {
      throw fieldInvalid('status', `Status: ${JSON.stringify(input.status)} is not a valid status (${TICKET_STATUSES.join(', ')})`, 'InvalidValue');
    }
    change.status = input.status as TicketStatus;
  }
  if (input.priority !== undefined) {
    if (input.priority !== null && (typeof input.priority !== 'string' || !TICKET_PRIORITIES.includes(input.priority as TicketPriority))) {
      throw fieldInvalid('priority', `Priority: ${JSON.stringify(input.priority)} is not a valid priority (${TICKET_PRIORITIES.join(', ')})`, 'InvalidValue');
    }
    change.priority = (input.priority as TicketPriority | null) ?? null;
  }
  if (input.type !== undefined) {
    if (input.type !== null && !TYPES.includes(input.type as (typeof TYPES)[number])) {
      throw fieldInvalid('type', `Type: ${JSON.stringify(input.type)} is not a valid type (${TYPES.join(', ')})`, 'InvalidValue');
    }
    change.type = (input.type as TicketRow['type']) ?? null;
  }
  if (input.assignee_id !== undefined) change.assigneeId = idOrNull(input.assignee_id, 'assignee_id', 'Assignee');
  if (input.group_id !== undefined) change.groupId = idOrNull(input.group_id, 'group_id', 'Group');
  if (input.organization_id !== undefined) change.organizationId = idOrNull(input.organization_id, 'organization_id', 'Organization');
  if (input.tags !== undefined) change.tags = tagList(input.tags, 'tags');
  if (input.additional_tags !== undefined) change.additionalTags = tagList(input.additional_tags, 'additional_tags');
  if (input.remove_tags !== undefined) change.removeTags = tagList(input.remove_tags, 'remove_tags');
  if (input.custom_fields !== undefined || input.fields !== undefined) {
    const list = input.custom_fields ?? input.fields;
    if (!Array.isArray(list) || !list.every((f) => isObject(f) && (typeof f.id === 'number' || typeof f.id === 'string'))) {
      throw fieldInvalid('custom_fields', 'Custom fields: must be a list of {id, value}');
    }
    change.customFields = list.map((f) => ({ id: Number(f.id), value: (f.value ?? null) as string | number | boolean | null }));
  }
  if (input.requester_id !== undefined) {
    const id = idOrNull(input.requester_id, 'requester_id', 'Requester');
    if (id === null) throw fieldInvalid('requester_id', 'Requester: cannot be blank');
    change.requesterId = id;
  }
  if (input.requester !== undefined) {
    const r = input.requester;
    if (!isObject(r) || typeof r.email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(r.email.trim())) {
      throw fieldInvalid('requester', 'Requester: needs a valid email');
    }
    change.requester = { email: r.email.trim().toLowerCase(), name: typeof r.name === 'string' && r.name.trim() ? r.name.trim() : r.email.trim() };
  }
  if (input.via !== undefined && isObject(input.via) && typeof input.via.channel === 'string' && CHANNELS.includes(input.via.channel)) {
    change.channel = input.via.channel;
  }
  if (input.safe_update !== undefined) change.safeUpdate = input.safe_update === true;
  if (input.updated_stamp !== undefined) {
    if (typeof input.updated_stamp !== 'string') throw fieldInvalid('updated_stamp', 'Updated stamp: must be an ISO 8601 time');
    change.updatedStamp = input.updated_stamp;
  }
  return change;
}

/** Shared checks of the references a change makes. */
function checkReferences(ctx: WriteContext, change: TicketChange): { assignee?: UserRow | null } {
  const out: { assignee?: UserRow | null } = {};
  if (change.assigneeId !== undefined) {
    if (change.assigneeId === null) out.assignee = null;
    else {
      const user = ctx.store.user(change.assigneeId);
      if (!user) throw fieldInvalid('assignee_id', `Assignee: user ${change.assigneeId} not found`);
      if (user.role === 'end-user') throw fieldInvalid('assignee_id', `Assignee: ${user.name} is not an agent`);
      out.assignee = user;
    }
  }
  if (change.groupId !== undefined && change.groupId !== null && !ctx.store.group(change.groupId)) {
    throw fieldInvalid('group_id', `Group: group ${change.groupId} not found`);
  }
  if (change.organizationId !== undefined && change.organizationId !== null && !ctx.store.organization(change.organizationId)) {
    throw fieldInvalid('organization_id', `Organization: organization ${change.organizationId} not found`);
  }
  if (change.comment?.authorId !== undefined && !ctx.store.user(change.comment.authorId)) {
    throw fieldInvalid('comment', `Comment: author ${change.comment.authorId} not found`);
  }
  return out;
}

function mergeCustomFields(column: string, updates: TicketChange['customFields']): string {
  const values = JSON.parse(column) as Record<string, unknown>;
  for (const { id, value } of updates ?? []) {
    const field = TICKET_FIELDS.find((f) => f.id === id);
    if (!field || !CUSTOM_FIELD_IDS.includes(id)) continue; // Zendesk ignores unknown fields
    if (value === null || value === '') {
      delete values[String(id)];
      continue;
    }
    if (field.type === 'integer') {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
      if (!Number.isInteger(n)) throw fieldInvalid('custom_fields', `${field.title}: ${JSON.stringify(value)} is not an integer`);
      values[String(id)] = n;
    } else {
      values[String(id)] = String(value);
    }
  }
  return JSON.stringify(values);
}

function nextSeq(store: DeskStore): number {
  return store.count('SELECT coalesce(max(update_seq), 0) + 1 AS n FROM tickets');
}

function nextCommentId(store: DeskStore): number {
  const id = Number(store.meta('last_comment_id') ?? '0') + 1;
  store.run("INSERT INTO meta (key, value) VALUES ('last_comment_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [String(id)]);
  return id;
}

function insertComment(ctx: WriteContext, ticketId: number, authorId: number, comment: CommentInput, channel: string, at: number): void {
  ctx.store.run('INSERT INTO comments (ticket_id, id, author_id, body, public, channel, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    ticketId,
    nextCommentId(ctx.store),
    authorId,
    comment.body,
    comment.isPublic ? 1 : 0,
    channel,
    at,
  ]);
}

function roleOf(ctx: WriteContext, userId: number): 'agent' | 'end-user' {
  if (userId === ctx.me.id) return ctx.me.role === 'end-user' ? 'end-user' : 'agent';
  return ctx.store.user(userId)?.role === 'end-user' ? 'end-user' : 'agent';
}

export function closedTicketError(): DeskHttpError {
  return recordInvalid({ status: [{ description: 'Status: closed prevents ticket update', error: 'ClosedTicketUpdate' }] });
}

/** Applies a change to ticket `id` and returns the updated row. Throws DeskHttpError. */
export function updateTicket(ctx: WriteContext, id: number, change: TicketChange): TicketRow {
  return ctx.store.transaction(() => {
    const row = ctx.store.ticket(id);
    if (!row) throw notFound();
    if (row.status === 'closed') throw closedTicketError();
    if (change.safeUpdate) {
      if (change.updatedStamp === undefined) throw fieldInvalid('updated_stamp', 'Updated stamp: is required for a safe update');
      if (parseIsoSeconds(change.updatedStamp) !== row.updated_at) {
        throw new DeskHttpError(409, {
          error: 'UpdateConflict',
          description: 'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
        });
      }
    }
    const refs = checkReferences(ctx, change);
    const now = Math.max(ctx.now(), row.updated_at + 1);
    const events = decodeEvents(ctx.store.get<{ events: string }>('SELECT events FROM tickets WHERE id = ?', [id])!.events);
    const next = { ...row };

    let assignee = refs.assignee;
    if (change.groupId !== undefined) next.group_id = change.groupId;
    if (assignee !== undefined) {
      next.assignee_id = assignee?.id ?? null;
      if (assignee && change.groupId === undefined && next.group_id === null) next.group_id = assignee.default_group_id;
    }

    const authorId = change.comment ? (change.comment.authorId ?? ctx.me.id) : undefined;
    const authorRole = authorId === undefined ? undefined : roleOf(ctx, authorId);
    let status = change.status ?? row.status;
    if (change.status === undefined) {
      const assigned = next.assignee_id !== null && row.assignee_id === null;
      const agentReplied = authorRole === 'agent' && change.comment!.isPublic;
      if (authorRole === 'end-user' && (row.status === 'solved' || row.status === 'pending')) status = 'open';
      else if (row.status === 'new' && (assigned || agentReplied)) status = 'open';
    } else if (change.status === 'new' && row.status !== 'new') {
      throw fieldInvalid('status', 'Status: a ticket cannot be set back to new', 'InvalidValue');
    }
    if ((status === 'solved' || status === 'closed') && next.assignee_id === null) {
      // Zendesk assigns an unassigned ticket to the agent who solves it.
      assignee = ctx.me.role === 'end-user' ? null : ctx.me;
      next.assignee_id = assignee?.id ?? null;
      if (assignee && next.group_id === null) next.group_id = assignee.default_group_id;
    }
    next.status = status;

    if (change.subject !== undefined) next.subject = change.subject;
    if (change.priority !== undefined) next.priority = change.priority;
    if (change.type !== undefined) next.type = change.type;
    if (change.organizationId !== undefined) next.organization_id = change.organizationId;
    let tags = change.tags ?? parseTags(row.tags);
    if (change.additionalTags) tags = [...tags, ...change.additionalTags];
    if (change.removeTags) tags = tags.filter((t) => !change.removeTags!.includes(t));
    next.tags = tagsColumn(tags);
    next.custom_fields = mergeCustomFields(row.custom_fields, change.customFields);

    const by = authorId ?? ctx.me.id;
    const record = (e: Omit<EventRow, 'at' | 'by'>) => events.push({ at: now, ...e, by });
    if (next.group_id !== row.group_id) record({ kind: 'group', from: idText(row.group_id), to: idText(next.group_id) });
    if (next.assignee_id !== row.assignee_id) record({ kind: 'assignee', from: idText(row.assignee_id), to: idText(next.assignee_id) });
    if (change.comment) {
      insertComment(ctx, id, authorId!, change.comment, 'api', now);
      record({ kind: 'comment', from: authorRole!, to: change.comment.isPublic ? 'public' : 'private' });
    }
    if (next.status !== row.status) record({ kind: 'status', from: row.status, to: next.status });
    const tagsBefore = parseTags(row.tags).sort().join(' ');
    const tagsAfter = parseTags(next.tags).sort().join(' ');
    if (tagsBefore !== tagsAfter) record({ kind: 'tags', from: tagsBefore, to: tagsAfter });
    if (next.status === 'solved' && row.status !== 'solved') next.solved_at = now;
    else if (next.status !== 'solved' && next.status !== 'closed') next.solved_at = null;
    next.updated_at = now;
    next.update_seq = nextSeq(ctx.store);

    ctx.store.run(
      `UPDATE tickets SET subject = ?, status = ?, status_rank = ?, priority = ?, priority_rank = ?, type = ?, assignee_id = ?,
        group_id = ?, organization_id = ?, tags = ?, custom_fields = ?, updated_at = ?, update_seq = ?, solved_at = ?,
        search_text = ?, events = ? WHERE id = ?`,
      [
        next.subject, next.status, statusRank(next.status), next.priority, priorityRank(next.priority), next.type, next.assignee_id,
        next.group_id, next.organization_id, next.tags, next.custom_fields, next.updated_at, next.update_seq, next.solved_at,
        searchText(next.subject, next.description), encodeEvents(events), id,
      ],
    );
    return next;
  });
}

const idText = (id: number | null) => (id === null ? null : String(id));

/** Creates a ticket from a validated payload and returns its row. Throws DeskHttpError. */
export function createTicket(ctx: WriteContext, change: TicketChange): TicketRow {
  if (!change.comment) throw recordInvalid({ description: [{ description: 'Description: cannot be blank' }] });
  const comment = change.comment;
  return ctx.store.transaction(() => {
    const refs = checkReferences(ctx, change);
    const now = ctx.now();
    let requester: UserRow | undefined;
    if (change.requesterId !== undefined) {
      requester = ctx.store.user(change.requesterId);
      if (!requester) throw fieldInvalid('requester_id', `Requester: user ${change.requesterId} not found`);
    } else if (change.requester) {
      requester = ctx.store.userByEmail(change.requester.email) ?? createEndUser(ctx, change.requester, now);
    } else {
      requester = ctx.me;
    }
    const assignee = refs.assignee ?? null;
    let groupId = change.groupId ?? assignee?.default_group_id ?? null;
    const status: TicketStatus = change.status ?? (assignee ? 'open' : 'new');
    let assigneeId = assignee?.id ?? null;
    if ((status === 'solved' || status === 'closed') && assigneeId === null && ctx.me.role !== 'end-user') {
      assigneeId = ctx.me.id;
      groupId ??= ctx.me.default_group_id;
    }
    const authorId = comment.authorId ?? ctx.me.id;
    const subject = change.subject?.trim() ? change.subject : comment.body.trim().split('\n')[0]!.slice(0, 80);
    const channel = change.channel ?? 'api';
    const tags = [...(change.tags ?? []), ...(change.additionalTags ?? [])].filter((t) => !(change.removeTags ?? []).includes(t));
    const id = ctx.store.count('SELECT coalesce(max(id), 0) + 1 AS n FROM tickets');
    const events: EventRow[] = [{ at: now, kind: 'status', from: null, to: 'new' }];
    if (groupId !== null) events.push({ at: now, kind: 'group', from: null, to: String(groupId) });
    if (assigneeId !== null) events.push({ at: now, kind: 'assignee', from: null, to: String(assigneeId) });
    events.push({ at: now, kind: 'comment', from: roleOf(ctx, authorId), to: comment.isPublic ? 'public' : 'private' });
    if (status !== 'new') events.push({ at: now, kind: 'status', from: 'new', to: status });
    const priority = change.priority ?? null;
    ctx.store.run(
      `INSERT INTO tickets (id, subject, description, status, status_rank, priority, priority_rank, type, requester_id, submitter_id,
        assignee_id, group_id, organization_id, tags, custom_fields, channel, created_at, updated_at, update_seq, solved_at,
        search_text, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id, subject, comment.body, status, statusRank(status), priority, priorityRank(priority), change.type ?? null, requester.id,
        authorId, assigneeId, groupId, change.organizationId ?? requester.organization_id, tagsColumn(tags),
        mergeCustomFields('{}', change.customFields), channel, now, now, nextSeq(ctx.store), status === 'solved' || status === 'closed' ? now : null,
        searchText(subject, comment.body), encodeEvents(events),
      ],
    );
    insertComment(ctx, id, authorId, comment, channel, now);
    return ctx.store.ticket(id)!;
  });
}

function createEndUser(ctx: WriteContext, person: { name: string; email: string }, now: number): UserRow {
  const id = ctx.store.count('SELECT coalesce(max(id), 0) + 1 AS n FROM users');
  ctx.store.run(
    `INSERT INTO users (id, name, email, role, organization_id, default_group_id, signature, time_zone, created_at, updated_at)
      VALUES (?, ?, ?, 'end-user', NULL, NULL, NULL, 'UTC', ?, ?)`,
    [id, person.name, person.email, now, now],
  );
  return ctx.store.user(id)!;
}
