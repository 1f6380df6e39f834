/**
 * Views and macros as the desk keeps them: who may use one (Zendesk's `restriction`: everyone,
 * the agents of a group, or one user), their JSON shapes, and a view's conditions turned into
 * SQL over the tickets table. A view reads the tickets themselves, not the search index, as
 * Zendesk's views do not wait for search.
 *
 * Conditions understood (anything else is refused when the view is stored, see checkView):
 *   status, priority        is, is_not, less_than, greater_than (in Zendesk's order)
 *   type                    is, is_not ("" for none)
 *   group_id, assignee_id   is, is_not: an id, "" for none; assignee_id also "current_user"
 *   requester_id            is, is_not: an id, or "current_user"
 *   current_tags            includes (any of the space-separated tags), not_includes (none of them)
 *   NEW, updated_at         hours since created / updated: is, less_than, greater_than
 */
import type { DeskView, Macro, MacroAction, Restriction, RuleCondition } from '../core/model.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/model.js';
import { normalizeTag, type UserRow } from './records.js';
import { isoSeconds } from './time.js';

export interface ViewRow {
  id: number;
  title: string;
  description: string | null;
  active: number;
  position: number;
  owner_id: number | null;
  group_id: number | null;
  conditions: string;
  execution: string;
  created_at: number;
  updated_at: number;
}

export interface MacroRow {
  id: number;
  title: string;
  description: string | null;
  active: number;
  position: number;
  owner_id: number | null;
  group_id: number | null;
  actions: string;
  created_at: number;
  updated_at: number;
}

export const VIEW_COLUMNS = 'id, title, description, active, position, owner_id, group_id, conditions, execution, created_at, updated_at';
export const MACRO_COLUMNS = 'id, title, description, active, position, owner_id, group_id, actions, created_at, updated_at';

/**
 * The rows a user may use, as SQL over a table with owner_id and group_id: shared ones
 * (unrestricted, or restricted to the user's group; an admin sees every group's) and the
 * user's personal ones. Agents belong to their default group.
 */
export function visibleTo(user: UserRow): { where: string; params: unknown[] } {
  if (user.role === 'admin') return { where: '(owner_id IS NULL OR owner_id = ?)', params: [user.id] };
  return {
    where: '((owner_id IS NULL AND (group_id IS NULL OR group_id = ?)) OR owner_id = ?)',
    params: [user.default_group_id ?? -1, user.id],
  };
}

function restriction(row: { owner_id: number | null; group_id: number | null }): Restriction | null {
  if (row.owner_id !== null) return { type: 'User', id: row.owner_id };
  if (row.group_id !== null) return { type: 'Group', id: row.group_id, ids: [row.group_id] };
  return null;
}

export function viewJson(row: ViewRow, base: string): DeskView & Record<string, unknown> {
  const conditions = JSON.parse(row.conditions) as DeskView['conditions'];
  const execution = JSON.parse(row.execution) as NonNullable<DeskView['execution']>;
  return {
    url: `${base}/api/v2/views/${row.id}.json`,
    id: row.id,
    title: row.title,
    active: row.active === 1,
    position: row.position,
    description: row.description,
    restriction: restriction(row),
    conditions: { all: conditions.all ?? [], any: conditions.any ?? [] },
    execution: { group_by: null, sort_by: 'created_at', sort_order: 'asc', ...execution },
    default: false,
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
  };
}

export function macroJson(row: MacroRow, base: string): Macro & Record<string, unknown> {
  return {
    url: `${base}/api/v2/macros/${row.id}.json`,
    id: row.id,
    title: row.title,
    active: row.active === 1,
    position: row.position,
    description: row.description,
    restriction: restriction(row),
    actions: JSON.parse(row.actions) as MacroAction[],
    default: false,
    created_at: isoSeconds(row.created_at),
    updated_at: isoSeconds(row.updated_at),
  };
}

const ORDERED: Record<string, { column: string; values: readonly string[] }> = {
  status: { column: 'status_rank', values: TICKET_STATUSES },
  priority: { column: 'priority_rank', values: TICKET_PRIORITIES },
};
const TYPES = ['question', 'incident', 'problem', 'task'];
const HOURS: Record<string, string> = { NEW: 'created_at', updated_at: 'updated_at' };
export const VIEW_SORTS = ['created_at', 'updated_at', 'id'] as const;

/** A condition the desk cannot run, named so the seed's own test catches it. */
export class ConditionError extends Error {}

function text(value: RuleCondition['value']): string {
  return value === null || value === undefined ? '' : String(value).trim();
}

/** One condition as SQL over the tickets table, for `user` (current_user) at `now` (unix seconds). */
function conditionSql(c: RuleCondition, user: UserRow, now: number): { sql: string; params: unknown[] } {
  const value = text(c.value);
  const ordered = ORDERED[c.field];
  if (ordered) {
    if (value === '' && c.field === 'priority' && (c.operator === 'is' || c.operator === 'is_not')) {
      return { sql: c.operator === 'is' ? 'priority IS NULL' : 'priority IS NOT NULL', params: [] };
    }
    const rank = ordered.values.indexOf(value as never);
    if (rank < 0) throw new ConditionError(`${c.field} ${JSON.stringify(c.value)} is not one of ${ordered.values.join(', ')}`);
    const op = { is: '=', is_not: '<>', less_than: '<', greater_than: '>' }[c.operator];
    if (!op) throw new ConditionError(`${c.field} takes is, is_not, less_than or greater_than, not ${c.operator}`);
    // NULL priorities match no comparison but is_not, as "priority is not urgent" includes them.
    return { sql: op === '<>' ? `(${ordered.column} IS NULL OR ${ordered.column} <> ?)` : `${ordered.column} ${op} ?`, params: [rank] };
  }
  if (c.field === 'type') {
    if (value !== '' && !TYPES.includes(value)) throw new ConditionError(`type ${JSON.stringify(c.value)} is not one of ${TYPES.join(', ')}`);
    return equality('type', c.operator, value === '' ? null : value);
  }
  if (c.field === 'group_id' || c.field === 'assignee_id' || c.field === 'requester_id') {
    let id: number | null;
    if (value === 'current_user' && c.field !== 'group_id') id = user.id;
    else if (value === '' && c.field !== 'requester_id') id = null;
    else if (/^\d+$/.test(value)) id = Number(value);
    else throw new ConditionError(`${c.field} ${JSON.stringify(c.value)} is not an id${c.field === 'group_id' ? '' : ' or current_user'}`);
    return equality(c.field, c.operator, id);
  }
  if (c.field === 'current_tags') {
    const tags = value.split(/\s+/).map(normalizeTag).filter(Boolean);
    if (tags.length === 0) throw new ConditionError('current_tags needs at least one tag');
    const any = `(${tags.map(() => "tags LIKE ? ESCAPE '\\'").join(' OR ')})`;
    const params = tags.map((t) => `% ${t.replace(/[\\%_]/g, (ch) => `\\${ch}`)} %`);
    if (c.operator === 'includes') return { sql: any, params };
    if (c.operator === 'not_includes') return { sql: `NOT ${any}`, params };
    throw new ConditionError(`current_tags takes includes or not_includes, not ${c.operator}`);
  }
  const column = HOURS[c.field];
  if (column) {
    if (!/^\d+$/.test(value)) throw new ConditionError(`${c.field} takes a number of hours, not ${JSON.stringify(c.value)}`);
    const hours = Number(value);
    // "greater_than 72" hours since: the stamp is more than 72 hours before now.
    if (c.operator === 'greater_than') return { sql: `${column} < ?`, params: [now - hours * 3600] };
    if (c.operator === 'less_than') return { sql: `${column} > ?`, params: [now - hours * 3600] };
    if (c.operator === 'is') return { sql: `(${column} <= ? AND ${column} > ?)`, params: [now - hours * 3600, now - (hours + 1) * 3600] };
    throw new ConditionError(`${c.field} takes is, less_than or greater_than, not ${c.operator}`);
  }
  throw new ConditionError(`the desk has no view condition on ${JSON.stringify(c.field)}`);
}

function equality(column: string, operator: string, value: string | number | null): { sql: string; params: unknown[] } {
  if (operator === 'is') return value === null ? { sql: `${column} IS NULL`, params: [] } : { sql: `${column} = ?`, params: [value] };
  if (operator === 'is_not') return value === null ? { sql: `${column} IS NOT NULL`, params: [] } : { sql: `(${column} IS NULL OR ${column} <> ?)`, params: [value] };
  throw new ConditionError(`${column} takes is or is_not, not ${operator}`);
}

/** A view's conditions as one SQL condition: every `all`, and one of `any` when there are some. */
export function viewWhere(conditions: DeskView['conditions'], user: UserRow, now: number): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const c of conditions.all ?? []) {
    const one = conditionSql(c, user, now);
    parts.push(one.sql);
    params.push(...one.params);
  }
  const any = (conditions.any ?? []).map((c) => conditionSql(c, user, now));
  if (any.length > 0) {
    parts.push(`(${any.map((a) => a.sql).join(' OR ')})`);
    for (const a of any) params.push(...a.params);
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1', params };
}

/** Throws ConditionError when the desk could not run the view (checked as it is stored). */
export function checkView(conditions: DeskView['conditions'], execution: DeskView['execution']): void {
  if ((conditions.all ?? []).length === 0 && (conditions.any ?? []).length === 0) throw new ConditionError('a view needs at least one condition');
  const someone: UserRow = { id: 1, name: '', email: '', role: 'agent', organization_id: null, default_group_id: null, signature: null, time_zone: 'UTC', created_at: 0, updated_at: 0 };
  viewWhere(conditions, someone, 0);
  if (execution?.sort_by && !(VIEW_SORTS as readonly string[]).includes(execution.sort_by)) {
    throw new ConditionError(`a view sorts by ${VIEW_SORTS.join(', ')}, not ${execution.sort_by}`);
  }
}
