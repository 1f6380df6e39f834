/**
 * HelpDesk over Request Tracker 5's REST2 API (/REST/2.0), mapping RT's records into the
 * Zendesk shapes the services use. This class only joins the parts: requests and paging
 * (./session.ts), users, queues and fields (./directory.ts), reading tickets (./tickets.ts),
 * search and the incremental export (./search.ts), writes (./updates.ts). The map:
 *
 * | deskops (Zendesk)        | Request Tracker                                                          |
 * | ------------------------ | ------------------------------------------------------------------------ |
 * | ticket search            | TicketSQL (./ticketsql.ts) on GET /tickets, paged 100 at a time; no cap   |
 * | statuses, priorities     | ./mapping.ts (stalled reads as pending; priority numbers in 4 ranges)    |
 * | group                    | queue                                                                    |
 * | agent / end-user         | privileged / unprivileged user (RT has no admin role: none listed)       |
 * | tags                     | the multi-value ticket custom field "Tags", when RT has one              |
 * | custom fields            | ticket custom fields (by id)                                             |
 * | comments                 | Create and Correspond transactions (public), Comment (internal note)      |
 * | ticket metrics           | computed from the ticket's transactions (./metrics.ts)                   |
 * | update                   | PUT /ticket/:id for fields, POST correspond|comment for the message; RT   |
 * |                          | answers 200 with a list of messages even when a change failed, so the    |
 * |                          | ticket is read back and a change that did not take is an ApiError with   |
 * |                          | RT's messages                                                            |
 * | safe update              | the ticket's LastUpdated compared first, then If-Match with its ETag on  |
 * |                          | the PUT; a message carries the tags and status in the same POST, so a    |
 * |                          | marker tag is stored only with its message (./updates.ts, docs/rt.md)    |
 * | update_many, job status  | one update per ticket (safe_update + updated_stamp honoured), then a     |
 * |                          | completed job kept in memory (RT has no job queue)                       |
 * | incremental export       | TicketSQL LastUpdated >= the cursor, ordered by LastUpdated and id, with |
 * |                          | metrics computed per page; RT's search never shows deleted tickets, so   |
 * |                          | deletions are not reported                                               |
 * | organizations            | none: RT has none, so none are listed and no ticket names one            |
 * | satisfaction ratings     | none: listSatisfactionRatings throws NotFoundError saying so             |
 * | SLAs, business minutes   | none: tickets carry no `slas`; metrics' business minutes are null        |
 * | views                    | saved ticket searches (./views.ts): GET /searches, /search/:id, and     |
 * |                          | GET /tickets?search=ID to run one                                        |
 * | macros                   | none: listMacros and applyMacro throw NotFoundError saying so            |
 */
import type {
  BulkUpdate,
  Connection,
  HelpDesk,
  SearchOptions,
  ShowManyOptions,
  ShowOptions,
  TicketDetail,
  TicketListOptions,
} from '../helpdesk.js';
import type { HttpClient } from '../http.js';
import type {
  Comment,
  DeskView,
  Group,
  IncrementalOptions,
  IncrementalTicketPage,
  JobStatus,
  Macro,
  MacroResult,
  Organization,
  RateLimitState,
  SatisfactionRating,
  Ticket,
  TicketCreate,
  TicketField,
  TicketMetric,
  TicketAudit,
  TicketUpdate,
  User,
} from '../types.js';
import { RtDirectory } from './directory.js';
import { RtSearch } from './search.js';
import { RtSession, type RtDeskOptions } from './session.js';
import { RtTickets } from './tickets.js';
import { RtUpdates } from './updates.js';
import { RtSavedSearches } from './views.js';

export { MAX_USERS_PROBED } from './directory.js';
export { REST2, RT_PAGE_MAX, type RtDeskOptions } from './session.js';
export { PostedUntaggedError } from './updates.js';

export class RtDesk implements HelpDesk {
  readonly kind: Connection['kind'] = 'rt';
  readonly connection: Connection;
  private readonly session: RtSession;
  private readonly directory: RtDirectory;
  private readonly tickets: RtTickets;
  private readonly search: RtSearch;
  private readonly updates: RtUpdates;
  private readonly searches: RtSavedSearches;

  constructor(http: HttpClient, options: RtDeskOptions = {}) {
    this.session = new RtSession(http, options);
    this.connection = this.session.connection;
    this.directory = new RtDirectory(this.session);
    this.tickets = new RtTickets(this.session, this.directory);
    this.search = new RtSearch(this.session, this.directory, this.tickets);
    this.updates = new RtUpdates(this.session, this.directory, this.tickets);
    this.searches = new RtSavedSearches(this.session, this.tickets);
  }

  rateLimit(): RateLimitState {
    return this.session.rateLimit();
  }

  // --- people ---------------------------------------------------------------------------

  me(): Promise<User> {
    return this.directory.me();
  }

  getUsers(ids: number[]): Promise<User[]> {
    return this.directory.getUsers(ids);
  }

  listUsers(options: { role?: 'agent' | 'admin' | 'end-user' } = {}): AsyncIterable<User> {
    return this.directory.listUsers(options);
  }

  listGroups(): Promise<Group[]> {
    return this.directory.listGroups();
  }

  listOrganizations(): AsyncIterable<Organization> {
    return this.directory.listOrganizations();
  }

  getOrganizations(ids: number[]): Promise<Organization[]> {
    return this.directory.getOrganizations(ids);
  }

  listTicketFields(): Promise<TicketField[]> {
    return this.directory.listTicketFields();
  }

  listSatisfactionRatings(): AsyncIterable<SatisfactionRating> {
    return this.directory.listSatisfactionRatings();
  }

  // --- tickets: reading -----------------------------------------------------------------

  listTickets(options: TicketListOptions = {}): AsyncIterable<Ticket> {
    return this.search.listTickets(options);
  }

  searchTickets(query: string, options: SearchOptions = {}): AsyncIterable<Ticket> {
    return this.search.searchTickets(query, options);
  }

  exportSearchTickets(query: string, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    return this.search.exportSearchTickets(query, options);
  }

  incrementalTickets(from: { startTime: number } | { cursor: string }, options: IncrementalOptions = {}): AsyncIterable<IncrementalTicketPage> {
    return this.search.incrementalTickets(from, options);
  }

  getTicket(id: number, options: ShowOptions = {}): Promise<Ticket> {
    return this.tickets.getTicket(id, options);
  }

  getTickets(ids: number[], options: ShowManyOptions = {}): Promise<Ticket[]> {
    return this.tickets.getTickets(ids, options);
  }

  getTicketDetail(id: number): Promise<TicketDetail> {
    return this.tickets.getTicketDetail(id);
  }

  listComments(ticket: number): AsyncIterable<Comment> {
    return this.tickets.listComments(ticket);
  }

  getTicketMetrics(ticket: number): Promise<TicketMetric | null> {
    return this.tickets.getTicketMetrics(ticket);
  }

  async *listAudits(ticket: number): AsyncIterable<TicketAudit> {
    yield* await this.tickets.audits(ticket);
  }

  // --- tickets: writing -----------------------------------------------------------------

  createTicket(create: TicketCreate, options: { idempotencyKey?: string } = {}): Promise<Ticket> {
    return this.updates.createTicket(create, options);
  }

  updateTicket(id: number, update: TicketUpdate, options: { ifUnmodifiedSince?: string } = {}): Promise<Ticket> {
    return this.updates.updateTicket(id, update, options);
  }

  updateMany(bulk: BulkUpdate): Promise<JobStatus> {
    return this.updates.updateMany(bulk);
  }

  getJobStatus(id: string): Promise<JobStatus> {
    return this.updates.getJobStatus(id);
  }

  waitForJob(id: string): Promise<JobStatus> {
    return this.updates.waitForJob(id);
  }

  // --- views (saved searches); no macros ------------------------------------------------

  listViews(): Promise<DeskView[]> {
    return this.searches.listViews();
  }

  viewTickets(view: DeskView, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    return this.searches.viewTickets(view, options);
  }

  listMacros(): Promise<Macro[]> {
    return this.searches.listMacros();
  }

  applyMacro(_ticketId: number, _macroId: number): Promise<MacroResult> {
    return this.searches.applyMacro();
  }
}
