/**
 * What src/api speaks beyond the domain model: the incremental export's pages and the
 * rate-limit headroom. The records themselves (tickets, comments, users...) are the core
 * model, re-exported here so the HelpDesk interface and its adapters name them in one place.
 */
import type { Ticket, TicketMetric, User } from '../core/model.js';

export { TICKET_PRIORITIES, TICKET_STATUSES } from '../core/model.js';
export type {
  Channel,
  Comment,
  CustomFieldValue,
  DeskView,
  Group,
  JobStatus,
  JobStatusResult,
  Macro,
  MacroAction,
  MacroResult,
  MinutesPair,
  Organization,
  Restriction,
  RuleCondition,
  SatisfactionRating,
  SatisfactionScore,
  SlaPolicyMetric,
  Ticket,
  TicketCreate,
  TicketField,
  TicketMetric,
  TicketAudit,
  AuditEvent,
  TicketPriority,
  TicketStatus,
  TicketUpdate,
  User,
} from '../core/model.js';
/** What an incremental export request sideloads (default: metric_sets). */
export interface IncrementalOptions {
  pageSize?: number;
  include?: ReadonlyArray<'metric_sets' | 'users'>;
}

/** One page of the incremental ticket export (cursor based), with sideloads. */
export interface IncrementalTicketPage {
  tickets: Ticket[];
  metric_sets: TicketMetric[];
  /** The people the page's tickets name (requester, submitter, assignee), when asked for (include users). */
  users?: User[];
  after_cursor: string | null;
  end_of_stream: boolean;
}

/** Rate-limit headroom as last seen in X-Rate-Limit / X-Rate-Limit-Remaining. */
export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  seenAt: number | null;
}
