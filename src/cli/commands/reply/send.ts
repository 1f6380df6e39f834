import { readFile } from 'node:fs/promises';
import type { CliContext } from '../../context.js';
import { deskInstance } from '../../../services/desk-identity.js';
import { NotFoundError, UsageError } from '../../../core/errors.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { parseVars } from '../../../core/templates.js';
import type { TicketStatus } from '../../../core/model.js';
import {
  discardDraft,
  literalReply,
  loadReplyTicket,
  readDraft,
  renderForTicket,
  replyFromDraft,
  sendReply,
  type RenderedReply,
} from '../../../services/replies.js';
import { sanitizeLine } from '../../../core/sanitize.js';
import { chosenLocale, loadTemplateLibrary } from '../template/shared.js';
import { printPreview } from './present.js';
import { readPipedStdin } from '../../io.js';
import { confirmOrCancel, requireYesOrTerminal } from '../../prompt.js';

interface SendFlags {
  template?: string;
  macro?: string;
  dryRun?: boolean;
  draft?: string;
  bodyFile?: string;
  body?: string;
  var?: string[];
  locale?: string;
  note?: boolean;
  status?: TicketStatus;
  yes?: boolean;
  json?: boolean;
  rerender?: boolean;
}

export async function replySend(ctx: CliContext, idArg: string, flags: SendFlags): Promise<void> {
  const id = parseTicketId(idArg);
  const sources = (['template', 'macro', 'draft', 'bodyFile', 'body'] as const).filter((k) => flags[k] !== undefined);
  if (sources.length !== 1) {
    throw new UsageError(
      sources.length === 0
        ? 'say what to send: --template NAME, --macro NAME, --draft ID, --body-file FILE or --body TEXT'
        : `choose one of --template, --macro, --draft, --body-file, --body (got ${sources.map(flagName).join(', ')})`,
    );
  }
  if (flags.macro !== undefined) {
    // The macro decides what it changes and whether its comment is public: nothing to add.
    const extra = (['var', 'locale', 'note', 'status', 'rerender'] as const).filter((k) => flags[k] !== undefined && flags[k] !== false);
    if (extra.length > 0) throw new UsageError(`${extra.map(flagName).join(', ')} ${extra.length === 1 ? 'does' : 'do'} not apply with --macro: the macro decides what it changes`);
    const { replyWithMacro } = await import('./macro.js');
    return replyWithMacro(ctx, idArg, { macro: flags.macro, yes: flags.yes, json: flags.json, dryRun: flags.dryRun });
  }
  if (flags.dryRun) throw new UsageError('--dry-run only applies with --macro');
  if (flags.var?.length && flags.template === undefined) throw new UsageError('--var only applies with --template');
  if (flags.rerender && flags.draft === undefined) throw new UsageError('--rerender only applies with --draft');
  const vars = parseVars(flags.var);
  requireYesOrTerminal(ctx, flags.yes);

  let text: string | undefined;
  if (flags.bodyFile !== undefined) text = await readBodyFile(ctx, flags.bodyFile);
  else if (flags.body !== undefined) text = flags.body;
  const draft = flags.draft !== undefined ? await readDraft(ctx.home(), flags.draft) : undefined;
  const [library, locale] = flags.template !== undefined
    ? await Promise.all([loadTemplateLibrary(ctx), chosenLocale(ctx, flags.locale)])
    : [undefined, undefined];
  const draftLibrary = draft && flags.rerender && draft.template && !draft.edited ? await loadTemplateLibrary(ctx) : undefined;

  const desk = await ctx.helpdesk();
  const ticket = await loadReplyTicket(desk, id);
  let reply: RenderedReply;
  if (library) reply = renderForTicket(library, ticket, { template: flags.template!, vars, locale });
  else if (draft) {
    const rerendered = draftLibrary
      ? () => {
          ctx.io.err(`note: ticket ${id} changed since draft ${draft.id} was written; its template is rendered again for the ticket as it is now`);
          return renderForTicket(draftLibrary, ticket, { template: draft.template!, vars: draft.vars, locale: draft.locale ?? undefined });
        }
      : undefined;
    reply = replyFromDraft(draft, ticket, deskInstance(await ctx.connection()), rerendered);
  }
  else reply = literalReply(ticket, text ?? '');
  for (const v of reply.unusedVars) ctx.io.err(`warning: template "${reply.template}" does not use --var ${v}`);

  const options = { note: flags.note, status: flags.status };
  await printPreview(ctx, ticket, reply, options);
  const isPublic = flags.note ? false : reply.public;
  if (!flags.yes) {
    const who = ticket.view.requester ? sanitizeLine(ticket.view.requester.name) : `the requester of #${id}`;
    await confirmOrCancel(ctx, { question: isPublic ? `Send this reply to ${who}?` : `Add this internal note to #${id}?`, cancelledMessage: 'cancelled; nothing was sent' });
  }
  const sent = await sendReply(desk, reply, options);
  if (draft) await discardDraft(ctx.home(), draft.id).catch(() => undefined);

  if (flags.json) {
    ctx.io.out(
      JSON.stringify({ ticket_id: sent.ticket_id, public: sent.public, body: sent.body, template: sent.template, status: sent.status }, null, 2),
    );
    return;
  }
  const extra = [
    reply.set.priority ? `priority ${reply.set.priority}` : '',
    reply.set.tags?.length ? `tags ${reply.set.tags.join(', ')}` : '',
  ].filter(Boolean);
  ctx.io.out(
    `#${sent.ticket_id}: ${sent.public ? 'public reply sent' : 'internal note added'}` +
      `${sent.template ? ` (${sent.template})` : ''} · ${sent.status}${extra.length ? ` · ${extra.join(' · ')}` : ''}`,
  );
}

function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

async function readBodyFile(ctx: CliContext, file: string): Promise<string> {
  if (file === '-') return readPipedStdin(ctx.io, '--body-file');
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`no such file: ${file}`);
    throw err;
  }
}
