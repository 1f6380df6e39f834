import type { CliContext } from '../../context.js';
import { printList, printPages, type Column, type OutputFlags } from '../../output.js';
import { listAllTickets, listTickets, type TicketRow } from '../../../services/tickets.js';
import type { TicketFilters } from '../../../core/ticket-query.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { formatAge } from '../../../core/time.js';
import { ticketJson, priorityTone, statusTone } from './present.js';
import { hasReplica, openReplica } from '../../replica.js';
import { listAllTicketsFromReplica, listTicketsFromReplica, replicaCanList } from '../../../services/replica/list.js';

interface ListFlags extends OutputFlags {
  status: string;
  priority?: string;
  assignee?: string;
  group?: string;
  tag?: string[];
  query?: string;
  limit: string;
  all?: boolean;
  fresh?: boolean;
}

export async function ticketList(ctx: CliContext, flags: ListFlags): Promise<void> {
  const limit = parsePositiveInt(flags.limit, '--limit', 100_000);
  const desk = await ctx.helpdesk();
  const filters: TicketFilters = {
    status: flags.status,
    priority: flags.priority,
    assignee: flags.assignee,
    group: flags.group,
    tags: flags.tag,
    query: flags.query,
  };
  const now = ctx.now();
  const columns: Column<TicketRow>[] = [
    { key: 'id', header: 'ID', get: (r) => r.ticket.id, align: 'right' },
    { key: 'status', header: 'STATUS', get: (r) => r.ticket.status, tone: (r) => statusTone(r.ticket.status) },
    { key: 'priority', header: 'PRIORITY', get: (r) => r.ticket.priority ?? '', tone: (r) => priorityTone(r.ticket.priority) },
    { key: 'subject', header: 'SUBJECT', get: (r) => r.ticket.subject, flex: true },
    { key: 'requester', header: 'REQUESTER', get: (r) => r.requester?.name ?? r.ticket.requester_id, maxWidth: 22 },
    { key: 'assignee', header: 'ASSIGNEE', get: (r) => r.assignee?.name ?? '', maxWidth: 18 },
    { key: 'group', header: 'GROUP', get: (r) => r.group?.name ?? '', maxWidth: 12 },
    { key: 'updated', header: 'UPDATED', get: (r) => formatAge(r.ticket.updated_at, now), align: 'right' },
  ];
  const output = { toJson: ticketJson, emptyMessage: 'no tickets match' };
  // From the profile's replica (only what changed since the last read is fetched), unless the
  // list needs the desk's search syntax (--query). A first bounded list costs one search
  // page where filling the replica reads the whole desk: it fills only for --all (which
  // reads everything anyway, 1,000 a request instead of 100) or --fresh.
  const fromReplica = replicaCanList(filters) && (flags.all || flags.fresh || (await hasReplica(ctx, desk)));
  const replica = fromReplica ? await openReplica(ctx, desk, { fresh: flags.fresh }) : undefined;
  if (flags.all) {
    await printPages(ctx.io, replica ? await replica.withFreshNames(() => listAllTicketsFromReplica(replica, filters)) : await listAllTickets(desk, filters), columns, flags, output);
    return;
  }
  const { rows, total, truncated } = replica ? await replica.withFreshNames(() => listTicketsFromReplica(replica, filters, limit)) : await listTickets(desk, filters, limit);
  await printList(ctx.io, rows, columns, flags, output);
  // Said on stderr whatever the format, so a file written from stdout is never cut silently.
  if (truncated) {
    const shown = total !== null && total > rows.length ? `${count(rows.length)} of ${count(total)} tickets` : `first ${count(rows.length)} tickets`;
    ctx.io.err(`${shown}; --limit N or --all for more`);
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
