/**
 * The ticket search query language: the common subset of Zendesk's syntax, parsed into SQL.
 *
 *   type:ticket                       the only type the local desk searches
 *   status:open  status<solved  status>=pending     new < open < pending < hold < solved < closed
 *   priority:high  priority>normal  priority:none    low < normal < high < urgent
 *   ticket_type:incident              problem, incident, question, task
 *   tags:refund  tag:vip  tags:none  tags:ref*
 *   assignee:me|none|<id>|<email>|"<name>"   also requester:, submitter:
 *   group:<name|id|none>  organization:<name|id|none>
 *   via:email                         email, chat, phone, web, api
 *   created>2026-10-01  created<2026-10-01T12:00:00Z  created:2026-10-01   also updated, solved
 *   created>7days  updated<24hours    relative: minutes, hours, days, weeks, months, years ago
 *   subject:word  description:word
 *   order_by:updated sort:asc         same as the sort_by / sort_order parameters
 *   plain words and "quoted phrases"  match the subject or description (word prefixes, all
 *                                     must match); a bare number also matches the ticket id
 *
 * A leading minus negates any term (-tags:spam, -status:closed, -refund). Terms are ANDed,
 * except several `field:value` terms on the same field, which are ORed as in Zendesk
 * (status:open status:pending). An unknown field is a 400 with the list of known ones.
 */
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../core/model.js';
import { DeskHttpError } from './http-errors.js';
import { normalizeTag, normalizeWords } from './records.js';
import { DAY_S, HOUR_S, MINUTE_S, parseIsoSeconds } from './time.js';

type Op = ':' | '<' | '>' | '<=' | '>=';

export interface SearchTerm {
  negate: boolean;
  field: string | null;
  op: Op;
  value: string;
}

export interface CompiledSearch {
  where: string[];
  params: unknown[];
  sortBy?: string;
  sortOrder?: 'asc' | 'desc';
}

export interface SearchContext {
  meId: number;
  /** Unix seconds. */
  now: number;
}

export const SEARCH_FIELDS = [
  'type', 'status', 'priority', 'ticket_type', 'tags', 'tag', 'assignee', 'requester', 'submitter', 'group',
  'organization', 'via', 'created', 'updated', 'solved', 'subject', 'description', 'order_by', 'sort',
] as const;

export function searchError(description: string, status = 400): DeskHttpError {
  return new DeskHttpError(status, { error: 'invalid', description: `Invalid search: ${description}` });
}

/** Splits on spaces outside double quotes; quotes are removed from values. */
export function tokenize(query: string): SearchTerm[] {
  const raw: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of query) {
    if (ch === '"') quoted = !quoted;
    if (!quoted && /\s/.test(ch)) {
      if (current) raw.push(current);
      current = '';
    } else current += ch;
  }
  if (current) raw.push(current);

  return raw.map((token) => {
    let negate = false;
    let text = token;
    if (text.startsWith('-') && text.length > 1) {
      negate = true;
      text = text.slice(1);
    }
    const m = /^([A-Za-z_]+)(<=|>=|:|<|>)(.*)$/s.exec(text);
    if (m && !text.startsWith('"')) {
      return { negate, field: m[1]!.toLowerCase(), op: m[2] as Op, value: unquote(m[3]!) };
    }
    return { negate, field: null, op: ':' as Op, value: unquote(text) };
  });
}

const unquote = (s: string) => s.replace(/^"(.*)"$/s, '$1').replace(/"/g, '');

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

interface Condition {
  sql: string;
  params: unknown[];
}

const RANGE_SQL: Record<Exclude<Op, ':'>, string> = { '<': '<', '>': '>', '<=': '<=', '>=': '>=' };

export function compileSearch(query: string, ctx: SearchContext): CompiledSearch {
  const terms = tokenize(query);
  const out: CompiledSearch = { where: [], params: [] };
  // Positive `field:value` terms of one field are ORed; everything else is ANDed.
  const ored = new Map<string, Condition[]>();

  for (const term of terms) {
    if (term.field === 'order_by') {
      out.sortBy = sortColumnName(term.value);
      continue;
    }
    if (term.field === 'sort') {
      if (term.value !== 'asc' && term.value !== 'desc') throw searchError(`sort must be asc or desc, got ${JSON.stringify(term.value)}`);
      out.sortOrder = term.value;
      continue;
    }
    if (term.field === 'type') {
      if (term.value.toLowerCase() !== 'ticket' || term.negate) {
        throw searchError(`the local desk searches tickets only (type:ticket), got type:${term.value}`);
      }
      continue;
    }
    const condition = term.field === null ? wordCondition(term.value) : fieldCondition(term, ctx);
    if (condition === null) continue;
    if (term.negate) {
      out.where.push(`NOT coalesce((${condition.sql}), 0)`);
      out.params.push(...condition.params);
    } else if (term.field !== null && term.op === ':') {
      const list = ored.get(term.field) ?? [];
      list.push(condition);
      ored.set(term.field, list);
    } else {
      out.where.push(condition.sql);
      out.params.push(...condition.params);
    }
  }
  for (const list of ored.values()) {
    out.where.push(list.length === 1 ? list[0]!.sql : `(${list.map((c) => `(${c.sql})`).join(' OR ')})`);
    for (const c of list) out.params.push(...c.params);
  }
  return out;
}

function sortColumnName(value: string): string {
  const map: Record<string, string> = {
    created: 'created_at',
    created_at: 'created_at',
    updated: 'updated_at',
    updated_at: 'updated_at',
    priority: 'priority',
    status: 'status',
    ticket_type: 'ticket_type',
  };
  const column = map[value.toLowerCase()];
  if (!column) throw searchError(`cannot order by ${JSON.stringify(value)} (created, updated, priority, status, ticket_type)`);
  return column;
}

function wordCondition(value: string): Condition | null {
  const words = normalizeWords(value.replace(/\*/g, ''));
  if (!words) return null;
  const like: Condition = { sql: "search_text LIKE ? ESCAPE '\\'", params: [`% ${likeEscape(words)}%`] };
  if (/^\d+$/.test(value)) return { sql: `(id = ? OR ${like.sql})`, params: [Number(value), ...like.params] };
  return like;
}

function fieldCondition(term: SearchTerm, ctx: SearchContext): Condition | null {
  const { field, op, value } = term;
  const v = value.trim();
  switch (field) {
    case 'status':
      return rankCondition('status', 'status_rank', TICKET_STATUSES, op, v);
    case 'priority':
      if (v.toLowerCase() === 'none' && op === ':') return { sql: 'priority IS NULL', params: [] };
      return rankCondition('priority', 'priority_rank', TICKET_PRIORITIES, op, v);
    case 'ticket_type':
      onlyEquals(field, op);
      if (v === 'none') return { sql: 'type IS NULL', params: [] };
      if (!['problem', 'incident', 'question', 'task'].includes(v.toLowerCase())) {
        throw searchError(`unknown ticket_type ${JSON.stringify(v)} (problem, incident, question, task)`);
      }
      return { sql: 'type = ?', params: [v.toLowerCase()] };
    case 'tags':
    case 'tag': {
      onlyEquals(field, op);
      if (v.toLowerCase() === 'none') return { sql: "trim(tags) = ''", params: [] };
      const tag = normalizeTag(v);
      if (tag.endsWith('*')) return { sql: "tags LIKE ? ESCAPE '\\'", params: [`% ${likeEscape(tag.slice(0, -1))}%`] };
      return { sql: "tags LIKE ? ESCAPE '\\'", params: [`% ${likeEscape(tag)} %`] };
    }
    case 'assignee':
    case 'requester':
    case 'submitter':
      onlyEquals(field, op);
      return personCondition(`${field}_id`, v, ctx);
    case 'group':
      onlyEquals(field, op);
      return namedCondition('group_id', 'groups', v);
    case 'organization':
      onlyEquals(field, op);
      return namedCondition('organization_id', 'organizations', v);
    case 'via':
      onlyEquals(field, op);
      return { sql: 'channel = ?', params: [v.toLowerCase()] };
    case 'created':
      return timeCondition('created_at', op, v, ctx);
    case 'updated':
      return timeCondition('updated_at', op, v, ctx);
    case 'solved':
      return timeCondition('solved_at', op, v, ctx);
    case 'subject':
    case 'description': {
      onlyEquals(field, op);
      const text = v.toLowerCase().replace(/\*/g, '');
      return text ? { sql: `lower(${field}) LIKE ? ESCAPE '\\'`, params: [`%${likeEscape(text)}%`] } : null;
    }
    default:
      throw searchError(`unknown field ${JSON.stringify(field)}; the local desk knows ${SEARCH_FIELDS.join(', ')}`);
  }
}

function onlyEquals(field: string | null, op: Op): void {
  if (op !== ':') throw searchError(`${field} only supports ":" (as in ${field}:value), not "${op}"`);
}

function rankCondition(field: string, rankColumn: string, order: readonly string[], op: Op, value: string): Condition {
  const v = value.toLowerCase();
  const rank = order.indexOf(v as TicketStatus & TicketPriority);
  if (rank < 0) throw searchError(`unknown ${field} ${JSON.stringify(value)} (${order.join(', ')})`);
  if (op === ':') return { sql: `${field} = ?`, params: [v] };
  return { sql: `${rankColumn} ${RANGE_SQL[op]} ?`, params: [rank] };
}

function personCondition(column: string, v: string, ctx: SearchContext): Condition {
  const lower = v.toLowerCase();
  if (lower === 'me') return { sql: `${column} = ?`, params: [ctx.meId] };
  if (lower === 'none') return { sql: `${column} IS NULL`, params: [] };
  if (/^\d+$/.test(v)) return { sql: `${column} = ?`, params: [Number(v)] };
  return { sql: `${column} IN (SELECT id FROM users WHERE email = ? OR lower(name) = ?)`, params: [lower, lower] };
}

function namedCondition(column: string, table: string, v: string): Condition {
  if (v.toLowerCase() === 'none') return { sql: `${column} IS NULL`, params: [] };
  if (/^\d+$/.test(v)) return { sql: `${column} = ?`, params: [Number(v)] };
  return { sql: `${column} IN (SELECT id FROM ${table} WHERE lower(name) = ?)`, params: [v.toLowerCase()] };
}

const UNIT_S: Record<string, number> = {
  minute: MINUTE_S, hour: HOUR_S, day: DAY_S, week: 7 * DAY_S, month: 30 * DAY_S, year: 365 * DAY_S,
};

/** A day ("2026-10-01", a whole UTC day), an instant (ISO date-time) or a relative age ("7days"). */
export function parseSearchTime(value: string, now: number): { start: number; end: number; relative: boolean } | undefined {
  const rel = /^(\d+)\s*(minute|hour|day|week|month|year)s?$/i.exec(value);
  if (rel) {
    const t = now - Number(rel[1]) * UNIT_S[rel[2]!.toLowerCase()]!;
    return { start: t, end: t + 1, relative: true };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = parseIsoSeconds(`${value}T00:00:00Z`);
    return start === undefined ? undefined : { start, end: start + DAY_S, relative: false };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = parseIsoSeconds(value);
    return t === undefined ? undefined : { start: t, end: t + 1, relative: false };
  }
  return undefined;
}

function timeCondition(column: string, op: Op, value: string, ctx: SearchContext): Condition {
  const t = parseSearchTime(value, ctx.now);
  if (!t) throw searchError(`${JSON.stringify(value)} is not a date (2026-10-01, 2026-10-01T12:00:00Z, or relative like 7days, 24hours)`);
  switch (op) {
    case ':':
      return t.relative ? { sql: `${column} >= ?`, params: [t.start] } : { sql: `${column} >= ? AND ${column} < ?`, params: [t.start, t.end] };
    case '>':
      return { sql: `${column} >= ?`, params: [t.end] };
    case '>=':
      return { sql: `${column} >= ?`, params: [t.start] };
    case '<':
      return { sql: `${column} < ?`, params: [t.start] };
    case '<=':
      return { sql: `${column} < ?`, params: [t.end] };
  }
}
