/**
 * Search trails the desk: on Zendesk a change takes up to a few minutes to reach search and
 * the search export. A bulk job that plans from search would see, for a ticket changed just
 * now, the ticket as it was: without the marker of the run a minute ago, without the survey
 * just sent. The safe update would still stop a second message, but the plan, the counts and
 * the fatigue rule would be wrong. So the tickets changed within SEARCH_LAG_BOUND_S are read
 * from the ticket list instead (live, newest first: usually one page) and win over search.
 */
import type { HelpDesk } from '../api/helpdesk.js';
import type { Ticket } from '../core/model.js';

/** Longer than search's index lag is expected to get (Zendesk: "up to a few minutes"). */
export const SEARCH_LAG_BOUND_S = 15 * 60;

/** The tickets changed since `now` less `boundS`, as the desk has them now. */
export async function recentlyChanged(
  desk: Pick<HelpDesk, 'kind' | 'listTickets'>,
  now: Date,
  boundS = SEARCH_LAG_BOUND_S,
): Promise<Map<number, Ticket>> {
  const out = new Map<number, Ticket>();
  // Request Tracker's search reads its database: nothing trails.
  if (desk.kind === 'rt') return out;
  const since = now.getTime() - boundS * 1000;
  for await (const t of desk.listTickets({ sort: '-updated_at', pageSize: 100 })) {
    if (Date.parse(t.updated_at) < since) break;
    out.set(t.id, t);
  }
  return out;
}

/**
 * `tickets` (as search had them) with the recently changed ones taken as they are now, and
 * those of them that no longer pass `keep` left out.
 */
export function asTheyAreNow(tickets: readonly Ticket[], recent: ReadonlyMap<number, Ticket>, keep: (ticket: Ticket) => boolean = () => true): Ticket[] {
  return tickets.flatMap((t) => {
    const now = recent.get(t.id);
    return now === undefined ? [t] : keep(now) ? [now] : [];
  });
}

/**
 * A search's tickets with the recently changed ones taken as they are now (dropped when they
 * no longer match `wanted`), then the recently changed tickets that match and search has not
 * caught up with yet.
 */
export async function* withRecent(
  search: AsyncIterable<Ticket>,
  recent: ReadonlyMap<number, Ticket>,
  wanted: (ticket: Ticket) => boolean,
): AsyncGenerator<Ticket> {
  const seen = new Set<number>();
  for await (const t of search) {
    seen.add(t.id);
    const now = recent.get(t.id) ?? t;
    if (wanted(now)) yield now;
  }
  for (const t of recent.values()) if (!seen.has(t.id) && wanted(t)) yield t;
}
