/** `reply send TICKET --macro NAME`: the desk's macro, previewed in full, then one safe update. */
import type { CliContext } from '../../context.js';
import { painter } from '../../output.js';
import { parseTicketId } from '../../../core/ticket-query.js';
import { sanitizeLine, sanitizeText } from '../../../core/sanitize.js';
import { applyMacroPlan, findMacro, listMacros, previewMacro, type MacroPreview } from '../../../services/macros.js';
import { confirmOrCancel, requireYesOrTerminal } from '../../prompt.js';

export interface MacroFlags {
  macro: string;
  yes?: boolean;
  json?: boolean;
  dryRun?: boolean;
}

export async function replyWithMacro(ctx: CliContext, idArg: string, flags: MacroFlags): Promise<void> {
  const id = parseTicketId(idArg);
  if (!flags.dryRun) requireYesOrTerminal(ctx, flags.yes);
  const desk = await ctx.helpdesk();
  const macro = findMacro(await listMacros(desk), flags.macro);
  const preview = await previewMacro(desk, id, macro);
  await printMacroPreview(ctx, preview);
  const plan = preview.plan;
  const result = (applied: boolean, status: string) => ({
    ticket_id: id,
    macro: { id: macro.id, title: macro.title },
    applied,
    changes: preview.rows.map(([field, change]) => ({ field, change })),
    comment: plan.comment,
    update: plan.update,
    status,
  });
  if (preview.empty || flags.dryRun) {
    const why = preview.empty ? `macro "${macro.title}" changes nothing on #${id}; nothing was sent` : 'dry run: nothing was sent';
    if (flags.json) ctx.io.out(JSON.stringify(result(false, plan.before.status), null, 2));
    else ctx.io.out(why);
    return;
  }
  if (!flags.yes) {
    await confirmOrCancel(ctx, { question: `Apply macro "${sanitizeLine(macro.title)}" to #${id}?`, cancelledMessage: 'cancelled; nothing was sent' });
  }
  const saved = await applyMacroPlan(desk, plan);
  if (flags.json) {
    ctx.io.out(JSON.stringify(result(true, saved.status), null, 2));
    return;
  }
  const what = plan.comment ? (plan.comment.public ? 'public reply sent' : 'internal note added') : 'no comment';
  ctx.io.out(`#${id}: macro "${sanitizeLine(macro.title)}" applied · ${what} · ${saved.status}`);
}

/** Every change the macro makes, then the comment exactly as it is sent, to stderr. */
export async function printMacroPreview(ctx: CliContext, preview: MacroPreview): Promise<void> {
  const paint = await painter({ ...ctx.io, color: ctx.io.color && ctx.io.interactive });
  const { plan } = preview;
  const t = plan.before;
  const lines = [
    `${paint('strong', `#${t.id}`)} ${sanitizeLine(t.subject)} · ${t.status}`,
    `${paint('muted', 'macro')} ${sanitizeLine(plan.macro.title)} ${paint('muted', `(${plan.macro.id})`)} would:`,
  ];
  const width = Math.max(...preview.rows.map(([label]) => label.length));
  for (const [label, text] of preview.rows) {
    const shown = label === 'comment' && plan.comment?.public && preview.requester
      ? `${text}: ${sanitizeLine(preview.requester.name)} <${sanitizeLine(preview.requester.email)}>`
      : text;
    lines.push(`  ${paint(label === 'no change' ? 'muted' : 'accent', label.padEnd(width))}  ${sanitizeLine(shown)}`);
  }
  if (plan.comment) {
    const rule = paint('muted', '─'.repeat(Math.min(60, ctx.io.columns ?? 60)));
    lines.push(rule, sanitizeText(plan.comment.body), rule);
  }
  ctx.io.err(lines.join('\n'));
}
