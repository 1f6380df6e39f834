/**
 * The desk's macros beside deskops' templates: listing them, finding the one a name or id
 * means, previewing one on a ticket (the desk computes the result without saving; deskops
 * compares it with the ticket as read, core/macros.ts), and applying the previewed changes as
 * one safe update, refused if the ticket changed since it was read.
 */
import type { HelpDesk } from '../api/helpdesk.js';
import type { Group, Macro, Ticket, User } from '../core/model.js';
import { ConflictError, UsageError } from '../core/errors.js';
import { MacroStaleError, fillKnownPlaceholders, isEmptyPlan, planMacro, planRows, type MacroPlan, type PlanNames } from '../core/macros.js';
import { buildRenderContext } from '../core/templates/context.js';

export async function listMacros(desk: Pick<HelpDesk, 'listMacros'>): Promise<Macro[]> {
  return desk.listMacros();
}

/** The macro with this id or title (any case); UsageError naming the valid ones otherwise. */
export function findMacro(macros: readonly Macro[], wanted: string): Macro {
  const w = wanted.trim();
  const byId = /^\d+$/.test(w) ? macros.find((m) => m.id === Number(w)) : undefined;
  if (byId) return byId;
  const byTitle = macros.filter((m) => m.title.trim().toLowerCase() === w.toLowerCase());
  if (byTitle.length === 1) return byTitle[0]!;
  if (byTitle.length > 1) throw new UsageError(`${byTitle.length} macros are called "${w}"; name one by id: ${byTitle.map((m) => m.id).join(', ')}`);
  const names = macros.map((m) => JSON.stringify(m.title)).join(', ');
  throw new UsageError(`unknown macro "${w}"; ${names ? `the desk's macros: ${names}` : 'the desk offers no macros to you'}`);
}

export interface MacroPreview {
  plan: MacroPlan;
  /** Placeholders the desk left in the comment that deskops could not fill either: posted as written. */
  unfilled: string[];
  /** Who a public comment goes to (when the desk could name them). */
  requester?: User;
  /** Rows of (label, text): every change, then what the macro leaves as it is. */
  rows: Array<[string, string]>;
  empty: boolean;
}

/** Names of the agents and groups a plan mentions (one request each, only when needed). */
async function namesFor(desk: HelpDesk, plan: MacroPlan): Promise<PlanNames & { requester?: User }> {
  const userIds = [
    plan.assignee?.from,
    plan.assignee?.to,
    plan.unchanged.includes('assignee') ? plan.before.assignee_id : null,
    plan.comment?.public ? plan.before.requester_id : null,
  ].filter(
    (id): id is number => typeof id === 'number',
  );
  const wantGroups = plan.group !== undefined || plan.unchanged.includes('group');
  const [users, groups] = await Promise.all([
    userIds.length > 0 ? desk.getUsers([...new Set(userIds)]).catch(() => [] as User[]) : Promise.resolve([] as User[]),
    wantGroups ? desk.listGroups().catch(() => [] as Group[]) : Promise.resolve([] as Group[]),
  ]);
  return {
    requester: users.find((u) => u.id === plan.before.requester_id),
    user: (id) => users.find((u) => u.id === id)?.name,
    group: (id) => groups.find((g) => g.id === id)?.name,
  };
}

/**
 * What the macro would do to the ticket: the ticket read, the desk's result for it (nothing
 * saved), and the difference. `before` is the ticket as the caller has it, read again when
 * not given. If the ticket changes between the two reads, it is read and asked again once.
 */
export async function previewMacro(desk: HelpDesk, ticketId: number, macro: Macro, before?: Ticket): Promise<MacroPreview> {
  for (let attempt = 0; ; attempt++) {
    const ticket = attempt === 0 && before ? before : await desk.getTicket(ticketId);
    const result = await desk.applyMacro(ticketId, macro.id);
    let plan: MacroPlan;
    try {
      plan = planMacro(macro, ticket, result);
    } catch (err) {
      if (err instanceof MacroStaleError && attempt === 0) continue;
      throw err instanceof MacroStaleError ? new ConflictError(err.message) : err;
    }
    const unfilled = plan.comment?.body.includes('{{') ? await fillComment(desk, plan, result.ticket) : [];
    const names = await namesFor(desk, plan);
    const rows = planRows(plan, names);
    if (unfilled.length > 0) rows.push(['placeholders', `${unfilled.join(' ')} left as written: deskops cannot fill ${unfilled.length === 1 ? 'it' : 'them'}`]);
    return { plan, rows, unfilled, empty: isEmptyPlan(plan), ...(names.requester ? { requester: names.requester } : {}) };
  }
}

/**
 * A desk that answered with the comment's placeholders as written (Zendesk fills them in its
 * own agent interface only): the ones deskops knows are filled from the ticket after the
 * macro, in the plan's comment and update alike. Returns those left as written.
 */
async function fillComment(desk: HelpDesk, plan: MacroPlan, after: Ticket): Promise<string[]> {
  const ticket = { ...plan.before, ...after };
  const people = [ticket.requester_id, ticket.assignee_id].filter((id): id is number => typeof id === 'number');
  const [me, users, groups, orgs] = await Promise.all([
    desk.me(),
    desk.getUsers([...new Set(people)]).catch(() => [] as User[]),
    ticket.group_id !== null ? desk.listGroups().catch(() => [] as Group[]) : Promise.resolve([] as Group[]),
    ticket.organization_id !== null ? desk.getOrganizations([ticket.organization_id]).catch(() => []) : Promise.resolve([]),
  ]);
  const context = buildRenderContext({
    ticket,
    me,
    requester: users.find((u) => u.id === ticket.requester_id),
    assignee: ticket.assignee_id !== null ? users.find((u) => u.id === ticket.assignee_id) : undefined,
    group: groups.find((g) => g.id === ticket.group_id),
    organization: orgs.find((o) => o.id === ticket.organization_id),
  });
  const { body, left } = fillKnownPlaceholders(plan.comment!.body, context);
  plan.comment = { ...plan.comment!, body };
  plan.update.comment = { body, public: plan.comment.public };
  return left;
}

/** Sends the previewed changes as one safe update: refused (ConflictError) if the ticket changed since. */
export async function applyMacroPlan(desk: HelpDesk, plan: MacroPlan): Promise<Ticket> {
  if (isEmptyPlan(plan)) throw new UsageError(`macro "${plan.macro.title}" changes nothing on #${plan.ticketId}; nothing was sent`);
  return desk.updateTicket(plan.ticketId, plan.update, { ifUnmodifiedSince: plan.before.updated_at });
}
