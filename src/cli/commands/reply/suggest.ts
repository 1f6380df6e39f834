import type { CliContext } from '../../context.js';
import { printList, type Column, type OutputFlags } from '../../output.js';
import { loadReplyTicket, suggestionsFor } from '../../../services/replies.js';
import { parsePositiveInt, parseTicketId } from '../../../core/ticket-query.js';
import type { TemplateSuggestion } from '../../../core/reply-suggest.js';
import { loadTemplateLibrary } from '../template/shared.js';

interface SuggestFlags extends OutputFlags {
  limit: string;
}

export async function replySuggest(ctx: CliContext, idArg: string, flags: SuggestFlags): Promise<void> {
  const id = parseTicketId(idArg);
  const limit = parsePositiveInt(flags.limit, '--limit', 50);
  const library = await loadTemplateLibrary(ctx);
  const desk = await ctx.helpdesk();
  const ticket = await loadReplyTicket(desk, id);
  const suggestions = suggestionsFor(library, ticket, ctx.now(), limit);
  const descriptions = new Map(library.templates.map((t) => [t.name, t.description]));
  const columns: Column<TemplateSuggestion>[] = [
    { key: 'name', header: 'TEMPLATE', maxWidth: 32 },
    { key: 'category', header: 'CATEGORY' },
    { key: 'score', header: 'SCORE', align: 'right' },
    { key: 'reasons', header: 'WHY', get: (s) => s.reasons.join('; '), flex: true },
  ];
  await printList(ctx.io, suggestions, columns, flags, {
    toJson: (s) => ({ ...s, description: descriptions.get(s.name) ?? null }),
    emptyMessage:
      ticket.view.ticket.status === 'closed'
        ? `#${id} is closed: it takes no replies`
        : `nothing stands out on #${id}; see \`deskops template list\``,
  });
}
