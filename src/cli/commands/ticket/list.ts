import type { CliContext } from '../../context.js';
import { printList, type Column, type OutputFlags } from '../../output.js';
import { listTickets, type TicketRow } from '../../../services/tickets.js';
import { parsePositiveInt } from '../../../core/ticket-query.js';
import { formatAge } from '../../../core/time.js';
import { ticketJson, priorityTone, statusTone } from './present.js';

interface ListFlags extends OutputFlags {
  status: string;
  priority?: string;
  assignee?: string;
  group?: string;
  tag?: string[];
  query?: string;
  limit: string;
}

export async function ticketList(ctx: CliContext, flags: ListFlags): Promise<void> {
  const limit = parsePositiveInt(flags.limit, '--limit', 100_000);
  const desk = await ctx.helpdesk();
  const { rows } = await listTickets(
    desk,
    {
      status: flags.status,
      priority: flags.priority,
      assignee: flags.assignee,
      group: flags.group,
      tags: flags.tag,
      query: flags.query,
    },
    limit,
  );
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
  await printList(ctx.io, rows, columns, flags, {
    toJson: ticketJson,
    emptyMessage: 'no tickets match',
  });
}
