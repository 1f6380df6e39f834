/**
 * The desk's own views beside deskops' (mine, unassigned, all, group:NAME): listing them with
 * who may use each, and finding the one a name or id means. deskops' own view names win, so
 * `--view mine` means the same on every desk; any other name is looked up among the desk's
 * views, by id or by title (case does not matter), and an unknown one is refused naming the
 * valid ones.
 */
import type { HelpDesk } from '../api/helpdesk.js';
import type { DeskView, Group } from '../core/model.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { ownQueueView, type QueueView } from './queue.js';

export interface ListedView {
  view: DeskView;
  /** shared (everyone), group NAME, or personal. */
  access: string;
}

/** How a view's or macro's restriction reads: everyone, a group by name, or the user alone. */
export function accessOf(rule: Pick<DeskView, 'restriction'>, groups: readonly Group[]): string {
  const r = rule.restriction;
  if (!r) return 'shared';
  if (r.type === 'User') return 'personal';
  const ids = r.ids && r.ids.length > 0 ? r.ids : [r.id];
  const names = ids.map((id) => groups.find((g) => g.id === id)?.name ?? `#${id}`);
  return `group ${names.join(', ')}`;
}

/** The desk's views the user may use, with their access (one more request for group names when needed). */
export async function listDeskViews(desk: Pick<HelpDesk, 'listViews' | 'listGroups'>): Promise<ListedView[]> {
  const views = await desk.listViews();
  const groups = views.some((v) => v.restriction?.type === 'Group') ? await desk.listGroups().catch(() => [] as Group[]) : [];
  return views.map((view) => ({ view, access: accessOf(view, groups) }));
}

/** Names offered for `--view` and triage's `v`: deskops' own, then the desk's view titles. */
export async function viewChoices(desk: Pick<HelpDesk, 'listViews' | 'listGroups'>): Promise<string[]> {
  const [groups, views] = await Promise.all([desk.listGroups(), desk.listViews().catch(() => [] as DeskView[])]);
  return ['mine', 'unassigned', 'all', ...groups.map((g) => `group:${g.name}`), ...views.map((v) => v.title)];
}

/**
 * The view a `--view` value means: one of deskops' own, else the desk's view with that id or
 * title. UsageError (exit 2) for a name that is neither, naming the valid ones.
 */
export async function resolveQueueView(desk: Pick<HelpDesk, 'listViews'>, value: string): Promise<QueueView> {
  const own = ownQueueView(value);
  if (own) return own;
  const wanted = value.trim();
  if (wanted === '') throw new UsageError('--view needs a name: mine, unassigned, all, group:NAME or one of the desk\'s views');
  let views: DeskView[];
  let why = '';
  try {
    views = await desk.listViews();
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    views = [];
    why = ` (${err.message})`;
  }
  const byId = /^\d+$/.test(wanted) ? views.find((v) => v.id === Number(wanted)) : undefined;
  if (byId) return { kind: 'desk', view: byId };
  const byTitle = views.filter((v) => v.title.trim().toLowerCase() === wanted.toLowerCase());
  if (byTitle.length === 1) return { kind: 'desk', view: byTitle[0]! };
  if (byTitle.length > 1) {
    throw new UsageError(`${byTitle.length} of the desk's views are called "${wanted}"; name one by id: ${byTitle.map((v) => v.id).join(', ')}`);
  }
  const names = views.map((v) => JSON.stringify(v.title));
  const desks = names.length > 0 ? ` or one of the desk's views: ${names.join(', ')}` : `; the desk offers no views${why}`;
  throw new UsageError(`unknown view "${wanted}"; use mine, unassigned, all, group:NAME${desks}`);
}

/**
 * A desk view's definition (its conditions) is read again once older than this by a screen
 * that keeps one view across refreshes (triage), as the replica's directory is: the view
 * list costs one request, and an admin's edit of the view reaches the screen within the hour.
 */
export const VIEW_DEFINITION_TTL_MS = 3_600_000;

/**
 * The desk's view as it is defined now (one request: the view list), for a view resolved a
 * while ago; deskops' own views and saved searches (selected by the desk) as they are.
 * UsageError when the user may no longer use it (deleted, or restricted since).
 */
export async function redefineDeskView(desk: Pick<HelpDesk, 'listViews'>, view: QueueView): Promise<QueueView> {
  if (view.kind !== 'desk' || view.view.query !== undefined) return view;
  const now = (await desk.listViews()).find((v) => v.id === view.view.id);
  if (!now) throw new UsageError(`the desk's view "${view.view.title}" (${view.view.id}) is gone or no longer yours; choose another with v`);
  return { kind: 'desk', view: now };
}
