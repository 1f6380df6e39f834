/**
 * A desk view's conditions (Zendesk's `{all: [...], any: [...]}` of field, operator, value)
 * evaluated over tickets held locally, so a view can be read from the replica instead of the
 * desk's /views/{id}/tickets. The conditions understood are those the embedded desk runs
 * (src/desk/views.ts), with the same meaning:
 *
 *   status, priority        is, is_not, less_than, greater_than (in Zendesk's order;
 *                           a ticket without priority matches only is_not, or is "")
 *   type                    is, is_not ("" for none)
 *   group_id, assignee_id   is, is_not: an id, "" for none; assignee_id also "current_user"
 *   requester_id            is, is_not: an id, or "current_user"
 *   current_tags            includes (any of the space-separated tags), not_includes (none)
 *   NEW, updated_at         hours since created / updated: is, less_than, greater_than
 *
 * Anything else (another field, operator or value) is not guessed at: compileViewConditions
 * names it, and the caller reads the view from the desk.
 */
import type { DeskView, RuleCondition, Ticket } from './model.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './model.js';

/** Who reads the view (current_user) and when (the hours conditions). */
export interface ViewReader {
  userId: number;
  now: Date;
}

export type TicketInView = (ticket: Ticket, reader: ViewReader) => boolean;

export type CompiledView =
  | { ok: true; matches: TicketInView; usesCurrentUser: boolean }
  /** `unknown`: each condition not understood, as `field operator value` with why. */
  | { ok: false; unknown: string[] };

type Test = (t: Ticket, r: ViewReader) => boolean;

const ORDERED: Record<string, readonly string[]> = { status: TICKET_STATUSES, priority: TICKET_PRIORITIES };
const TYPES = ['question', 'incident', 'problem', 'task'];
const HOURS: Record<string, 'created_at' | 'updated_at'> = { NEW: 'created_at', updated_at: 'updated_at' };

class Unknown extends Error {}

function text(value: RuleCondition['value']): string {
  return value === null || value === undefined ? '' : String(value).trim();
}

function nowSeconds(r: ViewReader): number {
  return Math.floor(r.now.getTime() / 1000);
}

function stampSeconds(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

function equality<V>(operator: string, get: (t: Ticket, r: ViewReader) => V | null, want: (r: ViewReader) => V | null): Test {
  if (operator === 'is') return (t, r) => (get(t, r) ?? null) === want(r);
  if (operator === 'is_not') return (t, r) => (get(t, r) ?? null) !== want(r);
  throw new Unknown(`takes is or is_not here, not ${operator}`);
}

function compileOne(c: RuleCondition, uses: { currentUser: boolean }): Test {
  const value = text(c.value);
  const order = ORDERED[c.field];
  if (order) {
    const field = c.field as 'status' | 'priority';
    if (value === '' && field === 'priority' && (c.operator === 'is' || c.operator === 'is_not')) {
      return c.operator === 'is' ? (t) => !t.priority : (t) => !!t.priority;
    }
    const want = order.indexOf(value);
    if (want < 0) throw new Unknown(`is not one of ${order.join(', ')}`);
    const rank = (t: Ticket): number => {
      const v = t[field];
      return v ? order.indexOf(v) : -1;
    };
    switch (c.operator) {
      case 'is':
        return (t) => rank(t) === want;
      case 'is_not':
        return (t) => rank(t) !== want; // "priority is not urgent" includes tickets without one
      case 'less_than':
        return (t) => rank(t) >= 0 && rank(t) < want;
      case 'greater_than':
        return (t) => rank(t) >= 0 && rank(t) > want;
      default:
        throw new Unknown(`takes is, is_not, less_than or greater_than, not ${c.operator}`);
    }
  }
  if (c.field === 'type') {
    if (value !== '' && !TYPES.includes(value)) throw new Unknown(`is not one of ${TYPES.join(', ')}`);
    return equality(c.operator, (t) => t.type ?? null, () => (value === '' ? null : value));
  }
  if (c.field === 'group_id' || c.field === 'assignee_id' || c.field === 'requester_id') {
    const field = c.field;
    let want: (r: ViewReader) => number | null;
    if (value === 'current_user' && field !== 'group_id') {
      uses.currentUser = true;
      want = (r) => r.userId;
    } else if (value === '' && field !== 'requester_id') want = () => null;
    else if (/^\d+$/.test(value)) want = () => Number(value);
    else throw new Unknown(`is not an id${field === 'group_id' ? '' : ' or current_user'}`);
    return equality(c.operator, (t) => t[field] ?? null, want);
  }
  if (c.field === 'current_tags') {
    const wanted = value.split(/\s+/).map((x) => x.toLowerCase()).filter(Boolean);
    if (wanted.length === 0) throw new Unknown('needs at least one tag');
    const any = (t: Ticket) => {
      const tags = new Set((t.tags ?? []).map((x) => x.toLowerCase()));
      return wanted.some((w) => tags.has(w));
    };
    if (c.operator === 'includes') return any;
    if (c.operator === 'not_includes') return (t) => !any(t);
    throw new Unknown(`takes includes or not_includes, not ${c.operator}`);
  }
  const column = HOURS[c.field];
  if (column) {
    if (!/^\d+$/.test(value)) throw new Unknown('is not a number of hours');
    const hours = Number(value);
    const stamp = (t: Ticket) => stampSeconds(t[column]);
    // "greater_than 72" hours since: the stamp is more than 72 hours before now.
    switch (c.operator) {
      case 'greater_than':
        return (t, r) => {
          const s = stamp(t);
          return s !== null && s < nowSeconds(r) - hours * 3600;
        };
      case 'less_than':
        return (t, r) => {
          const s = stamp(t);
          return s !== null && s > nowSeconds(r) - hours * 3600;
        };
      case 'is':
        return (t, r) => {
          const s = stamp(t);
          return s !== null && s <= nowSeconds(r) - hours * 3600 && s > nowSeconds(r) - (hours + 1) * 3600;
        };
      default:
        throw new Unknown(`takes is, less_than or greater_than, not ${c.operator}`);
    }
  }
  throw new Unknown('is a field deskops does not evaluate');
}

function describe(c: RuleCondition): string {
  return `${c.field} ${c.operator} ${JSON.stringify(c.value)}`;
}

/**
 * The view's conditions as one test over a ticket: every `all`, and one of `any` when there
 * are some. A view with no conditions, or with one not understood, is not compiled.
 */
export function compileViewConditions(conditions: DeskView['conditions'] | undefined): CompiledView {
  const all = conditions?.all ?? [];
  const any = conditions?.any ?? [];
  if (!Array.isArray(all) || !Array.isArray(any)) return { ok: false, unknown: ['conditions that are not lists'] };
  if (all.length === 0 && any.length === 0) return { ok: false, unknown: ['no conditions'] };
  const uses = { currentUser: false };
  const unknown: string[] = [];
  const compile = (list: RuleCondition[]): Test[] =>
    list.flatMap((c) => {
      try {
        if (!c || typeof c.field !== 'string' || typeof c.operator !== 'string') throw new Unknown('is not a condition');
        return [compileOne(c, uses)];
      } catch (err) {
        if (!(err instanceof Unknown)) throw err;
        unknown.push(`${c && typeof c === 'object' ? describe(c) : JSON.stringify(c)} (${err.message})`);
        return [];
      }
    });
  const allTests = compile(all);
  const anyTests = compile(any);
  if (unknown.length > 0) return { ok: false, unknown };
  return {
    ok: true,
    usesCurrentUser: uses.currentUser,
    matches: (t, r) => allTests.every((f) => f(t, r)) && (anyTests.length === 0 || anyTests.some((f) => f(t, r))),
  };
}
