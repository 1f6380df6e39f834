/**
 * /api/v2/views and /api/v2/macros: the lists (all, or active only), one record, a view's
 * tickets, and a macro's changes with or without a ticket. Each user reaches the shared ones
 * (unrestricted, or restricted to their group; an admin every group's) and their own personal
 * ones; any other id is a 404, as Zendesk answers. Lists page as Zendesk's do: cursor
 * (page[size]) or offset (page, per_page).
 */
import { badRequest, notFound } from '../http-errors.js';
import { applyMacro, commentOf, fillPlaceholders, macroChanges } from '../macros.js';
import { cursorEnvelope, keysetPage, offsetEnvelope, pageParams } from '../pagination.js';
import { TICKET_COLUMNS, ticketJson, type TicketRow } from '../records.js';
import {
  MACRO_COLUMNS,
  VIEW_COLUMNS,
  VIEW_SORTS,
  macroJson,
  viewJson,
  viewWhere,
  visibleTo,
  type MacroRow,
  type ViewRow,
} from '../views.js';
import { includes, pageUrl, pathId, ticketSideloads, ticketsJson, type DeskContext, type DeskReply, type DeskRequest } from './context.js';

type Table = 'views' | 'macros';

const LIST_SORTS: Record<string, string> = { position: 'position', alphabetical: 'title', created_at: 'created_at', updated_at: 'updated_at' };

/** The rows of `table` the user may use, paged; `activeOnly` for the /active lists. */
function listRules<R extends { id: number }>(req: DeskRequest, ctx: DeskContext, table: Table, activeOnly: boolean): { rows: R[]; envelope: Record<string, unknown> } {
  const page = pageParams(req.query);
  const visible = visibleTo(ctx.me);
  const where = [visible.where];
  const params = [...visible.params];
  const active = activeOnly ? 'true' : req.query.get('active');
  if (active !== null) {
    if (active !== 'true' && active !== 'false') throw badRequest('InvalidParameter', 'active must be true or false');
    where.push('active = ?');
    params.push(active === 'true' ? 1 : 0);
  }
  const access = req.query.get('access');
  if (access !== null) {
    if (access === 'personal') where.push('owner_id IS NOT NULL');
    else if (access === 'shared') where.push('owner_id IS NULL AND group_id IS NOT NULL');
    else if (access === 'account') where.push('owner_id IS NULL AND group_id IS NULL');
    else throw badRequest('InvalidParameter', 'access must be personal, shared or account');
  }
  const sortBy = req.query.get('sort_by') ?? 'position';
  const column = LIST_SORTS[sortBy];
  if (!column) throw badRequest('InvalidParameter', `sort_by must be one of ${Object.keys(LIST_SORTS).join(', ')}`);
  const order = req.query.get('sort_order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badRequest('InvalidParameter', 'sort_order must be asc or desc');
  const columns = table === 'views' ? VIEW_COLUMNS : MACRO_COLUMNS;
  if (page.mode === 'cursor') {
    const result = keysetPage<R>(
      ctx.store.query,
      { select: `SELECT ${columns} FROM ${table}`, where, params, sortColumn: column, desc: order === 'desc', key: (r) => [(r as Record<string, unknown>)[column] as number | string, r.id] },
      page,
    );
    return { rows: result.rows, envelope: cursorEnvelope(result, (c) => pageUrl(req, ctx, c)) };
  }
  const dir = order === 'desc' ? 'DESC' : 'ASC';
  const sqlWhere = where.join(' AND ');
  const rows = ctx.store.all<R>(`SELECT ${columns} FROM ${table} WHERE ${sqlWhere} ORDER BY ${column} ${dir}, id ${dir} LIMIT ? OFFSET ?`, [
    ...params,
    page.perPage,
    (page.page - 1) * page.perPage,
  ]);
  const count = ctx.store.count(`SELECT count(*) AS n FROM ${table} WHERE ${sqlWhere}`, params);
  return { rows, envelope: offsetEnvelope(page, count, (c) => pageUrl(req, ctx, c)) };
}

function oneRule<R>(ctx: DeskContext, table: Table, idText: string | undefined): R {
  const id = pathId(idText);
  const visible = visibleTo(ctx.me);
  const row = ctx.store.get<R>(`SELECT ${table === 'views' ? VIEW_COLUMNS : MACRO_COLUMNS} FROM ${table} WHERE id = ? AND ${visible.where}`, [id, ...visible.params]);
  if (!row) throw notFound();
  return row;
}

export function listViews(req: DeskRequest, ctx: DeskContext): DeskReply {
  const { rows, envelope } = listRules<ViewRow>(req, ctx, 'views', false);
  return { body: { views: rows.map((r) => viewJson(r, ctx.base)), ...envelope } };
}

export function listActiveViews(req: DeskRequest, ctx: DeskContext): DeskReply {
  const { rows, envelope } = listRules<ViewRow>(req, ctx, 'views', true);
  return { body: { views: rows.map((r) => viewJson(r, ctx.base)), ...envelope } };
}

export function showView(req: DeskRequest, ctx: DeskContext): DeskReply {
  return { body: { view: viewJson(oneRule<ViewRow>(ctx, 'views', req.params[0]), ctx.base) } };
}

/** The tickets a view selects now, in the view's order (or sort_by/sort_order given). */
export function viewTickets(req: DeskRequest, ctx: DeskContext): DeskReply {
  const view = viewJson(oneRule<ViewRow>(ctx, 'views', req.params[0]), ctx.base);
  const page = pageParams(req.query);
  const sortBy = req.query.get('sort_by') ?? view.execution?.sort_by ?? 'created_at';
  if (!(VIEW_SORTS as readonly string[]).includes(sortBy)) throw badRequest('InvalidParameter', `sort_by must be one of ${VIEW_SORTS.join(', ')}`);
  const order = req.query.get('sort_order') ?? view.execution?.sort_order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') throw badRequest('InvalidParameter', 'sort_order must be asc or desc');
  const where = viewWhere(view.conditions, ctx.me, ctx.now());
  const include = includes(req.query);
  let rows: TicketRow[];
  let envelope: Record<string, unknown>;
  if (page.mode === 'cursor') {
    const result = keysetPage<TicketRow>(
      ctx.store.query,
      { select: `SELECT ${TICKET_COLUMNS} FROM tickets`, where: [where.sql], params: where.params, sortColumn: sortBy, desc: order === 'desc', key: (r) => [r[sortBy as 'id'], r.id] },
      page,
    );
    rows = result.rows;
    envelope = cursorEnvelope(result, (c) => pageUrl(req, ctx, c));
  } else {
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    rows = ctx.store.all<TicketRow>(`SELECT ${TICKET_COLUMNS} FROM tickets WHERE ${where.sql} ORDER BY ${sortBy} ${dir}, id ${dir} LIMIT ? OFFSET ?`, [
      ...where.params,
      page.perPage,
      (page.page - 1) * page.perPage,
    ]);
    envelope = offsetEnvelope(page, ctx.store.count(`SELECT count(*) AS n FROM tickets WHERE ${where.sql}`, where.params), (c) => pageUrl(req, ctx, c));
  }
  return { body: { tickets: ticketsJson(ctx, rows, include), ...ticketSideloads(ctx, rows, include), ...envelope } };
}

export function listMacros(req: DeskRequest, ctx: DeskContext): DeskReply {
  const { rows, envelope } = listRules<MacroRow>(req, ctx, 'macros', false);
  return { body: { macros: rows.map((r) => macroJson(r, ctx.base)), ...envelope } };
}

export function listActiveMacros(req: DeskRequest, ctx: DeskContext): DeskReply {
  const { rows, envelope } = listRules<MacroRow>(req, ctx, 'macros', true);
  return { body: { macros: rows.map((r) => macroJson(r, ctx.base)), ...envelope } };
}

export function showMacro(req: DeskRequest, ctx: DeskContext): DeskReply {
  return { body: { macro: macroJson(oneRule<MacroRow>(ctx, 'macros', req.params[0]), ctx.base) } };
}

/** GET /macros/{id}/apply: what the macro sets, with no ticket (placeholders as written). */
export function applyMacroRoute(req: DeskRequest, ctx: DeskContext): DeskReply {
  const macro = macroJson(oneRule<MacroRow>(ctx, 'macros', req.params[0]), ctx.base);
  const { ticket } = macroChanges(macro.actions, ctx.me);
  return { body: { result: { ticket } } };
}

/** GET /tickets/{id}/macros/{macro_id}/apply: the ticket after the macro, nothing saved. */
export function applyMacroToTicketRoute(req: DeskRequest, ctx: DeskContext): DeskReply {
  const row = ctx.store.ticket(pathId(req.params[0]));
  if (!row) throw notFound();
  const macro = macroJson(oneRule<MacroRow>(ctx, 'macros', req.params[1]), ctx.base);
  const before = ticketJson(row, ctx.base);
  const { ticket, comment } = applyMacro(before, macro.actions, ctx.me);
  let filled = comment;
  if (comment) {
    const people = ctx.store.usersByIds([ticket.requester_id, ...(ticket.assignee_id !== null ? [ticket.assignee_id] : [])]);
    const body = fillPlaceholders(comment.body, ticket, {
      me: ctx.me,
      requester: people.find((u) => u.id === ticket.requester_id),
      assignee: ticket.assignee_id !== null ? people.find((u) => u.id === ticket.assignee_id) : undefined,
      groupName: ticket.group_id !== null ? ctx.store.group(ticket.group_id)?.name : undefined,
      organizationName: ticket.organization_id !== null ? ctx.store.organization(ticket.organization_id)?.name : undefined,
      ticketUrl: `${ctx.base}/agent/tickets/${ticket.id}`,
    });
    filled = commentOf(body, comment.scoped_body[0]?.[0] ?? 'channel:all', comment.public);
  }
  return { body: { result: { ticket, comment: filled } } };
}
