import type { CliContext } from '../../context.js';
import { deskInstance } from '../../../services/desk-identity.js';
import { Cancelled, UsageError } from '../../../core/errors.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { parseVars } from '../../../core/templates.js';
import { loadReplyTicket, renderForTicket, saveDraft } from '../../../services/replies.js';
import { sanitizeText } from '../../../core/sanitize.js';
import { chosenLocale, loadTemplateLibrary } from '../template/shared.js';
import { editText } from './editor.js';

interface DraftFlags {
  template: string;
  var?: string[];
  locale?: string;
  edit?: boolean;
  json?: boolean;
}

export async function replyDraft(ctx: CliContext, idArg: string, flags: DraftFlags): Promise<void> {
  const id = parseTicketId(idArg);
  const vars = parseVars(flags.var);
  if (flags.edit && !ctx.io.interactive) throw new UsageError('--edit needs a terminal');
  const [library, locale] = await Promise.all([loadTemplateLibrary(ctx), chosenLocale(ctx, flags.locale)]);
  const desk = await ctx.helpdesk();
  const ticket = await loadReplyTicket(desk, id);
  const reply = renderForTicket(library, ticket, { template: flags.template, vars, locale });
  for (const v of reply.unusedVars) ctx.io.err(`warning: template "${reply.template}" does not use --var ${v}`);
  const rendered = reply.body;
  if (flags.edit) {
    const edited = editText(ctx, `${reply.body}\n`).replace(/\s+$/, '');
    if (edited.trim() === '') throw new Cancelled('the text was left empty; no draft saved');
    reply.body = edited;
  }
  // bound to this desk and this version of the ticket: sent nowhere else, and not after it changed
  const draft = await saveDraft(ctx.home(), reply, ctx.now(), ctx.io.scrub, {
    desk: deskInstance(await ctx.connection()),
    requesterId: ticket.view.ticket.requester_id,
    edited: reply.body !== rendered,
  });
  if (flags.json) ctx.io.out(JSON.stringify(draft, null, 2));
  else ctx.io.out(sanitizeText(draft.body));
  ctx.io.err(`draft ${draft.id} saved for #${id}; send it with: deskops reply send ${id} --draft ${draft.id}`);
}
