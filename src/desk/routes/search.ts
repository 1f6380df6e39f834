/**
 * GET /api/v2/search (offset pages, capped at 1,000 results as Zendesk caps it; `count` is the
 * true count), /search/count, and GET /api/v2/search/export (cursor pages, uncapped, ordered
 * by created_at). The query language is in ../search.ts. All three read the search index,
 * which trails the tickets by the desk's index lag, as Zendesk's does.
 */
import { badRequest } from '../http-errors.js';
import { cursorEnvelope, keysetPage, offsetEnvelope, pageParams } from '../pagination.js';
import { TICKET_COLUMNS, type TicketRow } from '../records.js';
import { compileSearch, searchError, type CompiledSearch } from '../search.js';
import { includes, pageUrl, ticketSideloads, ticketsJson, type DeskContext, type DeskReply, type DeskRequest } from './context.js';

/** Zendesk's search results limit. */
export const SEARCH_RESULT_LIMIT = 1000;

const SORT_COLUMNS: Record<string, string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  priority: 'priority_rank',
  status: 'status_rank',
  ticket_type: 'type',
};

/** The query, compiled against the search index brought up to what its lag allows. */
function compiled(req: DeskRequest, ctx: DeskContext): CompiledSearch {
  const query = req.query.get('query');
  if (query === null || query.trim() === '') throw badRequest('InvalidParameter', 'query is required, e.g. query=type:ticket status:open');
  const q = compileSearch(query, { meId: ctx.me.id, now: ctx.now() });
  ctx.store.catchUpSearchIndex(ctx.indexLag > 0 ? ctx.now() - ctx.indexLag : undefined);
  return q;
}

const whereSql = (where: string[]) => (where.length ? ` WHERE ${where.join(' AND ')}` : '');

export function search(req: DeskRequest, ctx: DeskContext): DeskReply {
  const q = compiled(req, ctx);
  const page = pageParams(req.query, { maxSize: 100 });
  if (page.mode !== 'offset') throw badRequest('InvalidPaginationParameter', 'search uses page and per_page; use /api/v2/search/export for cursor pagination');
  const offset = (page.page - 1) * page.perPage;
  if (offset >= SEARCH_RESULT_LIMIT) throw searchError('Requested response size was greater than Search Response Limits', 422);

  const sortBy = req.query.get('sort_by') ?? q.sortBy;
  const column = sortBy === undefined || sortBy === null ? 'updated_at' : SORT_COLUMNS[sortBy];
  if (!column) throw badRequest('InvalidParameter', `sort_by must be one of ${Object.keys(SORT_COLUMNS).join(', ')}`);
  const order = req.query.get('sort_order') ?? q.sortOrder ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw badRequest('InvalidParameter', 'sort_order must be asc or desc');
  const dir = order.toUpperCase();

  const count = ctx.store.count(`SELECT count(*) AS n FROM search_index${whereSql(q.where)}`, q.params);
  const limit = Math.min(page.perPage, SEARCH_RESULT_LIMIT - offset);
  const rows = ctx.store.all<TicketRow>(
    `SELECT ${TICKET_COLUMNS} FROM search_index${whereSql(q.where)} ORDER BY ${column} ${dir}, id ${dir} LIMIT ? OFFSET ?`,
    [...q.params, limit, offset],
  );
  const include = includes(req.query);
  const results = ticketsJson(ctx, rows, include).map((t) => ({ ...t, result_type: 'ticket' }));
  const envelope = offsetEnvelope(page, count, (c) => pageUrl(req, ctx, c), SEARCH_RESULT_LIMIT);
  return { body: { results, ...ticketSideloads(ctx, rows, include), facets: null, ...envelope } };
}

export function searchCount(req: DeskRequest, ctx: DeskContext): DeskReply {
  const q = compiled(req, ctx);
  return { body: { count: ctx.store.count(`SELECT count(*) AS n FROM search_index${whereSql(q.where)}`, q.params) } };
}

export function searchExport(req: DeskRequest, ctx: DeskContext): DeskReply {
  const type = req.query.get('filter[type]');
  if (type === null) throw badRequest('InvalidParameter', 'filter[type] is required (the local desk exports tickets: filter[type]=ticket)');
  if (type !== 'ticket') throw badRequest('InvalidParameter', `the local desk exports tickets only; filter[type]=${type} is not supported`);
  // Zendesk's reference: the export takes the type in filter[type]; a type: term in its query is an error.
  if (/(^|\s)-?type:/i.test(req.query.get('query') ?? '')) {
    throw badRequest('InvalidSearchQuery', 'search/export does not accept type: in the query; the type goes in filter[type]');
  }
  const q = compiled(req, ctx);
  const params = pageParams(req.query, { maxSize: 1000, defaultSize: 100, cursorByDefault: true });
  if (params.mode !== 'cursor') throw badRequest('InvalidPaginationParameter', 'search/export uses page[size] and page[after]');
  if (params.before) throw badRequest('InvalidPaginationParameter', 'search/export does not page backwards');
  const page = { ...params, after: params.after === undefined ? undefined : unexpiredCursor(params.after, ctx.now()) };
  const result = keysetPage<TicketRow>(
    ctx.store.query,
    {
      select: `SELECT ${TICKET_COLUMNS} FROM search_index`,
      where: q.where,
      params: q.params,
      sortColumn: 'created_at',
      desc: false,
      key: (r) => [r.created_at, r.id],
    },
    page,
  );
  // Export cursors expire, as Zendesk's do: each carries the time it was handed out.
  const stamped = { ...result, afterCursor: result.afterCursor === null ? null : `${ctx.now().toString(36)}.${result.afterCursor}` };
  const envelope = cursorEnvelope(stamped, (c) => pageUrl(req, ctx, c));
  const include = includes(req.query);
  return {
    body: {
      results: ticketsJson(ctx, result.rows, include).map((t) => ({ ...t, result_type: 'ticket' })),
      ...ticketSideloads(ctx, result.rows, include),
      facets: null,
      meta: { has_more: envelope.meta.has_more, after_cursor: envelope.meta.after_cursor, before_cursor: null },
      links: { prev: null, next: result.hasMore ? envelope.links.next : null },
    },
  };
}

/** How long a search export cursor can be used (Zendesk: an hour). */
export const EXPORT_CURSOR_TTL_S = 3600;

/** The keyset cursor inside an export cursor "<issued, base 36>.<cursor>", if it has not expired. */
function unexpiredCursor(cursor: string, now: number): string {
  const m = /^([0-9a-z]+)\.(.+)$/.exec(cursor);
  if (!m) throw badRequest('InvalidPaginationParameter', `invalid cursor ${JSON.stringify(cursor)}`);
  if (now - parseInt(m[1]!, 36) > EXPORT_CURSOR_TTL_S) {
    throw badRequest('InvalidPaginationParameter', 'the search export cursor has expired (cursors last an hour); start the export again');
  }
  return m[2]!;
}
