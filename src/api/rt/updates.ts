/**
 * Writing Request Tracker tickets: create, update (fields, then the message carrying tags and
 * status, then a read back, since RT answers 200 even when a change did not take), and
 * update_many emulated one ticket at a time with its job kept in memory.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, ConflictError, NotFoundError, UsageError } from '../../core/errors.js';
import type { BulkUpdate } from '../helpdesk.js';
import type { Comment, CustomFieldValue, JobStatus, JobStatusResult, Ticket, TicketCreate, TicketUpdate } from '../types.js';
import { findAppliedComment, sameInstant } from '../zendesk/applied.js';
import type { RtDirectory } from './directory.js';
import { priorityFromRt, priorityToRt, statusToRt } from './mapping.js';
import { isBody, maybeId, NOBODY, TAGS_FIELD, ticketFrom, type RtBody } from './records.js';
import { positiveId, REST2, RT_PAGE_MAX, ticketId, type RtSession } from './session.js';
import type { RtTicket, RtTickets } from './tickets.js';

/** An update_many item; the bulk executor adds safe_update and updated_stamp. */
type SafeItem = TicketUpdate & { id: number; safe_update?: boolean; updated_stamp?: string };

export class RtUpdates {
  private readonly session: RtSession;
  private readonly directory: RtDirectory;
  private readonly tickets: RtTickets;
  private readonly jobs = new Map<string, JobStatus>();

  constructor(session: RtSession, directory: RtDirectory, tickets: RtTickets) {
    this.session = session;
    this.directory = directory;
    this.tickets = tickets;
  }

  async createTicket(create: TicketCreate, _options: { idempotencyKey?: string } = {}): Promise<Ticket> {
    const queue = create.group_id ?? (await this.defaultQueue());
    // RT makes an unknown requester a user, with the name of an address like "Name" <email>.
    const requestor = create.requester
      ? create.requester.name.trim()
        ? `"${create.requester.name.replace(/["\\\r\n]/g, '').trim()}" <${create.requester.email}>`
        : create.requester.email
      : create.requester_id !== undefined
        ? await this.loginOf(create.requester_id)
        : undefined;
    const tags = create.tags ?? [];
    if (tags.length > 0) await this.directory.needTags('tag a ticket');
    const isPublic = create.comment.public !== false;
    const payload: RtBody = {
      Queue: queue,
      Subject: create.subject,
      ...(requestor ? { Requestor: requestor } : {}),
      ...(isPublic ? { Content: create.comment.body, ContentType: 'text/plain' } : {}),
      ...(create.priority !== undefined ? { Priority: priorityToRt(create.priority) } : {}),
      ...(create.assignee_id ? { Owner: create.assignee_id } : {}),
      ...(create.status ? { Status: statusToRt(create.status) } : {}),
      ...customFieldsPayload(create.custom_fields, tags.length > 0 ? tags : undefined),
    };
    // RT has no idempotency keys: a create whose answer is lost is never sent again.
    const body = await this.session.request({ method: 'POST', path: `${REST2}/ticket`, json: payload, retry: 'unsafe' });
    const id = isBody(body) ? maybeId(body.id) : undefined;
    if (id === undefined) throw new ApiError(`Request Tracker did not create the ticket: ${messagesOf(body) || 'no id in its answer'}`);
    if (!isPublic) {
      await this.session.request({ method: 'POST', path: `${REST2}/ticket/${id}/comment`, json: { Content: create.comment.body, ContentType: 'text/plain' }, retry: 'unsafe' });
    }
    return this.tickets.getTicket(id);
  }

  private async defaultQueue(): Promise<number> {
    const groups = await this.directory.listGroups();
    const general = groups.find((g) => g.name === 'General') ?? groups[0];
    if (!general) throw new ApiError('Request Tracker shows this agent no queue to create the ticket in');
    return general.id;
  }

  private async loginOf(userId: number): Promise<string | undefined> {
    const [user] = await this.directory.getUsers([userId]);
    return user?.email || undefined;
  }

  /**
   * Update one ticket. With `ifUnmodifiedSince` (the updated_at the caller saw) it is a safe
   * update: a ticket changed since then is a ConflictError (see applyUpdate for what RT allows).
   * The ticket is then read back; a change RT did not make is an ApiError with RT's messages.
   */
  async updateTicket(id: number, update: TicketUpdate, options: { ifUnmodifiedSince?: string } = {}): Promise<Ticket> {
    await this.applyUpdate(id, update, options.ifUnmodifiedSince);
    return this.tickets.getTicket(id);
  }

  /**
   * One ticket's update in as few REST2 calls as RT allows, ordered so that the tags (and so a
   * sweep's marker tag) are stored only once the message is:
   *
   * 1. GET /ticket/:id for its LastUpdated, tags and ETag (RT's ETag is the id of the ticket's
   *    last transaction). With `since`, a LastUpdated other than `since` is a ConflictError.
   * 2. PUT /ticket/:id with the fields a message cannot carry (subject, priority, owner, queue,
   *    custom fields other than Tags), with If-Match: a change since step 1 answers 412, a
   *    ConflictError. Without a message, the tags and the status go here too.
   * 3. With a message: one POST /ticket/:id/correspond (or comment) carrying the text, the Tags
   *    custom field and the status. RT records the message first and changes the Tags field
   *    and the status only after it succeeded, in the same request; a retry after a lost answer
   *    looks for the message first, so it is never posted twice.
   *
   * What this guarantees: the marker tag is on the ticket only if the message is; a message is
   * never posted on a ticket that changed before step 1 or (when step 2 runs) before step 2.
   * What RT does not allow: its message endpoint takes no If-Match, so a change made between
   * the last check and the POST (a few milliseconds) is not detected; LastUpdated has
   * one-second resolution. When the message landed but the tags did not, the tags are written
   * again; if that fails too the error says the message was posted, and a bulk item is then
   * reported failed without being sent again (see updateMany).
   */
  private async applyUpdate(id: number, update: TicketUpdate, since?: string): Promise<RtTicket> {
    ticketId(id);
    const notFound = `ticket ${id} not found`;
    const conflict = `ticket ${id} was changed on the desk${since ? ` since ${since}` : ''}; reload it and try again`;
    const tagsChange = update.tags !== undefined || (update.additional_tags?.length ?? 0) > 0 || (update.remove_tags?.length ?? 0) > 0;
    if (tagsChange) await this.directory.needTags('change tags');

    // The ticket as it is now (LastUpdated, tags) and its ETag, for a safe update or a tag change.
    let etag: string | undefined;
    let current: Ticket | undefined;
    if (since !== undefined || tagsChange) {
      const body = await this.session.get(`${REST2}/ticket/${id}`, undefined, {
        notFound,
        onAnswer: ({ headers }) => {
          const value = headers.etag;
          etag = Array.isArray(value) ? value[0] : value;
        },
      });
      if (!isBody(body)) throw new ApiError(`Request Tracker sent no ticket for GET ${REST2}/ticket/${id}`);
      current = ticketFrom(body, this.session.base);
      if (since !== undefined && !sameInstant(current.updated_at, since)) throw new ConflictError(conflict);
      if (since === undefined) etag = undefined;
    }

    const fields: RtBody = {};
    if (update.subject !== undefined) fields.Subject = update.subject;
    if (update.priority !== undefined) fields.Priority = priorityToRt(update.priority);
    if (update.assignee_id !== undefined) fields.Owner = update.assignee_id === null ? NOBODY : update.assignee_id;
    if (update.group_id !== undefined) {
      if (update.group_id === null) throw new UsageError('every Request Tracker ticket is in a queue; give a group to move it to');
      fields.Queue = update.group_id;
    }
    Object.assign(fields, customFieldsPayload(update.custom_fields, undefined));
    const tags = tagsChange ? nextTags(current!.tags, update) : undefined;
    const status = update.status !== undefined ? statusToRt(update.status) : undefined;
    // Without a message, everything goes in the one PUT; with one, tags and status ride on it.
    if (!update.comment) {
      if (tags !== undefined) mergeCustomFields(fields, customFieldsPayload(undefined, tags));
      if (status !== undefined) fields.Status = status;
    }
    /** Everything asked for, for the read back. */
    const asked: RtBody = { ...fields };
    if (update.comment && tags !== undefined) mergeCustomFields(asked, customFieldsPayload(undefined, tags));

    const messages: string[] = [];
    if (Object.keys(fields).length > 0) {
      const answer = await this.session.request<unknown>({
        method: 'PUT',
        path: `${REST2}/ticket/${id}`,
        json: fields,
        headers: etag ? { 'If-Match': etag } : undefined,
        // Setting values again is harmless, but with If-Match a resent PUT would conflict
        // with itself: after a lost answer, read the ticket back instead.
        retry: etag ? 'verify' : 'idempotent',
        verify: etag
          ? async () => ((await this.readBack(id, update, fields, fields.Status !== undefined)).missing.length === 0 ? [] : undefined)
          : undefined,
        notFound,
        conflict,
      });
      messages.push(...messageList(answer));
    }

    let posted = false;
    if (update.comment) {
      const kind = update.comment.public ? 'correspond' : 'comment';
      const body = update.comment.body;
      const answer = await this.session.request<unknown>({
        method: 'POST',
        path: `${REST2}/ticket/${id}/${kind}`,
        json: {
          Content: body,
          ContentType: 'text/plain',
          ...(status !== undefined ? { Status: status } : {}),
          ...(tags !== undefined ? customFieldsPayload(undefined, tags) : {}),
        },
        // Posting twice would add the message twice: after a lost answer, look for it first.
        retry: 'verify',
        verify: async (context) => {
          const me = await this.directory.cachedMe();
          const comments: Comment[] = [];
          for await (const c of this.tickets.listComments(id)) comments.push(c);
          return findAppliedComment(comments, { body, authorId: me.id }, context.startedAt, context.slackMs) ? [] : undefined;
        },
        notFound,
      });
      posted = true;
      messages.push(...messageList(answer));
    }

    let { missing, ticket } = await this.readBack(id, update, asked);
    if (posted && tags !== undefined && missing.includes('tags')) {
      // The message is there but the Tags field did not take: write the tags again on their own.
      const answer = await this.session.request<unknown>({
        method: 'PUT',
        path: `${REST2}/ticket/${id}`,
        json: customFieldsPayload(undefined, tags),
        retry: 'idempotent',
        notFound,
      });
      messages.push(...messageList(answer));
      ({ missing, ticket } = await this.readBack(id, update, asked));
    }
    if (missing.length > 0) {
      const said = relevantMessages(messages, missing, update);
      const what = posted ? `the ${update.comment!.public ? 'reply' : 'note'} was posted, but Request Tracker did not apply` : 'Request Tracker did not apply';
      const text = `${posted ? `ticket ${id}: ` : ''}${what} ${missing.join(', ')}${posted ? '' : ` to ticket ${id}`}${said ? `: ${said}` : ''}`;
      const hint = "check the agent's rights on the queue and the queue's lifecycle in RT";
      throw posted && missing.includes('tags') ? new PostedUntaggedError(text, { hint }) : new ApiError(text, { hint });
    }
    return ticket;
  }

  /** The ticket read back, and the requested changes it does not show. */
  private async readBack(id: number, update: TicketUpdate, fields: RtBody, checkStatus = true): Promise<{ missing: string[]; ticket: RtTicket }> {
    const t = await this.tickets.findTicket(id);
    const ticket = t.ticket;
    const missing: string[] = [];
    if (checkStatus && update.status !== undefined && t.rtStatus !== statusToRt(update.status)) missing.push(`status ${update.status}`);
    if (update.priority !== undefined && ticket.priority !== priorityFromRt(priorityToRt(update.priority))) missing.push(`priority ${update.priority}`);
    if (update.assignee_id !== undefined && ticket.assignee_id !== update.assignee_id) missing.push(`assignee ${update.assignee_id ?? 'none'}`);
    if (update.group_id !== undefined && ticket.group_id !== update.group_id) missing.push(`group ${update.group_id}`);
    if (update.subject !== undefined && ticket.subject !== update.subject) missing.push('subject');
    const cf = isBody(fields.CustomFields) ? fields.CustomFields : {};
    if (Array.isArray(cf[TAGS_FIELD])) {
      const wanted = new Set((cf[TAGS_FIELD] as string[]).map((x) => x.toLowerCase()));
      const have = new Set(ticket.tags.map((x) => x.toLowerCase()));
      if (wanted.size !== have.size || [...wanted].some((x) => !have.has(x))) missing.push('tags');
    }
    for (const f of update.custom_fields ?? []) {
      const have = ticket.custom_fields.find((c) => c.id === f.id)?.value ?? null;
      const want = f.value === null || f.value === '' ? null : String(f.value);
      if ((have === null ? null : String(have)) !== want) missing.push(`custom field ${f.id}`);
    }
    return { missing, ticket: t };
  }

  /**
   * update_many emulated: RT has no job queue, so each ticket is updated in turn (failures do
   * not stop the others) and a completed job with one result per ticket is returned at once.
   * An item with `safe_update: true` and `updated_stamp` (as the bulk executor sends) is a safe
   * update against that stamp: a ticket changed since is a result with error "Conflict".
   */
  async updateMany(bulk: BulkUpdate): Promise<JobStatus> {
    const items: Array<SafeItem> =
      'ids' in bulk ? [...new Set(bulk.ids.map(ticketId))].map((id) => ({ ...bulk.update, id })) : bulk.tickets;
    for (const t of items) ticketId(t.id);
    if (items.length === 0) throw new UsageError('no tickets to update');
    if (items.length > RT_PAGE_MAX) {
      throw new UsageError(`update_many takes at most ${RT_PAGE_MAX} tickets at once; got ${items.length}`, { hint: 'split the tickets into batches of 100' });
    }
    const results: JobStatusResult[] = [];
    for (const [index, item] of items.entries()) {
      const { id, safe_update: safe, updated_stamp: stamp, ...update } = item;
      try {
        if (safe === true && typeof stamp !== 'string') throw new UsageError(`ticket ${id}: a safe update needs updated_stamp`);
        await this.applyUpdate(id, update, safe === true ? stamp : undefined);
        results.push({ id, index, action: 'update', success: true, status: 'Updated' });
      } catch (err) {
        results.push({
          id,
          index,
          action: 'update',
          success: false,
          status: 'Failed',
          error:
            err instanceof NotFoundError
              ? 'TicketNotFound'
              : err instanceof ConflictError
                ? 'Conflict'
                : err instanceof PostedUntaggedError
                  ? 'AppliedWithoutMarker'
                  : 'UpdateFailed',
          details: err instanceof Error ? err.message : String(err),
        });
      }
    }
    const failed = results.filter((r) => !r.success).length;
    const job: JobStatus = {
      id: `rt-${randomUUID()}`,
      status: 'completed',
      job_type: 'bulk_update',
      total: items.length,
      progress: items.length,
      message: `Completed at ${new Date(this.session.now()).toISOString()}${failed > 0 ? `; ${failed} of ${items.length} failed` : ''}`,
      results,
    };
    this.jobs.set(job.id, job);
    return job;
  }

  async getJobStatus(id: string): Promise<JobStatus> {
    const job = this.jobs.get(id);
    if (!job) {
      throw new NotFoundError(`job ${id} not found`, {
        hint: 'Request Tracker has no job queue: deskops keeps the result of a bulk update only while the command runs',
      });
    }
    return job;
  }

  /** Jobs are done when updateMany returns. */
  async waitForJob(id: string): Promise<JobStatus> {
    return this.getJobStatus(id);
  }
}

/**
 * A message that RT posted while the tags of the same update (a sweep's marker among them) did
 * not take, even when written again: sending the update again would post the message twice.
 */
export class PostedUntaggedError extends ApiError {}

/** RT's answer to a write: a list of messages (or {message}). */
function messageList(answer: unknown): string[] {
  if (Array.isArray(answer)) return answer.flatMap((m) => (typeof m === 'string' ? [m] : Array.isArray(m) ? m.filter((x): x is string => typeof x === 'string') : []));
  if (isBody(answer) && typeof answer.message === 'string') return [answer.message];
  return [];
}

function messagesOf(answer: unknown): string {
  return messageList(answer).join('; ');
}

/** RT words for each kind of change deskops names. */
const CHANGE_WORDS: Record<string, string[]> = {
  status: ['status'],
  priority: ['priority'],
  assignee: ['owner', 'own '],
  group: ['queue'],
  subject: ['subject'],
  tags: [TAGS_FIELD.toLowerCase()],
  custom: ['custom field'],
};

/**
 * RT's messages about the changes that did not take: those naming them, else all but the ones
 * about changes that did take (RT does not say which of its messages are failures).
 */
function relevantMessages(messages: readonly string[], missing: readonly string[], update: TicketUpdate): string {
  const kind = (name: string) => name.split(' ')[0]!.toLowerCase();
  const words = (kinds: string[]) => kinds.flatMap((k) => CHANGE_WORDS[k] ?? [k]);
  const mentions = (m: string, list: string[]) => list.some((w) => m.toLowerCase().includes(w));
  const failed = words(missing.map(kind));
  const named = messages.filter((m) => mentions(m, failed));
  if (named.length > 0) return [...new Set(named)].join('; ');
  const requested = [
    update.status !== undefined ? 'status' : '',
    update.priority !== undefined ? 'priority' : '',
    update.assignee_id !== undefined ? 'assignee' : '',
    update.group_id !== undefined ? 'group' : '',
    update.subject !== undefined ? 'subject' : '',
  ].filter((k) => k !== '' && !missing.map(kind).includes(k));
  const applied = words(requested);
  // RT's word that the message itself was added is no reason for a failure.
  const rest = messages.filter((m) => !mentions(m, applied) && !/^(correspondence|comments?) added$/i.test(m.trim()));
  return [...new Set(rest.length > 0 ? rest : messages)].join('; ');
}

/** The CustomFields of a create or update payload: custom fields by id, tags in the Tags field. */
function customFieldsPayload(fields: readonly CustomFieldValue[] | undefined, tags: readonly string[] | undefined): RtBody {
  const out: RtBody = {};
  for (const f of fields ?? []) out[String(positiveId(f.id, 'custom field id'))] = f.value === null ? null : String(f.value);
  if (tags !== undefined) out[TAGS_FIELD] = [...tags];
  return Object.keys(out).length > 0 ? { CustomFields: out } : {};
}

/** Adds the CustomFields of `more` to those of `into`. */
function mergeCustomFields(into: RtBody, more: RtBody): void {
  if (!isBody(more.CustomFields)) return;
  into.CustomFields = { ...(isBody(into.CustomFields) ? into.CustomFields : {}), ...more.CustomFields };
}

/** The tags after an update: `tags` replaces them; additional_tags and remove_tags change them. */
function nextTags(current: readonly string[], update: TicketUpdate): string[] {
  let tags = update.tags !== undefined ? [...update.tags] : [...current];
  for (const t of update.additional_tags ?? []) if (!tags.includes(t)) tags.push(t);
  tags = tags.filter((t) => !(update.remove_tags ?? []).includes(t));
  return tags;
}
