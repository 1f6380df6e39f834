/**
 * /api/v2/tickets: list (cursor or offset), show with sideloads, show_many, create (with
 * Idempotency-Key), update (with safe_update), update_many (a job), and a ticket's comments
 * and metrics.
 */
import { createHash } from 'node:crypto';
import { badRequest, DeskHttpError, notFound } from '../http-errors.js';
import type { JobItem } from '../jobs.js';
import { computeTicketMetric, decodeEvents } from '../metrics.js';
import { cursorEnvelope, decodeCursor, encodeCursor, keysetPage, offsetEnvelope, pageParams } from '../pagination.js';
import { ticketAudits } from '../audits.js';
import type { TicketAudit } from '../../core/model.js';
import { TICKET_COLUMNS, commentJson, userJson, type CommentRow, type TicketRow } from '../records.js';
import { createTicket, parseTicketChange, updateTicket } from '../ticket-writes.js';
import {
  idsParam,
  includes,
  pageUrl,
  pathId,
  ticketSideloads,
  ticketsJson,
  type DeskContext,
  type DeskReply,
  type DeskRequest,
} from './context.js';

const SORTS: Record<string, string> = { id: 'id', updated_at: 'updated_at', created_at: 'created_at' };

function ticketSort(query: URLSearchParams): { column: string; desc: boolean } {
  const sort = query.get('sort');
  if (sort) {
    const desc = sort.startsWith('-');
    const column = SORTS[desc ? sort.slice(1) : sort];
    if (!column) throw badRequest('InvalidParameter', `sort must be one of id, updated_at, created_at (prefix - for descending), got ${JSON.stringify(sort)}`);
    return { column, desc };
  }
  const sortBy = query.get('sort_by');
  const column = sortBy ? SORTS[sortBy] : 'id';
  if (!column) throw badRequest('InvalidParameter', `sort_by must be one of id, updated_at, created_at, got ${JSON.stringify(sortBy)}`);
  const order = query.get('sort_order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badRequest('InvalidParameter', 'sort_order must be asc or desc');
  return { column, desc: order === 'desc' };
}

export function listTickets(req: DeskRequest, ctx: DeskContext): DeskReply {
  const page = pageParams(req.query);
  const sort = ticketSort(req.query);
  const include = includes(req.query);
  if (page.mode === 'cursor') {
    const result = keysetPage<TicketRow>(
      ctx.store.query,
      {
        select: `SELECT ${TICKET_COLUMNS} FROM tickets`,
        where: [],
        params: [],
        sortColumn: sort.column,
        desc: sort.desc,
        key: (r) => [r[sort.column as 'id'], r.id],
      },
      page,
    );
    const envelope = cursorEnvelope(result, (c) => pageUrl(req, ctx, c));
    return { body: { tickets: ticketsJson(ctx, result.rows, include), ...ticketSideloads(ctx, result.rows, include), ...envelope } };
  }
  const dir = sort.desc ? 'DESC' : 'ASC';
  const rows = ctx.store.all<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM tickets ORDER BY ${sort.column} ${dir}, id ${dir} LIMIT ? OFFSET ?`, [
    page.perPage,
    (page.page - 1) * page.perPage,
  ]);
  const count = ctx.store.count('SELECT count(*) AS n FROM tickets');
  const envelope = offsetEnvelope(page, count, (c) => pageUrl(req, ctx, c));
  return { body: { tickets: ticketsJson(ctx, rows, include), ...ticketSideloads(ctx, rows, include), ...envelope } };
}

export function showTicket(req: DeskRequest, ctx: DeskContext): DeskReply {
  const row = ctx.store.ticket(pathId(req.params[0]));
  if (!row) throw notFound();
  const include = includes(req.query);
  return { body: { ticket: ticketsJson(ctx, [row], include)[0], ...ticketSideloads(ctx, [row], include) } };
}

export function showManyTickets(req: DeskRequest, ctx: DeskContext): DeskReply {
  const rows = ctx.store.ticketsByIds(idsParam(req.query));
  const include = includes(req.query);
  const tickets = ticketsJson(ctx, rows, include);
  return { body: { tickets, ...ticketSideloads(ctx, rows, include), next_page: null, previous_page: null, count: rows.length } };
}

function ticketPayload(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('ticket' in body)) {
    throw badRequest('InvalidParameter', 'the body must be {"ticket": {...}}');
  }
  return (body as { ticket: unknown }).ticket;
}

/** Zendesk keeps idempotency keys for two hours. */
const IDEMPOTENCY_TTL_S = 2 * 3600;

export function createTicketRoute(req: DeskRequest, ctx: DeskContext): DeskReply {
  const key = headerValue(req.headers['idempotency-key']);
  const payload = ticketPayload(req.body);
  if (key === undefined) return created(ctx, payload);

  // Same key + same body: the first answer again. Same key + another body: an error.
  const fingerprint = createHash('sha256').update(`${req.method} ${req.path}\n${canonicalJson(req.body)}`).digest('hex');
  ctx.store.run('DELETE FROM idempotency_keys WHERE created_at < ?', [ctx.now() - IDEMPOTENCY_TTL_S]);
  const seen = ctx.store.get<{ fingerprint: string; status: number; response: string }>(
    'SELECT fingerprint, status, response FROM idempotency_keys WHERE key = ?',
    [key],
  );
  if (seen) {
    if (seen.fingerprint !== fingerprint) {
      throw new DeskHttpError(400, {
        error: 'IdempotentRequestError',
        description: 'The request parameters do not match the original request made with this Idempotency-Key',
      });
    }
    return { status: seen.status, body: JSON.parse(seen.response), headers: { 'x-idempotency-lookup': 'hit' } };
  }
  const reply = created(ctx, payload);
  ctx.store.run('INSERT INTO idempotency_keys (key, fingerprint, status, response, created_at) VALUES (?, ?, ?, ?, ?)', [
    key,
    fingerprint,
    reply.status ?? 200,
    JSON.stringify(reply.body),
    ctx.now(),
  ]);
  return { ...reply, headers: { 'x-idempotency-lookup': 'miss' } };
}

function created(ctx: DeskContext, payload: unknown): DeskReply {
  const row = createTicket({ store: ctx.store, me: ctx.me, now: ctx.now }, parseTicketChange(payload));
  return { status: 201, body: { ticket: ticketsJson(ctx, [row], new Set())[0] }, headers: { location: `${ctx.base}/api/v2/tickets/${row.id}.json` } };
}

export function updateTicketRoute(req: DeskRequest, ctx: DeskContext): DeskReply {
  const id = pathId(req.params[0]);
  const row = updateTicket({ store: ctx.store, me: ctx.me, now: ctx.now }, id, parseTicketChange(ticketPayload(req.body)));
  return { body: { ticket: ticketsJson(ctx, [row], new Set())[0] } };
}

export function updateManyTickets(req: DeskRequest, ctx: DeskContext): DeskReply {
  const body = req.body as { ticket?: unknown; tickets?: unknown } | undefined;
  let items: JobItem[];
  if (req.query.has('ids')) {
    if (!body || typeof body.ticket !== 'object' || body.ticket === null) {
      throw badRequest('InvalidParameter', 'update_many?ids= needs a body {"ticket": {...}} with the change for every ticket');
    }
    items = idsParam(req.query).map((id) => ({ id, change: body.ticket }));
  } else if (body && Array.isArray(body.tickets)) {
    items = body.tickets.map((t: unknown, index) => {
      const id = typeof t === 'object' && t !== null ? (t as { id?: unknown }).id : undefined;
      if (typeof id !== 'number' || !Number.isInteger(id)) {
        throw badRequest('InvalidParameter', `tickets[${index}] needs an integer id`);
      }
      return { id, change: t };
    });
    if (items.length > 100) throw badRequest('TooManyValues', `update_many accepts at most 100 tickets, got ${items.length}`);
  } else {
    throw badRequest('InvalidParameter', 'give ids=1,2,3 with {"ticket": {...}}, or a body {"tickets": [{"id": 1, ...}, ...]}');
  }
  if (items.length === 0) throw badRequest('InvalidParameter', 'no tickets to update');
  const job = ctx.jobs.enqueue(items, ctx.me);
  return { body: { job_status: ctx.jobs.json(job, ctx.base) } };
}

export function listComments(req: DeskRequest, ctx: DeskContext): DeskReply {
  const ticketId = pathId(req.params[0]);
  if (!ctx.store.ticket(ticketId)) throw notFound();
  const page = pageParams(req.query);
  const order = req.query.get('sort_order') ?? (req.query.get('sort') === '-created_at' ? 'desc' : 'asc');
  if (order !== 'asc' && order !== 'desc') throw badRequest('InvalidParameter', 'sort_order must be asc or desc');
  const select = 'SELECT ticket_id, id, author_id, body, public, channel, created_at FROM comments';
  let rows: CommentRow[];
  let envelope: Record<string, unknown>;
  if (page.mode === 'cursor') {
    const result = keysetPage<CommentRow>(
      ctx.store.query,
      { select, where: ['ticket_id = ?'], params: [ticketId], sortColumn: 'id', desc: order === 'desc', key: (r) => [r.id, r.id] },
      page,
    );
    rows = result.rows;
    envelope = cursorEnvelope(result, (c) => pageUrl(req, ctx, c));
  } else {
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    rows = ctx.store.all<CommentRow>(`${select} WHERE ticket_id = ? ORDER BY id ${dir} LIMIT ? OFFSET ?`, [
      ticketId,
      page.perPage,
      (page.page - 1) * page.perPage,
    ]);
    envelope = offsetEnvelope(page, ctx.store.count('SELECT count(*) AS n FROM comments WHERE ticket_id = ?', [ticketId]), (c) => pageUrl(req, ctx, c));
  }
  const body: Record<string, unknown> = { comments: rows.map(commentJson), ...envelope };
  if (includes(req.query).has('users')) {
    const ids = [...new Set(rows.map((r) => r.author_id))];
    body.users = ctx.store.usersByIds(ids).map((u) => userJson(u, ctx.base));
  }
  return { body };
}

/**
 * A ticket's audits, oldest first (sort_order=desc for newest first), 100 a page at most: the
 * history of who changed what, built from the ticket's events (desk/audits.ts).
 */
export function listAudits(req: DeskRequest, ctx: DeskContext): DeskReply {
  const ticketId = pathId(req.params[0]);
  if (!ctx.store.ticket(ticketId)) throw notFound();
  const page = pageParams(req.query);
  const order = req.query.get('sort_order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badRequest('InvalidParameter', 'sort_order must be asc or desc');
  const comments = ctx.store.all<CommentRow>('SELECT ticket_id, id, author_id, body, public, channel, created_at FROM comments WHERE ticket_id = ? ORDER BY id', [ticketId]);
  const all = ticketAudits(ticketId, decodeEvents(ctx.store.eventsByTicket([ticketId]).get(ticketId) ?? '[]'), comments);
  if (order === 'desc') all.reverse();
  let audits: TicketAudit[];
  let envelope: Record<string, unknown>;
  if (page.mode === 'cursor') {
    const backwards = page.before !== undefined;
    const cursor = page.after ?? page.before;
    const at = cursor === undefined ? -1 : all.findIndex((a) => a.id === decodeCursor(cursor)[1]);
    if (cursor !== undefined && at < 0) throw badRequest('InvalidPaginationParameter', 'page cursor is not valid for this list');
    const from = backwards ? Math.max(0, at - page.size) : at + 1;
    const to = backwards ? at : Math.min(all.length, from + page.size);
    audits = all.slice(from, to);
    const hasMore = backwards ? from > 0 : to < all.length;
    const first = audits[0];
    const last = audits[audits.length - 1];
    envelope = cursorEnvelope(
      { rows: audits, hasMore, afterCursor: last ? encodeCursor([last.id, last.id]) : null, beforeCursor: first ? encodeCursor([first.id, first.id]) : null },
      (c) => pageUrl(req, ctx, c),
    );
  } else {
    audits = all.slice((page.page - 1) * page.perPage, page.page * page.perPage);
    envelope = offsetEnvelope(page, all.length, (c) => pageUrl(req, ctx, c));
  }
  return { body: { audits, ...envelope } };
}

export function ticketMetrics(req: DeskRequest, ctx: DeskContext): DeskReply {
  const id = pathId(req.params[0]);
  const row = ctx.store.ticket(id);
  if (!row) throw notFound();
  const events = decodeEvents(ctx.store.eventsByTicket([id]).get(id) ?? '[]');
  return { body: { ticket_metric: computeTicketMetric(row, events) } };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** JSON with sorted keys, so that the same body in another key order is the same request. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
