/** Presentation shared by the ticket commands: JSON shape and colors. */
import type { Ticket } from '../../../core/model.js';
import type { TicketRow } from '../../../services/tickets.js';
import type { Tone } from '../../output.js';

/** A ticket as `--json` prints it: the desk's record plus resolved names. */
export function ticketJson(row: TicketRow): Record<string, unknown> {
  // copied key by key: a spread with added keys takes V8's slow path, and `ticket list --all`
  // prints tens of thousands
  const out: Record<string, unknown> = {};
  const ticket = row.ticket as unknown as Record<string, unknown>;
  for (const k in ticket) out[k] = ticket[k];
  out.requester_name = row.requester?.name ?? null;
  out.requester_email = row.requester?.email ?? null;
  out.assignee_name = row.assignee?.name ?? null;
  out.group_name = row.group?.name ?? null;
  return out;
}

export function statusTone(status: Ticket['status']): Tone {
  switch (status) {
    case 'new':
      return 'accent';
    case 'open':
      return 'bad';
    case 'pending':
      return 'warn';
    case 'hold':
      return 'muted';
    case 'solved':
    case 'closed':
      return 'good';
    default:
      return undefined;
  }
}

export function priorityTone(priority: Ticket['priority']): Tone {
  if (priority === 'urgent') return 'bad';
  if (priority === 'high') return 'warn';
  if (priority === 'low') return 'muted';
  return undefined;
}
