/** The preview and the confirmation shared by `reply draft` and `reply send`. */
import { Cancelled, UsageError } from '../../../core/errors.js';
import type { CliContext } from '../../context.js';
import { painter } from '../../output.js';
import { sanitizeLine, sanitizeText } from '../../sanitize.js';
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

/** Fails fast without a terminal unless --yes: a script never blocks on a prompt. */
export function requireYesOrTerminal(ctx: CliContext, yes: boolean | undefined): void {
  if (!yes && !ctx.io.interactive) throw new UsageError('--yes required when not running interactively');
}

/** Asks on the terminal; Cancelled (exit 2) on no or Ctrl-C. */
export async function confirmSend(ctx: CliContext, question: string): Promise<void> {
  const { confirm } = await import('@inquirer/prompts');
  const { Writable } = await import('node:stream');
  const stderr = ctx.io.stderr as NodeJS.WritableStream & { columns?: number; rows?: number };
  // The prompt ends its output stream when done; keep ctx.io.stderr open by forwarding writes.
  const output = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        stderr.write(chunk, (err) => callback(err ?? null));
      },
    }),
    { isTTY: true, columns: stderr.columns, rows: stderr.rows },
  );
  let ok: boolean;
  try {
    ok = await confirm({ message: question, default: false }, { input: ctx.io.stdin, output });
  } catch (err) {
    if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) throw new Cancelled('cancelled; nothing was sent');
    throw err;
  }
  if (!ok) throw new Cancelled('cancelled; nothing was sent');
}

/** Reads all of stdin (for `-`); refuses on a terminal. */
export async function readStdin(ctx: CliContext, flag: string): Promise<string> {
  if (ctx.io.interactive) throw new UsageError(`${flag} - reads from stdin; pipe the text in`);
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.io.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
