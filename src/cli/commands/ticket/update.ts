import type { CliContext } from '../../context.js';
import { printRecord, type OutputFlags } from '../../output.js';
import { resolveNames, updateTicket } from '../../../services/tickets.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { UsageError } from '../../../core/errors.js';
import { sanitizeLine } from '../../../core/sanitize.js';
import { readPipedStdin } from '../../io.js';
import { ticketJson } from './present.js';
import type { Ticket } from '../../../core/model.js';

interface UpdateFlags extends OutputFlags {
  status?: Ticket['status'];
  priority?: NonNullable<Ticket['priority']>;
  assign?: string;
  group?: string;
  tag?: string[];
  untag?: string[];
  note?: string;
  reply?: string;
}

export async function ticketUpdate(ctx: CliContext, idArg: string, flags: UpdateFlags): Promise<void> {
  const id = parseTicketId(idArg);
  const note = flags.note === '-' ? await readStdin(ctx, '--note') : flags.note;
  const reply = flags.reply === '-' ? await readStdin(ctx, '--reply') : flags.reply;
  const desk = await ctx.helpdesk();
  const ticket = await updateTicket(desk, id, {
    status: flags.status,
    priority: flags.priority,
    assign: flags.assign,
    group: flags.group,
    addTags: flags.tag,
    removeTags: flags.untag,
    note,
    reply,
  });
  const [row] = await resolveNames(desk, [ticket]);
  await printRecord(ctx.io, ticketJson(row!), flags, () => {
    // what the ticket is now, including each thing the flags changed
    const parts: string[] = [ticket.status, ...(ticket.priority ? [ticket.priority] : [])];
    if (row!.assignee) parts.push(sanitizeLine(row!.assignee.name));
    if (flags.group !== undefined) parts.push(row!.group ? `group ${sanitizeLine(row!.group.name)}` : 'no group');
    if (flags.tag?.length) parts.push(`tags +${flags.tag.map(sanitizeLine).join(' +')}`);
    if (flags.untag?.length) parts.push(`tags -${flags.untag.map(sanitizeLine).join(' -')}`);
    if (reply !== undefined) parts.push('reply sent');
    if (note !== undefined) parts.push('note added');
    return `updated #${ticket.id}: ${parts.join(' · ')}`;
  });
}

async function readStdin(ctx: CliContext, flag: string): Promise<string> {
  const text = await readPipedStdin(ctx.io, flag);
  if (text.trim() === '') throw new UsageError(`${flag} -: stdin was empty`);
  return text.replace(/\n+$/, '');
}
