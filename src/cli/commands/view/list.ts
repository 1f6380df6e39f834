import type { CliContext } from '../../context.js';
import { painter, printList, outputMode, type Column, type OutputFlags } from '../../output.js';
import { deskLabel } from '../../../services/desk-identity.js';
import { listDeskViews, type ListedView } from '../../../services/views.js';

export async function viewList(ctx: CliContext, flags: OutputFlags): Promise<void> {
  const desk = await ctx.helpdesk();
  const rows = await listDeskViews(desk);
  const columns: Column<ListedView>[] = [
    { key: 'id', header: 'ID', get: (r) => r.view.id, align: 'right' },
    { key: 'title', header: 'TITLE', get: (r) => r.view.title, maxWidth: 40 },
    { key: 'access', header: 'ACCESS', get: (r) => r.access, tone: (r) => (r.access === 'personal' ? 'accent' : undefined), maxWidth: 24 },
    { key: 'description', header: 'DESCRIPTION', get: (r) => r.view.description ?? r.view.query ?? '', flex: true },
  ];
  await printList(ctx.io, rows, columns, flags, {
    toJson: (r) => ({
      id: r.view.id,
      title: r.view.title,
      description: r.view.description ?? null,
      access: r.access,
      restriction: r.view.restriction,
      conditions: r.view.conditions,
      ...(r.view.query !== undefined ? { query: r.view.query } : {}),
    }),
    emptyMessage: 'the desk offers no views to you',
  });
  if (outputMode(flags, ctx.io) === 'table') {
    const where = deskLabel(desk.connection);
    const paint = await painter(ctx.io);
    ctx.io.err(paint('muted', `views on ${where.live ? 'LIVE ' : ''}${where.name}; rank one with deskops queue --view "TITLE" (deskops' own: mine, unassigned, all, group:NAME)`));
  }
}
