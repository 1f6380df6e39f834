/**
 * `ticket list` from the replica: the same filters as the search it replaces (status,
 * priority, assignee, group, tags), the same order (newest change first, then the higher id,
 * as the desk's search sorts), the same count of all matches, and `--all` in id order (the
 * export's). Free-text `--query` terms are the desk's search syntax: those lists still go to
 * search (ticketListFromReplica answers undefined).
 */
import type { Ticket } from '../../core/model.js';
import { UsageError } from '../../core/errors.js';
import { buildTicketQuery, type TicketFilters } from '../../core/ticket-query.js';
import { checkFilterNames, resolveAgent, resolveGroup, resolveNames, type NameCache, type TicketListResult, type TicketRow } from '../tickets.js';
import type { ReplicaSession } from './session.js';
import { UNSOLVED } from './session.js';

/** Whether the replica can answer these filters (free-text search terms it cannot). */
export function replicaCanList(filters: TicketFilters): boolean {
  return filters.query === undefined || filters.query.trim() === '';
}

/** The filters as a test on a ticket, names resolved once (an unknown one is a UsageError). */
async function ticketTest(session: ReplicaSession, filters: TicketFilters): Promise<{ statuses?: readonly string[]; test: (t: Ticket) => boolean }> {
  buildTicketQuery(filters); // the same checks and messages as the search's
  await checkFilterNames(session.desk, filters);
  const status = (filters.status ?? 'unsolved').toLowerCase();
  const statuses = status === 'any' ? undefined : status === 'unsolved' ? UNSOLVED : [status];
  const priority = filters.priority?.toLowerCase();
  const who = filters.assignee?.trim();
  const assignee = who === undefined ? undefined : who === 'none' ? null : who === 'me' ? (await session.desk.me()).id : await resolveAgent(session.desk, who);
  const group = filters.group === undefined ? undefined : await resolveGroup(session.desk, filters.group);
  const tags = filters.tags ?? [];
  const test = (t: Ticket): boolean =>
    (priority === undefined || t.priority === priority) &&
    (assignee === undefined || (t.assignee_id ?? null) === assignee) &&
    (group === undefined || (t.group_id ?? null) === group) &&
    tags.every((tag) => t.tags.includes(tag));
  return statuses ? { statuses, test } : { test };
}

/** The newest-first list `ticket list` prints, up to `limit`, with the count of all matches. */
export async function listTicketsFromReplica(session: ReplicaSession, filters: TicketFilters, limit: number): Promise<TicketListResult> {
  if (!replicaCanList(filters)) throw new UsageError('free-text terms need the desk\'s search');
  const query = buildTicketQuery(filters);
  // names are checked before anything is read: a bad one fails fast
  const { statuses, test } = await ticketTest(session, filters);
  await session.sync();
  const rows: Ticket[] = [];
  let total = 0;
  for (const t of session.tickets({ ...(statuses ? { statuses } : {}), newestFirst: true })) {
    if (!test(t)) continue;
    total++;
    if (rows.length < limit) rows.push(t);
  }
  return { rows: await resolveNames(session.desk, rows), query, total, truncated: total > rows.length };
}

/** Every match, `pageSize` at a time with names resolved, in id order. */
export async function listAllTicketsFromReplica(session: ReplicaSession, filters: TicketFilters, pageSize = 100): Promise<AsyncIterable<TicketRow[]>> {
  if (!replicaCanList(filters)) throw new UsageError('free-text terms need the desk\'s search');
  const { statuses, test } = await ticketTest(session, filters);
  await session.sync();
  const where = statuses ? { statuses } : {};
  // The people the whole list names, read up front a few requests at a time (and kept in the
  // replica), so the pages stream without a request between them.
  const people = new Set<number>();
  for (let after = 0; ; ) {
    // the lean form (services/replica/store leanTicket) holds all the filters and names read
    const batch = session.replica.ticketsAfter(where, after, 5000, 'lean');
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.id;
    for (const t of batch) {
      if (!test(t)) continue;
      people.add(t.requester_id);
      if (t.assignee_id) people.add(t.assignee_id);
    }
  }
  const names: NameCache = { users: new Map((await session.desk.getUsers([...people])).map((u) => [u.id, u])) };
  return (async function* () {
    let page: Ticket[] = [];
    let after = 0;
    for (;;) {
      // read a page, then resolve names (which writes to the replica): no read stays open across it
      const batch = session.ticketsAfter(where, after, Math.max(pageSize, 1000));
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      for (const t of batch) if (test(t)) page.push(t);
      while (page.length >= pageSize) {
        yield await resolveNames(session.desk, page.splice(0, pageSize), names);
      }
    }
    while (page.length > 0) yield await resolveNames(session.desk, page.splice(0, pageSize), names);
  })();
}
