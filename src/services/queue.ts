/**
 * The urgency-ranked queue shared by `deskops queue` and the triage screen.
 *
 * How it is built, and what it costs in requests for N unsolved tickets in the view:
 *  1. The view's unsolved tickets from the uncapped search export (N / 1000 requests), or
 *     from a source that keeps them (the replica: what changed). For one of the desk's own
 *     views (services/views.ts) the source selects them by the view's conditions
 *     (core/view-conditions.ts); a view with a condition deskops does not evaluate, or with no
 *     source, is read as the desk selects it (N / 100 requests), the unsolved ones kept, and a
 *     filter's terms answered by the search export, whose matches the view's tickets are
 *     narrowed to.
 *  2. The organizations of those tickets, batched 100 per request, for the VIP flag
 *     (`organization_fields.vip` true, or the organization tagged `vip`).
 *  3. Every ticket is scored from what the search returned: anger and complaint signals are
 *     read from the subject and the description (the customer's first message) because that
 *     costs nothing more. A screen can show this rough ranking at once (onPreliminary); the
 *     rest is read after it is handed over, so it does not hold up the first rows.
 *     With a `limit` and a source that keeps each ticket's urgency features (the replica, for
 *     deskops' own views without a filter), the whole view is scored from those few numbers
 *     (core/urgency estimateUrgency, the same points as the full score) and only the tickets
 *     scoring at least the top's last (limit + enrich + NAMES_AHEAD) are handed over, read and
 *     ranked, at the instant they were scored: a thread read changes only its own ticket's
 *     score, so the rows are those ranking every ticket gives (11,884 unsolved, 25 rows: 60 read).
 *  4. SLA targets and ticket metrics (reopens, transfers, the requester's last update) for
 *     EVERY ticket, from show_many with include=slas,metric_sets: N / 100 requests, a few at
 *     a time. What the search already carried is not asked for again, and a QueueCache kept
 *     across refreshes reads a ticket again only once its updated_at has changed. If the desk
 *     refuses the sideloads, the queue stays ranked without them (slaSource 'none').
 *  5. The top `enrich` tickets (default 25) of the ranking so far get their thread read (one
 *     request each, a few at a time): the latest public message of the requester replaces the
 *     description for anger signals and dates the customer's wait. They are scored again and
 *     the queue re-sorted. A ticket outside the top that would have climbed on its latest
 *     message stays where its description put it. Not read: a thread a QueueCache (the
 *     replica's) holds while the requester has not updated the ticket since (an agent's note,
 *     a tag or an assignment keeps it), and the thread of a ticket whose requester has not
 *     written since it was created (threadAddsNothing: the ticket alone scores the same), a
 *     third of the unsolved ones on the demo desk. Nothing below the top is read ahead: each
 *     thread is a request of its own. With the replica a refresh thus reads one thread for
 *     each ticket new to its top and each one whose requester wrote; a team pays that once per
 *     agent (50 agents, customers replying on 10 tickets a minute: about 180 thread reads a
 *     minute of the 280 the refreshes cost; README, "A team on one account").
 *  6. Names (requester, assignee, group) for the `limit` tickets returned, in two batched
 *     requests per stage, each ticket's once.
 */
import { mapLimit } from './map-limit.js';
import type { HelpDesk } from '../api/helpdesk.js';
import type { Comment, DeskView, Group, Organization, Ticket, TicketMetric, User } from '../core/model.js';
import { UsageError } from '../core/errors.js';
import { buildTicketQuery } from '../core/ticket-query.js';
import { compileViewConditions } from '../core/view-conditions.js';
import {
  DEFAULT_URGENCY_WEIGHTS,
  estimateUrgency,
  rankByUrgency,
  urgencyScore,
  type CustomerMessage,
  type Ranked,
  type TextSignals,
  type UrgencyFeatures,
  type UrgencyResult,
  type UrgencyWeights,
} from '../core/urgency.js';
import { asTheyAreNow, recentlyChanged } from './recent.js';
import { resolveGroup, resolveNames, type TicketRow } from './tickets.js';

/** deskops' own views, and a view the desk keeps (a Zendesk view, an RT saved search). */
export type QueueView =
  | { kind: 'mine' }
  | { kind: 'unassigned' }
  | { kind: 'all' }
  | { kind: 'group'; group: string }
  | { kind: 'desk'; view: DeskView };

export const QUEUE_VIEWS = ['mine', 'unassigned', 'all', 'group:NAME'] as const;

/** One of deskops' own views, or undefined (services/views.ts looks among the desk's). */
export function ownQueueView(value: string): QueueView | undefined {
  const v = value.trim();
  if (v === 'mine' || v === 'unassigned' || v === 'all') return { kind: v };
  const m = /^group:(.+)$/i.exec(v);
  if (m && m[1]!.trim() !== '') return { kind: 'group', group: m[1]!.trim() };
  return undefined;
}

export function parseQueueView(value: string): QueueView {
  const own = ownQueueView(value);
  if (own) return own;
  throw new UsageError(`unknown view "${value}"; use mine, unassigned, all or group:NAME`);
}

export function viewName(view: QueueView): string {
  if (view.kind === 'desk') return view.view.title;
  return view.kind === 'group' ? `group:${view.group}` : view.kind;
}

/**
 * The search query of a view's unsolved tickets, with an optional extra filter. A desk's view
 * is read from the desk, not searched: its query is the filter alone.
 */
export function queueQuery(view: QueueView, filter?: string): string {
  if (view.kind === 'desk') return buildTicketQuery({ status: 'unsolved', query: filter });
  return buildTicketQuery({
    status: 'unsolved',
    assignee: view.kind === 'mine' ? 'me' : view.kind === 'unassigned' ? 'none' : undefined,
    group: view.kind === 'group' ? view.group : undefined,
    query: filter,
  });
}

/**
 * Whether a ticket as it is now still belongs to the view (its assignee or group may have
 * changed since search saw it). An extra filter's terms are left to search.
 */
export async function viewTest(desk: Pick<HelpDesk, 'me' | 'listGroups'>, view: QueueView, now: () => Date = () => new Date()): Promise<(t: Ticket) => boolean> {
  switch (view.kind) {
    case 'all':
      return () => true;
    case 'unassigned':
      return (t) => t.assignee_id === null;
    case 'mine': {
      const me = await desk.me();
      return (t) => t.assignee_id === me.id;
    }
    case 'group': {
      const groupId = await resolveGroup(desk, view.group);
      return (t) => t.group_id === groupId;
    }
    case 'desk': {
      // Its conditions evaluated here when deskops knows them all (core/view-conditions.ts);
      // otherwise the view is read from the desk as it is now.
      const compiled = compileViewConditions(view.view.conditions);
      if (!compiled.ok) return () => true;
      const userId = compiled.usesCurrentUser ? (await desk.me()).id : 0;
      const at = now();
      return (t) => compiled.matches(t, { userId, now: at });
    }
  }
}

/**
 * Refuses a view of a group the desk does not have (UsageError naming the groups), before
 * the queue is read: its search would find nothing and show an empty queue.
 */
export async function checkQueueView(desk: Pick<HelpDesk, 'listGroups'>, view: QueueView): Promise<void> {
  if (view.kind === 'group') await resolveGroup(desk, view.group);
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
  /** The ticket's metrics (reopens, group stations...), once the sideloads are read. */
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
  /**
   * Top tickets whose thread is read (default 25; 0 for none). Keep it independent of `limit`:
   * it decides the ranking, and the first rows must not change with how many are shown.
   */
  enrich?: number;
  /** Parallel requests while enriching (default 6). */
  concurrency?: number;
  /**
   * Kept across refreshes (the triage screen): sideloads (SLA targets, metrics) and threads
   * already read for a ticket are reused while its updated_at is unchanged.
   */
  cache?: QueueCache;
  /** Called once with the queue ranked from the search results alone, before the rest is read. */
  onPreliminary?: (queue: Queue) => void;
  /** Stops between requests (the screen closed): the build rejects with the signal's reason. */
  signal?: AbortSignal;
  /** What it is doing, for a progress line: tickets read so far, then the phase. */
  onProgress?: (message: string) => void;
  /**
   * Where the view's tickets come from instead of the search export (step 1 and the recent
   * changes): the replica (services/replica), which reads only what changed since its last
   * sync, and keeps what the build read about each ticket for the next build.
   */
  source?: QueueSource;
  /** What a --verbose run should hear about how the view was read (a desk view read from the desk). */
  onNotice?: (message: string) => void;
}

/**
 * Whether a desk view's tickets can be selected from a source (the replica) by evaluating its
 * conditions locally; otherwise why not (a condition deskops does not evaluate, or a saved
 * search with no conditions), and the desk's /views/{id}/tickets is read instead.
 */
export function deskViewLocally(view: DeskView): { ok: true } | { ok: false; why: string } {
  if (view.query !== undefined) return { ok: false, why: 'a saved search, selected by the desk' };
  const compiled = compileViewConditions(view.conditions);
  return compiled.ok ? { ok: true } : { ok: false, why: `deskops does not evaluate ${compiled.unknown.join('; ')}` };
}

/** The view's tickets from somewhere that keeps them (the replica), and what was read about them. */
export interface QueueSource {
  /**
   * The view's unsolved tickets as they are now (search's lag already handled), with `cache`
   * holding what is known about them at their current version.
   */
  unsolved(view: QueueView, filter: string | undefined, cache: QueueCache, prune?: Prune): Promise<Ticket[]>;
  /** Keeps what this build read (sideloads, threads) for later builds. */
  keep(cache: QueueCache): void;
  /**
   * Which of these organizations are VIP (isVipOrganization), from what the source keeps (read
   * again as the desk's getOrganizations would): the organizations themselves are then read for
   * the rows shown alone.
   */
  vipOrganizations?(ids: ReadonlySet<number>): Promise<ReadonlySet<number>>;
  /** Whether these people's names are at hand without asking the desk. */
  knowsUsers?(ids: readonly number[]): boolean;
  /** The text signals of a ticket `unsolved` handed over, read when its version was stored. */
  textSignals?(ticket: Ticket): TextSignals | undefined;
  /**
   * The whole tickets of those `unsolved` handed in a lean form (only what ranking reads), in
   * the same order, with the SLA targets and metric set the build gave the lean ones: called
   * for the rows shown only.
   */
  hydrate?(tickets: readonly Ticket[]): Ticket[];
}

/**
 * Given the features (core/urgency UrgencyFeatures) a source keeps of the view's tickets, and
 * those tickets it keeps none for (read whole), the ids of those that can reach the top: the
 * source then hands over those alone. A source may ignore it (a desk view, a filter).
 */
export type Prune = (features: readonly UrgencyFeatures[], unknown: readonly Ticket[]) => Promise<ReadonlySet<number>>;

/** A ticket's show_many sideloads: its SLA targets and its metric set. */
export interface Sideloads {
  slas?: Ticket['slas'];
  metricSet?: TicketMetric;
}

/** What buildQueue read per ticket, valid while the ticket's updated_at stays the same. */
export class QueueCache {
  readonly sideloads = new Map<number, { updatedAt: string; sideloads: Sideloads }>();
  /**
   * `requesterAt`: the ticket's requester_updated_at (its metric set) when the thread was
   * read. What is read from a thread is the requester's latest message, so a later version
   * with the same one (an assignment, a tag, an agent's note) holds it still.
   */
  readonly facts = new Map<number, { updatedAt: string; requesterAt?: string | null; facts: Facts }>();

  sideloadsFor(t: Ticket): Sideloads | undefined {
    const hit = this.sideloads.get(t.id);
    return hit && hit.updatedAt === t.updated_at ? hit.sideloads : undefined;
  }

  factsFor(t: Ticket): Facts | undefined {
    const hit = this.facts.get(t.id);
    if (!hit) return undefined;
    if (hit.updatedAt === t.updated_at) return hit.facts;
    const requesterSilent = hit.requesterAt !== undefined && t.metric_set !== undefined && t.metric_set.requester_updated_at === hit.requesterAt;
    return requesterSilent ? hit.facts : undefined;
  }
}

export interface Queue {
  view: QueueView;
  query: string;
  /** Unsolved tickets in the view (all of them were scored). */
  total: number;
  items: QueueItem[];
  /**
   * Where SLA targets came from: the search results, show_many sideloads (for every ticket),
   * or none (not read yet in a preliminary queue, or the desk refused the sideloads).
   */
  slaSource: 'search' | 'show_many' | 'none';
  /** Top tickets whose thread was read. */
  enriched: number;
  /** `preliminary`: ranked before the sideloads and threads were read (onPreliminary). */
  stage: 'preliminary' | 'final';
  builtAt: string;
}

export const DEFAULT_ENRICH = 25;
/**
 * Rows below those shown that a build with a source keeping names (the replica) names in the
 * same request when it asks for names anyway (see buildQueue).
 */
export const NAMES_AHEAD = 10;
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

  let tickets: Ticket[] = [];
  // Set when the source handed over only the tickets that can reach the top (prune): the
  // view's size, the VIP organizations of all of them, and the time they were scored at (the
  // ranking is at the same time: a later one could lift a ticket left out).
  let total: number | undefined;
  let vipOrgs: VipOrganizations | undefined;
  let rankAt: Date | undefined;
  const prune: Prune = async (features, unknown) => {
    total = features.length + unknown.length;
    const orgIds = organizationIds(unknown);
    for (const f of features) if (f[1] !== null) orgIds.add(f[1]);
    const orgs = (vipOrgs = options.source?.vipOrganizations
      ? { vip: await options.source.vipOrganizations(orgIds), byId: new Map(), partial: true }
      : await vipOrganizations(desk, orgIds));
    const keep = new Set(unknown.map((t) => t.id));
    // the first ranking's rows, the top whose threads are read, and the names read ahead
    const top = options.limit! + Math.max(0, options.enrich ?? DEFAULT_ENRICH) + NAMES_AHEAD;
    if (features.length <= top) {
      for (const f of features) keep.add(f[0]);
      return keep;
    }
    const at = (rankAt = now()).getTime();
    const scores = new Float64Array(features.length);
    for (let i = 0; i < features.length; i++) {
      const f = features[i]!;
      scores[i] = estimateUrgency(f, at, weights, f[1] !== null && orgs.vip.has(f[1]));
    }
    // Every ticket scoring at least the top's last (ties too: the tie-breaks decide among
    // them). The rest cannot reach the top: only the top's threads are read, and a thread
    // changes only its own ticket's score.
    const threshold = Float64Array.from(scores).sort()[features.length - top]!;
    for (let i = 0; i < features.length; i++) if (scores[i]! >= threshold) keep.add(features[i]![0]);
    return keep;
  };
  const progress = () => {
    if (tickets.length % 1000 === 0) {
      signal?.throwIfAborted();
      options.onProgress?.(`reading tickets… ${tickets.length.toLocaleString('en-US')}`);
    }
  };
  // A desk view whose conditions deskops evaluates is read from the source (the replica) like
  // its own views; any other from the desk.
  const local = options.view.kind === 'desk' && options.source ? deskViewLocally(options.view.view) : undefined;
  if (local && !local.ok) options.onNotice?.(`view "${viewName(options.view)}" is read from the desk (${local.why})`);
  if (options.view.kind === 'desk' && !local?.ok) {
    // The desk selects the view's tickets itself, live (no search lag); the queue ranks the
    // unsolved ones. A filter is answered by search: the view's tickets it also matches.
    const matching = options.filter?.trim() ? new Set<number>() : undefined;
    if (matching) for await (const t of desk.exportSearchTickets(query, { pageSize: 1000 })) matching.add(t.id);
    for await (const t of desk.viewTickets(options.view.view, { pageSize: 100 })) {
      if (t.status === 'solved' || t.status === 'closed' || (matching && !matching.has(t.id))) continue;
      tickets.push(t);
      progress();
    }
  } else if (options.source) {
    tickets = await options.source.unsolved(options.view, options.filter, cache, options.limit !== undefined ? prune : undefined);
  } else {
    for await (const t of desk.exportSearchTickets(query, { pageSize: 1000 })) {
      tickets.push(t);
      progress();
    }
    signal?.throwIfAborted();
    // Search trails the desk: a ticket changed in the last minutes (escalated a minute ago) is
    // shown as it is now, so a change made from the queue is not refused as a conflict with a
    // stale copy; one solved, or moved out of the view, since has left the queue.
    const recent = tickets.length > 0 ? await recentlyChanged(desk, now()) : new Map<number, Ticket>();
    if (tickets.some((t) => recent.has(t.id))) {
      const inView = await viewTest(desk, options.view, now);
      tickets = asTheyAreNow(tickets, recent, (t) => t.status !== 'solved' && t.status !== 'closed' && inView(t));
    }
  }
  signal?.throwIfAborted();
  if (tickets.length >= 1000) options.onProgress?.(`reading SLA targets and metrics of ${tickets.length.toLocaleString('en-US')} tickets…`);

  // What the search did not carry comes from show_many, for every ticket (step 4).
  const slasFromSearch = tickets.length > 0 && tickets.every((t) => t.slas !== undefined);
  const include: Array<'slas' | 'metric_sets'> = [];
  if (!slasFromSearch) include.push('slas');
  if (!tickets.every((t) => t.metric_set !== undefined)) include.push('metric_sets');
  const readSideloads = async (): Promise<void> => {
    const missing = include.length > 0 ? tickets.filter((t) => cache.sideloadsFor(t) === undefined) : [];
    if (missing.length === 0) return;
    let fresh: Ticket[];
    try {
      fresh = await desk.getTickets(missing.map((t) => t.id), { include });
    } catch {
      return; // ranked without them; slaSource says so
    }
    const seen = new Map(missing.map((t) => [t.id, t]));
    for (const f of fresh) {
      // keyed by the updated_at the search saw, so an unchanged ticket is not read again
      const t = seen.get(f.id);
      if (t) cache.sideloads.set(t.id, { updatedAt: t.updated_at, sideloads: { slas: f.slas, metricSet: f.metric_set } });
    }
  };
  // Without a screen waiting for a first ranking, the sideloads overlap the organizations.
  let sideloads: Promise<void> | undefined = options.onPreliminary || tickets.length === 0 ? undefined : readSideloads();

  const orgs = vipOrgs ?? (await vipOrganizations(desk, organizationIds(tickets)));
  const facts = new Map<number, Facts>();
  // What this and earlier builds read and is still current counts from the start.
  const applyCache = () => {
    for (let i = 0; i < tickets.length; i++) {
      const t = tickets[i]!;
      const side = cache.sideloadsFor(t);
      if (side) {
        const slas = t.slas ?? side.slas;
        const metric = t.metric_set ?? side.metricSet;
        if (slas !== t.slas || metric !== t.metric_set) {
          if (options.onPreliminary) {
            // copies: the preliminary queue handed to a screen holds the tickets as they were
            tickets[i] = { ...t, ...(slas ? { slas } : {}), ...(metric ? { metric_set: metric } : {}) };
          } else {
            // this build's own copies, read for it alone: no need to copy thousands of them
            if (slas) t.slas = slas;
            if (metric) t.metric_set = metric;
          }
        }
      }
    }
  };
  const enrich = Math.max(0, Math.min(options.enrich ?? DEFAULT_ENRICH, tickets.length));
  const textSignals = options.source?.textSignals?.bind(options.source);
  /**
   * Ranks from what the search carried (the description's signals), then again with what the
   * threads of that ranking's top `enrich` say (those at hand in the cache): only theirs, so
   * the ranking does not depend on which other threads earlier builds happened to read.
   */
  const rankEnriched = (): { first: Array<Ranked<Ticket>>; ranked: Array<Ranked<Ticket>> } => {
    facts.clear();
    const at = rankAt ?? now();
    const first = rank(at);
    for (const r of first.slice(0, enrich)) {
      const f = cache.factsFor(r.item);
      if (f) facts.set(r.item.id, f);
    }
    // Only the tickets with facts score differently the second time: the rest keep theirs.
    return { first, ranked: facts.size > 0 ? rank(at, new Map(first.map((r) => [r.item.id, r]))) : first };
  };
  /** Ranks at `at`; `earlier` (a ranking at the same time) gives the scores of tickets without facts. */
  const rank = (at = rankAt ?? now(), earlier?: ReadonlyMap<number, Ranked<Ticket>>) =>
    rankByUrgency(
      tickets,
      (t) => t,
      (t) => {
        const f = facts.get(t.id);
        return {
          now: at,
          weights,
          vip: t.organization_id !== null && orgs.vip.has(t.organization_id),
          latestCustomerMessage: f?.message,
          reopens: f?.metrics?.reopens,
          textSignals: textSignals?.(t),
        };
      },
      earlier ? (t) => (facts.has(t.id) ? undefined : earlier.get(t.id)) : undefined,
    );
  const slaSource = (): Queue['slaSource'] =>
    slasFromSearch ? 'search' : tickets.some((t) => t.slas !== undefined) ? 'show_many' : 'none';

  // Names are read once per ticket across the stages.
  const rowsById = new Map<number, TicketRow>();
  const assemble = async (ranked: Array<Ranked<Ticket>>, stage: Queue['stage'], enriched: number): Promise<Queue> => {
    const shown = ranked.slice(0, options.limit ?? ranked.length);
    // A first screen shows a few dozen rows: name those now, the rest with the final stage.
    // With a source that keeps names (the replica), when some of the rows need a request for
    // names anyway, the next few are named in the same go: one that the passing time moves
    // into the rows is then named already.
    const people = (ts: readonly Ranked<Ticket>[]) => ts.flatMap((r) => [r.item.requester_id, ...(r.item.assignee_id ? [r.item.assignee_id] : [])]);
    const ahead = stage === 'final' && options.source?.knowsUsers && !options.source.knowsUsers(people(shown));
    const naming = stage === 'preliminary' ? shown.slice(0, PRELIMINARY_NAMES) : ahead ? ranked.slice(0, shown.length + NAMES_AHEAD) : shown;
    const unnamed = naming.map((r) => r.item).filter((t) => !rowsById.has(t.id));
    if (unnamed.length > 0) for (const row of await resolveNames(desk, unnamed)) rowsById.set(row.ticket.id, row);
    const whole = options.source?.hydrate?.(shown.map((r) => r.item));
    // the organizations of rows whose organization was not read with the VIP flags
    const unread = orgs.partial ? [...organizationIds(shown.map((r) => r.item))].filter((id) => !orgs.byId.has(id)) : [];
    if (unread.length > 0) for (const o of await desk.getOrganizations(unread)) orgs.byId.set(o.id, o);
    const items: QueueItem[] = shown.map((r, i) => {
      const t = whole?.[i] ?? r.item;
      const row = rowsById.get(t.id);
      const f = facts.get(t.id);
      const metrics = t.metric_set ?? f?.metrics;
      return {
        ticket: t,
        urgency: r.urgency,
        vip: t.organization_id !== null && orgs.vip.has(t.organization_id),
        organization: t.organization_id !== null ? orgs.byId.get(t.organization_id) : undefined,
        requester: row?.requester,
        assignee: row?.assignee,
        group: row?.group,
        ...(f ? { latestCustomerMessage: f.message } : {}),
        ...(metrics !== undefined ? { metrics } : {}),
      };
    });
    return { view: options.view, query, total: total ?? tickets.length, items, slaSource: slaSource(), enriched, stage, builtAt: now().toISOString() };
  };

  if (options.onPreliminary && tickets.length > 0) {
    applyCache();
    options.onPreliminary(await assemble(rankEnriched().ranked, 'preliminary', 0));
  }
  if (tickets.length > 0) {
    sideloads ??= readSideloads();
    await sideloads;
    signal?.throwIfAborted();
  }
  applyCache();
  let { first, ranked } = rankEnriched();

  if (enrich > 0) {
    const top = first.slice(0, enrich).map((r) => r.item);
    // Only the top's: a thread is one request, so one read ahead of the line is a request
    // spent now on a ticket that may never cross it (in a team, one per agent).
    const reading = top.filter((t) => !cache.factsFor(t) && !threadAddsNothing(t));
    if (reading.length > 0) {
      const gathered = await mapLimit(reading, concurrency, (t) => readFacts(desk, t), signal);
      reading.forEach((t, i) =>
        cache.facts.set(t.id, { updatedAt: t.updated_at, ...(t.metric_set ? { requesterAt: t.metric_set.requester_updated_at } : {}), facts: gathered[i]! }),
      );
      ({ ranked } = rankEnriched());
    }
  }

  const final = await assemble(ranked, 'final', enrich);
  options.source?.keep(cache);
  return final;
}

/**
 * Queue items again after a change to their tickets (the triage screen, once the desk took
 * it): the desk's current copy with its SLA targets and metrics (one show_many request; the
 * SLA moves with the priority), the names of a new assignee or group (only when they
 * changed), and the urgency scored again. Signals read from the thread are kept; a change
 * that added a comment has the caller read the thread again. If the desk cannot be read, the
 * copies the change returned are scored with the SLAs and metrics they had.
 */
export async function refreshQueueItems(
  desk: HelpDesk,
  items: readonly QueueItem[],
  options: { now?: () => Date; weights?: UrgencyWeights } = {},
): Promise<QueueItem[]> {
  if (items.length === 0) return [];
  const now = options.now ?? (() => new Date());
  const weights = options.weights ?? DEFAULT_URGENCY_WEIGHTS;
  let fresh = new Map<number, Ticket>();
  try {
    const read = await desk.getTickets(
      items.map((i) => i.ticket.id),
      { include: ['slas', 'metric_sets'] },
    );
    fresh = new Map(read.map((t) => [t.id, t]));
  } catch {
    // scored from the copies the change returned
  }
  const tickets = items.map((item) => {
    const t = fresh.get(item.ticket.id);
    return t ?? item.ticket;
  });
  const renamed = tickets.filter((t, i) => (t.assignee_id ?? null) !== (items[i]!.assignee?.id ?? null) || (t.group_id ?? null) !== (items[i]!.group?.id ?? null));
  const names = new Map<number, TicketRow>();
  if (renamed.length > 0) {
    try {
      for (const row of await resolveNames(desk, renamed)) names.set(row.ticket.id, row);
    } catch {
      // the ids stand in for names until the next load
    }
  }
  const at = now();
  return items.map((item, i) => {
    const ticket = tickets[i]!;
    const metrics = ticket.metric_set ?? item.metrics;
    const row = names.get(ticket.id);
    return {
      ...item,
      ticket,
      urgency: urgencyScore(ticket, {
        now: at,
        weights,
        vip: item.vip,
        latestCustomerMessage: item.latestCustomerMessage,
        reopens: metrics?.reopens,
      }),
      ...(row ? { assignee: row.assignee, group: row.group } : {}),
      ...(metrics !== undefined ? { metrics } : {}),
    };
  });
}

/**
 * buildQueue in two steps for a screen: `preliminary` settles as soon as the tickets are
 * ranked from what the search returned (and what the cache holds), `final` once the sideloads
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

/** How far after the ticket's creation the requester's last update may be stamped and still be the creation itself. */
const CREATION_SLACK_MS = 1_000;

/**
 * Whether the ticket's thread would tell ranking nothing the ticket does not: the requester
 * has not updated it since it was created (its metric set's requester_updated_at is the
 * creation, within a second). Their latest public message is then the description (the
 * submitter's first comment), or they wrote none (an agent opened the ticket for them): either
 * way the score is the one the subject, the description and requester_updated_at already give.
 * Unknown (no metric set yet, or no requester_updated_at) is not silence: the thread is read.
 */
export function threadAddsNothing(ticket: Pick<Ticket, 'created_at' | 'metric_set'>): boolean {
  const at = ticket.metric_set?.requester_updated_at;
  if (!at) return false;
  const requester = Date.parse(at);
  const created = Date.parse(ticket.created_at);
  return !Number.isNaN(requester) && !Number.isNaN(created) && requester <= created + CREATION_SLACK_MS;
}

export interface Facts {
  message: CustomerMessage | null;
  /** Read only when the ticket came without a metric set (the desk refused the sideload). */
  metrics: TicketMetric | null;
}

/**
 * The requester's latest public message (one request), and the ticket's metrics only when
 * the sideloads did not bring them (one more).
 */
async function readFacts(desk: HelpDesk, ticket: Ticket): Promise<Facts> {
  const [comments, metrics] = await Promise.all([
    (async () => {
      const list: Comment[] = [];
      for await (const c of desk.listComments(ticket.id)) list.push(c);
      return list;
    })().catch(() => [] as Comment[]),
    ticket.metric_set ? Promise.resolve(null) : desk.getTicketMetrics(ticket.id).catch(() => null),
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

interface VipOrganizations {
  vip: ReadonlySet<number>;
  byId: Map<number, Organization>;
  /** byId holds only the organizations of the rows named so far (the rest are read for the rows shown). */
  partial?: boolean;
}

function organizationIds(tickets: readonly Ticket[]): Set<number> {
  const ids = new Set<number>();
  for (const t of tickets) if (t.organization_id !== null && t.organization_id !== undefined) ids.add(t.organization_id);
  return ids;
}

async function vipOrganizations(desk: HelpDesk, ids: ReadonlySet<number>): Promise<VipOrganizations> {
  const orgs = ids.size > 0 ? await desk.getOrganizations([...ids]) : [];
  const byId = new Map(orgs.map((o) => [o.id, o]));
  return { vip: new Set(orgs.filter(isVipOrganization).map((o) => o.id)), byId };
}
