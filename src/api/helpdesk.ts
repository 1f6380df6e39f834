import type {
  Comment,
  DeskView,
  Group,
  IncrementalTicketPage,
  JobStatus,
  Macro,
  MacroResult,
  Organization,
  IncrementalOptions,
  RateLimitState,
  SatisfactionRating,
  Ticket,
  TicketCreate,
  TicketField,
  TicketMetric,
  TicketAudit,
  TicketUpdate,
  User,
} from './types.js';

import type { WaitObserver } from './pacer.js';

export type * from './types.js';
export type { WaitObserver } from './pacer.js';

/** Where and how to reach a desk. Built by src/config from a profile plus env overrides. */
export interface Connection {
  kind: 'zendesk' | 'local' | 'rt';
  /** Base URL without the API path, e.g. https://acme.zendesk.com or http://127.0.0.1:41234 */
  url: string;
  auth:
    | { type: 'basic-token'; email: string; token: string }
    | { type: 'basic-password'; email: string; password: string }
    | { type: 'bearer'; token: string }
    | { type: 'rt-token'; token: string };
  /** Profile the connection came from, for messages. */
  profile: string;
  /** The embedded desk this process started: its limits end with the process. */
  inProcess?: boolean;
}

/** Observer for --verbose: one call per HTTP exchange, URL already redacted. */
export type RequestLogger = (entry: {
  method: string;
  url: string;
  status: number | 'error';
  ms: number;
  attempt: number;
  note?: string;
}) => void;

export interface ClientOptions {
  /** Per-request timeout in ms (default 30000). */
  timeoutMs?: number;
  /** Total retry attempts for retryable failures (default 4). */
  retries?: number;
  /** Ceiling for one Retry-After wait in ms (default 60000). */
  maxRetryAfterMs?: number;
  logger?: RequestLogger;
  /** Told when a request waits for an endpoint's own limit (e.g. 10 incremental exports a minute). */
  onWait?: WaitObserver;
  /** Injected for tests: sleep used by retries and the client-side limiter. */
  sleep?: (ms: number) => Promise<void>;
  userAgent?: string;
  /**
   * Aborted when the command ends: requests in flight are cut, waits end, nothing is retried
   * or started, so background reads (a screen's prefetch) never hold the exit up.
   */
  signal?: AbortSignal;
}

export interface TicketListOptions {
  /** Page size for cursor pagination, at most 100. */
  pageSize?: number;
  sort?: 'id' | 'updated_at' | 'created_at' | '-id' | '-updated_at' | '-created_at';
}

export interface SearchOptions {
  /** Stop after this many results. */
  limit?: number;
  sortBy?: 'updated_at' | 'created_at' | 'priority' | 'status' | 'ticket_type';
  sortOrder?: 'asc' | 'desc';
  /**
   * Called once when the desk's 1,000-result search cap cut the results short; the iterator
   * then ends normally. `total` is the desk's count of all matches when it sent one. Use
   * exportSearchTickets for everything.
   */
  onCapped?: (info: { total: number | null; returned: number }) => void;
  /**
   * Called once with the desk's count of all matches (past any limit or cap) when its answer
   * carries one: Zendesk's search does, so "50 of 5,000" costs no extra request.
   */
  onCount?: (total: number) => void;
}

export interface ShowOptions {
  /** Zendesk sideloads for a single ticket: slas, metric_sets, users, groups, organizations. */
  include?: Array<'slas' | 'metric_sets' | 'users' | 'groups' | 'organizations'>;
}

/** Sideloads for show_many that land on each ticket: `slas`, and `metric_sets` as `metric_set`. */
export interface ShowManyOptions {
  include?: Array<'slas' | 'metric_sets'>;
}

/** A ticket with the records a detail view needs, gathered in as few requests as the desk allows. */
export interface TicketDetail {
  ticket: Ticket;
  comments: Comment[];
  users: User[];
  groups: Group[];
  organizations: Organization[];
  metrics: TicketMetric | null;
}

export type BulkUpdate =
  | { ids: number[]; update: TicketUpdate }
  | { tickets: Array<TicketUpdate & { id: number }> };

/**
 * The interface services and screens use. Adapters (src/api/zendesk, src/api/rt) implement it.
 * Lists are async iterators that page on demand; writes return the desk's answer.
 * Errors are the typed errors of src/core/errors.ts, never raw HTTP errors.
 */
export interface HelpDesk {
  readonly kind: Connection['kind'];
  readonly connection: Connection;

  /** The authenticated user (GET /api/v2/users/me). Throws AuthError on bad credentials. */
  me(): Promise<User>;

  /** All tickets, cursor paginated (GET /api/v2/tickets). */
  listTickets(options?: TicketListOptions): AsyncIterable<Ticket>;
  /** Search (GET /api/v2/search). Capped at 1,000 results by the desk, as Zendesk caps it. */
  searchTickets(query: string, options?: SearchOptions): AsyncIterable<Ticket>;
  /** Uncapped search with a cursor (GET /api/v2/search/export, filter[type]=ticket). */
  exportSearchTickets(query: string, options?: { pageSize?: number }): AsyncIterable<Ticket>;
  /**
   * Incremental export from a start time or a cursor, with the sideloads asked for (default
   * metric_sets; `users` brings the people the tickets name, so no lookups follow).
   */
  incrementalTickets(from: { startTime: number } | { cursor: string }, options?: IncrementalOptions): AsyncIterable<IncrementalTicketPage>;

  /** One ticket. Throws NotFoundError("ticket N not found"). */
  getTicket(id: number, options?: ShowOptions): Promise<Ticket>;
  /**
   * Several tickets by id (GET /api/v2/tickets/show_many, 100 ids a request), in any order;
   * missing ids are left out. With `include`, `slas` stays on each ticket and the sideloaded
   * metric sets are joined on as `ticket.metric_set`.
   */
  getTickets(ids: number[], options?: ShowManyOptions): Promise<Ticket[]>;
  /**
   * A ticket with its comments, the people and groups named in it, its metrics and, where the
   * desk keeps SLA policies, its SLA targets on `ticket.slas`.
   */
  getTicketDetail(id: number): Promise<TicketDetail>;
  listComments(ticketId: number): AsyncIterable<Comment>;
  getTicketMetrics(ticketId: number): Promise<TicketMetric | null>;
  /** A ticket's audits, oldest first (GET /api/v2/tickets/{id}/audits): who changed what, when. */
  listAudits(ticketId: number): AsyncIterable<TicketAudit>;

  createTicket(ticket: TicketCreate, options?: { idempotencyKey?: string }): Promise<Ticket>;
  /**
   * Update one ticket. With `ifUnmodifiedSince` (the updated_at the caller saw) the desk does a
   * safe update and a concurrent change throws ConflictError.
   */
  updateTicket(id: number, update: TicketUpdate, options?: { ifUnmodifiedSince?: string }): Promise<Ticket>;
  /** update_many (at most 100 tickets): returns the queued job status. */
  updateMany(bulk: BulkUpdate): Promise<JobStatus>;
  getJobStatus(id: string): Promise<JobStatus>;
  /** Polls a job until completed/failed/killed, with backoff. */
  waitForJob(id: string, options?: { timeoutMs?: number; intervalMs?: number }): Promise<JobStatus>;

  listUsers(options?: { role?: 'agent' | 'admin' | 'end-user' }): AsyncIterable<User>;
  getUsers(ids: number[]): Promise<User[]>;
  listGroups(): Promise<Group[]>;
  listOrganizations(): AsyncIterable<Organization>;
  getOrganizations(ids: number[]): Promise<Organization[]>;
  listTicketFields(): Promise<TicketField[]>;
  listSatisfactionRatings(options?: { startTime?: number; endTime?: number; score?: string }): AsyncIterable<SatisfactionRating>;

  /**
   * The views the user may use (GET /api/v2/views/active: shared ones and their own), in the
   * desk's order. On Request Tracker, the saved ticket searches the user may load.
   */
  listViews(): Promise<DeskView[]>;
  /** The tickets a view selects now, in the view's order (GET /api/v2/views/{id}/tickets). */
  viewTickets(view: DeskView, options?: { pageSize?: number }): AsyncIterable<Ticket>;
  /** The active macros the user may use (GET /api/v2/macros/active). NotFoundError on a desk without macros. */
  listMacros(): Promise<Macro[]>;
  /**
   * The ticket as the macro would leave it, and the comment it would add with its placeholders
   * filled in; nothing is saved (GET /api/v2/tickets/{id}/macros/{macro_id}/apply).
   */
  applyMacro(ticketId: number, macroId: number): Promise<MacroResult>;

  /** Rate-limit headroom as last seen on an answer. */
  rateLimit(): RateLimitState;
}
