/**
 * Translates deskops' ticket search syntax (Zendesk's, as src/core/ticket-query.ts builds it and
 * the embedded desk speaks it) into Request Tracker's TicketSQL. Pure: the clock comes in.
 *
 * | deskops term                      | TicketSQL                                                        |
 * | --------------------------------- | ---------------------------------------------------------------- |
 * | type:ticket                       | (nothing: RT searches tickets)                                   |
 * | status:open  status<solved ...    | Status = 'open'; the set of statuses the comparison names, as RT |
 * |                                   | statuses (./mapping.ts); all unsolved = '__Active__', solved and |
 * |                                   | closed = '__Inactive__'                                          |
 * | priority:high  priority>normal    | Priority >= 100 AND Priority < 150 (ranges of ./mapping.ts)      |
 * | assignee:me / none / 7 / a@b / Al | Owner = '__CurrentUser__' / 'Nobody' / 7 / Owner.EmailAddress /  |
 * |                                   | Owner.RealName                                                   |
 * | requester:me / 7 / a@b / "Al B"   | Requestor = '__CurrentUser__' / Requestor.id / .EmailAddress /   |
 * |                                   | .RealName                                                        |
 * | submitter:me / 7                  | Creator = '__CurrentUser__' / Creator = 7                        |
 * | group:Billing / 3                 | Queue = 'Billing' / Queue = 3 (an RT queue is a deskops group)   |
 * | tags:vip  tags:none  tags:ref*    | 'CF.{Tags}' = 'vip' / IS NULL / LIKE 'ref' (the Tags custom      |
 * |                                   | field, see the adapter)                                          |
 * | created>7days  updated<2026-10-01 | Created >= 'now - 604800 seconds' ... (relative to RT's clock,   |
 * | solved:...  due:...               | so RT's per-user time zone cannot shift them); also LastUpdated, |
 * |                                   | Resolved, Due                                                    |
 * | subject:word  description:word    | Subject LIKE 'word' / Content LIKE 'word'                        |
 * | plain words, "phrases"            | (Subject LIKE 'w' OR Content LIKE 'w'); a number also matches id |
 * | order_by:updated sort:asc         | returned as sortBy / sortOrder                                   |
 *
 * A leading minus negates a term. Terms are ANDed, except several `field:value` terms on one
 * field, which are ORed (status:open status:pending), as Zendesk does. Anything else
 * (organization:, via:, ticket_type:, satisfaction:, an unknown field...) is a UsageError that
 * names the term: RT has no such thing to search.
 *
 * `Content LIKE` needs RT's full-text search enabled ($FullTextSearch); without it RT matches
 * no content, so plain words then find subjects only.
 */
import { UsageError } from '../../core/errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES, type TicketPriority, type TicketStatus } from '../types.js';
import { priorityRange, rtStatusesFor, PRIORITY_FLOOR, type RtStatus } from './mapping.js';

type Op = ':' | '<' | '>' | '<=' | '>=';

interface Term {
  negate: boolean;
  field: string | null;
  op: Op;
  value: string;
  /** The term as written, for messages. */
  text: string;
}

export interface TicketSqlContext {
  /** Now on RT's clock, ms since epoch. */
  now: number;
}

export interface TicketSql {
  /** The TicketSQL query. */
  query: string;
  /** The query names the Tags custom field (the adapter checks that RT has it). */
  usesTags: boolean;
  sortBy?: 'created_at' | 'updated_at' | 'priority' | 'status';
  sortOrder?: 'asc' | 'desc';
}

/** Every condition TicketSQL matches, for an empty query. */
export const ALL_TICKETS = 'id > 0';
/** A condition TicketSQL never matches. */
const NO_TICKETS = 'id = 0';

const KNOWN_FIELDS = [
  'type', 'status', 'priority', 'assignee', 'requester', 'submitter', 'group', 'tags', 'tag',
  'created', 'updated', 'solved', 'due', 'due_date', 'subject', 'description', 'comment', 'order_by', 'sort',
];

/** Fields Zendesk knows that RT has nothing for, with the reason. */
const UNSUPPORTED: Record<string, string> = {
  organization: 'Request Tracker has no organizations',
  via: 'Request Tracker records no channel (via) to search by',
  ticket_type: 'Request Tracker has no ticket types (problem, incident, question, task)',
  satisfaction: 'Request Tracker has no satisfaction ratings',
  brand: 'Request Tracker has no brands',
  form: 'Request Tracker has no ticket forms',
  has_attachment: 'Request Tracker search cannot filter by attachments',
  cc: 'deskops does not translate cc: for Request Tracker',
  commenter: 'deskops does not translate commenter: for Request Tracker',
  fieldvalue: 'deskops does not translate fieldvalue: for Request Tracker',
  custom_field: 'deskops does not translate custom_field_N: for Request Tracker',
  recipient: 'deskops does not translate recipient: for Request Tracker',
};

/** deskops (Zendesk) search syntax -> TicketSQL. Throws UsageError naming a term RT cannot search. */
export function toTicketSql(query: string, ctx: TicketSqlContext): TicketSql {
  const out: TicketSql = { query: ALL_TICKETS, usesTags: false };
  const anded: string[] = [];
  const ored = new Map<string, string[]>();
  for (const term of tokenize(query)) {
    if (term.field === 'order_by') {
      out.sortBy = sortField(term);
      continue;
    }
    if (term.field === 'sort') {
      const order = term.value.toLowerCase();
      if (order !== 'asc' && order !== 'desc') throw new UsageError(`sort must be asc or desc, not "${term.value}"`);
      out.sortOrder = order;
      continue;
    }
    if (term.field === 'type') {
      if (term.value.toLowerCase() !== 'ticket' || term.negate) {
        throw new UsageError(`Request Tracker search finds tickets only; remove "${term.text}" from the query`);
      }
      continue;
    }
    if (term.field === 'tags' || term.field === 'tag') out.usesTags = true;
    const condition = term.field === null ? wordCondition(term) : fieldCondition(term, ctx);
    if (!term.negate && term.field !== null && term.op === ':') {
      const key = term.field === 'tag' ? 'tags' : term.field;
      const list = ored.get(key) ?? [];
      if (!list.includes(condition)) ored.set(key, [...list, condition]);
    } else if (!anded.includes(condition)) {
      anded.push(condition);
    }
  }
  for (const list of ored.values()) anded.push(list.length === 1 ? list[0]! : `(${list.join(' OR ')})`);
  if (anded.length > 0) out.query = anded.join(' AND ');
  return out;
}

/** Splits on whitespace outside double quotes; `-` negates; `field<op>value` or a word. */
export function tokenize(query: string): Term[] {
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
  return raw.map((text) => {
    let negate = false;
    let body = text;
    if (body.startsWith('-') && body.length > 1) {
      negate = true;
      body = body.slice(1);
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(<=|>=|:|<|>)(.*)$/s.exec(body);
    if (m && !body.startsWith('"')) {
      return { negate, field: m[1]!.toLowerCase(), op: m[2] as Op, value: unquote(m[3]!), text };
    }
    return { negate, field: null, op: ':' as Op, value: unquote(body), text };
  });
}

function unquote(s: string): string {
  return s.replace(/^"(.*)"$/s, '$1').replace(/"/g, '');
}

/** A TicketSQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function sortField(term: Term): TicketSql['sortBy'] {
  const map: Record<string, TicketSql['sortBy']> = {
    created: 'created_at',
    created_at: 'created_at',
    updated: 'updated_at',
    updated_at: 'updated_at',
    priority: 'priority',
    status: 'status',
  };
  const field = map[term.value.toLowerCase()];
  if (!field) throw new UsageError(`cannot order Request Tracker tickets by "${term.value}" (created, updated, priority, status)`);
  return field;
}

function wordCondition(term: Term): string {
  const word = term.value.replace(/\*/g, '').trim();
  if (word === '') return ALL_TICKETS;
  const value = sqlString(word);
  // Without full-text search RT matches no Content, and `Content NOT LIKE` would then match
  // nothing at all: a negated word excludes by subject only.
  if (term.negate) return `Subject NOT LIKE ${value}`;
  const id = /^\d+$/.test(word) && Number.isSafeInteger(Number(word)) ? `id = ${word} OR ` : '';
  return `(${id}Subject LIKE ${value} OR Content LIKE ${value})`;
}

function fieldCondition(term: Term, ctx: TicketSqlContext): string {
  const field = term.field!;
  const value = term.value.trim();
  switch (field) {
    case 'status':
      return statusCondition(term, value);
    case 'priority':
      return priorityCondition(term, value);
    case 'assignee':
      onlyEquals(term);
      return personCondition(term, value, 'Owner');
    case 'requester':
      onlyEquals(term);
      return personCondition(term, value, 'Requestor');
    case 'submitter':
      onlyEquals(term);
      return personCondition(term, value, 'Creator');
    case 'group': {
      onlyEquals(term);
      if (value.toLowerCase() === 'none') throw new UsageError(`every Request Tracker ticket is in a queue, so "${term.text}" cannot match; remove it`);
      const op = term.negate ? '!=' : '=';
      return /^\d+$/.test(value) ? `Queue ${op} ${value}` : `Queue ${op} ${sqlString(value)}`;
    }
    case 'tags':
    case 'tag': {
      onlyEquals(term);
      if (value === '') throw new UsageError(`"${term.text}" needs a tag`);
      if (value.toLowerCase() === 'none') return `'CF.{Tags}' ${term.negate ? 'IS NOT NULL' : 'IS NULL'}`;
      if (value.endsWith('*')) return `'CF.{Tags}' ${term.negate ? 'NOT LIKE' : 'LIKE'} ${sqlString(value.replace(/\*+$/, ''))}`;
      return `'CF.{Tags}' ${term.negate ? '!=' : '='} ${sqlString(value)}`;
    }
    case 'created':
      return timeCondition(term, value, 'Created', ctx, false);
    case 'updated':
      return timeCondition(term, value, 'LastUpdated', ctx, false);
    case 'solved':
      return timeCondition(term, value, 'Resolved', ctx, true);
    case 'due':
    case 'due_date':
      return timeCondition(term, value, 'Due', ctx, true);
    case 'subject': {
      onlyEquals(term);
      const text = value.replace(/\*/g, '');
      if (text === '') return ALL_TICKETS;
      return `Subject ${term.negate ? 'NOT LIKE' : 'LIKE'} ${sqlString(text)}`;
    }
    case 'description':
    case 'comment': {
      onlyEquals(term);
      const text = value.replace(/\*/g, '');
      if (text === '') return ALL_TICKETS;
      if (term.negate) throw new UsageError(`"${term.text}": Request Tracker cannot exclude tickets by their text; search for what they contain instead`);
      return `Content LIKE ${sqlString(text)}`;
    }
    default: {
      const reason = UNSUPPORTED[field] ?? (field.startsWith('custom_field') ? UNSUPPORTED.custom_field : undefined);
      if (reason) throw new UsageError(`${reason}: cannot search "${term.text}"`);
      throw new UsageError(`deskops cannot search Request Tracker by "${term.text}": unknown field "${field}"`, {
        hint: `fields deskops translates for Request Tracker: ${KNOWN_FIELDS.join(', ')}`,
      });
    }
  }
}

function onlyEquals(term: Term): void {
  if (term.op !== ':') throw new UsageError(`"${term.text}": ${term.field} only supports ":" (as in ${term.field}:value)`);
}

const RANK_TEST: Record<Exclude<Op, ':'>, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function statusCondition(term: Term, value: string): string {
  const wanted = value.toLowerCase() as TicketStatus;
  const rank = TICKET_STATUSES.indexOf(wanted);
  if (rank < 0) throw new UsageError(`"${term.text}": unknown status "${value}" (${TICKET_STATUSES.join(', ')})`);
  let statuses = term.op === ':' ? [wanted] : TICKET_STATUSES.filter((_s, i) => RANK_TEST[term.op as Exclude<Op, ':'>](i, rank));
  if (term.negate) statuses = TICKET_STATUSES.filter((s) => !statuses.includes(s));
  return statusSet(statuses);
}

const UNSOLVED: readonly TicketStatus[] = ['new', 'open', 'pending', 'hold'];
const FINISHED: readonly TicketStatus[] = ['solved', 'closed'];

function statusSet(statuses: readonly TicketStatus[]): string {
  const same = (a: readonly TicketStatus[]) => a.length === statuses.length && a.every((s) => statuses.includes(s));
  if (statuses.length === 0) return NO_TICKETS;
  if (statuses.length === TICKET_STATUSES.length) return ALL_TICKETS;
  // RT's own names for its lifecycle's active and inactive statuses (custom ones included).
  if (same(UNSOLVED)) return "Status = '__Active__'";
  if (same(FINISHED)) return "Status = '__Inactive__'";
  const rt: RtStatus[] = [];
  for (const s of statuses) for (const r of rtStatusesFor(s)) if (!rt.includes(r)) rt.push(r);
  const parts = rt.map((s) => `Status = ${sqlString(s)}`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`;
}

function priorityCondition(term: Term, value: string): string {
  const p = value.toLowerCase();
  if (p === 'none') throw new UsageError(`every Request Tracker ticket has a priority (a number), so "${term.text}" cannot match; remove it`);
  if (!(TICKET_PRIORITIES as readonly string[]).includes(p)) {
    throw new UsageError(`"${term.text}": unknown priority "${value}" (${TICKET_PRIORITIES.join(', ')})`);
  }
  const priority = p as TicketPriority;
  const { from, to } = priorityRange(priority);
  // Each comparison as a range of RT numbers [lo, hi); null is unbounded.
  let lo: number | null;
  let hi: number | null;
  switch (term.op) {
    case ':':
      [lo, hi] = [from, to];
      break;
    case '<':
      [lo, hi] = [null, from];
      break;
    case '<=':
      [lo, hi] = [null, to];
      break;
    case '>':
      [lo, hi] = [to, null];
      break;
    case '>=':
      [lo, hi] = [from, null];
      break;
  }
  // priority<low and priority>urgent name no priority at all.
  if ((term.op === '<' && priority === 'low') || (term.op === '>' && priority === 'urgent')) return term.negate ? ALL_TICKETS : NO_TICKETS;
  if (term.negate) {
    const outside = [lo !== null ? `Priority < ${lo}` : null, hi !== null ? `Priority >= ${hi}` : null].filter((x): x is string => x !== null);
    if (outside.length === 0) return NO_TICKETS;
    return outside.length === 1 ? outside[0]! : `(${outside.join(' OR ')})`;
  }
  const inside = [lo !== null && lo > PRIORITY_FLOOR.low ? `Priority >= ${lo}` : null, hi !== null ? `Priority < ${hi}` : null].filter(
    (x): x is string => x !== null,
  );
  if (inside.length === 0) return ALL_TICKETS;
  return inside.length === 1 ? inside[0]! : `(${inside.join(' AND ')})`;
}

function personCondition(term: Term, value: string, role: 'Owner' | 'Requestor' | 'Creator'): string {
  const op = term.negate ? '!=' : '=';
  const lower = value.toLowerCase();
  if (value === '') throw new UsageError(`"${term.text}" needs a value: me, an id, an email or a name`);
  if (lower === 'me') return `${role} ${op} '__CurrentUser__'`;
  if (lower === 'none') {
    if (role === 'Owner') return `Owner ${op} 'Nobody'`;
    throw new UsageError(`every Request Tracker ticket has a ${role === 'Creator' ? 'creator' : 'requester'}, so "${term.text}" cannot match; remove it`);
  }
  if (/^\d+$/.test(value)) return role === 'Requestor' ? `Requestor.id ${op} ${value}` : `${role} ${op} ${value}`;
  if (role === 'Creator') {
    throw new UsageError(`"${term.text}": deskops searches Request Tracker by submitter with me or a user id only`);
  }
  if (value.includes('@')) return `${role}.EmailAddress ${op} ${sqlString(value)}`;
  return `${role}.RealName ${op} ${sqlString(value)}`;
}

const UNIT_S: Record<string, number> = {
  minute: 60,
  hour: 3_600,
  day: 86_400,
  week: 7 * 86_400,
  month: 30 * 86_400,
  year: 365 * 86_400,
};

/**
 * A time value as an instant window `[start, end)` in unix seconds: a relative age ("7days":
 * that instant), a UTC day ("2026-10-01": the whole day) or an ISO instant.
 */
export function parseTime(value: string, nowS: number): { start: number; end: number; relative: boolean } | undefined {
  const rel = /^(\d+)\s*(minute|hour|day|week|month|year)s?$/i.exec(value);
  if (rel) {
    const t = nowS - Number(rel[1]) * UNIT_S[rel[2]!.toLowerCase()]!;
    return { start: t, end: t + 1, relative: true };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00Z`) / 1000;
    return Number.isNaN(start) ? undefined : { start, end: start + 86_400, relative: false };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : { start: Math.floor(t / 1000), end: Math.floor(t / 1000) + 1, relative: false };
  }
  return undefined;
}

/**
 * An instant as RT reads it whatever the agent's time zone: relative to RT's now. (RT reads
 * an absolute date in TicketSQL in the agent's own time zone, even one written with "Z".)
 */
export function rtInstant(unixS: number, nowS: number): string {
  const delta = Math.round(nowS - unixS);
  return delta >= 0 ? `'now - ${delta} seconds'` : `'now + ${-delta} seconds'`;
}

function timeCondition(term: Term, value: string, column: string, ctx: TicketSqlContext, mayBeUnset: boolean): string {
  const nowS = Math.floor(ctx.now / 1000);
  const t = parseTime(value, nowS);
  if (!t) {
    throw new UsageError(`"${term.text}": "${value}" is not a date (2026-10-01, 2026-10-01T12:00:00Z, or relative like 7days, 24hours)`);
  }
  const at = (s: number) => rtInstant(s, nowS);
  // [from, to) of the comparison; null is unbounded.
  let from: number | null;
  let to: number | null;
  switch (term.op) {
    case ':':
      [from, to] = t.relative ? [t.start, null] : [t.start, t.end];
      break;
    case '>':
      [from, to] = [t.end, null];
      break;
    case '>=':
      [from, to] = [t.start, null];
      break;
    case '<':
      [from, to] = [null, t.start];
      break;
    case '<=':
      [from, to] = [null, t.end];
      break;
  }
  // RT stores "not set" (never resolved, no due date) as 1970: such tickets match no time.
  const isSet = mayBeUnset ? `${column} IS NOT NULL` : null;
  let parts: string[];
  if (term.negate) {
    const outside = [from !== null ? `${column} < ${at(from)}` : null, to !== null ? `${column} >= ${at(to)}` : null].filter((x): x is string => x !== null);
    parts = [outside.length === 1 ? outside[0]! : `(${outside.join(' OR ')})`];
  } else {
    parts = [from !== null ? `${column} >= ${at(from)}` : null, to !== null ? `${column} < ${at(to)}` : null].filter((x): x is string => x !== null);
  }
  if (isSet) parts.unshift(isSet);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}
