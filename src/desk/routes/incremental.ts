/**
 * GET /api/v2/incremental/tickets/cursor: every ticket changed since start_time, in change
 * order (each change takes the next update sequence number, the desk's generated_timestamp
 * order). The cursor remembers the position in that order, so a ticket updated after a page
 * was handed out comes again in a later page, as Zendesk's incremental contract says.
 * `end_of_stream` is true on the last page; its after_cursor is where the next poll starts.
 */
import { badRequest } from '../http-errors.js';
import { computeTicketMetric, decodeEvents } from '../metrics.js';
import { TICKET_COLUMNS, ticketJson, type TicketRow } from '../records.js';
import { includes, intParam, ticketSideloads, type DeskContext, type DeskReply, type DeskRequest } from './context.js';

interface Position {
  /** Last update sequence number handed out. */
  seq: number;
  /** The export's start_time. */
  start: number;
}

const encode = (p: Position) => Buffer.from(JSON.stringify([p.seq, p.start])).toString('base64url');

function decode(cursor: string): Position {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((n) => Number.isInteger(n))) return { seq: value[0], start: value[1] };
  } catch {
    // fall through
  }
  throw badRequest('InvalidValue', `invalid cursor ${JSON.stringify(cursor)}`);
}

export function incrementalTickets(req: DeskRequest, ctx: DeskContext): DeskReply {
  const perPage = intParam(req.query, 'per_page') ?? 1000;
  if (perPage < 1 || perPage > 1000) throw badRequest('InvalidValue', 'per_page must be between 1 and 1000');
  const cursor = req.query.get('cursor');
  let position: Position;
  if (cursor) {
    position = decode(cursor);
  } else {
    const start = intParam(req.query, 'start_time');
    if (start === undefined) throw badRequest('InvalidValue', 'start_time (unix seconds) or cursor is required');
    if (start > ctx.now()) throw badRequest('InvalidValue', 'start_time is in the future');
    if (start < 0) throw badRequest('InvalidValue', 'start_time must not be negative');
    position = { seq: 0, start };
  }

  const rows = ctx.store.all<TicketRow & { events: string }>(
    `SELECT ${TICKET_COLUMNS}, events FROM tickets WHERE update_seq > ? AND updated_at >= ? ORDER BY update_seq LIMIT ?`,
    [position.seq, position.start, perPage + 1],
  );
  const endOfStream = rows.length <= perPage;
  if (!endOfStream) rows.pop();
  const last = rows.length ? rows[rows.length - 1]!.update_seq : position.seq;
  const after = encode({ seq: last, start: position.start });
  const before = rows.length ? encode({ seq: rows[0]!.update_seq - 1, start: position.start }) : null;
  const include = includes(req.query);
  const url = (c: string) => {
    const query = new URLSearchParams({ cursor: c });
    if (include.size) query.set('include', [...include].join(','));
    if (req.query.has('per_page')) query.set('per_page', String(perPage));
    return `${ctx.base}/api/v2/incremental/tickets/cursor.json?${query.toString()}`;
  };
  const body: Record<string, unknown> = {
    tickets: rows.map((r) => ticketJson(r, ctx.base)),
    after_url: url(after),
    after_cursor: after,
    before_url: before ? url(before) : null,
    before_cursor: before,
    end_of_stream: endOfStream,
  };
  if (include.has('metric_sets')) body.metric_sets = rows.map((r) => computeTicketMetric(r, decodeEvents(r.events)));
  // the people, groups and organizations the page names, as Zendesk sideloads them
  Object.assign(body, ticketSideloads(ctx, rows, include));
  return { body };
}
