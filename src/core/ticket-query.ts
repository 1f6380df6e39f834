/**
 * Builds a Zendesk search query from `ticket list` filters. Pure: the same query string works
 * against Zendesk and the embedded desk, and the triage screen's `/` filter reuses it.
 */
import { UsageError } from './errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './model.js';

export const STATUS_FILTERS = [...TICKET_STATUSES, 'unsolved', 'any'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface TicketFilters {
  status?: string;
  priority?: string;
  /** `me`, `none`, an agent id or an email. */
  assignee?: string;
  /** Group name or id. */
  group?: string;
  tags?: string[];
  /** Extra query in the desk's search syntax, appended as is. */
  query?: string;
}

function quote(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
}

export function buildTicketQuery(filters: TicketFilters): string {
  const parts = ['type:ticket'];
  const status = (filters.status ?? 'unsolved').toLowerCase();
  if (!(STATUS_FILTERS as readonly string[]).includes(status)) {
    throw new UsageError(`unknown status "${filters.status}"; use one of ${STATUS_FILTERS.join(', ')}`);
  }
  if (status === 'unsolved') parts.push('status<solved');
  else if (status !== 'any') parts.push(`status:${status}`);
  if (filters.priority !== undefined) {
    const p = filters.priority.toLowerCase();
    if (!(TICKET_PRIORITIES as readonly string[]).includes(p)) {
      throw new UsageError(`unknown priority "${filters.priority}"; use one of ${TICKET_PRIORITIES.join(', ')}`);
    }
    parts.push(`priority:${p}`);
  }
  if (filters.assignee !== undefined) {
    if (filters.assignee.trim() === '') throw new UsageError('--assignee needs a value: me, none, an id or an email');
    parts.push(`assignee:${quote(filters.assignee.trim())}`);
  }
  if (filters.group !== undefined) {
    if (filters.group.trim() === '') throw new UsageError('--group needs a name or id');
    parts.push(`group:${quote(filters.group.trim())}`);
  }
  for (const tag of filters.tags ?? []) {
    if (!/^[^\s,]+$/.test(tag)) throw new UsageError(`invalid tag "${tag}": tags have no spaces or commas`);
    parts.push(`tags:${tag}`);
  }
  if (filters.query && filters.query.trim() !== '') parts.push(filters.query.trim());
  return parts.join(' ');
}

/** Parses a positive integer flag value, or throws a one-line UsageError naming the flag. */
export function parsePositiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  const n = Number(value);
  if (n < 1 || n > max) throw new UsageError(`${flag} must be between 1 and ${max}, got ${value}`);
  return n;
}

/** Parses a ticket id argument. */
export function parseTicketId(value: string): number {
  const v = value.trim().replace(/^#/, '');
  if (!/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) {
    throw new UsageError(`"${value}" is not a ticket id (a positive whole number)`);
  }
  return Number(v);
}
