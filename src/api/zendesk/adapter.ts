/**
 * HelpDesk over the Zendesk Support API v2 (also the dialect of the embedded local desk).
 * Shapes follow developer.zendesk.com: cursor pagination, /search (1,000-result cap),
 * /search/export, /incremental/tickets/cursor, show_many, update_many and job statuses.
 */
import { ApiError, AuthError, NotFoundError, UsageError } from '../../core/errors.js';
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
import type { HttpClient, VerifyContext } from '../http.js';
import type {
  Comment,
  DeskView,
  Group,
  IncrementalTicketPage,
  JobStatus,
  Macro,
  MacroResult,
  Organization,
  RateLimitState,
  IncrementalOptions,
  SatisfactionRating,
  Ticket,
  TicketCreate,
  TicketField,
  TicketMetric,
  TicketAudit,
  TicketUpdate,
  User,
} from '../types.js';
import { jobStatusFrom, ticketMetricFrom } from './shapes.js';
import { fieldsApplied, findAppliedComment, sameInstant } from './applied.js';
import {
  arrayField,
  chunks,
  clampPageSize,
  collect,
  cursorItems,
  cursorPages,
  isBody,
  objectField,
  optionalArray,
  type Body,
} from './pagination.js';

/** The most results /api/v2/search returns for one query. */
export const SEARCH_RESULT_CAP = 1_000;
/** The most ids show_many and update_many take at once. */
export const MAX_IDS_PER_REQUEST = 100;
/** show_many requests of one getTickets call in flight at once (gentle on the rate limit). */
export const SHOW_MANY_CONCURRENCY = 3;
const SEARCH_PAGE_SIZE = 100;
const EXPORT_MAX_PAGE_SIZE = 1_000;
const INCREMENTAL_MAX_PAGE_SIZE = 1_000;
const JOB_DONE = new Set<JobStatus['status']>(['completed', 'failed', 'killed']);

export interface ZendeskDeskOptions {
  /** Clock for waitForJob's deadline (default Date.now). */
  now?: () => number;
  /** Sleep between job polls (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

export class ZendeskDesk implements HelpDesk {
  readonly kind: Connection['kind'];
  readonly connection: Connection;
  private readonly http: HttpClient;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private mePromise: Promise<User> | undefined;

  constructor(http: HttpClient, options: ZendeskDeskOptions = {}) {
    this.http = http;
    this.connection = http.connection;
    this.kind = http.connection.kind;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  rateLimit(): RateLimitState {
    return this.http.rateLimit();
  }

  async me(): Promise<User> {
    const body = await this.http.get('/api/v2/users/me');
    const user = objectField<User>(body, 'user', 'GET /api/v2/users/me');
    if (typeof user.id !== 'number') {
      // Zendesk answers an unauthenticated /users/me with an anonymous user, not a 401.
      throw new AuthError(`authentication failed for profile ${this.connection.profile}: the desk treated deskops as an anonymous user`);
    }
    return user;
  }

  /** me(), asked once per desk (for checking who wrote a comment). */
  private cachedMe(): Promise<User> {
    this.mePromise ??= this.me().catch((err: unknown) => {
      this.mePromise = undefined;
      throw err;
    });
    return this.mePromise;
  }

  // --- lists and search -----------------------------------------------------------------

  listTickets(options: TicketListOptions = {}): AsyncIterable<Ticket> {
    return cursorItems<Ticket>(
      this.http,
      { path: '/api/v2/tickets', query: { 'page[size]': clampPageSize(options.pageSize), sort: options.sort } },
      'tickets',
    );
  }

  async *searchTickets(query: string, options: SearchOptions = {}): AsyncIterable<Ticket> {
    const limit = options.limit;
    if (limit !== undefined && limit <= 0) return;
    const first = {
      path: '/api/v2/search',
      query: {
        query: ticketQuery(query),
        per_page: Math.min(SEARCH_PAGE_SIZE, limit ?? SEARCH_PAGE_SIZE),
        sort_by: options.sortBy,
        sort_order: options.sortOrder,
      },
    };
    let request: { path: string; query?: typeof first.query } | null = first;
    let fromDesk = 0;
    let returned = 0;
    let total: number | null = null;
    const capped = () => options.onCapped?.({ total, returned });
    while (request) {
      let body: unknown;
      try {
        body = await this.http.get(request.path, request.query);
      } catch (err) {
        // Zendesk answers 422 for a page past the cap: that is the cap, not a failure.
        if (err instanceof ApiError && err.status === 422 && fromDesk >= SEARCH_RESULT_CAP) {
          capped();
          return;
        }
        throw err;
      }
      const results = arrayField<Ticket & { result_type?: string }>(body, 'results', 'GET /api/v2/search');
      const b = body as Body;
      if (typeof b.count === 'number') {
        if (total === null) options.onCount?.(b.count);
        total = b.count;
      }
      for (const result of results) {
        if (fromDesk >= SEARCH_RESULT_CAP) break;
        fromDesk += 1;
        if (result.result_type !== undefined && result.result_type !== 'ticket') continue;
        const { result_type: _type, ...ticket } = result;
        yield ticket as Ticket;
        returned += 1;
        if (limit !== undefined && returned >= limit) return;
      }
      const next = typeof b.next_page === 'string' && b.next_page !== '' ? b.next_page : null;
      if (fromDesk >= SEARCH_RESULT_CAP && (next !== null || (total ?? 0) > fromDesk)) {
        capped();
        return;
      }
      if (results.length === 0) return;
      request = next ? { path: next } : null;
    }
  }

  exportSearchTickets(query: string, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    return cursorItems<Ticket>(
      this.http,
      {
        path: '/api/v2/search/export',
        query: {
          query: exportQuery(query),
          'filter[type]': 'ticket',
          'page[size]': clampPageSize(options.pageSize ?? 100, EXPORT_MAX_PAGE_SIZE),
        },
      },
      'results',
    );
  }

  async *incrementalTickets(
    from: { startTime: number } | { cursor: string },
    options: IncrementalOptions = {},
  ): AsyncIterable<IncrementalTicketPage> {
    const path = '/api/v2/incremental/tickets/cursor';
    const where = `GET ${path}`;
    const perPage = options.pageSize === undefined ? undefined : clampPageSize(options.pageSize, INCREMENTAL_MAX_PAGE_SIZE);
    let position: { start_time: number } | { cursor: string } =
      'startTime' in from ? { start_time: Math.floor(from.startTime) } : { cursor: from.cursor };
    const seen = new Set<string>();
    const include = [...new Set(options.include ?? ['metric_sets'])];
    for (;;) {
      const body = await this.http.get(path, { ...position, include: include.length > 0 ? include.join(',') : undefined, per_page: perPage });
      const page: IncrementalTicketPage = {
        tickets: arrayField<Ticket>(body, 'tickets', where),
        metric_sets: optionalArray<TicketMetric>(body, 'metric_sets').filter(isBody).map(ticketMetricFrom),
        ...(include.includes('users') ? { users: optionalArray<User>(body, 'users').filter(isBody) } : {}),
        after_cursor: stringOrNull((body as Body).after_cursor),
        end_of_stream: (body as Body).end_of_stream === true,
      };
      yield page;
      if (page.end_of_stream) return;
      if (page.after_cursor === null) throw new ApiError(`the desk's answer to ${where} has neither end_of_stream nor after_cursor`);
      if (seen.has(page.after_cursor)) throw new ApiError(`the desk sent the same cursor twice for ${where}; stopped to avoid a loop`);
      seen.add(page.after_cursor);
      position = { cursor: page.after_cursor };
    }
  }

  // --- tickets --------------------------------------------------------------------------

  async getTicket(id: number, options: ShowOptions = {}): Promise<Ticket> {
    const path = `/api/v2/tickets/${ticketId(id)}`;
    const include = options.include && options.include.length > 0 ? [...new Set(options.include)].join(',') : undefined;
    const body = await this.http.get(path, { include }, { notFound: `ticket ${id} not found` });
    const ticket = objectField<Ticket>(body, 'ticket', `GET ${path}`);
    if (options.include?.includes('metric_sets')) {
      const metric = metricFrom(body, ticket);
      if (metric) return { ...ticket, metric_set: metric };
    }
    return ticket;
  }

  async getTickets(ids: number[], options: ShowManyOptions = {}): Promise<Ticket[]> {
    const path = '/api/v2/tickets/show_many';
    const unique = [...new Set(ids.map(ticketId))];
    const wanted = [...new Set(options.include ?? [])];
    const include = wanted.length > 0 ? wanted.join(',') : undefined;
    const joinMetrics = wanted.includes('metric_sets');
    // N / 100 requests, a few at a time; the answers keep the order of the chunks.
    const pages = await settledInOrder(chunks(unique, MAX_IDS_PER_REQUEST), SHOW_MANY_CONCURRENCY, async (chunk) => {
      const body = await this.http.get(path, { ids: chunk, include });
      const tickets = arrayField<Ticket>(body, 'tickets', `GET ${path}`);
      if (!joinMetrics) return tickets;
      // Zendesk sideloads metric_sets beside the tickets; a desk may also embed metric_set.
      const sets = new Map<number, TicketMetric>();
      for (const raw of optionalArray<TicketMetric>(body, 'metric_sets')) {
        if (!isBody(raw)) continue;
        const m = ticketMetricFrom(raw);
        if (typeof m.ticket_id === 'number') sets.set(m.ticket_id, m);
      }
      return tickets.map((t) => {
        if (isBody(t.metric_set)) return { ...t, metric_set: ticketMetricFrom(t.metric_set) };
        const metric = sets.get(t.id);
        return metric ? { ...t, metric_set: metric } : t;
      });
    });
    return pages.flat();
  }

  async getTicketDetail(id: number): Promise<TicketDetail> {
    const notFound = `ticket ${id} not found`;
    const path = `/api/v2/tickets/${ticketId(id)}`;
    // The ticket with its SLA targets, people, group, organization and metrics, and every comment page
    // with the comment authors, in parallel: usually two requests in all.
    // Both settle before we go on, so no request is left running when one fails.
    const [show, commentPages] = await allSettledOrThrow([
      this.http.get(path, { include: 'users,groups,organizations,metric_sets,slas' }, { notFound }),
      collect(cursorPages(this.http, { path: `${path}/comments`, query: { include: 'users', 'page[size]': 100 } }, { notFound })),
    ] as const);
    const ticket = objectField<Ticket>(show, 'ticket', `GET ${path}`);
    const comments = commentPages.flatMap((page) => arrayField<Comment>(page, 'comments', `GET ${path}/comments`));

    const users = new Map<number, User>();
    for (const user of [...optionalArray<User>(show, 'users'), ...commentPages.flatMap((p) => optionalArray<User>(p, 'users'))]) {
      if (typeof user?.id === 'number') users.set(user.id, user);
    }
    const groups = new Map(optionalArray<Group>(show, 'groups').map((g) => [g.id, g]));
    const organizations = new Map(optionalArray<Organization>(show, 'organizations').map((o) => [o.id, o]));
    const sideloadedMetric = metricFrom(show, ticket);

    const wantedUsers = new Set<number>();
    for (const uid of [ticket.requester_id, ticket.submitter_id, ticket.assignee_id, ...comments.map((c) => c.author_id)]) {
      if (typeof uid === 'number' && !users.has(uid)) wantedUsers.add(uid);
    }
    const orgId = ticket.organization_id;
    const groupId = ticket.group_id;
    // Whatever the desk did not sideload, in parallel.
    const [moreUsers, moreOrgs, moreGroup, metrics] = await allSettledOrThrow([
      wantedUsers.size > 0 ? this.getUsers([...wantedUsers]) : Promise.resolve([] as User[]),
      typeof orgId === 'number' && !organizations.has(orgId) ? this.getOrganizations([orgId]) : Promise.resolve([] as Organization[]),
      typeof groupId === 'number' && !groups.has(groupId) ? this.getGroup(groupId) : Promise.resolve(null),
      sideloadedMetric ? Promise.resolve(sideloadedMetric) : this.getTicketMetrics(id).catch(nullIfNotFound),
    ] as const);
    for (const user of moreUsers) users.set(user.id, user);
    for (const org of moreOrgs) organizations.set(org.id, org);
    if (moreGroup) groups.set(moreGroup.id, moreGroup);
    return {
      ticket,
      comments,
      users: [...users.values()],
      groups: [...groups.values()],
      organizations: [...organizations.values()],
      metrics: metrics ?? null,
    };
  }

  listComments(ticket: number): AsyncIterable<Comment> {
    return cursorItems<Comment>(
      this.http,
      { path: `/api/v2/tickets/${ticketId(ticket)}/comments`, query: { 'page[size]': 100 } },
      'comments',
      { notFound: `ticket ${ticket} not found` },
    );
  }

  listAudits(ticket: number): AsyncIterable<TicketAudit> {
    return cursorItems<TicketAudit>(
      this.http,
      { path: `/api/v2/tickets/${ticketId(ticket)}/audits`, query: { 'page[size]': 100 } },
      'audits',
      { notFound: `ticket ${ticket} not found` },
    );
  }

  async getTicketMetrics(ticket: number): Promise<TicketMetric | null> {
    const path = `/api/v2/tickets/${ticketId(ticket)}/metrics`;
    const body = await this.http.get(path, undefined, { notFound: `ticket ${ticket} not found` });
    const metric = isBody(body) ? body.ticket_metric : undefined;
    return isBody(metric) ? ticketMetricFrom(metric as unknown as TicketMetric) : null;
  }

  // --- writes ---------------------------------------------------------------------------

  async createTicket(ticket: TicketCreate, options: { idempotencyKey?: string } = {}): Promise<Ticket> {
    const key = options.idempotencyKey;
    const body = await this.http.request({
      method: 'POST',
      path: '/api/v2/tickets',
      json: { ticket },
      headers: key ? { 'Idempotency-Key': key } : undefined,
      // With a key the desk answers a repeat with the ticket it already created.
      retry: key ? 'idempotent' : 'unsafe',
    });
    return objectField<Ticket>(body, 'ticket', 'POST /api/v2/tickets');
  }

  async updateTicket(id: number, update: TicketUpdate, options: { ifUnmodifiedSince?: string } = {}): Promise<Ticket> {
    const path = `/api/v2/tickets/${ticketId(id)}`;
    const since = options.ifUnmodifiedSince;
    const payload: Record<string, unknown> = { ...update };
    if (since) {
      payload.safe_update = true;
      payload.updated_stamp = since;
    }
    // A comment is not idempotent (sending twice posts twice) and a safe update sent twice
    // conflicts with itself: both are verified by re-reading before any retry. Plain field
    // changes set values and may simply be sent again.
    const verifying = update.comment !== undefined || since !== undefined;
    const body = await this.http.request<unknown>({
      method: 'PUT',
      path,
      json: { ticket: payload },
      retry: verifying ? 'verify' : 'idempotent',
      verify: verifying ? (context) => this.verifyUpdate(id, update, since, context) : undefined,
      notFound: `ticket ${id} not found`,
      conflict: `ticket ${id} was changed on the desk${since ? ` since ${since}` : ''}; reload it and try again`,
    });
    return objectField<Ticket>(body, 'ticket', `PUT ${path}`);
  }

  /** After a lost answer: the update's result if the desk applied it, else undefined. */
  private async verifyUpdate(
    id: number,
    update: TicketUpdate,
    since: string | undefined,
    context: VerifyContext,
  ): Promise<{ ticket: Ticket } | undefined> {
    if (update.comment) {
      const authorId = update.comment.author_id ?? (await this.cachedMe()).id;
      const comments = await collect(this.listComments(id));
      const applied = findAppliedComment(comments, { body: update.comment.body, authorId }, context.startedAt, context.slackMs);
      return applied ? { ticket: await this.getTicket(id) } : undefined;
    }
    const ticket = await this.getTicket(id);
    if (since !== undefined && sameInstant(ticket.updated_at, since)) return undefined; // untouched
    return fieldsApplied(ticket, update) ? { ticket } : undefined;
  }

  async updateMany(bulk: BulkUpdate): Promise<JobStatus> {
    const path = '/api/v2/tickets/update_many';
    let request: { query?: { ids: number[] }; json: unknown };
    if ('ids' in bulk) {
      const ids = [...new Set(bulk.ids.map(ticketId))];
      checkBulkSize(ids.length);
      request = { query: { ids }, json: { ticket: bulk.update } };
    } else {
      for (const t of bulk.tickets) ticketId(t.id);
      checkBulkSize(bulk.tickets.length);
      request = { json: { tickets: bulk.tickets } };
    }
    // Not idempotent and no key: retried only when the desk surely did not process it.
    const body = await this.http.request({ method: 'PUT', path, ...request, retry: 'unsafe' });
    return jobStatusFrom(objectField<JobStatus>(body, 'job_status', `PUT ${path}`));
  }

  async getJobStatus(id: string): Promise<JobStatus> {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new UsageError(`not a job id: ${id}`);
    const path = `/api/v2/job_statuses/${id}`;
    const body = await this.http.get(path, undefined, { notFound: `job ${id} not found` });
    return jobStatusFrom(objectField<JobStatus>(body, 'job_status', `GET ${path}`));
  }

  async waitForJob(id: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<JobStatus> {
    const timeoutMs = options.timeoutMs ?? 300_000;
    const deadline = this.now() + timeoutMs;
    let interval = Math.max(1, options.intervalMs ?? 200);
    for (;;) {
      const job = await this.getJobStatus(id);
      if (JOB_DONE.has(job.status)) return job;
      if (this.now() + interval > deadline) {
        throw new ApiError(`job ${id} is still ${job.status} after ${Math.round(timeoutMs / 1000)} s`, {
          hint: 'the job keeps running on the desk; check it again later',
        });
      }
      await this.sleep(interval);
      interval = Math.min(2_000, interval * 2);
    }
  }

  // --- people and settings --------------------------------------------------------------

  listUsers(options: { role?: 'agent' | 'admin' | 'end-user' } = {}): AsyncIterable<User> {
    return cursorItems<User>(this.http, { path: '/api/v2/users', query: { role: options.role, 'page[size]': 100 } }, 'users');
  }

  async getUsers(ids: number[]): Promise<User[]> {
    return this.showMany<User>('/api/v2/users/show_many', 'users', ids);
  }

  async listGroups(): Promise<Group[]> {
    return collect(cursorItems<Group>(this.http, { path: '/api/v2/groups', query: { 'page[size]': 100 } }, 'groups'));
  }

  private async getGroup(id: number): Promise<Group | null> {
    const path = `/api/v2/groups/${id}`;
    try {
      const body = await this.http.get(path, undefined, { notFound: `group ${id} not found` });
      return objectField<Group>(body, 'group', `GET ${path}`);
    } catch (err) {
      return nullIfNotFound(err);
    }
  }

  listOrganizations(): AsyncIterable<Organization> {
    return cursorItems<Organization>(this.http, { path: '/api/v2/organizations', query: { 'page[size]': 100 } }, 'organizations');
  }

  async getOrganizations(ids: number[]): Promise<Organization[]> {
    return this.showMany<Organization>('/api/v2/organizations/show_many', 'organizations', ids);
  }

  async listTicketFields(): Promise<TicketField[]> {
    return collect(cursorItems<TicketField>(this.http, { path: '/api/v2/ticket_fields', query: { 'page[size]': 100 } }, 'ticket_fields'));
  }

  listSatisfactionRatings(options: { startTime?: number; endTime?: number; score?: string } = {}): AsyncIterable<SatisfactionRating> {
    return cursorItems<SatisfactionRating>(
      this.http,
      {
        path: '/api/v2/satisfaction_ratings',
        query: { score: options.score, start_time: options.startTime, end_time: options.endTime, 'page[size]': 100 },
      },
      'satisfaction_ratings',
    );
  }

  // --- views and macros ----------------------------------------------------------------

  async listViews(): Promise<DeskView[]> {
    return collect(cursorItems<DeskView>(this.http, { path: '/api/v2/views/active', query: { 'page[size]': 100 } }, 'views'));
  }

  viewTickets(view: DeskView, options: { pageSize?: number } = {}): AsyncIterable<Ticket> {
    const id = positiveId(view.id, 'view id');
    return cursorItems<Ticket>(
      this.http,
      { path: `/api/v2/views/${id}/tickets`, query: { 'page[size]': clampPageSize(options.pageSize) } },
      'tickets',
      { notFound: `view ${id} (${view.title}) not found` },
    );
  }

  async listMacros(): Promise<Macro[]> {
    return collect(cursorItems<Macro>(this.http, { path: '/api/v2/macros/active', query: { 'page[size]': 100 } }, 'macros'));
  }

  async applyMacro(ticket: number, macro: number): Promise<MacroResult> {
    const path = `/api/v2/tickets/${ticketId(ticket)}/macros/${positiveId(macro, 'macro id')}/apply`;
    const body = await this.http.get(path, undefined, { notFound: `ticket ${ticket} or macro ${macro} not found` });
    const result = objectField<Body>(body, 'result', `GET ${path}`);
    const after = objectField<Ticket>(result, 'ticket', `GET ${path}`);
    const { comment: inline, ...changed } = after as Ticket & { comment?: unknown };
    const raw = isBody(result.comment) ? result.comment : isBody(inline) ? inline : undefined;
    const text = raw && typeof raw.body === 'string' ? raw.body : undefined;
    return {
      ticket: changed as Ticket,
      comment: raw && text !== undefined && text.trim() !== '' ? { body: text, ...(typeof raw.html_body === 'string' ? { html_body: raw.html_body } : {}), public: raw.public !== false } : null,
    };
  }

  private async showMany<T>(path: string, key: string, ids: number[]): Promise<T[]> {
    const unique = [...new Set(ids.map((id) => positiveId(id, 'id')))];
    // 100 ids a request, a few in flight at once (the client paces them to the budget)
    const pages = await settledInOrder(chunks(unique, MAX_IDS_PER_REQUEST), SHOW_MANY_CONCURRENCY, async (chunk) =>
      arrayField<T>(await this.http.get(path, { ids: chunk }), key, `GET ${path}`),
    );
    return pages.flat();
  }
}

/** `type:ticket` added to a search query that names no type; other types are refused. */
export function ticketQuery(query: string): string {
  const trimmed = query.trim();
  if (/(^|\s)type:ticket(\s|$)/i.test(trimmed)) return trimmed;
  const other = /(^|\s)type:(\S+)/i.exec(trimmed);
  if (other) throw new UsageError(`this search finds tickets; remove "type:${other[2]}" from the query`);
  return trimmed === '' ? 'type:ticket' : `type:ticket ${trimmed}`;
}

/**
 * A ticket search query for the search export: the type goes in filter[type] there, and a
 * `type:` term in the query is an error on Zendesk, so `type:ticket` is taken out (any other
 * type is refused as ticketQuery refuses it). The export needs a query: "every ticket" is
 * asked for as created since 1970.
 */
export function exportQuery(query: string): string {
  const rest = ticketQuery(query).replace(/(^|\s)type:ticket(?=\s|$)/gi, ' ').replace(/\s+/g, ' ').trim();
  return rest === '' ? 'created>1970-01-01' : rest;
}

function metricFrom(body: unknown, ticket: Ticket): TicketMetric | null {
  if (isBody(ticket.metric_set)) return ticketMetricFrom(ticket.metric_set);
  const sets = optionalArray<TicketMetric>(body, 'metric_sets').filter(isBody).map(ticketMetricFrom);
  return sets.find((m) => m.ticket_id === ticket.id) ?? null;
}

/**
 * fn over items with at most `limit` running at once; results in input order. After a failure
 * nothing new starts, the running ones settle, and the first failure is thrown.
 */
async function settledInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
  return out;
}

/** Like Promise.all, but waits for every promise to settle before throwing the first failure. */
async function allSettledOrThrow<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

function nullIfNotFound(err: unknown): null {
  if (err instanceof NotFoundError) return null;
  throw err;
}

function ticketId(id: number): number {
  return positiveId(id, 'ticket id');
}

function positiveId(id: number, what: string): number {
  if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`not a ${what}: ${String(id)}`);
  return id;
}

function checkBulkSize(n: number): void {
  if (n === 0) throw new UsageError('no tickets to update');
  if (n > MAX_IDS_PER_REQUEST) {
    throw new UsageError(`update_many takes at most ${MAX_IDS_PER_REQUEST} tickets at once; got ${n}`, {
      hint: 'split the tickets into batches of 100',
    });
  }
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
