/**
 * The urgency-ranked queue shared by `deskops queue` and the triage screen.
 *
 * How it is built, and what it costs in requests for N unsolved tickets in the view:
 *  1. The view's unsolved tickets from the uncapped search export (N / 1000 requests).
 *  2. SLA targets: kept when the desk already sent `slas` with the search results; otherwise
 *     read with include=slas for the best-ranked candidates only (see SLA_CANDIDATES), since
 *     the HelpDesk interface has no batched SLA sideload yet (show_many with include=slas,
 *     which Zendesk and the embedded desk both answer, would make this N / 100 requests).
 *     A QueueCache kept across refreshes reads each ticket again only once it has changed.
 *  3. The organizations of those tickets, batched 100 per request, for the VIP flag
 *     (`organization_fields.vip` true, or the organization tagged `vip`).
 *  4. Every ticket is scored from what the search returned: anger and complaint signals are
 *     read from the subject and the description (the customer's first message) because that
 *     costs nothing more. (A screen can show this preliminary ranking at once: onPreliminary.)
 *     Then the top `enrich` tickets (default 25) get their thread and metrics read (two
 *     requests each, a few at a time): the latest public message of the requester replaces
 *     the description for anger signals and dates the customer's wait, and the metrics give
 *     reopens. They are scored again and the queue re-sorted. A ticket outside the top that
 *     would have climbed on its latest message stays where its description put it.
 *  5. Names (requester, assignee, group) for the `limit` tickets returned, in two batched
 *     requests per stage, each ticket's once.
 */
import type { Comment, Group, HelpDesk, Organization, Ticket, TicketMetric, User } from '../api/helpdesk.js';
import { UsageError } from '../core/errors.js';
import { buildTicketQuery } from '../core/ticket-query.js';
import {
  DEFAULT_URGENCY_WEIGHTS,
  rankByUrgency,
  type CustomerMessage,
  type Ranked,
  type UrgencyResult,
  type UrgencyWeights,
} from '../core/urgency.js';
import { resolveNames, type TicketRow } from './tickets.js';

export type QueueView =
  | { kind: 'mine' }
  | { kind: 'unassigned' }
  | { kind: 'all' }
  | { kind: 'group'; group: string };

export const QUEUE_VIEWS = ['mine', 'unassigned', 'all', 'group:NAME'] as const;

export function parseQueueView(value: string): QueueView {
  const v = value.trim();
  if (v === 'mine' || v === 'unassigned' || v === 'all') return { kind: v };
  const m = /^group:(.+)$/i.exec(v);
  if (m && m[1]!.trim() !== '') return { kind: 'group', group: m[1]!.trim() };
  throw new UsageError(`unknown view "${value}"; use mine, unassigned, all or group:NAME`);
}

export function viewName(view: QueueView): string {
  return view.kind === 'group' ? `group:${view.group}` : view.kind;
}

/** The search query of a view's unsolved tickets, with an optional extra filter. */
export function queueQuery(view: QueueView, filter?: string): string {
  return buildTicketQuery({
    status: 'unsolved',
    assignee: view.kind === 'mine' ? 'me' : view.kind === 'unassigned' ? 'none' : undefined,
    group: view.kind === 'group' ? view.group : undefined,
    query: filter,
  });
}

export interface QueueItem {
  ticket: Ticket;
  urgency: UrgencyResult;
  vip: boolean;
  organization?: Organization;
  requester?: User;
  assignee?: User;
  group?: Group;
  /** The requester's latest public message, for enriched (top) tickets. */
  latestCustomerMessage?: CustomerMessage | null;
  metrics?: TicketMetric | null;
}

export interface QueueOptions {
  view: QueueView;
  /** Extra search terms (the triage screen's `/` filter). */
  filter?: string;
  weights?: UrgencyWeights;
  now?: () => Date;
  /** Items returned, with names resolved (default: all). */
  limit?: number;
  /** Top tickets whose thread and metrics are read (default 25; 0 for none). */
  enrich?: number;
  /** Parallel requests while enriching (default 6). */
  concurrency?: number;
  /**
   * Kept across refreshes (the triage screen): SLA targets, threads and metrics already read
   * for a ticket are reused while its updated_at is unchanged.
   */
  cache?: QueueCache;
  /** Called once with the queue ranked from the search results alone, before the rest is read. */
  onPreliminary?: (queue: Queue) => void;
  /** Stops between requests (the screen closed): the build rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** What buildQueue read per ticket, valid while the ticket's updated_at stays the same. */
export class QueueCache {
  readonly slas = new Map<number, { updatedAt: string; slas: Ticket['slas'] }>();
  readonly facts = new Map<number, { updatedAt: string; facts: Facts }>();

  slasFor(t: Ticket): Ticket['slas'] | undefined {
    const hit = this.slas.get(t.id);
    return hit && hit.updatedAt === t.updated_at ? hit.slas : undefined;
  }

  factsFor(t: Ticket): Facts | undefined {
    const hit = this.facts.get(t.id);
    return hit && hit.updatedAt === t.updated_at ? hit.facts : undefined;
  }
}

export interface Queue {
  view: QueueView;
  query: string;
  /** Unsolved tickets in the view (all of them were scored). */
  total: number;
  items: QueueItem[];
  /** Where SLA targets came from: the search results, per-ticket reads of the top, or none. */
  slaSource: 'search' | 'top' | 'none';
  /** Tickets whose thread and metrics were read. */
  enriched: number;
  /** `preliminary`: ranked before SLA targets and threads were read (onPreliminary). */
  stage: 'preliminary' | 'final';
  builtAt: string;
}

/**
 * How many of the best-ranked tickets get SLA targets read one by one when search lacks them:
 * 100, or the number of tickets asked for up to 200.
 */
export const SLA_CANDIDATES = 100;
export const SLA_CANDIDATES_MAX = 200;
export const DEFAULT_ENRICH = 25;
/** Tickets named in a preliminary queue (one users request); the final queue names the rest. */
export const PRELIMINARY_NAMES = 100;

export async function buildQueue(desk: HelpDesk, options: QueueOptions): Promise<Queue> {
  const now = options.now ?? (() => new Date());
  const weights = options.weights ?? DEFAULT_URGENCY_WEIGHTS;
  const query = queueQuery(options.view, options.filter);
  const concurrency = Math.max(1, options.concurrency ?? 6);
  const cache = options.cache ?? new QueueCache();
  const signal = options.signal;
  signal?.throwIfAborted();

  const tickets: Ticket[] = [];
  for await (const t of desk.exportSearchTickets(query, { pageSize: 1000 })) {
    tickets.push(t);
    if (tickets.length % 1000 === 0) signal?.throwIfAborted();
  }
  signal?.throwIfAborted();

  const vipOrgs = await vipOrganizations(desk, tickets);
  const facts = new Map<number, Facts>();
  const slasFromSearch = tickets.length > 0 && tickets.every((t) => t.slas !== undefined);
  // What earlier builds read and is still current counts from the start.
  const applyCache = () => {
    for (let i = 0; i < tickets.length; i++) {
      const t = tickets[i]!;
      if (!slasFromSearch) {
        const cached = cache.slasFor(t);
        if (cached && t.slas !== cached) tickets[i] = { ...t, slas: cached };
      }
      const f = cache.factsFor(t);
      if (f) facts.set(t.id, f);
    }
  };
  const rank = () => {
    const at = now();
    return rankByUrgency(
      tickets,
      (t) => t,
      (t) => {
        const f = facts.get(t.id);
        return {
          now: at,
          weights,
          vip: t.organization_id !== null && vipOrgs.vip.has(t.organization_id),
          latestCustomerMessage: f?.message,
          reopens: f?.metrics?.reopens,
        };
      },
    );
  };

  // Names are read once per ticket across the stages.
  const rowsById = new Map<number, TicketRow>();
  const assemble = async (ranked: Array<Ranked<Ticket>>, stage: Queue['stage'], slaSource: Queue['slaSource'], enriched: number): Promise<Queue> => {
    const shown = ranked.slice(0, options.limit ?? ranked.length);
    // A first screen shows a few dozen rows: name those now, the rest with the final stage.
    const naming = stage === 'preliminary' ? shown.slice(0, PRELIMINARY_NAMES) : shown;
    const unnamed = naming.map((r) => r.item).filter((t) => !rowsById.has(t.id));
    if (unnamed.length > 0) for (const row of await resolveNames(desk, unnamed)) rowsById.set(row.ticket.id, row);
    const items: QueueItem[] = shown.map((r) => {
      const t = r.item;
      const row = rowsById.get(t.id);
      const f = facts.get(t.id);
      return {
        ticket: t,
        urgency: r.urgency,
        vip: t.organization_id !== null && vipOrgs.vip.has(t.organization_id),
        organization: t.organization_id !== null ? vipOrgs.byId.get(t.organization_id) : undefined,
        requester: row?.requester,
        assignee: row?.assignee,
        group: row?.group,
        ...(f ? { latestCustomerMessage: f.message, metrics: f.metrics } : {}),
      };
    });
    return { view: options.view, query, total: tickets.length, items, slaSource, enriched, stage, builtAt: now().toISOString() };
  };

  applyCache();
  let ranked = rank();
  if (options.onPreliminary && tickets.length > 0) {
    options.onPreliminary(await assemble(ranked, 'preliminary', slasFromSearch ? 'search' : 'none', 0));
  }

  let slaSource: Queue['slaSource'] = 'none';
  if (slasFromSearch) {
    slaSource = 'search';
  } else if (tickets.length > 0) {
    const wanted = Math.min(SLA_CANDIDATES_MAX, Math.max(SLA_CANDIDATES, options.limit ?? 0));
    const candidates = ranked.slice(0, wanted).map((r) => r.item);
    const missing = candidates.filter((t) => cache.slasFor(t) === undefined);
    const read = await mapLimit(missing, concurrency, (t) => desk.getTicket(t.id, { include: ['slas'] }).catch(() => undefined), signal);
    read.forEach((fresh, i) => {
      // keyed by the updated_at the search saw, so an unchanged ticket is not read again
      if (fresh?.slas) cache.slas.set(missing[i]!.id, { updatedAt: missing[i]!.updated_at, slas: fresh.slas });
    });
    applyCache();
    slaSource = 'top';
    ranked = rank();
  }

  const enrich = Math.max(0, Math.min(options.enrich ?? DEFAULT_ENRICH, tickets.length));
  if (enrich > 0) {
    const top = ranked.slice(0, enrich).map((r) => r.item);
    const missing = top.filter((t) => !cache.factsFor(t));
    const gathered = await mapLimit(missing, concurrency, (t) => readFacts(desk, t), signal);
    missing.forEach((t, i) => cache.facts.set(t.id, { updatedAt: t.updated_at, facts: gathered[i]! }));
    applyCache();
    ranked = rank();
  }

  return assemble(ranked, 'final', slaSource, enrich);
}

/**
 * buildQueue in two steps for a screen: `preliminary` settles as soon as the tickets are
 * ranked from what the search returned (and what the cache holds), `final` once SLA targets
 * and the top threads are read. Started before the screen loads, so both overlap.
 */
export function buildQueueStaged(desk: HelpDesk, options: Omit<QueueOptions, 'onPreliminary'>): { preliminary: Promise<Queue>; final: Promise<Queue> } {
  let resolvePreliminary!: (q: Queue) => void;
  const preliminary = new Promise<Queue>((resolve) => (resolvePreliminary = resolve));
  const final = buildQueue(desk, { ...options, onPreliminary: resolvePreliminary }).then((q) => {
    resolvePreliminary(q); // an empty queue has no preliminary stage
    return q;
  });
  final.catch(() => undefined);
  return { preliminary, final };
}

export interface Facts {
  message: CustomerMessage | null;
  metrics: TicketMetric | null;
}

/** The requester's latest public message and the ticket's metrics (two requests). */
async function readFacts(desk: HelpDesk, ticket: Ticket): Promise<Facts> {
  const [comments, metrics] = await Promise.all([
    (async () => {
      const list: Comment[] = [];
      for await (const c of desk.listComments(ticket.id)) list.push(c);
      return list;
    })().catch(() => [] as Comment[]),
    desk.getTicketMetrics(ticket.id).catch(() => null),
  ]);
  return { message: latestCustomerMessage(ticket, comments), metrics };
}

/** The requester's latest public comment, or null when they have written none. */
export function latestCustomerMessage(ticket: Pick<Ticket, 'requester_id'>, comments: readonly Comment[]): CustomerMessage | null {
  let latest: Comment | undefined;
  for (const c of comments) {
    if (!c.public || c.author_id !== ticket.requester_id) continue;
    if (!latest || Date.parse(c.created_at) >= Date.parse(latest.created_at)) latest = c;
  }
  return latest ? { at: latest.created_at, body: latest.plain_body ?? latest.body } : null;
}

export function isVipOrganization(org: Organization): boolean {
  const flag = org.organization_fields?.vip;
  return flag === true || flag === 'true' || flag === 1 || (org.tags ?? []).includes('vip');
}

async function vipOrganizations(desk: HelpDesk, tickets: Ticket[]): Promise<{ vip: Set<number>; byId: Map<number, Organization> }> {
  const ids = new Set<number>();
  for (const t of tickets) if (t.organization_id !== null && t.organization_id !== undefined) ids.add(t.organization_id);
  const orgs = ids.size > 0 ? await desk.getOrganizations([...ids]) : [];
  const byId = new Map(orgs.map((o) => [o.id, o]));
  return { vip: new Set(orgs.filter(isVipOrganization).map((o) => o.id)), byId };
}

/** Runs fn over items with at most `limit` at a time; results in input order. Stops on abort. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  signal?.throwIfAborted();
  return out;
}
