/**
 * Pure pieces of triage shared by the screen and the services: priority steps, the optimistic
 * local copy of an update, escalation notes, tag input.
 */
import { UsageError } from './errors.js';
import { TICKET_PRIORITIES, TICKET_STATUSES } from './model.js';
import type { Ticket, TicketPriority, TicketStatus, TicketUpdate } from './model.js';
import type { UrgencyReason } from './urgency.js';

/** The group an escalation moves tickets to, unless config `triage.escalation_group` names another. */
export const DEFAULT_ESCALATION_GROUP = 'escalations';
export const ESCALATION_GROUP_SETTING = 'triage.escalation_group';
export const REFRESH_SECONDS_SETTING = 'triage.refresh_seconds';
export const DEFAULT_REFRESH_SECONDS = 60;
/** Statuses an agent may set from triage (closed is the desk's to set). */
export const TRIAGE_STATUSES: readonly TicketStatus[] = TICKET_STATUSES.filter((s) => s !== 'closed');

/** One step up: low → normal → high → urgent (urgent stays); no priority becomes high. */
export function raisePriority(priority: TicketPriority | null): TicketPriority {
  if (priority === null) return 'high';
  const i = TICKET_PRIORITIES.indexOf(priority);
  return TICKET_PRIORITIES[Math.min(TICKET_PRIORITIES.length - 1, i + 1)]!;
}

export function parseStatus(value: string): TicketStatus {
  const s = value.trim().toLowerCase();
  if (!(TRIAGE_STATUSES as readonly string[]).includes(s)) {
    throw new UsageError(`unknown status "${value.trim()}"; use one of ${TRIAGE_STATUSES.join(', ')}`);
  }
  return s as TicketStatus;
}

export function parsePriority(value: string): TicketPriority {
  const p = value.trim().toLowerCase();
  if (!(TICKET_PRIORITIES as readonly string[]).includes(p)) {
    throw new UsageError(`unknown priority "${value.trim()}"; use one of ${TICKET_PRIORITIES.join(', ')}`);
  }
  return p as TicketPriority;
}

/** "vip, -spam +refund" → add vip and refund, remove spam. */
export function parseTagInput(value: string): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  for (const word of value.split(/[\s,]+/).filter(Boolean)) {
    const removing = word.startsWith('-');
    const tag = word.replace(/^[-+]/, '').toLowerCase();
    if (tag === '') continue;
    if (!/^[^\s,"']+$/.test(tag)) throw new UsageError(`invalid tag "${tag}"`);
    (removing ? remove : add).push(tag);
  }
  if (add.length === 0 && remove.length === 0) throw new UsageError('no tags given: type tags to add, -tag to remove');
  return { add, remove };
}

/** The reason an escalation note gives by default: the ticket's strongest urgency reasons. */
export function defaultEscalationReason(reasons: readonly UrgencyReason[]): string {
  const top = reasons.slice(0, 3).map((r) => r.label);
  return top.length > 0 ? `Needs senior attention: ${top.join('; ')}.` : 'Needs senior attention.';
}

/** The internal note an escalation adds: where it went, why, and what changed. */
export function escalationNote(input: {
  reason: string;
  group: string;
  from: TicketPriority | null;
  to: TicketPriority;
  agent?: string;
}): string {
  const lines = [
    `Escalated to ${input.group}${input.agent ? ` by ${input.agent}` : ''}.`,
    `Reason: ${input.reason.trim()}`,
    input.from === input.to ? `Priority stays ${input.to}.` : `Priority raised from ${input.from ?? 'none'} to ${input.to}.`,
  ];
  return lines.join('\n');
}

/**
 * The ticket as it will look once the desk applies `update`: shown at once, replaced by the
 * desk's answer, or rolled back if the desk refuses.
 */
export function applyUpdateLocally(ticket: Ticket, update: TicketUpdate): Ticket {
  const next: Ticket = { ...ticket };
  if (update.status !== undefined) next.status = update.status;
  if (update.priority !== undefined) next.priority = update.priority;
  if (update.assignee_id !== undefined) next.assignee_id = update.assignee_id;
  if (update.group_id !== undefined) next.group_id = update.group_id;
  if (update.subject !== undefined) next.subject = update.subject;
  if (update.type !== undefined) next.type = update.type;
  let tags = update.tags ? [...update.tags] : [...(ticket.tags ?? [])];
  if (update.additional_tags) for (const t of update.additional_tags) if (!tags.includes(t)) tags.push(t);
  if (update.remove_tags) tags = tags.filter((t) => !update.remove_tags!.includes(t));
  next.tags = tags;
  if (update.custom_fields?.length) {
    const byId = new Map((ticket.custom_fields ?? []).map((f) => [f.id, f]));
    for (const f of update.custom_fields) byId.set(f.id, f);
    next.custom_fields = [...byId.values()];
  }
  return next;
}
