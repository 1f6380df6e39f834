import type { CliContext } from '../../context.js';
import { printList, type Column, type OutputFlags } from '../../output.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { formatAge } from '../../../core/time.js';
import { discardDraft, listDrafts, type Draft } from '../../../services/replies.js';

interface DraftsFlags extends OutputFlags {
  ticket?: string;
}

export async function replyDrafts(ctx: CliContext, flags: DraftsFlags): Promise<void> {
  const ticketId = flags.ticket === undefined ? undefined : parseTicketId(flags.ticket);
  const drafts = (await listDrafts(ctx.home())).filter((d) => ticketId === undefined || d.ticket_id === ticketId);
  const now = ctx.now();
  const columns: Column<Draft>[] = [
    { key: 'id', header: 'ID' },
    { key: 'ticket_id', header: 'TICKET', align: 'right' },
    { key: 'template', header: 'TEMPLATE', get: (d) => d.template ?? '', maxWidth: 30 },
    { key: 'kind', header: 'KIND', get: (d) => (d.public ? 'reply' : 'note') },
    { key: 'created_at', header: 'AGE', get: (d) => formatAge(d.created_at, now), align: 'right' },
    { key: 'body', header: 'TEXT', flex: true },
  ];
  await printList(ctx.io, drafts, columns, flags, { emptyMessage: 'no drafts' });
}

export async function replyDiscard(ctx: CliContext, id: string): Promise<void> {
  await discardDraft(ctx.home(), id);
  ctx.io.err(`draft ${id} discarded`);
}
