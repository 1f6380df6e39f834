/**
 * What every route handler gets and returns, plus the helpers they share: id parameters,
 * page URLs, and tickets rendered with their sideloads.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Ticket } from '../../core/model.js';
import { badRequest, notFound } from '../http-errors.js';
import type { JobRunner } from '../jobs.js';
import { computeSlas, computeTicketMetric, decodeEvents } from '../metrics.js';
import { groupJson, organizationJson, ticketJson, userJson, type TicketRow, type UserRow } from '../records.js';
import type { DeskStore } from '../store.js';

export interface DeskContext {
  store: DeskStore;
  /** Base URL without the API path, e.g. http://127.0.0.1:41234 */
  base: string;
  /** The authenticated agent. */
  me: UserRow;
  /** Unix seconds. */
  now(): number;
  /** Seconds a ticket change takes to reach search (Zendesk: up to a few minutes). */
  indexLag: number;
  jobs: JobRunner;
}

export interface DeskRequest {
  method: string;
  /** Without the .json suffix or a trailing slash, e.g. /api/v2/tickets/42 */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  rawBody: string;
  /** Captures of the route pattern. */
  params: string[];
}

export interface DeskReply {
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: DeskRequest, ctx: DeskContext) => DeskReply;

/** A record id from the path; anything that is not a positive integer is a 404 as in Zendesk. */
export function pathId(text: string | undefined): number {
  if (!text || !/^\d{1,15}$/.test(text)) throw notFound();
  return Number(text);
}

/** `ids=1,2,3` (at most `max`). */
export function idsParam(query: URLSearchParams, name = 'ids', max = 100): number[] {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') throw badRequest('InvalidParameter', `${name} is required, e.g. ${name}=1,2,3`);
  const parts = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (!parts.every((p) => /^\d{1,15}$/.test(p))) throw badRequest('InvalidParameter', `${name} must be a comma-separated list of ids`);
  if (parts.length > max) throw badRequest('TooManyValues', `${name} accepts at most ${max} ids, got ${parts.length}`);
  return [...new Set(parts.map(Number))];
}

/** The request's URL with some query parameters changed (null removes one). */
export function pageUrl(req: DeskRequest, ctx: DeskContext, changes: Record<string, string | null>): string {
  const query = new URLSearchParams(req.query);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) query.delete(key);
    else query.set(key, value);
  }
  const qs = query.toString();
  return `${ctx.base}${req.path}.json${qs ? `?${qs}` : ''}`;
}

/** `include=users,groups`, also in search's form `include=tickets(users,groups)`. */
export function includes(query: URLSearchParams): Set<string> {
  const raw = (query.get('include') ?? '').replace(/\w+\(([^)]*)\)/g, '$1');
  return new Set(raw.split(',').map((s) => s.trim()).filter(Boolean));
}

/** The users, groups and organizations a list of tickets refers to, for include=users,groups,organizations. */
export function ticketSideloads(ctx: DeskContext, rows: readonly TicketRow[], include: Set<string>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  const ids = (pick: (r: TicketRow) => Array<number | null>) => [...new Set(rows.flatMap(pick).filter((id): id is number => id !== null))];
  if (include.has('users')) {
    out.users = ctx.store.usersByIds(ids((r) => [r.requester_id, r.submitter_id, r.assignee_id])).map((u) => userJson(u, ctx.base));
  }
  if (include.has('groups')) {
    const wanted = new Set(ids((r) => [r.group_id]));
    out.groups = ctx.store.groups().filter((g) => wanted.has(g.id)).map((g) => groupJson(g, ctx.base));
  }
  if (include.has('organizations')) {
    out.organizations = ctx.store.organizationsByIds(ids((r) => [r.organization_id])).map((o) => organizationJson(o, ctx.base));
  }
  return out;
}

/** Tickets as JSON, with `slas` and `metric_set` embedded when asked for (include=slas,metric_sets). */
export function ticketsJson(ctx: DeskContext, rows: readonly TicketRow[], include: Set<string>): Array<Ticket & Record<string, unknown>> {
  const wantSlas = include.has('slas');
  const wantMetrics = include.has('metric_sets');
  const events = wantSlas || wantMetrics ? ctx.store.eventsByTicket(rows.map((r) => r.id)) : undefined;
  return rows.map((row) => {
    const json = ticketJson(row, ctx.base);
    if (events) {
      const list = decodeEvents(events.get(row.id) ?? '[]');
      if (wantSlas) json.slas = computeSlas(row, list);
      if (wantMetrics) json.metric_set = computeTicketMetric(row, list);
    }
    return json;
  });
}

/** Parses an integer query parameter (unix time, size...), or undefined when absent. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest('InvalidValue', `${name} must be an integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}
