/**
 * The domain model: help-desk records in the Zendesk Support API v2 shapes. Every adapter in
 * src/api maps its desk's records onto these, so services and core never see a desk-specific
 * shape. Plain data, no imports: everything else in the project may depend on it.
 */
export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type Channel = 'email' | 'chat' | 'phone' | 'web' | 'api';

export const TICKET_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'hold', 'solved', 'closed'];
export const TICKET_PRIORITIES: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

export interface CustomFieldValue {
  id: number;
  value: string | number | boolean | null;
}

/** One SLA target as Zendesk sideloads it with `include=slas`. */
export interface SlaPolicyMetric {
  metric: 'first_reply_time' | 'next_reply_time' | 'requester_wait_time' | 'agent_work_time' | 'periodic_update_time';
  stage: 'active' | 'paused' | 'achieved';
  breach_at: string | null;
  minutes?: number;
  hours?: number;
  days?: number;
}

export interface Ticket {
  id: number;
  url?: string;
  external_id?: string | null;
  subject: string;
  raw_subject?: string;
  description: string;
  status: TicketStatus;
  priority: TicketPriority | null;
  type: 'problem' | 'incident' | 'question' | 'task' | null;
  requester_id: number;
  submitter_id?: number | null;
  assignee_id: number | null;
  group_id: number | null;
  organization_id: number | null;
  tags: string[];
  custom_fields: CustomFieldValue[];
  via: { channel: Channel | string };
  created_at: string;
  updated_at: string;
  due_at?: string | null;
  generated_timestamp?: number;
  satisfaction_rating?: { score: SatisfactionScore; comment?: string | null; id?: number } | null;
  /** Present when asked for with include=slas. */
  slas?: { policy_metrics: SlaPolicyMetric[] };
  /** Present when asked for with include=metric_sets (single ticket show) or joined by an adapter. */
  metric_set?: TicketMetric;
}

export interface Comment {
  id: number;
  type: 'Comment' | 'VoiceComment';
  author_id: number;
  body: string;
  html_body?: string;
  plain_body?: string;
  public: boolean;
  created_at: string;
  via?: { channel: Channel | string };
}

/**
 * One event of a ticket audit, as Zendesk records it (GET /api/v2/tickets/{id}/audits). deskops
 * reads comments and field changes; other event types (notifications, triggers) pass through.
 * For tags, value and previous_value are lists.
 */
export type AuditEvent =
  | { id: number; type: 'Comment'; author_id: number; body: string; public: boolean }
  | { id: number; type: 'Create' | 'Change'; field_name: string; value: string | string[] | null; previous_value?: string | string[] | null }
  | { id: number; type: string; [key: string]: unknown };

/** One update of a ticket: who made it, when, and what it changed. */
export interface TicketAudit {
  id: number;
  ticket_id: number;
  created_at: string;
  /** -1 for the desk itself (automations, triggers). */
  author_id: number;
  events: AuditEvent[];
  via?: { channel: Channel | string };
}

export interface User {
  id: number;
  name: string;
  email: string;
  role: 'end-user' | 'agent' | 'admin';
  organization_id: number | null;
  default_group_id?: number | null;
  time_zone?: string;
  signature?: string | null;
  active?: boolean;
  created_at?: string;
  updated_at?: string;
}

export interface Group {
  id: number;
  name: string;
  description?: string;
  created_at?: string;
  updated_at?: string;
}

export interface Organization {
  id: number;
  name: string;
  tags: string[];
  /** deskops reads `vip` (boolean) and `churned_at` (ISO date or null) here. */
  organization_fields: Record<string, string | number | boolean | null>;
  created_at?: string;
  updated_at?: string;
}

export interface TicketField {
  id: number;
  title: string;
  type: string;
  key?: string;
  description?: string;
  active?: boolean;
}

export interface MinutesPair {
  calendar: number | null;
  business: number | null;
}

/** Zendesk's ticket_metric record (GET /api/v2/ticket_metrics, sideloaded as metric_sets). */
export interface TicketMetric {
  id: number;
  ticket_id: number;
  created_at: string;
  updated_at: string;
  group_stations: number;
  assignee_stations: number;
  reopens: number;
  replies: number;
  assignee_updated_at: string | null;
  requester_updated_at: string | null;
  status_updated_at: string | null;
  initially_assigned_at: string | null;
  assigned_at: string | null;
  solved_at: string | null;
  latest_comment_added_at: string | null;
  reply_time_in_minutes: MinutesPair;
  first_resolution_time_in_minutes: MinutesPair;
  full_resolution_time_in_minutes: MinutesPair;
  agent_wait_time_in_minutes: MinutesPair;
  requester_wait_time_in_minutes: MinutesPair;
  on_hold_time_in_minutes: MinutesPair;
}

export type SatisfactionScore = 'offered' | 'unoffered' | 'good' | 'bad';

export interface SatisfactionRating {
  id: number;
  ticket_id: number;
  score: SatisfactionScore;
  comment?: string | null;
  requester_id: number;
  assignee_id: number | null;
  group_id: number | null;
  created_at: string;
  updated_at: string;
}

export interface JobStatusResult {
  id?: number;
  index?: number;
  action?: string;
  success?: boolean;
  status?: string;
  error?: string;
  details?: string;
}

export interface JobStatus {
  id: string;
  url?: string;
  status: 'queued' | 'working' | 'failed' | 'completed' | 'killed';
  job_type?: string;
  total: number | null;
  progress: number | null;
  message: string | null;
  results: JobStatusResult[] | null;
}

/** What an update may change. The comment becomes a public reply or an internal note. */
export interface TicketUpdate {
  status?: TicketStatus;
  priority?: TicketPriority | null;
  assignee_id?: number | null;
  group_id?: number | null;
  tags?: string[];
  additional_tags?: string[];
  remove_tags?: string[];
  custom_fields?: CustomFieldValue[];
  comment?: { body: string; public: boolean; author_id?: number };
  subject?: string;
  type?: Ticket['type'];
}

export interface TicketCreate {
  subject: string;
  comment: { body: string; public?: boolean; author_id?: number };
  requester_id?: number;
  requester?: { name: string; email: string };
  status?: TicketStatus;
  priority?: TicketPriority | null;
  group_id?: number | null;
  assignee_id?: number | null;
  organization_id?: number | null;
  tags?: string[];
  custom_fields?: CustomFieldValue[];
  via?: { channel: Channel };
}

/**
 * Who may use a view or macro (Zendesk's `restriction`): null is everyone, a Group the agents
 * of those groups, a User that user alone (a personal view or macro).
 */
export type Restriction = { type: 'Group'; id: number; ids?: number[] } | { type: 'User'; id: number };

/** One condition of a view: `{"field": "status", "operator": "less_than", "value": "solved"}`. */
export interface RuleCondition {
  field: string;
  operator: string;
  value: string | number | boolean | null;
}

/**
 * A view as Zendesk shapes it (GET /api/v2/views): a saved ticket filter, `all` of its
 * conditions and at least one of `any` (when there are some). On Request Tracker a saved
 * search, its query in `query` and no conditions.
 */
export interface DeskView {
  id: number;
  title: string;
  active: boolean;
  position?: number;
  description?: string | null;
  restriction: Restriction | null;
  conditions: { all: RuleCondition[]; any: RuleCondition[] };
  execution?: { sort_by?: string; sort_order?: 'asc' | 'desc'; group_by?: string | null };
  /** Request Tracker: the saved search's TicketSQL. */
  query?: string;
  default?: boolean;
  url?: string;
  created_at?: string;
  updated_at?: string;
}

/** One action of a macro: `{"field": "status", "value": "solved"}`; comments may be [channel, text]. */
export interface MacroAction {
  field: string;
  value: string | number | boolean | null | string[];
}

/** A macro as Zendesk shapes it (GET /api/v2/macros). */
export interface Macro {
  id: number;
  title: string;
  active: boolean;
  position?: number;
  description?: string | null;
  restriction: Restriction | null;
  actions: MacroAction[];
  default?: boolean;
  url?: string;
  created_at?: string;
  updated_at?: string;
}

/**
 * What applying a macro to a ticket would do, as the desk computes it without saving
 * (GET /api/v2/tickets/{id}/macros/{macro_id}/apply): the ticket after the changes, and the
 * comment the macro adds with its placeholders filled in.
 */
export interface MacroResult {
  ticket: Ticket;
  comment: { body: string; html_body?: string; public: boolean } | null;
}
