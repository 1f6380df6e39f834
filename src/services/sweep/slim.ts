/**
 * Keeping only what rules and templates read: a sweep holds thousands of tickets at once, so
 * metrics, users and descriptions are cut down to the fields that matter.
 */
import type { TicketMetric, User } from '../../core/model.js';
import { templateVariables } from '../../core/templates.js';
import type { LoadedRules } from './rules.js';

const NO_MINUTES = { calendar: null, business: null };

/** The metric fields the clocks read. */
export function slimMetric(m: TicketMetric): TicketMetric {
  return {
    id: m.id,
    ticket_id: m.ticket_id,
    created_at: m.created_at,
    updated_at: m.updated_at,
    group_stations: m.group_stations,
    assignee_stations: m.assignee_stations,
    reopens: m.reopens,
    replies: m.replies,
    assignee_updated_at: m.assignee_updated_at,
    requester_updated_at: m.requester_updated_at,
    status_updated_at: m.status_updated_at,
    initially_assigned_at: m.initially_assigned_at,
    assigned_at: m.assigned_at,
    solved_at: m.solved_at,
    latest_comment_added_at: m.latest_comment_added_at,
    reply_time_in_minutes: NO_MINUTES,
    first_resolution_time_in_minutes: NO_MINUTES,
    full_resolution_time_in_minutes: NO_MINUTES,
    agent_wait_time_in_minutes: NO_MINUTES,
    requester_wait_time_in_minutes: NO_MINUTES,
    on_hold_time_in_minutes: NO_MINUTES,
  };
}

export function slimUser(u: User): User {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    organization_id: u.organization_id,
    default_group_id: u.default_group_id,
    ...(u.signature ? { signature: u.signature } : {}),
  };
}

/** Whether any template of the rules reads the ticket's description (else it is not kept). */
export function usesDescription(loaded: LoadedRules): boolean {
  return [...loaded.templates.values()].some((t) => templateVariables(t).includes('ticket.description'));
}
