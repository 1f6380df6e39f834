/**
 * Reporting endpoints: /ticket_metrics (computed from each ticket's events),
 * /satisfaction_ratings (score filter, start_time/end_time on created_at), and job statuses.
 */
import { badRequest, notFound } from '../http-errors.js';
import { computeTicketMetric, decodeEvents, METRIC_ID_OFFSET } from '../metrics.js';
import { TICKET_COLUMNS, ratingJson, type RatingRow, type TicketRow } from '../records.js';
import { intParam, pathId, type DeskContext, type DeskReply, type DeskRequest } from './context.js';
import { listById } from './people.js';

export function listTicketMetrics(req: DeskRequest, ctx: DeskContext): DeskReply {
  return listById<TicketRow & { events: string }>(req, ctx, {
    key: 'ticket_metrics',
    select: `SELECT ${TICKET_COLUMNS}, events`,
    from: 'tickets',
    where: [],
    params: [],
    json: (row) => computeTicketMetric(row, decodeEvents(row.events)),
  });
}

export function showTicketMetric(req: DeskRequest, ctx: DeskContext): DeskReply {
  const id = pathId(req.params[0]);
  const ticketId = id > METRIC_ID_OFFSET ? id - METRIC_ID_OFFSET : -1;
  const row = ctx.store.get<TicketRow & { events: string }>(`SELECT ${TICKET_COLUMNS}, events FROM tickets WHERE id = ?`, [ticketId]);
  if (!row) throw notFound();
  return { body: { ticket_metric: computeTicketMetric(row, decodeEvents(row.events)) } };
}

/** Zendesk's score filters for satisfaction ratings. */
const SCORE_FILTERS: Record<string, string> = {
  offered: "score = 'offered'",
  unoffered: "score = 'unoffered'",
  received: "score IN ('good', 'bad')",
  received_with_comment: "score IN ('good', 'bad') AND coalesce(comment, '') <> ''",
  received_without_comment: "score IN ('good', 'bad') AND coalesce(comment, '') = ''",
  good: "score = 'good'",
  good_with_comment: "score = 'good' AND coalesce(comment, '') <> ''",
  good_without_comment: "score = 'good' AND coalesce(comment, '') = ''",
  bad: "score = 'bad'",
  bad_with_comment: "score = 'bad' AND coalesce(comment, '') <> ''",
  bad_without_comment: "score = 'bad' AND coalesce(comment, '') = ''",
};

export function listSatisfactionRatings(req: DeskRequest, ctx: DeskContext): DeskReply {
  const where: string[] = [];
  const params: unknown[] = [];
  const score = req.query.get('score');
  if (score) {
    const filter = SCORE_FILTERS[score];
    if (!filter) throw badRequest('InvalidParameter', `score must be one of ${Object.keys(SCORE_FILTERS).join(', ')}`);
    where.push(filter);
  }
  const start = intParam(req.query, 'start_time');
  const end = intParam(req.query, 'end_time');
  if (start !== undefined) {
    where.push('created_at >= ?');
    params.push(start);
  }
  if (end !== undefined) {
    where.push('created_at < ?');
    params.push(end);
  }
  return listById<RatingRow>(req, ctx, {
    key: 'satisfaction_ratings',
    select: 'SELECT id, ticket_id, score, comment, requester_id, assignee_id, group_id, created_at, updated_at',
    from: 'satisfaction_ratings',
    where,
    params,
    json: (r) => ratingJson(r, ctx.base),
  });
}

export function showSatisfactionRating(req: DeskRequest, ctx: DeskContext): DeskReply {
  const row = ctx.store.get<RatingRow>(
    'SELECT id, ticket_id, score, comment, requester_id, assignee_id, group_id, created_at, updated_at FROM satisfaction_ratings WHERE id = ?',
    [pathId(req.params[0])],
  );
  if (!row) throw notFound();
  return { body: { satisfaction_rating: ratingJson(row, ctx.base) } };
}

export function showJobStatus(req: DeskRequest, ctx: DeskContext): DeskReply {
  const id = req.params[0] ?? '';
  const row = /^[0-9a-f]{32}$/.test(id) ? ctx.jobs.row(id) : undefined;
  if (!row) throw notFound();
  return { body: { job_status: ctx.jobs.json(row, ctx.base) } };
}

export function showManyJobStatuses(req: DeskRequest, ctx: DeskContext): DeskReply {
  const raw = req.query.get('ids');
  if (!raw) throw badRequest('InvalidParameter', 'ids is required, e.g. ids=abc,def');
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length > 100) throw badRequest('TooManyValues', 'ids accepts at most 100 job ids');
  const rows = ids.map((id) => (/^[0-9a-f]{32}$/.test(id) ? ctx.jobs.row(id) : undefined)).filter((r) => r !== undefined);
  return { body: { job_statuses: rows.map((r) => ctx.jobs.json(r, ctx.base)) } };
}

