/**
 * Brings the replica up to date with the desk, from the cheapest source the user's role
 * allows:
 *  - an admin reads the incremental export from its cursor: the first time every ticket (1,000
 *    a request), later only the tickets changed since (usually one request), deletions
 *    included. The cursor is committed with each page's tickets, so an interrupted sync goes
 *    on from the last page committed.
 *  - an agent (403 from the incremental export, remembered; asked again once a day) reads the
 *    search export of the tickets updated since the newest change read last time, less
 *    SEARCH_LAG_BOUND_S for search's index lag, and, while that page comes, the tickets changed
 *    since the last sync live from the ticket list, newest first (search trails them; the
 *    first time, the last SEARCH_LAG_BOUND_S), which win over what search said. The
 *    watermark moves only once a read is complete: an interrupted read is read again from the
 *    same point, and what was read about its tickets (sideloads, threads) is not, while their
 *    version is unchanged. Search does not show deleted tickets: once a day the read is a full
 *    one, and a stored ticket it did not find is dropped.
 * An agent's read within SEARCH_LAG_BOUND_S of the last one needs no search at all: the live
 * list, read back to the newest change held (desk times) less a margin, has every change since
 * (readLive). So does an admin's within EXPORT_EVERY_S of the last export read: the account's
 * 10 export requests a minute are shared by every admin and `kpi`, and a deletion waits for
 * the next export read, at most EXPORT_EVERY_S. With nothing changed that is 1 request for an
 * admin or an agent, whatever the size of the desk (2 for an agent after a longer gap: the
 * search page and the live list).
 */
import type { HelpDesk, IncrementalTicketPage } from '../../api/helpdesk.js';
import type { Ticket } from '../../core/model.js';
import { ApiError, PermissionError } from '../../core/errors.js';
import { isoSeconds } from '../../core/time.js';
import { recentlyChanged, SEARCH_LAG_BOUND_S } from '../recent.js';
import type { TicketReplica } from './store.js';

/** Tickets per export page: Zendesk's maximum for both exports. */
export const REPLICA_PAGE_SIZE = 1000;
/** How often an agent's replica asks the incremental export again (the role may have changed). */
const SOURCE_RECHECK_S = 86_400;
/** The live list of recent changes is read from this long before the newest change it gave last time. */
const LIVE_MARGIN_S = 60;
/** How often an agent's replica is read whole, to drop tickets deleted on the desk. */
export const FULL_READ_S = 86_400;
/**
 * How often an admin's replica reads the incremental export (it has deletions; Zendesk allows
 * the account 10 export requests a minute, shared by every admin, integration and `kpi`). In
 * between, the live list has every change since the last read, as for an agent.
 */
export const EXPORT_EVERY_S = 300;

export interface ReplicaSyncStats {
  source: 'incremental' | 'search';
  /** The whole desk was read (empty replica, --fresh, or the agent's daily full read). */
  full: boolean;
  /** Export pages read. */
  pages: number;
  /** Tickets the desk sent (the search overlap sends some again). */
  read: number;
  /** Stored copies that changed: new, newer, or deleted. */
  changed: number;
}

export interface ReplicaSyncOptions {
  now: () => Date;
  /** Said once when the replica falls back to the search export. */
  onNotice?: (message: string) => void;
  onProgress?: (tickets: number) => void;
  pageSize?: number;
  signal?: AbortSignal;
  /**
   * Ask the incremental export for the tickets' metric sets too (`kpi`: they come with the
   * pages at no extra request; the replica's other readers do not ask for them). Such a sync
   * reads the export even within EXPORT_EVERY_S of the last export read.
   */
  metricSets?: boolean;
  /**
   * Called with each incremental export page before it is stored; what it returns runs in the
   * page's transaction, with the tickets and the cursor past them (the KPI rows of the page).
   */
  onIncrementalPage?: (page: IncrementalTicketPage, full: boolean) => Promise<() => void>;
}

type SyncDesk = Pick<HelpDesk, 'kind' | 'incrementalTickets' | 'exportSearchTickets' | 'listTickets'>;

export async function syncReplica(desk: SyncDesk, replica: TicketReplica, options: ReplicaSyncOptions): Promise<ReplicaSyncStats> {
  const nowS = Math.floor(options.now().getTime() / 1000);
  const askedAt = Number(replica.meta('source_checked_at') ?? 0);
  if (replica.meta('source') !== 'search' || nowS - askedAt > SOURCE_RECHECK_S) {
    const cursor = replica.meta('cursor');
    // read within EXPORT_EVERY_S of the last export read: the live list, not the export
    const exportReadMs = Number(replica.meta('export_read_ms') ?? NaN);
    const clientNow = options.now().getTime();
    if (
      replica.meta('source') === 'incremental' &&
      cursor !== undefined &&
      !options.metricSets &&
      clientNow >= exportReadMs &&
      clientNow - exportReadMs <= EXPORT_EVERY_S * 1000 &&
      liveReadable(replica, clientNow)
    ) {
      const stats: ReplicaSyncStats = { source: 'incremental', full: false, pages: 0, read: 0, changed: 0 };
      await readLive(desk, replica, options, stats, () => undefined);
      return stats;
    }
    try {
      return await readIncremental(desk, replica, cursor === undefined ? { startTime: 0 } : { cursor }, options);
    } catch (err) {
      if (err instanceof PermissionError) {
        replica.setMeta('source', 'search');
        replica.setMeta('source_checked_at', String(nowS));
        options.onNotice?.('the incremental export needs an admin; the replica reads the search export of changed tickets instead');
      } else if (cursor !== undefined && err instanceof ApiError && (err.status === 400 || err.status === 422)) {
        replica.setMeta('cursor', undefined);
        return readIncremental(desk, replica, { startTime: 0 }, options);
      } else {
        throw err;
      }
    }
  }
  return readSearch(desk, replica, options);
}

async function readIncremental(
  desk: SyncDesk,
  replica: TicketReplica,
  from: { startTime: number } | { cursor: string },
  options: ReplicaSyncOptions,
): Promise<ReplicaSyncStats> {
  const stats: ReplicaSyncStats = { source: 'incremental', full: 'startTime' in from, pages: 0, read: 0, changed: 0 };
  return stats.full ? replica.filling(() => readIncrementalPages(desk, replica, from, options, stats)) : readIncrementalPages(desk, replica, from, options, stats);
}

async function readIncrementalPages(
  desk: SyncDesk,
  replica: TicketReplica,
  from: { startTime: number } | { cursor: string },
  options: ReplicaSyncOptions,
  stats: ReplicaSyncStats,
): Promise<ReplicaSyncStats> {
  // The people the tickets name come with them (no lookups after the pages); metric sets are
  // asked for by kpi only: the replica reads a ticket's with its SLA targets, when a queue ranks it.
  const include: Array<'users' | 'metric_sets'> = options.metricSets ? ['users', 'metric_sets'] : ['users'];
  const pages = desk.incrementalTickets(from, { pageSize: options.pageSize ?? REPLICA_PAGE_SIZE, include })[Symbol.asyncIterator]();
  const clientNow = options.now().getTime();
  // the newest change read (desk times), the mark a live read goes back to
  let newest = Number(replica.meta('live_since_ms') ?? 0) || 0;
  let next = pages.next();
  for (;;) {
    const got = await next;
    if (got.done) break;
    const page = got.value;
    // The next page is asked for before this one is written, and the request leaves first:
    // the desk prepares it while this one is stored.
    next = pages.next();
    next.catch(() => undefined);
    if (!page.end_of_stream) await new Promise((resolve) => setImmediate(resolve));
    const alongside = options.onIncrementalPage ? await options.onIncrementalPage(page, stats.full) : undefined;
    // the tickets and the cursor past them in one transaction: a crash loses neither alone
    for (const t of page.tickets) newest = Math.max(newest, Date.parse(t.updated_at) || 0);
    replica.transaction(() => {
      stats.changed += replica.putTickets(page.tickets);
      alongside?.();
      if (page.users && page.users.length > 0) replica.putUsers(page.users);
      if (page.after_cursor) replica.setMeta('cursor', page.after_cursor);
    });
    stats.pages++;
    stats.read += page.tickets.length;
    options.onProgress?.(stats.read);
    options.signal?.throwIfAborted();
  }
  replica.transaction(() => {
    replica.setMeta('source', 'incremental');
    replica.setMeta('synced_at', options.now().toISOString());
    // the export has every change up to now: a read as complete as a live one
    if (newest > 0) setLiveMark(replica, newest, clientNow);
    replica.setMeta('export_read_ms', String(clientNow));
  });
  return stats;
}

async function readSearch(desk: SyncDesk, replica: TicketReplica, options: ReplicaSyncOptions): Promise<ReplicaSyncStats> {
  const nowS = Math.floor(options.now().getTime() / 1000);
  const since = replica.meta('search_since_ms');
  const filledS = Number(replica.meta('filled_s') ?? NaN);
  const full = since === undefined || !(nowS - filledS < FULL_READ_S && nowS >= filledS);
  let newest = full ? 0 : Number(since);
  const fromS = full ? 0 : Math.max(0, Math.floor(newest / 1000) - SEARCH_LAG_BOUND_S);
  const pageSize = options.pageSize ?? REPLICA_PAGE_SIZE;
  const stats: ReplicaSyncStats = { source: 'search', full, pages: 0, read: 0, changed: 0 };
  const seen = new Set<number>();
  let page: Ticket[] = [];
  const flush = () => {
    if (page.length === 0) return;
    stats.changed += replica.putTickets(page);
    stats.pages++;
    stats.read += page.length;
    page = [];
    options.onProgress?.(stats.read);
  };
  // The mark: the desk's time of the newest change read so far (desk times only, so the
  // machine's clock does not matter), and when this machine last read the live list.
  const liveSince = Number(replica.meta('live_since_ms') ?? NaN);
  const clientNow = options.now().getTime();
  // Read again within SEARCH_LAG_BOUND_S: the live list alone has every change since the mark
  // (newest first, no index lag), read back to the mark less a margin for changes committed
  // as it was read; the search export is not needed. A longer gap reads the search export
  // (1,000 a page, where the live list gives 100) with the overlap, and the live list beside it.
  const liveOnly = !full && liveReadable(replica, clientNow);
  if (liveOnly) {
    await readLive(desk, replica, options, stats, (live) => {
      // everything up to the mark is held: a later search starts there
      replica.setMeta('search_since_ms', String(Math.max(newest, live)));
      replica.setMeta('source', 'search');
    });
    return stats;
  }
  const recentRead = recentlyChanged(
    desk,
    options.now(),
    Number.isFinite(liveSince)
      ? Math.min(SEARCH_LAG_BOUND_S, Math.max(LIVE_MARGIN_S, Math.ceil((clientNow - liveSince) / 1000) + LIVE_MARGIN_S))
      : SEARCH_LAG_BOUND_S,
  );
  recentRead.catch(() => undefined);
  for await (const t of desk.exportSearchTickets(`updated>=${isoSeconds(fromS)}`, { pageSize })) {
    page.push(t);
    if (full) seen.add(t.id);
    const ms = Date.parse(t.updated_at);
    if (Number.isFinite(ms)) newest = Math.max(newest, ms);
    if (page.length >= pageSize) {
      flush();
      options.signal?.throwIfAborted();
    }
  }
  flush();
  // Search trails the desk: what changed in the last minutes is read live and wins.
  const recent = await recentRead;
  replica.transaction(() => {
    // Not found by a full read: deleted (a ticket changed since the read began is in `recent`).
    if (full) stats.changed += replica.removeTicketsNotIn(new Set([...seen, ...recent.keys()]));
    stats.changed += replica.putTickets([...recent.values()]);
    // The mark moves only with what the live list gave (it has no index lag: search's newest
    // may be newer than a change search has not indexed yet). The first time it starts at
    // search's newest less the lag bound, a desk time, whatever this machine's clock says.
    let live = Number.isFinite(liveSince) ? liveSince : newest > 0 ? newest - SEARCH_LAG_BOUND_S * 1000 : clientNow - SEARCH_LAG_BOUND_S * 1000;
    for (const t of recent.values()) live = Math.max(live, Date.parse(t.updated_at) || 0);
    replica.setMeta('search_since_ms', String(newest));
    setLiveMark(replica, live, clientNow);
    if (full) replica.setMeta('filled_s', String(nowS));
    replica.setMeta('source', 'search');
    replica.setMeta('synced_at', options.now().toISOString());
  });
  return stats;
}

/**
 * Whether the live list alone can bring the replica up to date: it was read (or the export,
 * which has every change) within SEARCH_LAG_BOUND_S, and the mark (live_since_ms: the desk's
 * time of the newest change read) is known.
 */
function liveReadable(replica: TicketReplica, clientNow: number): boolean {
  const liveSince = Number(replica.meta('live_since_ms') ?? NaN);
  const liveReadMs = Number(replica.meta('live_read_ms') ?? NaN);
  return Number.isFinite(liveSince) && Number.isFinite(liveReadMs) && clientNow >= liveReadMs && clientNow - liveReadMs <= SEARCH_LAG_BOUND_S * 1000;
}

/**
 * A read of the live list alone (newest first, no index lag): every change since the mark.
 * It reads back to the mark less LIVE_MARGIN_S, for changes committed after the last read
 * with an earlier time, until the mark has settled: once a read was made LIVE_MARGIN_S or more
 * after the mark was seen, every change up to the mark had been committed and read, and only
 * newer ones are asked for (a burst of k changes is not read again, k/100 requests a time,
 * while the desk stays quiet). `alongside` runs in the read's transaction with the new mark.
 */
async function readLive(desk: SyncDesk, replica: TicketReplica, options: ReplicaSyncOptions, stats: ReplicaSyncStats, alongside: (live: number) => void): Promise<void> {
  const clientNow = options.now().getTime();
  const mark = Number(replica.meta('live_since_ms'));
  const seenMs = Number(replica.meta('live_mark_seen_ms') ?? NaN);
  const lastReadMs = Number(replica.meta('live_read_ms') ?? NaN);
  const settled = Number.isFinite(seenMs) && lastReadMs - seenMs >= LIVE_MARGIN_S * 1000;
  const recent = settled ? await recentlyChanged(desk, new Date(mark + 1), 0) : await recentlyChanged(desk, new Date(mark), LIVE_MARGIN_S);
  replica.transaction(() => {
    stats.changed += replica.putTickets([...recent.values()]);
    let live = mark;
    for (const t of recent.values()) live = Math.max(live, Date.parse(t.updated_at) || 0);
    alongside(live);
    setLiveMark(replica, live, clientNow);
    replica.setMeta('synced_at', options.now().toISOString());
  });
  stats.read = recent.size;
  options.onProgress?.(stats.read);
}

/** The mark after a read made at `clientNow` (this machine's clock); when it moves, since when. */
function setLiveMark(replica: TicketReplica, live: number, clientNow: number): void {
  const before = Number(replica.meta('live_since_ms') ?? NaN);
  if (!(live <= before)) replica.setMeta('live_mark_seen_ms', String(clientNow));
  replica.setMeta('live_since_ms', String(live));
  replica.setMeta('live_read_ms', String(clientNow));
}
