import type { CliContext } from '../../context.js';
import { printList, type Column, type OutputFlags } from '../../output.js';
import type { Group, Macro } from '../../../core/model.js';
import { macroSummary } from '../../../core/macros.js';
import { accessOf } from '../../../services/views.js';
import { listMacros } from '../../../services/macros.js';

interface MacroRow {
  macro: Macro;
  access: string;
  summary: string;
}

export async function macroList(ctx: CliContext, flags: OutputFlags): Promise<void> {
  const desk = await ctx.helpdesk();
  const macros = await listMacros(desk);
  const [groups, users] = await Promise.all([
    desk.listGroups().catch(() => [] as Group[]),
    (async () => {
      const ids = [...new Set(macros.flatMap((m) => m.actions.filter((a) => a.field === 'assignee_id' && /^\d+$/.test(String(a.value))).map((a) => Number(a.value))))];
      return ids.length > 0 ? desk.getUsers(ids).catch(() => []) : [];
    })(),
  ]);
  const names = { group: (id: number) => groups.find((g) => g.id === id)?.name, user: (id: number) => users.find((u) => u.id === id)?.name };
  const rows: MacroRow[] = macros.map((macro) => ({ macro, access: accessOf(macro, groups), summary: macroSummary(macro.actions, names) }));
  const columns: Column<MacroRow>[] = [
    { key: 'id', header: 'ID', get: (r) => r.macro.id, align: 'right' },
    { key: 'title', header: 'TITLE', get: (r) => r.macro.title, maxWidth: 36 },
    { key: 'access', header: 'ACCESS', get: (r) => r.access, tone: (r) => (r.access === 'personal' ? 'accent' : undefined), maxWidth: 20 },
    { key: 'actions', header: 'ACTIONS', get: (r) => r.summary, flex: true },
  ];
  await printList(ctx.io, rows, columns, flags, {
    toJson: (r) => ({
      id: r.macro.id,
      title: r.macro.title,
      description: r.macro.description ?? null,
      access: r.access,
      restriction: r.macro.restriction,
      summary: r.summary,
      actions: r.macro.actions,
    }),
    emptyMessage: 'the desk offers no macros to you',
  });
}
