/** The preview shared by `reply draft` and `reply send`. */
import type { CliContext } from '../../context.js';
import { painter } from '../../output.js';
import { sanitizeLine, sanitizeText } from '../../../core/sanitize.js';
import type { ReplyTicket, RenderedReply, SendOptions } from '../../../services/replies.js';

/** One line per change the reply makes besides the comment. */
export function changesText(reply: RenderedReply, options: SendOptions = {}): string {
  const parts: string[] = [];
  const status = options.status ?? reply.set.status;
  if (status) parts.push(`status ${status}`);
  if (reply.set.priority) parts.push(`priority ${reply.set.priority}`);
  if (reply.set.tags?.length) parts.push(`tags ${reply.set.tags.join(', ')}`);
  return parts.join(' · ');
}

/** Prints the reply as it will be sent, with who gets it and what else changes, to stderr. */
export async function printPreview(ctx: CliContext, ticket: ReplyTicket, reply: RenderedReply, options: SendOptions = {}): Promise<void> {
  const paint = await painter({ ...ctx.io, color: ctx.io.color && ctx.io.interactive });
  const t = ticket.view.ticket;
  const isPublic = options.note ? false : reply.public;
  const to = ticket.view.requester
    ? `${sanitizeLine(ticket.view.requester.name)} <${sanitizeLine(ticket.view.requester.email)}>`
    : `user ${t.requester_id}`;
  const kind = isPublic ? paint('accent', 'public reply') : paint('warn', 'internal note');
  const lines = [
    `${paint('strong', `#${t.id}`)} ${sanitizeLine(t.subject)} · ${t.status}`,
    `${kind} ${isPublic ? `to ${to}` : '(agents only)'}`,
  ];
  const from = reply.template ? `template ${reply.template}${reply.locale ? ` (${reply.locale})` : ''}` : 'text as written';
  const changes = changesText(reply, options);
  lines.push(`${paint('muted', from)}${changes ? ` · sets ${changes}` : ''}`);
  const rule = paint('muted', '─'.repeat(Math.min(60, ctx.io.columns ?? 60)));
  lines.push(rule, sanitizeText(reply.body), rule);
  ctx.io.err(lines.join('\n'));
}
